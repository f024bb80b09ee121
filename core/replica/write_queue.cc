#include "core/replica/write_queue.h"

#include <iterator>
#include <utility>

#include "core/common/assert.h"

namespace pg {
namespace {

size_t ApproxBytes(const ClientRequest& r) {
  size_t n = r.hashkey.size() + r.sortkey.size() + r.value.size();
  for (const auto& [sortkey, value] : r.kvs) n += sortkey.size() + value.size();
  return n;
}

}  // namespace

bool WriteAllowsBatch(OpKind kind) { return kind == OpKind::kSet || kind == OpKind::kDel; }

void WriteQueue::PromotePending() {
  PG_ASSERT(pending_.has_value());
  queue_.push_back(std::move(*pending_));
  pending_.reset();
}

// A batch keeps gathering only while it is made of batchable writes and is not full.
void WriteQueue::TryPromotePending(OpKind kind) {
  PG_ASSERT(pending_.has_value());
  if (WriteAllowsBatch(kind) && pending_->approx_bytes < kFullBytes) return;
  PromotePending();
}

std::optional<QueuedMutation> WriteQueue::AddWork(QueuedWrite write, bool blocking_candidate,
                                                  bool room, Decree applied) {
  PG_ASSERT(IsWrite(write.request.kind));
  const OpKind kind = write.request.kind;
  if (pending_ && !WriteAllowsBatch(kind)) PromotePending();
  if (!pending_) pending_ = QueuedMutation{.blocking_candidate = blocking_candidate};
  pending_->approx_bytes += ApproxBytes(write.request);
  pending_->writes.push_back(std::move(write));
  if (!room) {
    TryPromotePending(kind);
    return std::nullopt;
  }
  if (auto unblocked = TryUnblock(applied)) {
    TryPromotePending(kind);
    return unblocked;
  }
  if (queue_.empty()) {
    QueuedMutation mu = std::move(*pending_);
    pending_.reset();
    return PopOrBlock(std::move(mu), applied);
  }
  TryPromotePending(kind);
  return PopQueue(applied);
}

std::optional<QueuedMutation> WriteQueue::NextWork(bool room, Decree applied) {
  if (!room) return std::nullopt;
  if (auto unblocked = TryUnblock(applied)) return unblocked;
  if (queue_.empty() && pending_) {
    QueuedMutation mu = std::move(*pending_);
    pending_.reset();
    return PopOrBlock(std::move(mu), applied);
  }
  return PopQueue(applied);
}

std::optional<QueuedMutation> WriteQueue::PopQueue(Decree applied) {
  while (!queue_.empty()) {
    QueuedMutation mu = std::move(queue_.front());
    queue_.pop_front();
    if (auto ready = PopOrBlock(std::move(mu), applied)) return ready;
  }
  return std::nullopt;
}

std::optional<QueuedMutation> WriteQueue::PopOrBlock(QueuedMutation mu, Decree applied) {
  if (!mu.blocking_candidate || !RowLocked(mu, applied)) return mu;
  blocked_.push_back(std::move(mu));
  return std::nullopt;
}

std::optional<QueuedMutation> WriteQueue::TryUnblock(Decree applied) {
  for (auto it = blocked_.begin(); it != blocked_.end(); ++it) {
    if (RowLocked(*it, applied)) continue;
    QueuedMutation mu = std::move(*it);
    blocked_.erase(it);
    return mu;
  }
  return std::nullopt;
}

bool WriteQueue::RowLocked(const QueuedMutation& mu, Decree applied) const {
  for (const QueuedWrite& w : mu.writes) {
    auto lock = row_locks_.find(w.request.hashkey);
    if (lock != row_locks_.end() && lock->second > applied) return true;
  }
  return false;
}

// Pegasus keeps the locks in an LRU map of bounded size and evicts applied rows only; here the
// applied ones are dropped as each mutation enters, so the map holds the rows in 2PC.
void WriteQueue::EnterTwoPhaseCommit(const std::vector<WriteUpdate>& updates, Decree d,
                                     Decree applied) {
  for (auto it = row_locks_.begin(); it != row_locks_.end();) {
    it = it->second <= applied ? row_locks_.erase(it) : std::next(it);
  }
  for (const WriteUpdate& u : updates) {
    auto [it, inserted] = row_locks_.try_emplace(u.hashkey, d);
    if (!inserted && d > it->second) it->second = d;
  }
}

bool WriteQueue::empty() const { return !pending_ && queue_.empty() && blocked_.empty(); }

size_t WriteQueue::waiting_writes() const {
  size_t n = pending_ ? pending_->writes.size() : 0;
  for (const QueuedMutation& mu : queue_) n += mu.writes.size();
  for (const QueuedMutation& mu : blocked_) n += mu.writes.size();
  return n;
}

}  // namespace pg
