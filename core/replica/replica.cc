#include "core/replica/replica.h"

#include <algorithm>

#include "core/common/assert.h"
#include "core/common/crc.h"
#include "core/common/log.h"
#include "core/replica/write_executor.h"

namespace pg {

TimerId MakeReplicaTimerId(Gpid gpid, ReplicaTimer kind) {
  PG_ASSERT(gpid.app_id >= 0 && gpid.app_id < (1 << 24), "app id {} does not fit a timer id",
            gpid.app_id);
  PG_ASSERT_GE(gpid.partition_index, 0);
  return TimerId((static_cast<uint64_t>(kind) << 56) | (static_cast<uint64_t>(gpid.app_id) << 32) |
                 static_cast<uint32_t>(gpid.partition_index));
}

Replica::Replica(ReplicaHost* host, Gpid gpid, std::unique_ptr<KvEngine> engine,
                 int32_t log_segment)
    : host_(host),
      gpid_(gpid),
      engine_(std::move(engine)),
      log_file_(SegmentName(PlogBaseName(gpid), log_segment)),
      log_segment_(log_segment),
      plist_(engine_ ? engine_->last_applied() : Decree(0)),
      digest_base_(engine_ ? engine_->last_applied() : Decree(0)) {
  PG_ASSERT(host_ != nullptr);
  PG_ASSERT(engine_ != nullptr, "an open replica needs its engine");
  config_.gpid = gpid;
}

Replica::Replica(ReplicaHost* host, Gpid gpid, const Status& why, bool engine_corrupt)
    : host_(host),
      gpid_(gpid),
      open_failed_corrupt_(engine_corrupt),
      log_file_(SegmentName(PlogBaseName(gpid), 0)),
      plist_(Decree(0)) {
  PG_ASSERT(host_ != nullptr);
  PG_ASSERT(!why.ok(), "a failed replica needs a reason");
  config_.gpid = gpid;
  status_ = PartitionStatus::kError;
  PG_LOG(kWarn, "replica {} failed to open: {}", gpid, why.ToString());
}

bool Replica::ServingAsPrimary(Time now) const {
  return status_ == PartitionStatus::kPrimary && host_->LeaseValid(now);
}

ReplicaInfo Replica::Info() const {
  return ReplicaInfo{.gpid = gpid_,
                     .ballot = ballot_,
                     .status = status_,
                     .last_committed_decree = plist_.last_committed(),
                     .last_prepared_decree = plist_.max_decree(),
                     .last_durable_decree = engine_ ? engine_->last_durable() : Decree(0)};
}

std::optional<uint64_t> Replica::CommittedDigest(Decree d) const {
  if (digest_base_ != Decree(0) || d > plist_.last_committed() || d < Decree(0)) {
    return std::nullopt;
  }
  if (d == Decree(0)) return 0;
  return digests_[static_cast<size_t>(d.value() - 1)];
}

std::optional<uint64_t> Replica::MutationDigest(Decree d) const {
  if (d <= digest_base_ || d > plist_.last_committed()) return std::nullopt;
  return mutation_digests_[static_cast<size_t>(d.value() - digest_base_.value() - 1)];
}

// ---- Status changes (Pegasus: replica::update_local_configuration) ---------------------------

void Replica::PersistBallot(Outbox& out) {
  PG_ASSERT(engine_ != nullptr, "only a replica with an engine changes its ballot");
  host_->PersistInitInfo(
      gpid_,
      ReplicaInitInfo{.init_ballot = ballot_, .init_durable_decree = engine_->last_durable()}, out);
}

void Replica::SetStatus(Time now, PartitionStatus s, Ballot b, bool transient, Outbox& out) {
  PG_ASSERT_GE(b, ballot_, "ballots never decrease");
  PG_ASSERT(status_ != PartitionStatus::kError, "PS_ERROR is terminal");
  PG_ASSERT(s != PartitionStatus::kError, "only Fail enters PS_ERROR");
  PG_ASSERT(!transient || s == PartitionStatus::kInactive, "only PS_INACTIVE is transient");
  const PartitionStatus old = status_;
  const Ballot old_ballot = ballot_;
  if (old == PartitionStatus::kPrimary && (s != PartitionStatus::kPrimary || b != old_ballot)) {
    out.CancelTimer(MakeReplicaTimerId(gpid_, ReplicaTimer::kGroupCheck));
    out.CancelTimer(MakeReplicaTimerId(gpid_, ReplicaTimer::kPrepareTimeout));
    out.CancelTimer(MakeReplicaTimerId(gpid_, ReplicaTimer::kPrepareRetry));
    primary_.retries.clear();
  }
  // Primary bookkeeping survives only a transient pause of the same primary (a pending config
  // change) or a ballot change that keeps it primary; any other move drops it.
  const bool keeps_primary_state =
      s == PartitionStatus::kPrimary || (s == PartitionStatus::kInactive && transient);
  if (!keeps_primary_state) AbandonPrimaryState(out);
  if (old == PartitionStatus::kPotentialSecondary && s != old) {
    learning_.reset();
    out.CancelTimer(MakeReplicaTimerId(gpid_, ReplicaTimer::kLearn));
  }
  status_ = s;
  ballot_ = b;
  ballot_high_ = std::max(ballot_high_, b);
  if (old != s || old_ballot != b) logged_ballot_at_boot_.reset();
  // Pegasus's update_local_configuration persists every rise so that a restart cannot come back
  // at an older ballot; it writes synchronously and goes on whatever the outcome, here the write
  // is an effect the replica does not wait for (docs/departures.md, "the persisted ballot").
  if (b > old_ballot) PersistBallot(out);
  if (abandoned_change_ && b >= abandoned_change_->config.ballot) abandoned_change_.reset();
  inactive_is_transient_ = s == PartitionStatus::kInactive && transient;
  if (old != s || old_ballot != b) {
    PG_LOG(kInfo, "replica {}: {}@{} -> {}@{}{}", gpid_, PartitionStatusName(old), old_ballot,
           PartitionStatusName(s), b, inactive_is_transient_ ? " (transient)" : "");
  }
  if (s == PartitionStatus::kPrimary && (old != s || old_ballot != b)) BecomePrimary(now, out);
  PG_ASSERT(s == PartitionStatus::kPotentialSecondary || !learning_,
            "a learner's state outlived its status");
}

// Pegasus: update_local_configuration's switch into PS_PRIMARY: init_group_check, then
// replay_prepare_list (reconciliation: everything uncommitted is re-prepared in this ballot).
void Replica::BecomePrimary(Time now, Outbox& out) {
  PG_ASSERT(status_ == PartitionStatus::kPrimary);
  PG_ASSERT(config_.primary == host_->self(), "primary status without being the config's primary");
  PG_ASSERT(!primary_.pending_change, "a pending change is answered before the replica serves");
  primary_.progress.clear();
  primary_.learners.clear();  // learners of an earlier ballot learn again under a new signature
  primary_.prepare_timer_armed = false;
  primary_.last_prepare_decree_on_new_primary = plist_.max_decree();
  primary_.last_prepare_time = now;
  out.SetTimer(MakeReplicaTimerId(gpid_, ReplicaTimer::kGroupCheck),
               host_->options().group_check_interval);
  ReplayPrepareList(now, out);
}

void Replica::AbandonPrimaryState(Outbox& out) {
  if (!primary_.replies.empty() || !primary_.write_queue.empty()) {
    PG_LOG(kInfo,
           "replica {}: abandoning {} prepared mutations and {} queued client writes (no reply)",
           gpid_, primary_.replies.size(), primary_.write_queue.waiting_writes());
  }
  if (primary_.pending_change) {
    out.CancelTimer(MakeReplicaTimerId(gpid_, ReplicaTimer::kConfigRetry));
  }
  primary_ = PrimaryState{};
  PG_ASSERT(primary_.progress.empty() && primary_.replies.empty() && primary_.write_queue.empty());
}

// Fail-stop: uncertain durability or a broken engine. The replica never acks or serves again.
void Replica::Fail(Outbox& out, const Status& why) {
  PG_ASSERT(!why.ok());
  if (status_ == PartitionStatus::kError) return;
  PG_LOG(kWarn, "replica {}: PS_ERROR: {}", gpid_, why.ToString());
  out.Mark("replica.error");
  out.CancelTimer(MakeReplicaTimerId(gpid_, ReplicaTimer::kGroupCheck));
  out.CancelTimer(MakeReplicaTimerId(gpid_, ReplicaTimer::kPrepareTimeout));
  out.CancelTimer(MakeReplicaTimerId(gpid_, ReplicaTimer::kPrepareRetry));
  out.CancelTimer(MakeReplicaTimerId(gpid_, ReplicaTimer::kLearn));
  AbandonPrimaryState(out);
  abandoned_change_.reset();
  learning_.reset();
  status_ = PartitionStatus::kError;
  inactive_is_transient_ = false;
  pending_appends_.clear();
  PG_ASSERT(primary_.replies.empty());
}

// Pegasus: replica::execute_mutation -> _app->apply_mutation, which executes a re-executed atomic
// update against this replica's state. Also extends the digest. `outcomes`, when given, receives
// what each update did (the primary answers its client from them).
Status Replica::ApplyMutation(const Mutation& mu, std::vector<AppliedUpdate>* outcomes) {
  PG_ASSERT(engine_ != nullptr);
  PG_ASSERT_EQ(mu.decree, engine_->last_applied().next(), "applying out of order");
  Result<AppliedUpdates> applied =
      ApplyUpdates(mu.updates, *engine_, host_->options().bugs, host_->StepClock());
  if (!applied.ok()) return applied.status();
  PG_RETURN_IF_ERROR(engine_->ApplyBatch(mu.decree, applied->batch));
  if (outcomes != nullptr) *outcomes = std::move(applied->outcomes);
  RememberCommitted(mu);
  const std::string encoded = Encode(mu.updates);
  mutation_digests_.push_back(Crc64(encoded, 0));
  if (digest_base_ == Decree(0)) {
    const uint64_t prev = digests_.empty() ? 0 : digests_.back();
    digests_.push_back(Crc64(encoded, prev));
  }
  return Status::Ok();
}

Status Replica::CommitSoft(Decree to) {
  PG_ASSERT(engine_ != nullptr, "a replica without an engine commits nothing");
  PG_ASSERT(status_ != PartitionStatus::kError, "a failed replica commits nothing");
  return plist_.CommitTo(to, [this](const Mutation& mu) { return ApplyMutation(mu); });
}

// The configuration a primary sends its members (prepare, group check).
ReplicaConfiguration Replica::MemberConfig(PartitionStatus s) const {
  PG_ASSERT_EQ(status_, PartitionStatus::kPrimary, "only a primary speaks for the group");
  PG_ASSERT(config_.primary == host_->self());
  return ReplicaConfiguration{
      .gpid = gpid_, .ballot = ballot_, .primary = config_.primary, .status = s};
}

// Each private-log append is synced before its completion (LogAppended) makes the decree count
// as logged, so a prepare this replica acknowledged survives a power loss. Upstream appends
// without fsync (docs/departures.md, "private log sync"; the bug zoo's plog_ack_before_sync).
void Replica::AppendMutation(const Mutation& mu, Outbox& out) {
  PG_ASSERT(status_ != PartitionStatus::kError, "a failed replica never writes");
  PG_ASSERT_GT(mu.decree, plist_.last_committed());
  const uint64_t token = host_->NewLogToken(log_file_, gpid_);
  out.AppendLog({.file = log_file_,
                 .token = token,
                 .bytes = EncodeLogRecord(LogRecord{.ballot = mu.ballot,
                                                    .decree = mu.decree,
                                                    .last_committed = mu.last_committed_decree,
                                                    .payload = Encode(mu.updates)}),
                 .sync = !host_->options().bugs.on(Bug::kPlogAckBeforeSync)});
  PG_ASSERT(pending_appends_.empty() || pending_appends_.back().token < token,
            "log tokens are issued in order");
  pending_appends_.push_back({.token = token, .ballot = mu.ballot, .decree = mu.decree});
  log_written_ = true;
  log_empty_ = false;
}

void Replica::Close(Outbox& out) {
  for (ReplicaTimer t :
       {ReplicaTimer::kGroupCheck, ReplicaTimer::kPrepareTimeout, ReplicaTimer::kConfigRetry,
        ReplicaTimer::kPrepareRetry, ReplicaTimer::kCheckpoint, ReplicaTimer::kLearn}) {
    out.CancelTimer(MakeReplicaTimerId(gpid_, t));
  }
  AbandonPrimaryState(out);
  PG_ASSERT(primary_.replies.empty());
}

void Replica::SwitchLogSegment(int32_t segment) {
  log_segment_ = segment;
  log_file_ = SegmentName(PlogBaseName(gpid_), segment);
}

void Replica::CheckInvariants() const {
  plist_.CheckInvariants();
  scanners_.CheckInvariants();
  PG_ASSERT_LE(plist_.last_committed(), plist_.max_decree());
  PG_ASSERT_EQ(ballot_, ballot_high_, "ballot went backwards");
  PG_ASSERT_EQ(config_.gpid, gpid_);
  PG_ASSERT_LE(first_log_segment_, log_segment_);
  if (log_reset_pending_) {
    PG_ASSERT(*log_reset_pending_ == log_segment_ && first_log_segment_ == log_segment_,
              "a pending log reset is to the segment written");
  }
  // A failed replica's engine may be half-written (a failed checkpoint restore): unknown state.
  if (engine_ != nullptr && status_ != PartitionStatus::kError) {
    PG_ASSERT_EQ(engine_->last_applied(), plist_.last_committed(), "applied != committed");
  }
  if (digest_base_ == Decree(0)) {
    PG_ASSERT_EQ(static_cast<int64_t>(digests_.size()), plist_.last_committed().value());
  }
  PG_ASSERT_EQ(static_cast<int64_t>(mutation_digests_.size()),
               plist_.last_committed().value() - digest_base_.value());
  PG_ASSERT(!inactive_is_transient_ || status_ == PartitionStatus::kInactive);
  if (abandoned_change_) {
    PG_ASSERT_GT(abandoned_change_->config.ballot, ballot_, "an abandoned change not above us");
  }
  if (status_ == PartitionStatus::kError) PG_ASSERT(pending_appends_.empty());
  for (size_t i = 0; i < pending_appends_.size(); ++i) {
    PG_ASSERT_LE(pending_appends_[i].ballot, ballot_, "an append of a ballot not yet ours");
    if (i > 0) {
      PG_ASSERT_LT(pending_appends_[i - 1].token, pending_appends_[i].token,
                   "appends out of order");
    }
  }
  if (!committed_cache_.empty()) {
    PG_ASSERT_EQ(committed_cache_.back().decree, plist_.last_committed(), "cache not at commit");
  }
  CheckPrimaryInvariants();
  CheckLearningInvariants();
  if (engine_ != nullptr) engine_->CheckInvariants();
}

void Replica::CheckPrimaryInvariants() const {
  if (status_ == PartitionStatus::kPrimary) {
    PG_ASSERT(config_.primary == host_->self(), "primary but not the config's primary");
    PG_ASSERT_EQ(config_.ballot, ballot_);
    PG_ASSERT(plist_.Contiguous(), "a primary's prepare list has a hole");
    PG_ASSERT(!primary_.pending_change, "2PC while a config change is pending");
  }
  if (primary_.pending_change) {
    PG_ASSERT(status_ == PartitionStatus::kInactive && inactive_is_transient_);
    // ballot + 1 for a primary's own change; an upgrade to primary asks for meta's ballot + 1,
    // and meta is one ahead after downgrading the old primary.
    if (primary_.pending_change->type == ConfigType::kUpgradeToPrimary ||
        primary_.pending_change->type == ConfigType::kAssignPrimary) {
      PG_ASSERT_GT(primary_.pending_change->config.ballot, ballot_);
    } else {
      PG_ASSERT_EQ(primary_.pending_change->config.ballot, ballot_.next());
    }
  }
  for (const auto& [d, p] : primary_.progress) {
    PG_ASSERT(d > plist_.last_committed() && d <= plist_.max_decree(), "progress for {}", d);
  }
  for (const auto& [d, r] : primary_.replies) {
    PG_ASSERT(d > plist_.last_committed() && d <= plist_.max_decree(), "reply for {}", d);
  }
  if (status_ != PartitionStatus::kPrimary && !inactive_is_transient_) {
    PG_ASSERT(primary_.replies.empty() && primary_.progress.empty(), "stale primary state");
  }
  if (status_ != PartitionStatus::kPrimary) {
    PG_ASSERT(primary_.retries.empty(), "prepare retries without being primary");
  }
}

void Replica::CheckLearningInvariants() const {
  PG_ASSERT_EQ(learning_.has_value(), status_ == PartitionStatus::kPotentialSecondary,
               "learner state without being a learner, or the reverse");
  if (learning_) {
    PG_ASSERT(config_.primary.has_value(), "a learner without its primary");
  }
  if (learning_ && learning_->caught_up) {
    PG_ASSERT_GE(plist_.last_committed().next(), learning_->prepare_start,
                 "a caught-up learner lacks decrees below its prepare start");
  }
  for (const auto& [node, learner] : primary_.learners) {
    PG_ASSERT(node != host_->self(), "a primary learning from itself");
    PG_ASSERT_EQ(learner.signature >> 32, static_cast<uint64_t>(ballot_.value()),
                 "a learner of another ballot");
  }
}

}  // namespace pg
