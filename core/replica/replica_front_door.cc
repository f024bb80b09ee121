// The front door: every message for a replica enters here (OnMessage), and so do meta's config
// sync and the replica's timers. Each kind's Admit makes the checks that precede its ballot (a
// failed or unannounced replica, a malformed message), compares the message's ballot once and
// applies the kind's rule (kBallotRules in replica_front_door.h), then dispatches on the replica's
// role. The handlers it calls assume what it checked, and assert it.
#include "core/replica/replica_front_door.h"

#include <algorithm>

#include "core/common/assert.h"
#include "core/common/log.h"
#include "core/replica/replica.h"

namespace pg {

namespace {

BallotClaim Claim(DoorKind kind, Ballot theirs, Ballot ours, std::optional<NodeId> from) {
  PG_ASSERT(BallotRuleOf(kind).source != BallotSource::kNone, "{} carries no ballot rule",
            BallotRuleOf(kind).name);
  return BallotClaim{
      .kind = kind, .relation = Relate(theirs, ours), .theirs = theirs, .ours = ours, .from = from};
}

std::string FromText(std::optional<NodeId> from) {
  return from ? fmt::format(" from {}", *from) : std::string();
}

}  // namespace

void Replica::OnMessage(Time now, NodeId from, const Message& msg, Outbox& out) {
  if (const auto* m = std::get_if<ClientRequest>(&msg)) return Admit(now, from, *m, out);
  if (const auto* m = std::get_if<GetScannerRequest>(&msg)) return Admit(now, from, *m, out);
  if (const auto* m = std::get_if<ScanRequest>(&msg)) return Admit(now, from, *m, out);
  if (const auto* m = std::get_if<PrepareRequest>(&msg)) return Admit(now, from, *m, out);
  if (const auto* m = std::get_if<PrepareAck>(&msg)) return Admit(now, from, *m, out);
  if (const auto* m = std::get_if<GroupCheckRequest>(&msg)) return Admit(now, from, *m, out);
  if (const auto* m = std::get_if<GroupCheckResponse>(&msg)) return Admit(now, from, *m, out);
  if (const auto* m = std::get_if<RemoveReplica>(&msg)) return Admit(now, from, *m, out);
  if (const auto* m = std::get_if<ConfigProposal>(&msg)) return Admit(now, from, *m, out);
  if (const auto* m = std::get_if<UpdateConfigResponse>(&msg)) return Admit(now, from, *m, out);
  if (const auto* m = std::get_if<AddLearnerRequest>(&msg)) return Admit(now, from, *m, out);
  if (const auto* m = std::get_if<LearnRequest>(&msg)) return Admit(now, from, *m, out);
  if (const auto* m = std::get_if<LearnResponse>(&msg)) return Admit(now, from, *m, out);
  if (const auto* m = std::get_if<LearnCompletionNotify>(&msg)) return Admit(now, from, *m, out);
  if (const auto* m = std::get_if<LearnCompletionResponse>(&msg)) return Admit(now, from, *m, out);
  PG_UNREACHABLE("the server routed a {} to replica {}", MessageName(msg), gpid_);
}

Admission Replica::ApplyBallotRule(Time now, const BallotClaim& claim, Outbox& out) {
  const BallotRule& rule = BallotRuleOf(claim.kind);
  PG_ASSERT(claim.relation == Relate(claim.theirs, claim.ours), "a claim of another relation");
  const BallotStep& step = rule.At(claim.relation);
  switch (step.action) {
    case BallotAction::kHandle:
      return {.verdict = Admission::kHandle};
    case BallotAction::kDrop:
      PG_LOG(kDebug, "replica {}: ignoring {} of ballot {}{}: {} than {} ({}@{})", gpid_, rule.name,
             claim.theirs, FromText(claim.from), BallotRelationName(claim.relation), claim.ours,
             PartitionStatusName(status_), ballot_);
      return {.verdict = Admission::kDropped};
    case BallotAction::kRefuse:
      PG_ASSERT(step.refusal != ErrorCode::kOk, "{}: a refusal without its code", rule.name);
      return {.verdict = Admission::kRefused, .refusal = step.refusal};
    case BallotAction::kAdoptFromPrimary:
      PG_ASSERT(claim.primary_config != nullptr && claim.relation == BallotRelation::kNewer);
      if (AdoptReplicaConfig(now, *claim.primary_config, out)) {
        return {.verdict = Admission::kHandle};
      }
      return {.verdict = Admission::kRefused, .refusal = step.refusal};
    case BallotAction::kAdoptIfPrimary:
      // Only proposals have this step: the marks name them.
      PG_ASSERT(claim.kind == DoorKind::kMemberProposal && claim.meta_config != nullptr);
      if (status_ != PartitionStatus::kPrimary) {
        PG_LOG(kDebug, "replica {}: not adopting the ballot-{} proposal's configuration as {}@{}",
               gpid_, claim.theirs, PartitionStatusName(status_), ballot_);
        out.Mark("replica.proposal_newer_config_ignored");
        return {.verdict = Admission::kDropped};
      }
      AdoptMetaConfig(now, *claim.meta_config, out);
      out.Mark("replica.proposal_newer_config");
      return {.verdict = Admission::kHandle};
    case BallotAction::kSameBallotStatusRule: {
      PG_ASSERT(claim.meta_config != nullptr && claim.relation == BallotRelation::kEqual);
      const PartitionStatus to = StatusIn(*claim.meta_config, host_->self());
      if (SameBallotChangeAllowed(status_, to, inactive_is_transient_)) {
        return {.verdict = Admission::kHandle};
      }
      PG_LOG(kDebug, "replica {}: same-ballot {} -> {} not allowed{}", gpid_,
             PartitionStatusName(status_), PartitionStatusName(to),
             inactive_is_transient_ ? "" : " (inactive is not transient)");
      return {.verdict = Admission::kDropped};
    }
  }
  PG_UNREACHABLE("ballot action {}", static_cast<int>(step.action));
}

// ---- Client requests and 2PC ------------------------------------------------------------------

void Replica::Admit(Time now, NodeId from, const ClientRequest& req, Outbox& out) {
  PG_ASSERT_EQ(req.gpid, gpid_, "the server routes by gpid");
  if (IsWrite(req.kind)) return OnClientWrite(now, from, req, out);
  OnClientRead(now, from, req, out);
}

void Replica::Admit(Time now, NodeId from, const GetScannerRequest& req, Outbox& out) {
  PG_ASSERT_EQ(req.gpid, gpid_, "the server routes by gpid");
  OnGetScanner(now, from, req, out);
}

void Replica::Admit(Time now, NodeId from, const ScanRequest& req, Outbox& out) {
  PG_ASSERT_EQ(req.gpid, gpid_, "the server routes by gpid");
  OnScan(now, from, req, out);
}

// on_prepare. A secondary follows one primary: the role dispatch refuses a prepare from any other.
void Replica::Admit(Time now, NodeId from, const PrepareRequest& req, Outbox& out) {
  PG_ASSERT_EQ(req.config.gpid, gpid_, "the server routes by gpid");
  const Mutation& mu = req.mutation;
  auto refuse = [&](ErrorCode e) { AckPrepare(mu.decree, e, from, mu.ballot, out); };
  if (!ValidPrepare(req)) {
    PG_LOG(kWarn, "replica {}: malformed prepare from {}: {}", gpid_, from, DebugString(req));
    return refuse(ErrorCode::kInvalidArgument);
  }
  if (status_ == PartitionStatus::kError) return refuse(ErrorCode::kInvalidState);
  if (!announced_) return refuse(ErrorCode::kInactiveState);
  BallotClaim claim = Claim(DoorKind::kPrepare, mu.ballot, ballot_, from);
  claim.primary_config = &req.config;
  const Admission a = ApplyBallotRule(now, claim, out);
  if (a.verdict == Admission::kRefused) return refuse(a.refusal);
  if (a.verdict == Admission::kDropped) return;  // a deposed primary's: no reply (Pegasus)
  PG_ASSERT_EQ(mu.ballot, ballot_, "past the rule, the prepare is of the replica's ballot");
  if (status_ == PartitionStatus::kInactive) return refuse(ErrorCode::kInactiveState);
  if (status_ == PartitionStatus::kPotentialSecondary) return OnLearnerPrepare(from, req, out);
  if (status_ != PartitionStatus::kSecondary || config_.primary != req.config.primary) {
    PG_LOG(kWarn, "replica {}: prepare from {} but we are {} with primary {}", gpid_, from,
           PartitionStatusName(status_), config_.primary ? config_.primary->value() : -1u);
    return refuse(ErrorCode::kInvalidState);
  }
  OnPrepare(from, req, out);
}

// on_prepare_reply: only a primary counts acks. A learner's ack counts for its upgrade only.
void Replica::Admit(Time now, NodeId from, const PrepareAck& ack, Outbox& out) {
  PG_ASSERT_EQ(ack.gpid, gpid_, "the server routes by gpid");
  if (status_ != PartitionStatus::kPrimary) {
    PG_LOG(kDebug, "replica {}: ignoring ack {}@{} from {}: {}@{}", gpid_, ack.decree, ack.ballot,
           from, PartitionStatusName(status_), ballot_);
    return;
  }
  const BallotClaim claim = Claim(DoorKind::kPrepareAck, ack.ballot, ballot_, from);
  if (ApplyBallotRule(now, claim, out).verdict != Admission::kHandle) return;
  PG_ASSERT_EQ(claim.relation, BallotRelation::kEqual);
  if (primary_.learners.contains(from)) return OnLearnerAck(now, from, ack, out);
  OnPrepareAck(now, from, ack, out);
}

// ---- Group check --------------------------------------------------------------------------------

// on_group_check: always answered; the answer's error tells the primary how this member stands.
void Replica::Admit(Time now, NodeId from, const GroupCheckRequest& req, Outbox& out) {
  PG_ASSERT_EQ(req.config.gpid, gpid_, "the server routes by gpid");
  auto refuse = [&](ErrorCode e) { out.Send(from, GroupCheckReply(req, e)); };
  if (status_ == PartitionStatus::kError) return refuse(ErrorCode::kInvalidState);
  if (!announced_) return refuse(ErrorCode::kInactiveState);
  BallotClaim claim = Claim(DoorKind::kGroupCheck, req.config.ballot, ballot_, from);
  claim.primary_config = &req.config;
  const Admission a = ApplyBallotRule(now, claim, out);
  if (a.verdict == Admission::kRefused) return refuse(a.refusal);
  PG_ASSERT(a.verdict == Admission::kHandle, "a group check is never dropped unanswered");
  PG_ASSERT_EQ(req.config.ballot, ballot_, "past the rule, the check is of the replica's ballot");
  if (status_ == PartitionStatus::kInactive) return refuse(ErrorCode::kInactiveState);
  if (status_ != PartitionStatus::kSecondary || config_.primary != req.config.primary) {
    return refuse(ErrorCode::kInvalidState);
  }
  OnGroupCheck(from, req, out);
}

void Replica::Admit(Time now, NodeId from, const GroupCheckResponse& resp, Outbox& out) {
  PG_ASSERT_EQ(resp.gpid, gpid_, "the server routes by gpid");
  if (status_ != PartitionStatus::kPrimary) {
    PG_LOG(kDebug, "replica {}: ignoring group check reply from {} for ballot {}: not primary",
           gpid_, from, resp.ballot);
    return;
  }
  const BallotClaim claim = Claim(DoorKind::kGroupCheckResponse, resp.ballot, ballot_, from);
  if (ApplyBallotRule(now, claim, out).verdict != Admission::kHandle) return;
  PG_ASSERT_EQ(claim.relation, BallotRelation::kEqual);
  OnGroupCheckResponse(now, from, resp, out);
}

// ---- Configuration ------------------------------------------------------------------------------

// on_remove: the primary removed this replica from the group.
void Replica::Admit(Time now, NodeId from, const RemoveReplica& m, Outbox& out) {
  PG_ASSERT_EQ(m.config.gpid, gpid_, "the server routes by gpid");
  auto ignore = [&] {
    PG_LOG(kDebug, "replica {}: ignoring remove from {} at ballot {} ({}@{})", gpid_, from,
           m.config.ballot, PartitionStatusName(status_), ballot_);
  };
  if (status_ == PartitionStatus::kError || m.config.status != PartitionStatus::kInactive) {
    return ignore();
  }
  const BallotClaim claim = Claim(DoorKind::kRemoveReplica, m.config.ballot, ballot_, from);
  if (ApplyBallotRule(now, claim, out).verdict != Admission::kHandle) return;
  // The primary of that very ballot is not removed by a peer of it, nor a learner added at it:
  // the removal is one the network delayed past the node's return as a learner (on_remove).
  if (claim.relation == BallotRelation::kEqual &&
      (status_ == PartitionStatus::kPrimary || status_ == PartitionStatus::kPotentialSecondary)) {
    return ignore();
  }
  OnRemoveReplica(now, m, out);
}

// on_config_sync. Before the ballot rule: a replica not yet announced keeps the configuration for
// its announcement; a primary ignores syncs ("nothing to do as primary always holds the truth"),
// and so does a replica waiting for its own change.
void Replica::OnConfigSync(Time now, const PartitionConfiguration& pc, Outbox& out) {
  PG_ASSERT_EQ(pc.gpid, gpid_);
  if (SyncHandledBeforeBallot(now, pc, out)) return;
  BallotClaim claim = Claim(DoorKind::kConfigSync, pc.ballot, ballot_, std::nullopt);
  claim.meta_config = &pc;
  // A restarted primary meta still lists asks for a new ballot before it acts (ForceUpdateBallot);
  // the same-ballot rule would refuse its return at the old one.
  if (loaded_at_boot_ && status_ == PartitionStatus::kInactive && !inactive_is_transient_ &&
      pc.primary == host_->self() && claim.relation != BallotRelation::kOlder) {
    if (!host_->options().bugs.on(Bug::kNoForceUpdateBallot)) {
      return ForceUpdateBallot(now, pc, out);
    }
    // kNoForceUpdateBallot (rDSN #522/#525 fixed it): no new ballot; the restarted primary takes
    // its role back at the old one, as if its inactivity had been transient.
    out.Mark("replica.bug_no_force_update_ballot");
    inactive_is_transient_ = true;
  }
  // A restarted replica whose log holds no record of the ballot it persisted took that ballot
  // from its init info alone: a sync listing it a secondary there makes it one, as a sync of a
  // ballot above its log did when the ballot was recovered from the log (docs/departures.md, "a
  // restarted replica"). Otherwise a secondary meta picks to succeed a dead primary would ignore
  // CT_UPGRADE_TO_PRIMARY for good (swarm seed 587).
  if (logged_ballot_at_boot_ && ballot_ > *logged_ballot_at_boot_ &&
      status_ == PartitionStatus::kInactive && !inactive_is_transient_ &&
      claim.relation == BallotRelation::kEqual &&
      StatusIn(pc, host_->self()) == PartitionStatus::kSecondary) {
    out.Mark("replica.rejoin_at_persisted_ballot");
    inactive_is_transient_ = true;
  }
  if (ApplyBallotRule(now, claim, out).verdict != Admission::kHandle) return;
  PG_ASSERT(status_ != PartitionStatus::kPrimary && !primary_.pending_change);
  AdoptMetaConfig(now, pc, out);
}

bool Replica::SyncHandledBeforeBallot(Time now, const PartitionConfiguration& pc, Outbox& out) {
  if (pc.partition_count > 0) partition_count_ = pc.partition_count;
  if (!announced_) {
    stashed_config_ = pc;
    return true;
  }
  if (status_ == PartitionStatus::kError) return true;  // fail-stop: it takes no role again
  if (status_ == PartitionStatus::kPrimary) {
    PG_LOG(kDebug, "replica {}: primary ignores config sync of ballot {}", gpid_, pc.ballot);
    return true;
  }
  if (primary_.pending_change) {
    PG_LOG(kDebug, "replica {}: config sync ignored while a config change is pending", gpid_);
    return true;
  }
  // A rule of the abandoned request's ballot, whatever the replica's: a sync below it that names
  // this replica primary may predate the request's arrival at meta.
  if (abandoned_change_ && pc.primary == host_->self() &&
      pc.ballot < abandoned_change_->config.ballot) {
    ReissueAbandonedChange(now, pc, out);
    PG_ASSERT(!abandoned_change_ && primary_.pending_change, "the abandoned request is pending");
    return true;
  }
  return false;
}

// on_config_proposal. A change of this replica's own in flight goes first.
void Replica::Admit(Time now, NodeId from, const ConfigProposal& p, Outbox& out) {
  PG_ASSERT_EQ(p.config.gpid, gpid_);
  if (p.config.partition_count > 0) partition_count_ = p.config.partition_count;
  const bool assign =
      p.type == ConfigType::kUpgradeToPrimary || p.type == ConfigType::kAssignPrimary;
  const bool member = p.type == ConfigType::kDowngradeToInactive ||
                      p.type == ConfigType::kAddSecondary || p.type == ConfigType::kRemove ||
                      p.type == ConfigType::kAddSecondaryForLb ||
                      p.type == ConfigType::kDowngradeToSecondary;
  if (!assign && !member) {
    PG_LOG(kDebug, "replica {}: proposal {} not handled", gpid_, ConfigTypeName(p.type));
    return;
  }
  if (primary_.pending_change) {
    PG_LOG(kDebug, "replica {}: ignoring {}: a config change is pending", gpid_,
           ConfigTypeName(p.type));
    return;
  }
  const DoorKind kind = assign ? DoorKind::kAssignProposal : DoorKind::kMemberProposal;
  BallotClaim claim = Claim(kind, p.config.ballot, ballot_, from);
  claim.meta_config = &p.config;
  if (ApplyBallotRule(now, claim, out).verdict != Admission::kHandle) return;
  if (p.type == ConfigType::kUpgradeToPrimary) return AssignPrimary(now, p, out);
  if (p.type == ConfigType::kAssignPrimary) return AssignPrimaryFromDrops(now, p, out);
  PG_ASSERT_EQ(p.config.ballot, ballot_, "past the rule, a member proposal is of our ballot");
  if (status_ != PartitionStatus::kPrimary) {
    PG_LOG(kDebug, "replica {}: ignoring {} of {}@{}: we are {}@{}", gpid_, ConfigTypeName(p.type),
           p.node, p.config.ballot, PartitionStatusName(status_), ballot_);
    return;
  }
  OnMemberProposal(now, p, out);
}

// on_update_configuration_on_meta_server_reply: only the answer to the pending request (rDSN
// delivers a reply to the call that sent it, and a new request cancels the previous call). Its
// ballot cannot tell: meta refuses an older request with its current configuration, the very one
// the pending request was based on, so a refusal held in the network looked like the pending
// request's own; the primary dropped the request that meta then persisted, resumed at the old
// ballot from a sync and ignored meta's answer, and meta's newer configuration naming it primary
// reached it no more (scenarios/regressions/pegasus_swarm_seed25_stale_refusal.json).
void Replica::Admit(Time now, NodeId from, const UpdateConfigResponse& r, Outbox& out) {
  PG_ASSERT_EQ(r.config.gpid, gpid_, "the server routes by gpid");
  if (!primary_.pending_change || status_ == PartitionStatus::kError) {
    PG_LOG(kDebug, "replica {}: ignoring config update reply: none pending", gpid_);
    return;
  }
  PG_ASSERT(status_ == PartitionStatus::kInactive && inactive_is_transient_);
  if (r.request_id != primary_.pending_change->request_id) {
    PG_LOG(kDebug, "replica {}: ignoring the answer to config update request {}: awaiting {}",
           gpid_, r.request_id, primary_.pending_change->request_id);
    out.Mark("replica.superseded_update_reply");
    return;
  }
  // The answer to the pending request: an ok one carries the ballot it made; a refusal carries
  // meta's configuration, which the request, based on it or on an older one, asks at most one
  // ballot above. (A second guard: meta's ballot never goes back.)
  const Ballot answers = r.error == ErrorCode::kOk ? r.config.ballot : r.config.ballot.next();
  const BallotClaim claim =
      Claim(DoorKind::kUpdateConfigResponse, answers, primary_.pending_change->config.ballot, from);
  if (ApplyBallotRule(now, claim, out).verdict != Admission::kHandle) return;
  OnUpdateConfigResponse(now, r, out);
}

// ---- Learning -----------------------------------------------------------------------------------

// on_add_learner: from the primary it names, to a replica able to learn.
void Replica::Admit(Time now, NodeId from, const AddLearnerRequest& req, Outbox& out) {
  const ReplicaConfiguration& rc = req.config;
  if (status_ == PartitionStatus::kError || !announced_ || rc.gpid != gpid_ ||
      rc.status != PartitionStatus::kPotentialSecondary || rc.primary != from) {
    PG_LOG(kDebug, "replica {}: ignoring add-learner from {} at ballot {} ({}@{})", gpid_, from,
           rc.ballot, PartitionStatusName(status_), ballot_);
    return;
  }
  const BallotClaim claim = Claim(DoorKind::kAddLearner, rc.ballot, ballot_, from);
  if (ApplyBallotRule(now, claim, out).verdict != Admission::kHandle) return;
  OnAddLearner(now, req, claim.relation, out);
}

// on_learn, at the primary. The signature (checked by OnLearn) names the round.
void Replica::Admit(Time now, NodeId from, const LearnRequest& req, Outbox& out) {
  PG_ASSERT_EQ(req.gpid, gpid_, "the server routes by gpid");
  auto refuse = [&](ErrorCode e) {
    LearnResponse resp = LearnResponseTo(req);
    resp.error = e;
    out.Send(from, resp);
  };
  if (status_ == PartitionStatus::kInactive && inactive_is_transient_ && primary_.pending_change) {
    return refuse(ErrorCode::kTryAgain);  // a configuration change is in flight; ask again later
  }
  if (status_ != PartitionStatus::kPrimary) return refuse(ErrorCode::kInvalidState);
  OnLearn(now, from, req, out);
}

// on_learn_reply: only from this learner's primary, of its ballot.
void Replica::Admit(Time now, NodeId from, const LearnResponse& resp, Outbox& out) {
  PG_ASSERT_EQ(resp.gpid, gpid_, "the server routes by gpid");
  if (status_ != PartitionStatus::kPotentialSecondary || !learning_ || config_.primary != from) {
    PG_LOG(kDebug, "replica {}: ignoring a learn response of another configuration from {}", gpid_,
           from);
    return;
  }
  const BallotClaim claim = Claim(DoorKind::kLearnResponse, resp.config.ballot, ballot_, from);
  if (ApplyBallotRule(now, claim, out).verdict != Admission::kHandle) return;
  OnLearnResponse(now, from, resp, out);
}

// on_learn_completion_notification, at the primary.
void Replica::Admit(Time now, NodeId from, const LearnCompletionNotify& n, Outbox& out) {
  PG_ASSERT_EQ(n.gpid, gpid_, "the server routes by gpid");
  LearnCompletionResponse resp{.gpid = gpid_, .signature = n.signature};
  if (primary_.pending_change) {
    // The learner's own upgrade is the change in flight: its notice is accepted.
    const bool ours = primary_.pending_change->type == ConfigType::kUpgradeToSecondary &&
                      primary_.pending_change->node == from;
    resp.error = ours ? ErrorCode::kOk : ErrorCode::kTryAgain;
    return out.Send(from, resp);
  }
  if (status_ != PartitionStatus::kPrimary) {
    resp.error = ErrorCode::kInvalidState;
    return out.Send(from, resp);
  }
  OnLearnCompletionNotify(now, from, n, out);
}

void Replica::Admit(Time now, NodeId from, const LearnCompletionResponse& resp, Outbox& out) {
  PG_ASSERT_EQ(resp.gpid, gpid_, "the server routes by gpid");
  if (status_ != PartitionStatus::kPotentialSecondary || !learning_) {
    PG_LOG(kDebug, "replica {}: ignoring a learn completion reply from {}: not learning", gpid_,
           from);
    return;
  }
  OnLearnCompletionResponse(now, resp, out);
}

// ---- Timers -------------------------------------------------------------------------------------

void Replica::OnTimer(Time now, ReplicaTimer kind, Outbox& out) {
  PG_ASSERT(kind >= ReplicaTimer::kGroupCheck && kind <= ReplicaTimer::kLast,
            "the server decodes replica timers only");
  switch (kind) {
    case ReplicaTimer::kGroupCheck:
      if (status_ != PartitionStatus::kPrimary) {
        PG_LOG(kDebug, "replica {}: group check timer while {}", gpid_,
               PartitionStatusName(status_));
        return;
      }
      BroadcastGroupCheck(now, out);
      CheckLearnerTimeouts(now, out);
      out.SetTimer(MakeReplicaTimerId(gpid_, ReplicaTimer::kGroupCheck),
                   host_->options().group_check_interval);
      return;
    case ReplicaTimer::kPrepareTimeout:
      primary_.prepare_timer_armed = false;
      if (status_ != PartitionStatus::kPrimary) return;
      return CheckPrepareTimeouts(now, out);
    case ReplicaTimer::kPrepareRetry:
      if (status_ != PartitionStatus::kPrimary) return;
      return ResendRetries(now, out);
    case ReplicaTimer::kCheckpoint:
      return Checkpoint(out);
    case ReplicaTimer::kLearn:
      if (!learning_) return;
      if (learning_->unanswered >= host_->options().learn_max_unanswered) {
        return GiveUpLearning(now, "the primary does not answer", out);
      }
      return learning_->caught_up ? SendLearnCompletion(out) : SendLearnRequest(out);
    case ReplicaTimer::kConfigRetry:
      if (!primary_.pending_change) return;
      SendConfigUpdate(out);
      out.SetTimer(MakeReplicaTimerId(gpid_, ReplicaTimer::kConfigRetry), Millis(1000));
      return;
  }
  PG_LOG(kDebug, "replica {}: unknown timer kind {}", gpid_, static_cast<int>(kind));
}

}  // namespace pg
