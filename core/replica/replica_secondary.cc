// The secondary's half of two-phase commit and the log completions that drive both halves:
// Pegasus src/replica/replica_2pc.cpp (on_prepare, on_append_log_completed, ack_prepare_message).
// The front door (replica_front_door.cc) applies a prepare's ballot rule and hands it here as a
// secondary's, or to OnLearnerPrepare (replica_learner.cc) as a learner's; the primary's half is
// in replica_primary_write.cc.
#include <algorithm>

#include "core/common/assert.h"
#include "core/common/log.h"
#include "core/replica/replica.h"

namespace pg {

bool Replica::ValidPrepare(const PrepareRequest& req) const {
  const Mutation& mu = req.mutation;
  return req.config.gpid == gpid_ && mu.ballot == req.config.ballot && mu.decree > Decree(0) &&
         mu.last_committed_decree >= Decree(0) && mu.last_committed_decree < mu.decree &&
         req.config.primary.has_value();
}

void Replica::AckPrepare(Decree d, ErrorCode error, NodeId to, Ballot ballot, Outbox& out) {
  PG_ASSERT(error != ErrorCode::kOk || status_ == PartitionStatus::kSecondary ||
                status_ == PartitionStatus::kPotentialSecondary,
            "only a secondary or a learner acks a prepare OK");
  PG_ASSERT(error != ErrorCode::kOk || engine_ != nullptr);
  out.Send(to,
           PrepareAck{.gpid = gpid_,
                      .error = error,
                      .ballot = ballot,
                      .decree = d,
                      .last_committed_decree_in_app = engine_ ? engine_->last_applied() : Decree(0),
                      .last_committed_decree_in_prepare_list = plist_.last_committed()});
}

// A prepare of a decree already committed here, or already prepared in this ballot (a resend or a
// network duplicate): acked now if it is in the log, else when its append completes. True when the
// prepare needs nothing more.
bool Replica::AnswerIfAlreadyHeld(const Mutation& mu, NodeId from, Outbox& out) {
  PG_ASSERT(status_ == PartitionStatus::kSecondary ||
            status_ == PartitionStatus::kPotentialSecondary);
  PG_ASSERT_EQ(mu.ballot, ballot_, "only a prepare of this ballot gets here");
  if (mu.decree <= plist_.last_committed()) {
    AckPrepare(mu.decree, ErrorCode::kOk, from, mu.ballot, out);
    return true;
  }
  const PreparedMutation* slot = plist_.Get(mu.decree);
  if (slot == nullptr || slot->mutation.ballot != mu.ballot) return false;
  if (slot->logged) {
    AckPrepare(mu.decree, ErrorCode::kOk, from, mu.ballot, out);
  } else {
    PG_LOG(kDebug, "replica {}: duplicate prepare {}@{}: acking when logged", gpid_, mu.decree,
           mu.ballot);
  }
  return true;
}

// on_prepare, as a secondary of the prepare's ballot and primary (the front door adopted a newer
// ballot or refused the prepare). A secondary acks OK only when the decree is in its log
// (PacificA: the prepared list is durable before the primary may count the ack).
void Replica::OnPrepare(NodeId from, const PrepareRequest& req, Outbox& out) {
  const Mutation& mu = req.mutation;
  PG_ASSERT_EQ(status_, PartitionStatus::kSecondary, "the front door hands prepares by role");
  PG_ASSERT_EQ(mu.ballot, ballot_, "the front door admits prepares of this ballot only");
  PG_ASSERT(announced_ && config_.primary == req.config.primary);
  if (AnswerIfAlreadyHeld(mu, from, out)) return;
  // The commit point riding on the prepare (prepare_list::prepare, COMMIT_TO_DECREE_HARD).
  if (Status s = CommitSoft(mu.last_committed_decree); !s.ok()) return Fail(out, s);
  if (plist_.last_committed() < mu.last_committed_decree) {
    // Pegasus asserts here. The primary cannot have committed a decree this secondary never
    // acked, so a hole below the commit point means our log lost an acked decree: refuse, and
    // the primary removes us.
    PG_LOG(kWarn, "replica {}: cannot commit to {}: decree {} missing", gpid_,
           mu.last_committed_decree, plist_.last_committed().next());
    return AckPrepare(mu.decree, ErrorCode::kInconsistentState, from, mu.ballot, out);
  }
  AppendMutation(mu, out);
  const bool prepared = plist_.Prepare(mu);
  PG_ASSERT(prepared, "slot {} holds a ballot above ours", mu.decree);
  if (host_->options().bugs.on(Bug::kAckBeforeLogged)) {
    // Bug zoo ack_before_logged (PacificA §3.1; PEGASUS.md §1.10): the ack goes out with the log
    // write only issued, so the primary may count a member whose log never got the decree (the
    // write fails, or a crash takes it). The guard: OnLogged acks, once the append completed.
    AckPrepare(mu.decree, ErrorCode::kOk, from, mu.ballot, out);
  }
}

// on_append_log_completed. Completions count as a prefix in issue order, so a decree counts as
// logged only when everything written before it is too.
void Replica::OnLogAppended(Time now, uint64_t token, Outbox& out) {
  PG_ASSERT(status_ != PartitionStatus::kError || pending_appends_.empty());
  auto it = std::find_if(pending_appends_.begin(), pending_appends_.end(),
                         [token](const PendingAppend& a) { return a.token == token; });
  if (it == pending_appends_.end()) {
    PG_LOG(kDebug, "replica {}: ignoring completion of unknown log token {}", gpid_, token);
    return;
  }
  it->done = true;
  while (!pending_appends_.empty() && pending_appends_.front().done) {
    const PendingAppend a = pending_appends_.front();
    pending_appends_.pop_front();
    OnLogged(now, a, out);
  }
  if (learning_ && learning_->completion_after_token &&
      (pending_appends_.empty() ||
       pending_appends_.front().token > *learning_->completion_after_token)) {
    learning_->completion_after_token.reset();
    SendLearnCompletion(out);
  }
  PG_ASSERT(pending_appends_.empty() || !pending_appends_.front().done, "a done prefix was left");
}

void Replica::OnLogged(Time now, const PendingAppend& a, Outbox& out) {
  PG_ASSERT(a.done);
  PG_ASSERT(status_ != PartitionStatus::kError, "a failed replica's appends are forgotten");
  PreparedMutation* slot = plist_.GetMutable(a.decree);
  if (slot == nullptr && status_ == PartitionStatus::kPotentialSecondary && learning_ &&
      a.ballot == ballot_ && a.decree <= plist_.last_committed() && config_.primary) {
    // A learner commits on later prepares' headers without waiting for its own log (the primary
    // commits without it), so a decree may commit, and leave the prepare list, before its append
    // completes. It is logged now: ack it, or the primary holds it unacked, refuses the learner's
    // completion and drops it at the prepare timeout, round after round
    // (scenarios/regressions/learner_straggle_heavy_seed2_unacked_commit.json). Pegasus acks on
    // the log write's completion whatever the mutation's commit state. (An ack of a learned
    // mutation the primary never prepared to it is harmless: OnLearnerAck erases nothing.)
    return AckPrepare(a.decree, ErrorCode::kOk, *config_.primary, a.ballot, out);
  }
  if (slot == nullptr || slot->mutation.ballot != a.ballot) {
    PG_LOG(kDebug, "replica {}: logged {}@{} is committed or superseded", gpid_, a.decree,
           a.ballot);
    return;
  }
  slot->logged = true;
  if (status_ == PartitionStatus::kPrimary) return TryCommitOnPrimary(now, out);
  if ((status_ == PartitionStatus::kSecondary || status_ == PartitionStatus::kPotentialSecondary) &&
      a.ballot == ballot_ && config_.primary) {
    return AckPrepare(a.decree, ErrorCode::kOk, *config_.primary, a.ballot, out);
  }
  PG_LOG(kDebug, "replica {}: logged {}@{} but {}@{}: no ack", gpid_, a.decree, a.ballot,
         PartitionStatusName(status_), ballot_);
}

void Replica::OnLogFailed(Time now, uint64_t token, const Status& status, Outbox& out) {
  const bool ours = std::any_of(pending_appends_.begin(), pending_appends_.end(),
                                [token](const PendingAppend& a) { return a.token == token; });
  if (!ours) {
    PG_LOG(kDebug, "replica {}: ignoring failure of unknown log token {}", gpid_, token);
    return;
  }
  PG_ASSERT(status_ != PartitionStatus::kError, "a failed replica has no appends in flight");
  // What reached the disk is unknown (Pegasus: replica_stub::handle_log_failure).
  Fail(out, status.ok() ? Status(ErrorCode::kIoError, "log append failed") : status);
  PG_ASSERT(status_ == PartitionStatus::kError && pending_appends_.empty());
}

}  // namespace pg
