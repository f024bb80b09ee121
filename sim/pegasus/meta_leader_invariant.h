#pragma once
// single_meta_leader (a cluster with several meta servers): at no event do two meta servers both
// lead, each judged at its own clock's now (MetaServer::IsLeader: it holds the coordination
// lock, known alive at that time, and serves its term's table). The lock's safety margin
// (coord_client.h) makes a deposed leader stop, on its own clock, before the coordination node can
// grant the lock again, as long as clocks drift within the margin and do not jump; a clock_jump
// fault on a meta server is outside that assumption.
#include <vector>

#include "core/common/ids.h"
#include "sim/kernel/cluster.h"

namespace pg::sim {

void AddMetaLeaderInvariant(Cluster& cluster, std::vector<NodeId> metas);

}  // namespace pg::sim
