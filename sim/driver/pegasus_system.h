#pragma once
// The "pegasus" system: meta servers, replica servers and clients of one table, as a scenario's
// knobs describe them, plus the global invariants of pegasus_invariants.h.
//
// Nodes, in NodeNames order:
//  - meta/0 is the MetaServer, and the leader: there is no leader election yet (Pegasus elects
//    one through a ZooKeeper lock), so meta/1.. are idle nodes that answer nothing; replica
//    servers and clients know only meta/0. Faults naming meta/1.. are harmless.
//  - replica/N are ReplicaServers whose engines live in a host-side EngineStore per node.
//  - client/N are PegasusClients; a client rebuilt after a crash runs no operations (its open
//    operation stays open, unknown, in the history, and its process id cannot be reused). The
//    network never duplicates what a client sends (TCP; Pegasus does not deduplicate requests).
#include "core/common/status.h"
#include "sim/cluster.h"
#include "sim/knobs.h"

namespace pg::sim {

// The timing every node of the system shares (Pegasus's defaults scaled down, PEGASUS.md §1.9):
// the replica's lease must be shorter than meta's grace.
struct PegasusTiming {
  Duration beacon_interval = Millis(1000);
  Duration lease = Millis(5000);
  Duration grace = Millis(7000);
  Duration meta_check_interval = Millis(1000);
  Duration group_check_interval = Millis(2000);
  Duration config_sync_interval = Millis(5000);
  Duration prepare_timeout = Millis(1500);
};

Status BuildPegasusSystem(Cluster& cluster, const Knobs& knobs);

}  // namespace pg::sim
