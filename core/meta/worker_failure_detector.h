#pragma once
// The master side of Pegasus's failure detector (src/failure_detector/failure_detector.cpp,
// src/meta/meta_server_failure_detector.cpp; PEGASUS.md §1.9): the meta server records when it
// last *received* a beacon from each worker, on its own clock, and declares a worker dead when
// more than `grace` has passed since. Workers expire their lease `lease` after the *send* time of
// their last acknowledged beacon, and lease < grace, so a worker always stops serving before the
// master declares it dead (the perfect-FD requirement).
#include <map>
#include <vector>

#include "core/common/ids.h"
#include "core/common/time.h"

namespace pg {

class WorkerFailureDetector {
 public:
  // A new master considers every worker alive and connected as of `now`
  // (register_worker(node, is_connected=true)), so it waits a full grace before declaring any
  // worker dead: a worker may hold a lease granted by the previous incarnation.
  WorkerFailureDetector(const std::vector<NodeId>& workers, Time now, Duration grace);

  // A beacon arrived. False for a node that is not a known worker (ignored).
  bool OnBeacon(NodeId worker, Time now);
  // Workers whose grace has run out and were alive until now; they are marked dead.
  std::vector<NodeId> ExpireWorkers(Time now);

  bool IsAlive(NodeId worker) const;
  // Workers currently considered dead, in id order.
  std::vector<NodeId> DeadWorkers() const;

  void CheckInvariants() const;

 private:
  struct Worker {
    Time last_beacon_recv;
    bool alive = true;
  };
  Duration grace_;
  // The latest time ExpireWorkers ran. Invariant: a dead worker's last beacon is more than grace
  // before it.
  Time last_expire_check_;
  std::map<NodeId, Worker> workers_;
};

}  // namespace pg
