// Group check, empty writes and the primary's timers: Pegasus src/replica/replica_check.cpp
// (broadcast_group_check, on_group_check, on_group_check_reply) and the prepare timeout of
// replica_2pc.cpp.
#include <algorithm>

#include "core/common/assert.h"
#include "core/common/log.h"
#include "core/replica/replica.h"

namespace pg {

void Replica::OnTimer(Time now, ReplicaTimer kind, Outbox& out) {
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

// broadcast_group_check: the commit point to every secondary; and when no prepare went out for
// a whole interval, an empty write so that the commit point moves even without client writes.
void Replica::BroadcastGroupCheck(Time now, Outbox& out) {
  PG_ASSERT(status_ == PartitionStatus::kPrimary);
  PG_ASSERT(host_->LeaseValid(now), "a primary without lease at its group check");
  for (NodeId s : config_.secondaries) {
    out.Send(s, GroupCheckRequest{.config = MemberConfig(PartitionStatus::kSecondary),
                                  .last_committed_decree = plist_.last_committed()});
  }
  const auto& o = host_->options();
  if (now - primary_.last_prepare_time < o.group_check_interval) return;
  if (MemberCount() < o.mutation_2pc_min_replica_count ||
      plist_.max_decree().value() + 1 > plist_.last_committed().value() + o.staleness_for_commit) {
    PG_LOG(kDebug, "replica {}: no empty write: members {} or pipeline full", gpid_, MemberCount());
    return;
  }
  out.Mark("replica.empty_write");
  InitPrepare(now, {}, std::nullopt, out);
}

// on_group_check (secondary).
void Replica::OnGroupCheck(Time now, NodeId from, const GroupCheckRequest& req, Outbox& out) {
  GroupCheckResponse resp{.gpid = gpid_, .ballot = req.config.ballot};
  auto reply = [&](ErrorCode e) {
    resp.error = e;
    resp.last_committed_decree_in_app = engine_ ? engine_->last_applied() : Decree(0);
    resp.last_committed_decree_in_prepare_list = plist_.last_committed();
    out.Send(from, resp);
  };
  if (status_ == PartitionStatus::kError) return reply(ErrorCode::kInvalidState);
  if (!announced_) return reply(ErrorCode::kInactiveState);
  if (req.config.ballot < ballot_) return reply(ErrorCode::kInvalidVersion);  // VERSION_OUTDATED
  if (req.config.ballot > ballot_ && !AdoptReplicaConfig(now, req.config, out)) {
    return reply(ErrorCode::kInvalidState);
  }
  if (status_ == PartitionStatus::kInactive) return reply(ErrorCode::kInactiveState);
  if (status_ != PartitionStatus::kSecondary || config_.primary != req.config.primary) {
    return reply(ErrorCode::kInvalidState);
  }
  if (Status s = CommitSoft(req.last_committed_decree); !s.ok()) return Fail(out, s);
  reply(ErrorCode::kOk);
}

// on_group_check_reply: an error means the member is not following; remove it.
void Replica::OnGroupCheckResponse(Time now, NodeId from, const GroupCheckResponse& resp,
                                   Outbox& out) {
  if (status_ != PartitionStatus::kPrimary || resp.ballot != ballot_) {
    PG_LOG(kDebug, "replica {}: ignoring group check reply from {} for ballot {}", gpid_, from,
           resp.ballot);
    return;
  }
  if (resp.error == ErrorCode::kOk) return;
  if (resp.error == ErrorCode::kTryAgain) {
    PG_LOG(kDebug, "replica {}: {} is still creating its replica", gpid_, from);
    return;
  }
  PG_LOG(kInfo, "replica {}: group check of {} failed: {}", gpid_, from, ErrorCodeName(resp.error));
  HandleRemoteFailure(now, from, out);
}

void Replica::ArmPrepareTimeout(Time now, Outbox& out) {
  PG_ASSERT(status_ == PartitionStatus::kPrimary);
  if (primary_.prepare_timer_armed) return;
  // Fire at the earliest deadline among prepares still waiting for an ack.
  std::optional<Time> earliest;
  for (const auto& [d, p] : primary_.progress) {
    if (!p.awaiting.empty() && (!earliest || p.sent < *earliest)) earliest = p.sent;
  }
  if (!earliest) return;
  const Time deadline = *earliest + host_->options().prepare_timeout;
  PG_ASSERT_GE(host_->options().prepare_timeout, Duration());
  out.SetTimer(MakeReplicaTimerId(gpid_, ReplicaTimer::kPrepareTimeout),
               std::max(deadline - now, Millis(1)));
  primary_.prepare_timer_armed = true;
}

// on_prepare_reply's retry of ERR_INACTIVE_STATE / ERR_TRY_AGAIN: the same mutation again, to
// the same member, while it is still awaited.
void Replica::ResendRetries(Time now, Outbox& out) {
  PG_ASSERT(status_ == PartitionStatus::kPrimary);
  std::set<std::pair<Decree, NodeId>> retries;
  retries.swap(primary_.retries);
  for (const auto& [d, node] : retries) {
    auto it = primary_.progress.find(d);
    const PreparedMutation* slot = plist_.Get(d);
    if (it == primary_.progress.end() || !it->second.awaiting.contains(node) || slot == nullptr) {
      continue;
    }
    PG_ASSERT_EQ(slot->mutation.ballot, ballot_);
    out.Send(node, PrepareRequest{.config = MemberConfig(PartitionStatus::kSecondary),
                                  .mutation = slot->mutation});
  }
  PG_ASSERT(primary_.retries.empty());
}

// A prepare not acked within prepare_timeout: the secondary that did not answer is removed
// (Pegasus: the RPC times out -> on_prepare_reply with ERR_TIMEOUT -> handle_remote_failure).
void Replica::CheckPrepareTimeouts(Time now, Outbox& out) {
  PG_ASSERT(status_ == PartitionStatus::kPrimary);
  for (const auto& [d, p] : primary_.progress) {
    if (!p.awaiting.empty() && now - p.sent >= host_->options().prepare_timeout) {
      const NodeId laggard = *p.awaiting.begin();
      PG_LOG(kInfo, "replica {}: prepare {} to {} timed out", gpid_, d, laggard);
      out.Mark("replica.prepare_timeout");
      return HandleRemoteFailure(now, laggard, out);
    }
  }
  ArmPrepareTimeout(now, out);
}

}  // namespace pg
