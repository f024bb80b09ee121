// Configuration changes seen from a replica: Pegasus src/replica/replica_config.cpp
// (on_config_sync, on_config_proposal, downgrade_to_inactive_on_primary,
// update_configuration_on_meta_server, on_update_configuration_on_meta_server_reply, on_remove)
// and replica_stub::on_meta_server_disconnected.
#include <algorithm>
#include <utility>

#include "core/common/assert.h"
#include "core/common/log.h"
#include "core/replica/replica.h"

namespace pg {

void Replica::MarkAnnounced(Time now, Outbox& out) {
  PG_ASSERT(!announced_, "announced twice");
  announced_ = true;
  std::optional<PartitionConfiguration> stashed = std::move(stashed_config_);
  stashed_config_.reset();
  if (stashed && host_->LeaseValid(now)) OnConfigSync(now, *stashed, out);
  PG_ASSERT(!stashed_config_);
}

// on_config_sync. Initial table creation also arrives here: meta persists a ballot-1
// configuration of an EMPTY partition naming primary and secondaries, and each replica adopts
// its role. Pegasus instead assigns a primary and adds secondaries by learning; for an empty
// partition the two are equivalent, and learning is a later issue.
void Replica::OnConfigSync(Time now, const PartitionConfiguration& pc, Outbox& out) {
  PG_ASSERT_EQ(pc.gpid, gpid_);
  if (pc.partition_count > 0) partition_count_ = pc.partition_count;
  if (!announced_) {
    stashed_config_ = pc;
    return;
  }
  if (status_ == PartitionStatus::kError) return;  // fail-stop: it takes no role again
  if (status_ == PartitionStatus::kPrimary) {
    // "nothing to do as primary always holds the truth" (Pegasus on_config_sync).
    PG_LOG(kDebug, "replica {}: primary ignores config sync of ballot {}", gpid_, pc.ballot);
    return;
  }
  if (primary_.pending_change) {
    PG_LOG(kDebug, "replica {}: config sync ignored while a config change is pending", gpid_);
    return;
  }
  if (abandoned_change_ && pc.primary == host_->self() &&
      pc.ballot < abandoned_change_->config.ballot) {
    return ReissueAbandonedChange(now, pc, out);
  }
  if (loaded_at_boot_ && status_ == PartitionStatus::kInactive && !inactive_is_transient_ &&
      pc.primary == host_->self() && pc.ballot >= ballot_) {
    if (!host_->options().bugs.on(Bug::kNoForceUpdateBallot))
      return ForceUpdateBallot(now, pc, out);
    // kNoForceUpdateBallot (rDSN #522/#525 fixed it): no new ballot; the restarted primary takes
    // its role back at the old one, as if its inactivity had been transient.
    out.Mark("replica.bug_no_force_update_ballot");
    inactive_is_transient_ = true;
  }
  AdoptConfig(now, pc, out);
}

// This primary asked meta for a change and its lease lapsed before the reply came. The sync
// names it primary at an older ballot, but it cannot tell whether meta has yet to see that request:
// meta answers a sync from what it has persisted, and a request delayed behind the sync would be
// persisted after it. Resuming at the older ballot would then run a configuration meta has
// replaced: meta's next ballot lists members this primary never prepares to, and, as a primary
// ignores config syncs, nothing tells it (swarm seed 1253: the partition stayed a member short
// for good, and any write it committed alone was on no replica meta would promote). Asking again
// gets meta's answer: the change is made or was made (a duplicate is answered with it), or refused
// with the configuration meta holds. (Pegasus drops the reconfiguration task when the lease
// lapses and resumes from the sync; this departs from it.)
void Replica::ReissueAbandonedChange(Time now, const PartitionConfiguration& pc, Outbox& out) {
  UpdateConfigRequest req = *std::exchange(abandoned_change_, std::nullopt);
  PG_LOG(kInfo, "replica {}: sync of ballot {} names it primary; asking again for ballot {}", gpid_,
         pc.ballot, req.config.ballot);
  out.Mark("replica.reissue_abandoned_change");
  RequestConfigUpdate(now, std::move(req), ballot_, out);
}

// A primary that restarted (its log intact: a power loss fails it at load) while meta still lists
// it must not resume at the ballot it had: what it prepares next could collide with decrees it
// prepared, acked or lost before the restart under that ballot. It asks meta for ballot + 1 with
// the membership unchanged (CT_PRIMARY_FORCE_UPDATE_BALLOT, rDSN #522/#525), and reconciles once
// it has it.
void Replica::ForceUpdateBallot(Time now, const PartitionConfiguration& pc, Outbox& out) {
  PartitionConfiguration next = pc;
  next.ballot = pc.ballot.next();
  config_ = pc;
  out.Mark("replica.force_update_ballot");
  RequestConfigUpdate(
      now,
      UpdateConfigRequest{
          .type = ConfigType::kPrimaryForceUpdateBallot, .config = next, .node = host_->self()},
      pc.ballot, out);
}

void Replica::OnConfigProposal(Time now, const ConfigProposal& p, Outbox& out) {
  PG_ASSERT_EQ(p.config.gpid, gpid_);
  if (p.config.partition_count > 0) partition_count_ = p.config.partition_count;
  if (p.type == ConfigType::kUpgradeToPrimary) return AssignPrimary(now, p, out);
  if (p.type == ConfigType::kAssignPrimary) return AssignPrimaryFromDrops(now, p, out);
  const bool handled = p.type == ConfigType::kDowngradeToInactive ||
                       p.type == ConfigType::kAddSecondary || p.type == ConfigType::kRemove ||
                       p.type == ConfigType::kAddSecondaryForLb ||
                       p.type == ConfigType::kDowngradeToSecondary;
  if (!handled) {
    PG_LOG(kDebug, "replica {}: proposal {} not handled", gpid_, ConfigTypeName(p.type));
    return;
  }
  // on_config_proposal: a change of this replica's own in flight goes first; a proposal from a
  // newer configuration is adopted before it is acted on (update_configuration). Meta may have
  // persisted this primary's own request after the primary gave up waiting for the reply (its
  // lease lapsed) and resumed at the old ballot; the primary ignores config syncs ("it holds the
  // truth"), so the proposal is how it learns that ballot (swarm seed 525: stuck for good).
  if (primary_.pending_change) {
    PG_LOG(kDebug, "replica {}: ignoring {}: a config change is pending", gpid_,
           ConfigTypeName(p.type));
    return;
  }
  if (p.config.ballot > ballot_) {
    // Only a primary adopts it: a proposal may arrive long after it was sent (held on a stalled
    // connection), and a replica that is not primary may since have been replaced. Swarm seed
    // 1597: a replica, inactive after its lease lapsed and removed by meta meanwhile, took up a
    // proposal of two ballots before and served reads beside the new primary. (Pegasus adopts
    // it whatever the replica's status; this departs from it.)
    if (status_ != PartitionStatus::kPrimary) {
      PG_LOG(kDebug, "replica {}: not adopting the ballot-{} proposal's configuration as {}@{}",
             gpid_, p.config.ballot, PartitionStatusName(status_), ballot_);
      out.Mark("replica.proposal_newer_config_ignored");
      return;
    }
    if (!AdoptConfig(now, p.config, out)) return;
    out.Mark("replica.proposal_newer_config");
  }
  if (status_ != PartitionStatus::kPrimary || p.config.ballot != ballot_) {
    PG_LOG(kDebug, "replica {}: ignoring {} of {}@{}: we are {}@{}", gpid_, ConfigTypeName(p.type),
           p.node, p.config.ballot, PartitionStatusName(status_), ballot_);
    return;
  }
  if (p.type == ConfigType::kAddSecondary || p.type == ConfigType::kAddSecondaryForLb) {
    // partition_guardian::on_missing_secondary chose p.node to learn, or the balancer copies a
    // replica to it (add_potential_secondary: a balancer's learner may be one member more).
    const bool for_lb = p.type == ConfigType::kAddSecondaryForLb;
    const bool member = p.node == host_->self() ||
                        std::find(config_.secondaries.begin(), config_.secondaries.end(), p.node) !=
                            config_.secondaries.end();
    if (member || MemberCount() >= config_.max_replica_count + (for_lb ? 1 : 0)) return;
    return AddLearner(p.node, for_lb, out);
  }
  if (p.type == ConfigType::kDowngradeToSecondary) return DowngradeToSecondary(now, p, out);
  // Meta's failure detector declared that secondary's node dead (CT_DOWNGRADE_TO_INACTIVE), or
  // the balancer drops the replica it copied elsewhere (CT_REMOVE): the same change on meta.
  HandleRemoteFailure(now, p.node, out, p.type);
}

// downgrade_to_secondary_on_primary: the balancer moves this primary's role to a secondary. The
// primary asks meta for the configuration without a primary and itself among the secondaries
// (ballot + 1), pausing 2PC meanwhile as for every change; meta's reply makes it a secondary
// (its prepare list stays: it is a member that holds every committed decree), and meta then
// proposes CT_UPGRADE_TO_PRIMARY to the balancer's chosen secondary, which reconciles. Writes
// this primary prepared and did not commit get no reply: their outcome is the new primary's.
void Replica::DowngradeToSecondary(Time now, const ConfigProposal& p, Outbox& out) {
  const NodeId self = host_->self();
  if (p.node != self || p.config.primary != self || p.config.secondaries != config_.secondaries) {
    PG_LOG(kDebug, "replica {}: ignoring {} of {}: not this primary's membership", gpid_,
           ConfigTypeName(p.type), p.node);
    return;
  }
  PartitionConfiguration next = config_;
  next.ballot = ballot_.next();
  next.primary.reset();
  next.secondaries.push_back(self);
  out.Mark("replica.downgrade_to_secondary");
  RequestConfigUpdate(
      now,
      UpdateConfigRequest{.type = ConfigType::kDowngradeToSecondary, .config = next, .node = self},
      ballot_, out);
}

// assign_primary: meta downgraded the dead primary and proposes this secondary. It asks meta for
// CT_UPGRADE_TO_PRIMARY at the proposal's ballot + 1 and stops 2PC meanwhile (transient
// PS_INACTIVE, as update_configuration_on_meta_server does); once meta persisted the change the
// reply makes it primary, and BecomePrimary reconciles.
void Replica::AssignPrimary(Time now, const ConfigProposal& p, Outbox& out) {
  const NodeId self = host_->self();
  const bool member = std::find(p.config.secondaries.begin(), p.config.secondaries.end(), self) !=
                      p.config.secondaries.end();
  // A restarted replica (non-transient PS_INACTIVE) may have lost its log's unsynced tail: it
  // never becomes primary from what it replayed.
  const bool eligible = status_ == PartitionStatus::kSecondary ||
                        (status_ == PartitionStatus::kInactive && inactive_is_transient_);
  if (p.node != self || p.config.primary || !member || !eligible || primary_.pending_change ||
      p.config.ballot < ballot_) {
    PG_LOG(kDebug, "replica {}: ignoring {} at ballot {} ({}@{}{})", gpid_, ConfigTypeName(p.type),
           p.config.ballot, PartitionStatusName(status_), ballot_,
           primary_.pending_change ? ", a change pending" : "");
    return;
  }
  PartitionConfiguration next = p.config;
  next.ballot = p.config.ballot.next();
  next.primary = self;
  std::erase(next.secondaries, self);
  out.Mark("replica.assign_primary");
  RequestConfigUpdate(
      now, UpdateConfigRequest{.type = ConfigType::kUpgradeToPrimary, .config = next, .node = self},
      ballot_, out);
}

// handle_remote_failure -> downgrade_to_inactive_on_primary: propose the configuration without
// that secondary at ballot + 1. Meta owns membership: the change is applied only after meta
// persisted it; meanwhile the primary is PS_INACTIVE (transient) and 2PC stops.
void Replica::HandleRemoteFailure(Time now, NodeId node, Outbox& out, ConfigType type) {
  PG_ASSERT(status_ == PartitionStatus::kPrimary, "only a primary removes members");
  PG_ASSERT(!primary_.pending_change);
  auto it = std::find(config_.secondaries.begin(), config_.secondaries.end(), node);
  if (it == config_.secondaries.end()) {
    PG_LOG(kDebug, "replica {}: {} failed but is not a secondary", gpid_, node);
    return;
  }
  PartitionConfiguration next = config_;
  next.secondaries.erase(next.secondaries.begin() + (it - config_.secondaries.begin()));
  next.ballot = ballot_.next();
  out.Mark(type == ConfigType::kRemove ? "replica.remove_secondary"
                                       : "replica.downgrade_secondary");
  RequestConfigUpdate(now, UpdateConfigRequest{.type = type, .config = next, .node = node}, ballot_,
                      out);
}

void Replica::SendConfigUpdate(Outbox& out) {
  PG_ASSERT(primary_.pending_change.has_value());
  PG_ASSERT(inactive_is_transient_);
  // update_configuration_on_meta_server: meta learns the commit point with every request.
  primary_.pending_change->config.last_committed_decree = plist_.last_committed();
  out.Send(host_->meta(), *primary_.pending_change);
}

// on_update_configuration_on_meta_server_reply.
void Replica::OnUpdateConfigResponse(Time now, const UpdateConfigResponse& r, Outbox& out) {
  if (!primary_.pending_change || status_ == PartitionStatus::kError) {
    PG_LOG(kDebug, "replica {}: ignoring config update reply: none pending", gpid_);
    return;
  }
  const UpdateConfigRequest req = *primary_.pending_change;
  // An ok reply below the requested ballot, or a refusal that predates the configuration the
  // request was based on, answers an older request (a retry's or a network duplicate's).
  if ((r.error == ErrorCode::kOk && r.config.ballot < req.config.ballot) ||
      (r.error != ErrorCode::kOk && r.config.ballot.next() < req.config.ballot)) {
    PG_LOG(kDebug, "replica {}: ignoring reply of ballot {} to a request of ballot {}", gpid_,
           r.config.ballot, req.config.ballot);
    return;
  }
  primary_.pending_change.reset();
  out.CancelTimer(MakeReplicaTimerId(gpid_, ReplicaTimer::kConfigRetry));
  if (r.error != ErrorCode::kOk || !AdoptConfig(now, r.config, out)) {
    // Refused (a stale ballot, or meta's table moved on: another primary, not a member): stay
    // inactive (transient) and learn the truth from meta. Meta answers only what it decided;
    // a request it dropped (a change already in flight) gets no reply and is retried.
    PG_LOG(kInfo, "replica {}: config update refused ({}): re-syncing", gpid_,
           ErrorCodeName(r.error));
    if (req.type == ConfigType::kAssignPrimary && assign_from_restart_ &&
        status_ == PartitionStatus::kInactive) {
      SetStatus(now, PartitionStatus::kInactive, ballot_, /*transient=*/false, out);
    }
    return host_->RequestConfigSync(now, out);
  }
  if (req.type == ConfigType::kDowngradeToInactive || req.type == ConfigType::kRemove) {
    // Pegasus sends RPC_REMOVE_REPLICA to the removed member after CT_DOWNGRADE_TO_INACTIVE
    // and CT_REMOVE.
    out.Send(req.node,
             RemoveReplica{.config = ReplicaConfiguration{.gpid = gpid_,
                                                          .ballot = r.config.ballot,
                                                          .primary = r.config.primary,
                                                          .status = PartitionStatus::kInactive}});
  }
}

// on_remove: the primary removed this replica from the group.
void Replica::OnRemoveReplica(Time now, NodeId from, const RemoveReplica& m, Outbox& out) {
  if (status_ == PartitionStatus::kError || m.config.ballot < ballot_ ||
      m.config.status != PartitionStatus::kInactive ||
      (status_ == PartitionStatus::kPrimary && m.config.ballot == ballot_)) {
    PG_LOG(kDebug, "replica {}: ignoring remove from {} at ballot {} ({}@{})", gpid_, from,
           m.config.ballot, PartitionStatusName(status_), ballot_);
    return;
  }
  config_.ballot = m.config.ballot;
  config_.primary = m.config.primary;
  config_.secondaries.clear();
  SetStatus(now, PartitionStatus::kInactive, m.config.ballot, /*transient=*/false, out);
}

void Replica::OnLeaseLapse(Time now, Outbox& out) {
  if (status_ == PartitionStatus::kError) return;
  const bool was_active = status_ != PartitionStatus::kInactive || inactive_is_transient_;
  if (primary_.pending_change) abandoned_change_ = primary_.pending_change;
  SetStatus(now, PartitionStatus::kInactive, ballot_, /*transient=*/was_active, out);
  // The outcome of every outstanding prepare is unknown: no client hears back.
  AbandonPrimaryState(out);
  PG_ASSERT(primary_.replies.empty() && !primary_.pending_change);
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

void Replica::RequestConfigUpdate(Time now, UpdateConfigRequest req, Ballot ballot, Outbox& out) {
  primary_.pending_change = std::move(req);
  SetStatus(now, PartitionStatus::kInactive, ballot, /*transient=*/true, out);
  SendConfigUpdate(out);
  out.SetTimer(MakeReplicaTimerId(gpid_, ReplicaTimer::kConfigRetry), Millis(1000));
}

}  // namespace pg
