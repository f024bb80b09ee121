#pragma once
// What the bench itself saw of each partition's replicas, fed with a replica server's views every
// time the invariants re-read it: the highest decree any replica committed, and which replicas
// were lost: last seen failed (PS_ERROR: a disk error, a damaged log or engine), or held on a
// disk that was replaced since (a "wipe").
//
// The liveness condition asks it which memberless partitions no safe rule may bring back, and
// excuses only those from "every partition regains its replica set":
//  - every healthy replica left prepared less than some replica committed, and a replica of the
//    partition was lost: a committed write is gone with it (a loss no failure explains is not
//    excused: that would be a bug);
//  - or the most recent drop, the member that held the partition last, lost its replica: what
//    it alone committed is known to no one, so no rule can tell a safe primary from one that
//    loses an acknowledged write (Pegasus leaves that to an administrator). Who held it last is
//    read from meta's persisted configuration, PacificA's authority on membership: a secondary
//    the primary removed may still believe it is one, and a primary may die before it learns
//    that meta accepted its change. That the replica failed, the bench saw for itself.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/common/ids.h"
#include "core/proto/pegasus_types.h"
#include "core/replica/replica_server.h"

namespace pg::sim {

// One replica server as a liveness check sees it at one instant.
struct ServerNow {
  NodeId id;
  std::string name;
  bool up = false;
  std::vector<ReplicaServer::ReplicaView> views;  // in gpid order; empty while down
};

class PartitionFates {
 public:
  // `views`: everything `node` holds now; empty while it is down. `disk_generation`: its disk's
  // (a change since the last call: every replica seen there before went with the old disk).
  void Observe(NodeId node, uint64_t disk_generation,
               const std::vector<ReplicaServer::ReplicaView>& views);

  // Why no rule may recover the memberless partition `pc` without risking a committed write,
  // judged from what every replica server holds now; nullopt when some rule could, or while one
  // of them is down (it may come back with the replica).
  std::optional<std::string> WhyUnrecoverable(const PartitionConfiguration& pc,
                                              const std::vector<ServerNow>& servers) const;

 private:
  Decree Committed(Gpid gpid) const;

  std::map<Gpid, Decree> committed_;
  // Replicas last seen failed on their server, or held on a disk since replaced; a healthy
  // sighting clears the entry.
  std::set<std::pair<NodeId, Gpid>> lost_;
  // Per server: its disk's generation, and every partition seen on that disk.
  std::map<NodeId, std::pair<uint64_t, std::set<Gpid>>> held_;
};

}  // namespace pg::sim
