// The checkpoint timer: Pegasus src/replica/replica_chkpt.cpp (on_checkpoint_timer), reduced to
// what durability needs: flush the engine so that last_durable catches up with last_applied, and
// a restart replays the private log from there instead of from the beginning. (Pegasus also
// garbage-collects plog files below the durable decree; pegasim only stops learning from them:
// see log_gc_decree_.)
#include <algorithm>

#include "core/common/assert.h"
#include "core/common/log.h"
#include "core/replica/replica.h"

namespace pg {

void Replica::StartCheckpoints(Outbox& out) {
  PG_ASSERT(status_ != PartitionStatus::kPrimary, "checkpoints start before any role");
  if (status_ == PartitionStatus::kError || engine_ == nullptr) return;
  out.SetTimer(MakeReplicaTimerId(gpid_, ReplicaTimer::kCheckpoint),
               host_->options().checkpoint_interval);
}

void Replica::Checkpoint(Outbox& out) {
  if (status_ == PartitionStatus::kError || engine_ == nullptr) {
    PG_LOG(kDebug, "replica {}: no checkpoint while {}", gpid_, PartitionStatusName(status_));
    return;
  }
  const Decree applied = engine_->last_applied();
  PG_ASSERT_LE(engine_->last_durable(), applied);
  if (engine_->last_durable() < applied) {
    if (Status s = engine_->Flush(); !s.ok()) return Fail(out, s);
    PG_ASSERT_EQ(engine_->last_durable(), applied, "a flush makes everything applied durable");
    out.Mark("replica.checkpoint");
  }
  // The plog below the durable decree (less a reserve for learners) counts as collected.
  log_gc_decree_ = std::max(log_gc_decree_, Decree(engine_->last_durable().value() -
                                                   host_->options().plog_gc_reserve_decrees));
  out.SetTimer(MakeReplicaTimerId(gpid_, ReplicaTimer::kCheckpoint),
               host_->options().checkpoint_interval);
}

}  // namespace pg
