// Configuration changes seen from a replica: Pegasus src/replica/replica_config.cpp
// (on_config_sync, on_config_proposal, assign_primary, downgrade_to_inactive_on_primary,
// update_configuration_on_meta_server, on_update_configuration_on_meta_server_reply, on_remove)
// and replica_stub::on_meta_server_disconnected. Meta owns membership: a replica asks, pauses 2PC
// while it waits (transient PS_INACTIVE), and adopts what meta persisted. The front door
// (replica_front_door.cc) applies every message's ballot rule before these handlers run.
#include <algorithm>
#include <utility>

#include "core/common/assert.h"
#include "core/common/log.h"
#include "core/replica/replica.h"
#include "core/replica/replica_front_door.h"

namespace pg {

// ---- Adopting a configuration (update_local_configuration) ------------------------------------

// Meta's configuration: a config sync at a ballot the front door's rule admitted, a newer one a
// proposal carries to its primary, or the one an update reply made.
void Replica::AdoptMetaConfig(Time now, const PartitionConfiguration& pc, Outbox& out) {
  PG_ASSERT_EQ(pc.gpid, gpid_);
  PG_ASSERT(status_ != PartitionStatus::kError, "a failed replica adopts nothing");
  PG_ASSERT_GE(pc.ballot, ballot_, "the front door drops older configurations");
  if (pc.partition_count > 0) partition_count_ = pc.partition_count;
  const PartitionStatus to = StatusIn(pc, host_->self());
  PG_ASSERT(pc.ballot > ballot_ || SameBallotChangeAllowed(status_, to, inactive_is_transient_),
            "a same-ballot change the front door refuses");
  if (pc.ballot == ballot_ && to == status_ && !inactive_is_transient_) {
    config_ = pc;
    return;
  }
  config_ = pc;
  SetStatus(now, to, pc.ballot, /*transient=*/false, out);
}

// A newer ballot learned from its primary (prepare, group check): Pegasus calls
// update_local_configuration(request.config) there too. Only a secondary's configuration is
// adopted this way: a learner of a newer primary waits for that primary's add-learner, and a
// configuration naming this replica primary comes from meta alone.
bool Replica::AdoptReplicaConfig(Time now, const ReplicaConfiguration& rc, Outbox& out) {
  PG_ASSERT_GT(rc.ballot, ballot_, "only a larger ballot is adopted from a peer");
  PG_ASSERT(status_ != PartitionStatus::kError);
  PG_ASSERT_EQ(rc.gpid, gpid_);
  if (rc.status != PartitionStatus::kSecondary || !rc.primary || *rc.primary == host_->self()) {
    PG_LOG(kDebug, "replica {}: not adopting peer config {}: not a secondary's", gpid_,
           DebugString(rc));
    return false;
  }
  config_.ballot = rc.ballot;
  config_.primary = rc.primary;
  config_.secondaries.clear();
  SetStatus(now, PartitionStatus::kSecondary, rc.ballot, /*transient=*/false, out);
  return true;
}

// ---- Config sync
// ---------------------------------------------------------------------------------

// This primary asked meta for a change and its lease lapsed before the reply came. The sync
// names it primary at an older ballot, but it cannot tell whether meta has yet to see that request:
// meta answers a sync from what it has persisted, and a request delayed behind the sync would be
// persisted after it. Resuming at the older ballot would then run a configuration meta has
// replaced: meta's next ballot lists members this primary never prepares to, and, as a primary
// ignores config syncs, nothing tells it: the partition would stay a member short for good, and a
// write it committed alone would be on no replica meta could promote
// (scenarios/regressions/pegasus_swarm_seed1253_abandoned_change.json). Asking again gets meta's
// answer: the change is made or was made (a duplicate is answered with it), or refused with the
// configuration meta holds. (Pegasus drops the reconfiguration task when the lease lapses and
// resumes from the sync; this departs from it.)
void Replica::ReissueAbandonedChange(Time now, const PartitionConfiguration& pc, Outbox& out) {
  PG_ASSERT(abandoned_change_ && pc.ballot < abandoned_change_->config.ballot);
  PG_ASSERT(!primary_.pending_change && status_ != PartitionStatus::kPrimary);
  UpdateConfigRequest req = *std::exchange(abandoned_change_, std::nullopt);
  PG_LOG(kInfo, "replica {}: sync of ballot {} names it primary; asking again for ballot {}", gpid_,
         pc.ballot, req.config.ballot);
  out.Mark("replica.reissue_abandoned_change");
  RequestConfigUpdate(now, std::move(req), ballot_, out);
}

// A primary that restarted (its log holds every decree it counted as logged) while meta still lists
// it must not resume at the ballot it had: what it prepares next could collide with decrees it
// prepared, acked or lost before the restart under that ballot. It asks meta for ballot + 1 with
// the membership unchanged (CT_PRIMARY_FORCE_UPDATE_BALLOT, rDSN #522/#525), and reconciles once
// it has it.
void Replica::ForceUpdateBallot(Time now, const PartitionConfiguration& pc, Outbox& out) {
  PG_ASSERT(loaded_at_boot_ && status_ == PartitionStatus::kInactive && !inactive_is_transient_);
  PG_ASSERT_GE(pc.ballot, ballot_, "the front door lets no older sync force a ballot");
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

// ---- Proposals
// ------------------------------------------------------------------------------------

// on_config_proposal's changes to the members, carried out by this primary of the proposal's
// ballot (the front door adopted a newer one, or dropped the proposal).
void Replica::OnMemberProposal(Time now, const ConfigProposal& p, Outbox& out) {
  PG_ASSERT_EQ(status_, PartitionStatus::kPrimary, "the front door hands proposals by role");
  PG_ASSERT_EQ(p.config.ballot, ballot_, "the front door admits proposals of this ballot");
  PG_ASSERT(!primary_.pending_change);
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
  PG_ASSERT(p.type == ConfigType::kDowngradeToInactive || p.type == ConfigType::kRemove);
  HandleRemoteFailure(now, p.node, out, p.type);
}

// downgrade_to_secondary_on_primary: the balancer moves this primary's role to a secondary. The
// primary asks meta for the configuration without a primary and itself among the secondaries
// (ballot + 1), pausing 2PC meanwhile as for every change; meta's reply makes it a secondary
// (its prepare list stays: it is a member that holds every committed decree), and meta then
// proposes CT_UPGRADE_TO_PRIMARY to the balancer's chosen secondary, which reconciles. Writes
// this primary prepared and did not commit get no reply: their outcome is the new primary's.
void Replica::DowngradeToSecondary(Time now, const ConfigProposal& p, Outbox& out) {
  PG_ASSERT_EQ(status_, PartitionStatus::kPrimary);
  PG_ASSERT_EQ(p.type, ConfigType::kDowngradeToSecondary);
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
  PG_ASSERT_EQ(p.type, ConfigType::kUpgradeToPrimary);
  PG_ASSERT(!primary_.pending_change && p.config.ballot >= ballot_, "the front door's rule");
  const NodeId self = host_->self();
  const bool member = std::find(p.config.secondaries.begin(), p.config.secondaries.end(), self) !=
                      p.config.secondaries.end();
  // A restarted replica (non-transient PS_INACTIVE) may have lost its log's unsynced tail: it
  // never becomes primary from what it replayed.
  const bool eligible = status_ == PartitionStatus::kSecondary ||
                        (status_ == PartitionStatus::kInactive && inactive_is_transient_);
  if (p.node != self || p.config.primary || !member || !eligible) {
    PG_LOG(kDebug, "replica {}: ignoring {} at ballot {} ({}@{})", gpid_, ConfigTypeName(p.type),
           p.config.ballot, PartitionStatusName(status_), ballot_);
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

// assign_primary for CT_ASSIGN_PRIMARY: after all replicas of a partition went down, meta picked
// this replica, one of the last drops, by the DDD rule (core/meta/meta_recovery.h). It asks meta to
// become the partition's only member at meta's ballot + 1; once meta persisted that, BecomePrimary
// reconciles: every decree it prepared above its commit point is prepared again in the new ballot
// and committed, then the guardian adds the other drops back as learners. A new partition's first
// primary takes the same path from an empty replica.
void Replica::AssignPrimaryFromDrops(Time now, const ConfigProposal& p, Outbox& out) {
  PG_ASSERT_EQ(p.type, ConfigType::kAssignPrimary);
  PG_ASSERT(!primary_.pending_change && p.config.ballot >= ballot_, "the front door's rule");
  const NodeId self = host_->self();
  const bool dropped = std::find(p.config.last_drops.begin(), p.config.last_drops.end(), self) !=
                       p.config.last_drops.end();
  const bool memberless = !p.config.primary && p.config.secondaries.empty();
  // A new partition's first primary: meta proposed it to this server, which created the replica
  // empty for it (ReplicaServer::CreateFirstPrimary); nothing was ever written there.
  const bool first = IsNewPartition(p.config) && status_ == PartitionStatus::kInactive &&
                     plist_.max_decree() == Decree(0);
  // A restarted replica (its log replayed, PS_INACTIVE) is the usual candidate; a secondary meta
  // removed while it could not hear is one too. A learner's state is partial; a failed replica's
  // log may lack what it acked.
  const bool eligible =
      status_ == PartitionStatus::kInactive || status_ == PartitionStatus::kSecondary;
  // Never serve without a decree meta knows committed (meta checked it too, on its view; Pegasus
  // #895: an empty replica must not serve a partition that has data). kPrimaryOnEmptyReplica
  // takes this side of the rule away along with meta's.
  const bool holds_committed = plist_.max_decree() >= p.config.last_committed_decree ||
                               host_->options().bugs.on(Bug::kPrimaryOnEmptyReplica);
  if (p.node != self || !memberless || !(dropped || first) || !eligible || !announced_ ||
      !holds_committed) {
    PG_LOG(kDebug, "replica {}: ignoring CT_ASSIGN_PRIMARY at ballot {} ({}@{}, prepared {})",
           gpid_, p.config.ballot, PartitionStatusName(status_), ballot_, plist_.max_decree());
    return;
  }
  PartitionConfiguration next = p.config;
  next.ballot = p.config.ballot.next();
  next.primary = self;
  std::erase(next.last_drops, self);
  assign_from_restart_ = status_ == PartitionStatus::kInactive && !inactive_is_transient_;
  out.Mark(first ? "replica.assign_first_primary" : "replica.assign_primary_ddd");
  RequestConfigUpdate(
      now, UpdateConfigRequest{.type = ConfigType::kAssignPrimary, .config = next, .node = self},
      ballot_, out);
}

// ---- Asking meta
// ----------------------------------------------------------------------------------

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

void Replica::RequestConfigUpdate(Time now, UpdateConfigRequest req, Ballot ballot, Outbox& out) {
  PG_ASSERT(!primary_.pending_change, "one change at a time");
  PG_ASSERT_GT(req.config.ballot, ballot, "a change asks for a newer ballot");
  // A new call (update_configuration_on_meta_server cancels the previous reconfiguration task):
  // answers to any earlier request, or to the retries of one, no longer count. Retries of this
  // one (SendConfigUpdate) keep its id.
  req.request_id = host_->NewMetaRequestId();
  PG_ASSERT_NE(req.request_id, uint64_t{0}, "0 names no request");
  primary_.pending_change = std::move(req);
  SetStatus(now, PartitionStatus::kInactive, ballot, /*transient=*/true, out);
  SendConfigUpdate(out);
  out.SetTimer(MakeReplicaTimerId(gpid_, ReplicaTimer::kConfigRetry), Millis(1000));
}

void Replica::SendConfigUpdate(Outbox& out) {
  PG_ASSERT(primary_.pending_change.has_value());
  PG_ASSERT(inactive_is_transient_);
  // update_configuration_on_meta_server: meta learns the commit point with every request.
  primary_.pending_change->config.last_committed_decree = plist_.last_committed();
  out.Send(host_->meta(), *primary_.pending_change);
}

// on_update_configuration_on_meta_server_reply to the pending request (the front door dropped a
// reply to an older one).
void Replica::OnUpdateConfigResponse(Time now, const UpdateConfigResponse& r, Outbox& out) {
  PG_ASSERT(primary_.pending_change.has_value(), "the front door admits replies to a request");
  PG_ASSERT(status_ == PartitionStatus::kInactive && inactive_is_transient_);
  const UpdateConfigRequest req = *primary_.pending_change;
  primary_.pending_change.reset();
  out.CancelTimer(MakeReplicaTimerId(gpid_, ReplicaTimer::kConfigRetry));
  if (r.error != ErrorCode::kOk) {
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
  // The request asked for a ballot above ours, and an ok reply carries at least that one.
  PG_ASSERT_GT(r.config.ballot, ballot_);
  AdoptMetaConfig(now, r.config, out);
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

// on_remove: the primary removed this replica from the group (the front door dropped an older
// removal, and one of the very ballot of a primary).
void Replica::OnRemoveReplica(Time now, const RemoveReplica& m, Outbox& out) {
  PG_ASSERT(status_ != PartitionStatus::kError && m.config.status == PartitionStatus::kInactive);
  PG_ASSERT_GE(m.config.ballot, ballot_, "the front door drops older removals");
  config_.ballot = m.config.ballot;
  config_.primary = m.config.primary;
  config_.secondaries.clear();
  SetStatus(now, PartitionStatus::kInactive, m.config.ballot, /*transient=*/false, out);
}

// ---- Lease
// ----------------------------------------------------------------------------------------

void Replica::OnLeaseLapse(Time now, Outbox& out) {
  if (status_ == PartitionStatus::kError) return;
  const bool was_active = status_ != PartitionStatus::kInactive || inactive_is_transient_;
  if (primary_.pending_change) abandoned_change_ = primary_.pending_change;
  SetStatus(now, PartitionStatus::kInactive, ballot_, /*transient=*/was_active, out);
  // The outcome of every outstanding prepare is unknown: no client hears back.
  AbandonPrimaryState(out);
  PG_ASSERT(primary_.replies.empty() && !primary_.pending_change);
  PG_ASSERT_EQ(status_, PartitionStatus::kInactive);
}

}  // namespace pg
