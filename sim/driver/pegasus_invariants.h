#pragma once
// Global invariants of the Pegasus system (DESIGN.md §3), checked after every event through
// Cluster::AddInvariant. Each node's own CheckInvariants is called by the kernel.
//  - single_primary:   at most one replica per partition serving as primary (primary with a
//                      valid lease at the node's local now) — PacificA's Primary Invariant.
//  - committed_prefix: any two replicas of a partition agree on the committed sequence up to
//                      the smaller commit point (CommittedDigest), and every digest observed at
//                      a decree, by any replica at any time, equals the first one observed there
//                      (so a divergence is caught even between replicas never up together).
//  - monotonic:        within one life of a replica, its ballot and commit point never go back.
//                      Across a restart (or a close and reopen of the replica) the in-memory
//                      ballot is not durable in Pegasus (a restarted replica re-learns it from
//                      meta before acting), so its mark restarts at 0; the commit point must not
//                      fall below what the replica durably had: its engine's last durable
//                      decree, which the EngineStore keeps across crashes (WAL off: only flushed
//                      state survives; the mutation log may restore more, never less).
#include <map>
#include <memory>
#include <vector>

#include "core/common/ids.h"
#include "sim/cluster.h"
#include "sim/driver/engine_store.h"

namespace pg::sim {

struct PegasusNodes {
  std::vector<NodeId> replica_servers;
  // The engine store of each replica server.
  std::map<NodeId, std::shared_ptr<EngineStore>> stores;
};

void AddPegasusInvariants(Cluster& cluster, const PegasusNodes& nodes);

}  // namespace pg::sim
