// The leader-lock recipe of CoordClient (see coord_client.h for the safety argument).
#include "core/common/log.h"
#include "core/coord/coord_client.h"

namespace pg {

void CoordClient::TryAcquireLock(const std::string& path, const std::string& owner_id, Time now,
                                 Outbox& out) {
  PG_ASSERT(!lock_ || lock_->path == path, "one lock per client: {} and {}", lock_->path, path);
  if (lock_ && lock_->op_id != 0) return;  // an attempt is running
  if (HoldsLock(now)) return;
  lock_ = Lock{.path = path, .owner_id = owner_id};
  if (!SessionAlive(now)) {
    PG_LOG(kDebug, "not trying lock {}: no session known alive", path);
    return;
  }
  lock_->op_id = Issue({.kind = CoordOpKind::kCreate,
                        .path = path,
                        .data = owner_id,
                        .ephemeral = true,
                        .for_lock = true},
                       now, out);
  PG_ASSERT(ops_.contains(lock_->op_id), "the lock's create is not in flight");
}

bool CoordClient::HoldsLock(Time now) const {
  // A lock acquired in a session that is gone is not held (LoseSession clears it).
  PG_ASSERT(!lock_ || !lock_->held || lock_->session != kNoCoordSession, "{}", lock_->path);
  return lock_ && lock_->held && lock_->session == session_ && SessionAlive(now);
}

std::optional<std::string> CoordClient::lock_holder() const {
  return lock_ ? lock_->holder : std::nullopt;
}

// One step of the recipe finished: create, then (if the znode exists) a read of its owner.
void CoordClient::OnLockStep(const CoordResult& result, Time now, Outbox& out) {
  PG_ASSERT(lock_ && lock_->op_id == result.op_id, "a lock step that is not the lock's");
  lock_->op_id = 0;
  lock_->held = false;
  if (result.kind == CoordOpKind::kCreate) {
    if (result.error == ErrorCode::kOk) {
      // The create answered kOk, so it ran in the open session (a lost one finishes kTimeout).
      PG_ASSERT(state_ == State::kOpen, "lock {} acquired without a session", lock_->path);
      lock_->held = true;
      lock_->session = session_;
      lock_->holder = lock_->owner_id;
      out.Mark("coord.lock_acquired");
      PG_LOG(kInfo, "acquired lock {} as {}", lock_->path, lock_->owner_id);
      return;
    }
    if (result.error != ErrorCode::kNodeAlreadyExist || !SessionAlive(now)) return;
    // Someone holds it, maybe ourselves through an earlier attempt of this create: read who.
    lock_->op_id =
        Issue({.kind = CoordOpKind::kGet, .path = lock_->path, .for_lock = true}, now, out);
    PG_ASSERT(ops_.contains(lock_->op_id), "the lock's read is not in flight");
    return;
  }
  PG_ASSERT(result.kind == CoordOpKind::kGet, "the lock recipe only creates and reads");
  if (result.error != ErrorCode::kOk) {
    lock_->holder.reset();
    return;
  }
  lock_->holder = result.data;
  if (session_ != kNoCoordSession && result.ephemeral_owner == session_) {
    PG_ASSERT(state_ == State::kOpen, "lock {} read in session {}", lock_->path, session_);
    lock_->held = true;
    lock_->session = session_;
    out.Mark("coord.lock_acquired");
    PG_LOG(kInfo, "acquired lock {} as {} (an earlier attempt created it)", lock_->path,
           lock_->owner_id);
  }
}

}  // namespace pg
