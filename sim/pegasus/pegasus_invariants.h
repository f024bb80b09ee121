#pragma once
// Global invariants of the Pegasus system (DESIGN.md §3), checked after every event through
// Cluster::AddInvariant. Each node's own CheckInvariants is called by the kernel.
//  - single_primary:   at most one replica per partition serving as primary (primary with a
//                      valid lease at the node's local now) — PacificA's Primary Invariant.
//  - committed_prefix: every mutation any replica commits at a decree, at any time, has the
//                      digest of the first one committed there (Replica::MutationDigest, checked
//                      for every decree each life of a replica applies): replicas agree on the
//                      whole committed sequence, even replicas never up together, and a replica
//                      that restarted from a checkpoint is checked from there on.
//  The checks are incremental: after an event only the node it stepped is re-read (every node
//  after a host action or fault), so their cost per event does not grow with the cluster.
//  - monotonic:        within one life of a replica, its ballot and commit point never go back.
//                      Across a restart neither falls below what the replica durably had: the
//                      ballot below the one it persisted in its init info (Pegasus persists
//                      every rise, replica_config.cpp update_local_configuration; the check
//                      reads, from the node's disk as the server boots, the largest ballot the
//                      init-info file holds since the replica's creation record; a replica
//                      created later, not loaded, starts from 0);
//                      the commit point below its engine's last durable decree, which the
//                      EngineStore keeps across crashes (WAL off: only flushed state survives;
//                      the mutation log may restore more, never less).
//  - config_durable:   no replica holds a ballot above its partition's in the leading meta's
//                      table. Meta makes a configuration durable (meta.log or the coordination
//                      service) before it applies it or any replica can learn it, and a leader
//                      starts from what is durable: a replica ahead of the leader means meta
//                      lost or never read a write it acknowledged (an fsync that lied, a log
//                      cut too short, a leader that loaded the table before a deposed one's
//                      write landed).
#include <map>
#include <memory>
#include <vector>

#include "core/common/ids.h"
#include "sim/kernel/cluster.h"
#include "sim/pegasus/engine_store.h"
#include "sim/pegasus/partition_fates.h"

namespace pg::sim {

struct PegasusNodes {
  std::vector<NodeId> meta_servers;
  std::vector<NodeId> replica_servers;
  // The engine store of each replica server.
  std::map<NodeId, std::shared_ptr<EngineStore>> stores;
};

// Returns the partition fates the checks keep up to date as they re-read each server (for the
// liveness condition).
std::shared_ptr<const PartitionFates> AddPegasusInvariants(Cluster& cluster,
                                                           const PegasusNodes& nodes);

}  // namespace pg::sim
