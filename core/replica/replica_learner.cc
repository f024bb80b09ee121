// Learning, the learner's side: Pegasus src/replica/replica_learn.cpp (on_add_learner, init_learn,
// on_learn_reply, notify_learn_completion) and PEGASUS.md §1.7.
//
// A learner (PS_POTENTIAL_SECONDARY) asks the primary for what it lacks above its engine's
// decree, round after round, until it holds every decree below the primary's prepare start
// decree; from that decree on the primary sends it every prepare, which it logs and acks like a
// secondary (the primary does not wait for those acks to commit). Then it tells the primary, which
// asks meta to make it a secondary.
#include <algorithm>

#include "core/common/assert.h"
#include "core/common/log.h"
#include "core/replica/replica.h"
#include "core/replica/replica_front_door.h"

namespace pg {

// on_add_learner: become (or stay) a learner of the sender's ballot and signature. The front door
// checked the sender is the primary the request names, at this replica's ballot or a newer one.
void Replica::OnAddLearner(Time now, const AddLearnerRequest& req, BallotRelation relation,
                           Outbox& out) {
  const ReplicaConfiguration& rc = req.config;
  PG_ASSERT(status_ != PartitionStatus::kError && announced_);
  PG_ASSERT(relation != BallotRelation::kOlder && rc.primary.has_value() &&
            rc.status == PartitionStatus::kPotentialSecondary);
  if (learning_ && learning_->signature == rc.learner_signature) return;  // a resend
  if (rc.learner_signature < newest_learner_signature_) {
    // A round the primary replaced: starting it again would reset this learner's state to learn
    // under a signature whose answers (maybe an older checkpoint) may still be on their way
    // (scenarios/regressions/learner_straggling_links_seed50_stale_add_learner.json). Part of the
    // same guard as the responses' signature (Pegasus 6aa11dea4). Bug zoo: learner_stale_signature.
    out.Mark("learn.stale_add_learner");
    if (!host_->options().bugs.on(Bug::kLearnerStaleSignature)) return;
  }
  // The same-ballot part of the ballot rule, after the signature rule: a member of this ballot
  // does not learn.
  if (relation == BallotRelation::kEqual &&
      (status_ == PartitionStatus::kPrimary || status_ == PartitionStatus::kSecondary ||
       primary_.pending_change)) {
    PG_LOG(kDebug, "replica {}: a member of ballot {} does not learn", gpid_, ballot_);
    return;
  }
  if (req.partition_count > 0) partition_count_ = req.partition_count;
  config_.ballot = rc.ballot;
  config_.primary = rc.primary;
  config_.secondaries.clear();
  // A learner of a new round starts over (a round's prepares are only for its signature).
  if (status_ == PartitionStatus::kPotentialSecondary) {
    SetStatus(now, PartitionStatus::kInactive, ballot_, /*transient=*/false, out);
  }
  SetStatus(now, PartitionStatus::kPotentialSecondary, rc.ballot, /*transient=*/false, out);
  // What this replica prepared but never committed may be of a history the group abandoned:
  // a learner keeps only what it learns and what this round's primary prepares.
  plist_.TruncateAbove(plist_.last_committed());
  learning_ = LearnerState{.signature = rc.learner_signature};
  newest_learner_signature_ = std::max(newest_learner_signature_, rc.learner_signature);
  out.Mark("learn.start");
  // Its log must forget that history too, or a replay would bring it back: see StartFreshLog.
  if (!log_empty_) StartFreshLog(out);
  if (status_ == PartitionStatus::kError) return;
  // Nothing of this round is logged before the reset is durable: OnLogReset sends the request.
  if (log_reset_pending_) return;
  SendLearnRequest(out);
}

// on_prepare as a potential secondary: only prepares of the current learning round, logged and
// acked like a secondary's; a commit point past a hole is left for learning to reach.
void Replica::OnLearnerPrepare(NodeId from, const PrepareRequest& req, Outbox& out) {
  const Mutation& mu = req.mutation;
  PG_ASSERT(learning_.has_value() && status_ == PartitionStatus::kPotentialSecondary);
  PG_ASSERT_EQ(mu.ballot, ballot_, "the front door admits prepares of this ballot only");
  if (req.config.status != PartitionStatus::kPotentialSecondary ||
      req.config.learner_signature != learning_->signature || config_.primary != from) {
    out.Mark("learn.stale_signature");
    return AckPrepare(mu.decree, ErrorCode::kInvalidState, from, mu.ballot, out);
  }
  if (AnswerIfAlreadyHeld(mu, from, out)) return;
  if (Status s = CommitSoft(mu.last_committed_decree); !s.ok()) return Fail(out, s);
  if (mu.decree <= plist_.last_committed()) {
    return AckPrepare(mu.decree, ErrorCode::kOk, from, mu.ballot, out);
  }
  AppendMutation(mu, out);
  const bool prepared = plist_.Prepare(mu);
  PG_ASSERT(prepared, "slot {} holds a ballot above ours", mu.decree);
}

// A learner's private log starts afresh at the state it learns from (Pegasus's on_learn_reply:
// mutation_log::on_partition_reset at the app's committed decree, then a new log file; replay
// skips what was logged before that point). Its old log may hold records of a history the group
// abandoned, and a replay commits from the headers it meets in log order: this round's primary
// sends prepares whose headers commit decrees the learner has not learned yet, so a replay that
// meets such a header before the learned records commits whatever the old log holds for those
// decrees, records of a ballot the group replaced
// (scenarios/regressions/pegasus_swarm_seed940_learner_log.json). The engine is flushed first, as
// the old log is never read again; then the replica index moves the replica's first segment to a
// new one (synced) before anything of the round is appended.
void Replica::StartFreshLog(Outbox& out) {
  PG_ASSERT(engine_ != nullptr && status_ == PartitionStatus::kPotentialSecondary);
  PG_ASSERT_EQ(engine_->last_applied(), plist_.last_committed());
  if (engine_->last_durable() < engine_->last_applied()) {
    if (Status s = engine_->Flush(); !s.ok()) return Fail(out, s);
    PG_ASSERT_EQ(engine_->last_durable(), engine_->last_applied());
  }
  // Appends still in flight are of the old log: everything above the commit point was just
  // dropped, everything at or below it is in the engine now. Their completions are ignored.
  pending_appends_.clear();
  SwitchLogSegment(
      host_->ResetPrivateLog(gpid_, log_written_ ? log_segment_ + 1 : log_segment_, out));
  first_log_segment_ = log_segment_;
  log_written_ = false;
  log_empty_ = true;
  log_reset_pending_ = log_segment_;
  // LT_LOG can serve nothing at or below the commit point from this log any more.
  log_gc_decree_ = std::max(log_gc_decree_, plist_.last_committed());
  out.Mark("learn.log_reset");
}

void Replica::OnLogReset(Time now, int32_t segment, const Status* failure, Outbox& out) {
  if (log_reset_pending_ != segment) return;  // superseded by a later reset
  log_reset_pending_.reset();
  if (failure != nullptr) {
    // The index may still name the old first segment, and a replay from there would read this
    // segment after the abandoned records: this replica never writes again (Pegasus fails a
    // learner on a local error, handle_learning_error).
    return Fail(out, failure->ok() ? Status(ErrorCode::kIoError, "log reset failed") : *failure);
  }
  if (learning_ && status_ == PartitionStatus::kPotentialSecondary) SendLearnRequest(out);
}

void Replica::SendLearnRequest(Outbox& out) {
  PG_ASSERT(learning_ && status_ == PartitionStatus::kPotentialSecondary);
  PG_ASSERT(config_.primary.has_value() && engine_ != nullptr);
  // A learner that asks again has nothing to notify: a completion notice deferred behind its
  // appends (SendLearnCompletion) is void, or it would go out once they complete, not caught up
  // (scenarios/regressions/pegasus_swarm_seed2107_deferred_completion.json).
  learning_->completion_after_token.reset();
  ++learning_->unanswered;
  learning_->answer_taken = false;
  out.Send(*config_.primary, LearnRequest{.gpid = gpid_,
                                          .signature = learning_->signature,
                                          .request_in_round = ++learning_->requests,
                                          .last_committed_decree_in_app = engine_->last_applied()});
  out.SetTimer(MakeReplicaTimerId(gpid_, ReplicaTimer::kLearn),
               host_->options().learn_retry_interval);
}

void Replica::SendLearnCompletion(Outbox& out) {
  PG_ASSERT(learning_ && learning_->caught_up);
  PG_ASSERT(status_ == PartitionStatus::kPotentialSecondary && config_.primary.has_value());
  // The primary upgrades the learner to secondary on this notice, so what it learned must be in
  // its log first: a learned mutation whose append is still in flight dies with a crash of this
  // process, and a secondary missing a committed decree may be the one made primary next. (The
  // prepares it acked are logged already: it acks them from OnLogged.) OnLogAppended sends the
  // notice once the appends issued so far are done.
  if (!pending_appends_.empty()) {
    learning_->completion_after_token = pending_appends_.back().token;
    return;
  }
  ++learning_->unanswered;
  out.Send(*config_.primary,
           LearnCompletionNotify{.gpid = gpid_,
                                 .signature = learning_->signature,
                                 .last_committed_decree_in_app = engine_->last_applied()});
  out.SetTimer(MakeReplicaTimerId(gpid_, ReplicaTimer::kLearn),
               host_->options().learn_retry_interval);
}

// The learner stops; meta proposes it (or another node) again, and the primary hands out a new
// signature. Its state stays: a later round learns incrementally from it.
void Replica::GiveUpLearning(Time now, std::string_view why, Outbox& out) {
  PG_ASSERT(learning_ && status_ == PartitionStatus::kPotentialSecondary);
  PG_LOG(kInfo, "replica {}: learning abandoned: {}", gpid_, why);
  out.Mark("learn.abandoned");
  SetStatus(now, PartitionStatus::kInactive, ballot_, /*transient=*/false, out);
  PG_ASSERT(!learning_);
}

// on_learn_reply, from this learner's primary at its ballot (the front door's rule).
void Replica::OnLearnResponse(Time now, NodeId from, const LearnResponse& resp, Outbox& out) {
  PG_ASSERT(status_ == PartitionStatus::kPotentialSecondary && learning_.has_value());
  PG_ASSERT(resp.config.ballot == ballot_ && config_.primary == from, "the front door's rule");
  // The signature names the round: a response of an earlier round (the learner was dropped and
  // added again meanwhile) carries an older prepare start and state, maybe an older checkpoint
  // that would take the commit point back (Pegasus 6aa11dea4). Bug zoo: learner_stale_signature.
  const bool check_round = !host_->options().bugs.on(Bug::kLearnerStaleSignature);
  if (resp.config.learner_signature != learning_->signature) {
    out.Mark("learn.other_round_answer");
    if (check_round) {
      PG_LOG(kDebug, "replica {}: ignoring a learn response of another round from {}", gpid_, from);
      return;
    }
  }
  if (resp.request_in_round != learning_->requests) {
    // The answer to a request the learn timer already asked again: the later answer may have
    // come first, and this one's older checkpoint would take the commit point back
    // (scenarios/regressions/learner_stale_answer_seed7_late_answer.json).
    out.Mark("learn.late_answer");
    return;
  }
  if (learning_->answer_taken) {
    // A second answer to the request answered already; an RPC takes one reply per call
    // (scenarios/regressions/learner_straggling_links_seed61_second_answer.json).
    out.Mark("learn.second_answer");
    return;
  }
  learning_->answer_taken = true;
  learning_->unanswered = 0;  // the primary answers: it is there, whatever it says
  if (resp.error == ErrorCode::kTryAgain) return;  // the timer asks again
  if (resp.error != ErrorCode::kOk) return GiveUpLearning(now, ErrorCodeName(resp.error), out);
  if (resp.prepare_start_decree <= Decree(0)) {
    return GiveUpLearning(now, "response without a prepare start decree", out);
  }
  learning_->prepare_start = resp.prepare_start_decree;
  if (resp.type == LearnType::kApp) {
    if (!resp.checkpoint) return GiveUpLearning(now, "LT_APP without a checkpoint", out);
    if (Status s = RestoreFromCheckpoint(*resp.checkpoint); !s.ok()) return Fail(out, s);
    out.Mark("learn.from_checkpoint");
  } else {
    AcceptLearnedMutations(resp, out);
    if (status_ == PartitionStatus::kError) return;
    out.Mark(resp.type == LearnType::kLog ? "learn.from_log" : "learn.from_cache");
  }
  // What the primary had committed is committed here too as far as it is contiguous.
  if (Status s = CommitSoft(resp.last_committed_decree); !s.ok()) return Fail(out, s);
  if (plist_.last_committed().next() >= learning_->prepare_start) {
    learning_->caught_up = true;
    learning_->unanswered = 0;
    out.Mark("learn.caught_up");
    return SendLearnCompletion(out);
  }
  SendLearnRequest(out);  // the next round
}

// LT_APP: the learner's state is replaced by the primary's; its prepare list restarts at the
// checkpoint's decree, keeping only what the current primary sent it (Pegasus 6d1edf550: a
// prepare list not reset here commits stale slots over the learned state).
Status Replica::RestoreFromCheckpoint(const pg::Checkpoint& cp) {
  PG_ASSERT(learning_ && engine_ != nullptr);
  PG_RETURN_IF_ERROR(engine_->RestoreCheckpoint(cp));
  // Bug zoo: prepare_list_kept_after_learn (Pegasus 6d1edf550) leaves the prepare list as it was:
  // its commit point no longer matches the engine's.
  if (!host_->options().bugs.on(Bug::kPrepareListKeptAfterLearn)) {
    plist_.ResetTo(cp.decree, ballot_);
    PG_ASSERT_EQ(plist_.last_committed(), cp.decree);
  }
  committed_cache_.clear();
  // The committed sequence below the checkpoint is no longer known mutation by mutation.
  digest_base_ = cp.decree;
  digests_.clear();
  mutation_digests_.clear();
  return Status::Ok();
}

// LT_CACHE / LT_LOG: committed mutations enter the prepare list (and the log, as Pegasus's learner
// appends learned mutations to its private log); the caller commits them.
void Replica::AcceptLearnedMutations(const LearnResponse& resp, Outbox& out) {
  PG_ASSERT(learning_ && status_ == PartitionStatus::kPotentialSecondary);
  for (const Mutation& mu : resp.mutations) {
    if (mu.decree <= plist_.last_committed() || mu.decree > resp.last_committed_decree) continue;
    if (const PreparedMutation* slot = plist_.Get(mu.decree);
        slot != nullptr && slot->mutation.ballot >= mu.ballot) {
      continue;  // the current primary's prepare of this decree is already here
    }
    // Bug zoo learned_mutations_unlogged (rDSN #137): prepared and committed, never logged.
    if (!host_->options().bugs.on(Bug::kLearnedMutationsUnlogged)) AppendMutation(mu, out);
    const bool prepared = plist_.Prepare(mu);
    PG_ASSERT(prepared);
  }
}

void Replica::OnLearnCompletionResponse(Time now, const LearnCompletionResponse& resp,
                                        Outbox& out) {
  PG_ASSERT(status_ == PartitionStatus::kPotentialSecondary && learning_.has_value());
  PG_ASSERT_EQ(resp.gpid, gpid_);
  if (!learning_->caught_up || resp.signature != learning_->signature) {
    PG_LOG(kDebug, "replica {}: ignoring a learn completion reply of another round", gpid_);
    return;
  }
  if (resp.error == ErrorCode::kOk) {
    // Accepted: meta is being asked. The timer re-notifies until the configuration that makes
    // this replica a secondary arrives.
    learning_->unanswered = 0;
    return;
  }
  if (resp.error == ErrorCode::kTryAgain) {
    // Not yet: a prepare's ack is on its way (or a configuration change). Ask again soon: at the
    // full interval the notices can fall in step with the primary's periodic empty writes and
    // always find the newest one unacknowledged.
    learning_->unanswered = 0;
    out.SetTimer(MakeReplicaTimerId(gpid_, ReplicaTimer::kLearn),
                 std::max(host_->options().learn_retry_interval / 20, Millis(10)));
    return;
  }
  if (resp.error == ErrorCode::kInconsistentState) {
    // What this learner learned ends below the primary's prepare start for it: learn again.
    out.Mark("learn.learn_again");
    learning_->caught_up = false;
    return SendLearnRequest(out);
  }
  GiveUpLearning(now, ErrorCodeName(resp.error), out);
}

}  // namespace pg
