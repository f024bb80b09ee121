#pragma once
// The "pegasus" system: meta servers, replica servers and clients of one table, as a scenario's
// knobs describe them, plus the global invariants of pegasus_invariants.h.
//
// Nodes, in NodeNames order:
//  - meta/N are MetaServers. With one, meta/0 keeps its table in meta.log and always leads. With
//    several, they share the table in the coordination service and the holder of its leader lock
//    leads; replica servers and clients know every meta and find the leader by forwards
//    (core/meta/meta_leadership.cc). Such a cluster also checks single_meta_leader
//    (meta_leader_invariant.h).
//  - coord/N, last in NodeNames order, only with several metas: the coordination service, one
//    CoordServer (coord/0), or with the coord_servers knob at 3 or 5 a quorum of CoordPeers
//    (core/coord/coord_peer.h), each with its own coord.log, timed from coord_session_timeout
//    (CoordFactory); the metas' clients know every one. A quorum also checks coord_quorum
//    (coord_quorum_invariant.h).
//  - replica/N are ReplicaServers whose engines live in a host-side EngineStore per node.
//  - client/N are PegasusClients; a client rebuilt after a crash runs no operations (its open
//    operation stays open, unknown, in the history, and its process id cannot be reused). The
//    network never duplicates what a client sends (TCP; Pegasus does not deduplicate requests).
#include "core/common/status.h"
#include "sim/kernel/cluster.h"
#include "sim/scenario/knobs.h"

namespace pg::sim {

// The timing every node of the system shares, from the run's timing set (the "timing" knob,
// sim/scenario/timing_sets.h; PEGASUS.md §1.9): the replica's lease must be shorter than meta's
// grace.
struct PegasusTiming {
  Duration beacon_interval;
  Duration lease;
  Duration grace;
  Duration meta_check_interval;
  Duration group_check_interval;
  Duration config_sync_interval;
  Duration prepare_timeout;
  // The meta servers' coordination session: a leader that cannot confirm it for this long (less
  // a tenth, the lock's safety margin) stops acting, and the next one takes over after it. Not
  // in a timing set: it is ZooKeeper's, whose role the coord nodes play (docs/departures.md,
  // "timing").
  Duration coord_session_timeout = Millis(4000);
};
PegasusTiming PegasusTimingOf(const TimingSet& set);

Status BuildPegasusSystem(Cluster& cluster, const Knobs& knobs);

}  // namespace pg::sim
