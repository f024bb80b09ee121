#include "core/meta/worker_failure_detector.h"

#include "core/common/assert.h"
#include "core/common/log.h"

namespace pg {

WorkerFailureDetector::WorkerFailureDetector(const std::vector<NodeId>& workers, Time now,
                                             Duration grace)
    : grace_(grace), last_expire_check_(now) {
  PG_ASSERT(grace > Duration(), "grace {}", grace);
  for (NodeId w : workers) workers_[w] = Worker{.last_beacon_recv = now, .alive = true};
}

bool WorkerFailureDetector::OnBeacon(NodeId worker, Time now) {
  auto it = workers_.find(worker);
  if (it == workers_.end()) return false;
  // Local time never goes back on one node, but a beacon can arrive after an expiry decided at a
  // later check; the receive time is simply the latest one.
  if (now > it->second.last_beacon_recv) it->second.last_beacon_recv = now;
  if (!it->second.alive) {
    PG_LOG(kInfo, "worker {} is alive again (beacon after being declared dead)", worker);
    it->second.alive = true;
  }
  // The receive time is the latest seen: a late beacon never moves it back.
  PG_ASSERT_GE(it->second.last_beacon_recv, now, "worker {}", worker);
  return true;
}

std::vector<NodeId> WorkerFailureDetector::ExpireWorkers(Time now) {
  if (now > last_expire_check_) last_expire_check_ = now;
  std::vector<NodeId> expired;
  for (auto& [node, w] : workers_) {
    if (w.alive && now - w.last_beacon_recv > grace_) {
      w.alive = false;
      expired.push_back(node);
      // Declared dead only past its grace, as of the latest check (CheckInvariants' rule).
      PG_ASSERT_GT(last_expire_check_ - w.last_beacon_recv, grace_, "worker {}", node);
    }
  }
  return expired;
}

bool WorkerFailureDetector::IsAlive(NodeId worker) const {
  auto it = workers_.find(worker);
  return it != workers_.end() && it->second.alive;
}

std::vector<NodeId> WorkerFailureDetector::DeadWorkers() const {
  std::vector<NodeId> dead;
  for (const auto& [node, w] : workers_) {
    if (!w.alive) dead.push_back(node);
  }
  return dead;
}

void WorkerFailureDetector::CheckInvariants() const {
  PG_ASSERT(grace_ > Duration());
  for (const auto& [node, w] : workers_) {
    // A worker is dead only if its grace had run out at the check that declared it, and any
    // beacon since would have revived it.
    if (!w.alive) {
      PG_ASSERT_GT(last_expire_check_ - w.last_beacon_recv, grace_, "worker {}", node);
    }
  }
}

}  // namespace pg
