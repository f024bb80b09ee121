#pragma once
// The Pegasus system's liveness condition (issue: "after a scenario's faults heal, every partition
// regains a full replica set and client operations succeed"), asked in a run's liveness phase.
// It holds when:
//  - a meta server leads and serves (meta/0 when it is the only one), and every partition of
//    its table has a primary and replica_count - 1 secondaries, each on a server that is up and
//    holds the replica in that role at the table's ballot, the primary with a valid lease (it
//    would serve): the table is "whole";
//  - and since the table was last seen whole, every client has completed an operation and the
//    latest ended ok, or has no operation left. Operations that ended before (while the system
//    recovered) do not count: a client whose workload ran out just after the heal, its last
//    operation timed out, would otherwise never show progress. Checked every 500 ms, so the
//    window is the time between.
// Excused, and named in the check's `exempt`: a partition without members that no safe rule may
// bring back (PartitionFates: a committed write is gone with a failed replica, or its most recent
// drop failed its replica), and client operations routed to it. Meta must stay unavailable there
// rather than lose an acknowledged write.
#include <memory>
#include <optional>
#include <vector>

#include "core/common/ids.h"
#include "sim/kernel/cluster.h"
#include "sim/pegasus/partition_fates.h"

namespace pg::sim {

struct PegasusLivenessParts {
  std::vector<NodeId> metas;
  std::vector<NodeId> replica_servers;
  std::vector<NodeId> clients;  // clients[p] is history process p
  std::shared_ptr<const PartitionFates> fates;
};

// `whole_since`: the condition's memory between checks (when the table was first seen whole
// since it last was not); starts empty.
Cluster::LivenessCheck CheckPegasusLiveness(const Cluster& cluster,
                                            const PegasusLivenessParts& parts,
                                            std::optional<Time>& whole_since);

}  // namespace pg::sim
