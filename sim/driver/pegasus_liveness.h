#pragma once
// The Pegasus system's liveness condition (issue: "after a scenario's faults heal, every partition
// regains a full replica set and client operations succeed"), asked in a run's liveness phase.
// It holds when:
//  - a meta server leads and serves (meta/0 when it is the only one), and every partition of
//    its table has a primary and replica_count - 1 secondaries, each on a server that is up and
//    holds the replica in that role at the table's ballot;
//  - every client that completed an operation invoked after the heal completed its latest such
//    operation ok, and at least one did if any completed at all.
// Excused, and named in the check's `exempt`: a partition without members that no safe rule may
// bring back (PartitionFates: a committed write is gone with a failed replica, or its most recent
// drop failed its replica), and client operations routed to it. Meta must stay unavailable there
// rather than lose an acknowledged write.
#include <memory>
#include <vector>

#include "core/common/ids.h"
#include "sim/cluster.h"
#include "sim/driver/partition_fates.h"

namespace pg::sim {

struct PegasusLivenessParts {
  std::vector<NodeId> metas;
  std::vector<NodeId> replica_servers;
  std::shared_ptr<const PartitionFates> fates;
};

Cluster::LivenessCheck CheckPegasusLiveness(const Cluster& cluster,
                                            const PegasusLivenessParts& parts, Time healed_at);

}  // namespace pg::sim
