#pragma once
// The Pegasus system's liveness condition (issue: "after a scenario's faults heal, every partition
// regains a full replica set and client operations succeed"), asked in a run's liveness phase.
// It holds when:
//  - a meta server leads and serves (meta/0 when it is the only one), and every partition of
//    its table has a primary and
//    replica_count - 1 secondaries, each on a server that is up and holds the replica in that
//    role at the table's ballot;
//  - every client that completed an operation invoked after the heal completed its latest such
//    operation ok, and at least one did if any completed at all.
#include <optional>
#include <string>
#include <vector>

#include "core/common/ids.h"
#include "sim/cluster.h"

namespace pg::sim {

std::optional<std::string> PegasusLivenessProblem(const Cluster& cluster,
                                                  const std::vector<NodeId>& metas, Time healed_at);

}  // namespace pg::sim
