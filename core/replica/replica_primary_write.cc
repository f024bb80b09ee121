// The primary's half of two-phase commit: Pegasus src/replica/replica_2pc.cpp (on_client_write,
// init_prepare, on_prepare_reply, do_possible_commit_on_primary), replay_prepare_list
// (replica_config.cpp), and the prepare timeout and retries. The secondary's half is in
// replica_secondary.cc; the primary's state is PrimaryState (replica_primary.h).
#include <algorithm>
#include <iterator>

#include "core/common/assert.h"
#include "core/common/log.h"
#include "core/replica/replica.h"
#include "core/replica/write_executor.h"

namespace pg {

// A client routes by partition_hash % partition_count (core/client); a stale route lands here.
ErrorCode Replica::RoutingCheck(uint64_t partition_hash) const {
  // Unknown partition count: the replica cannot tell whether the client routed correctly.
  if (partition_count_ <= 0) return ErrorCode::kInvalidState;
  if (partition_hash % static_cast<uint64_t>(partition_count_) !=
      static_cast<uint64_t>(gpid_.partition_index)) {
    return ErrorCode::kInvalidState;  // a stale route: the client re-queries meta
  }
  return ErrorCode::kOk;
}

// on_client_write's checks, all before prepare, so a rejection means "no effect".
ErrorCode Replica::WriteAdmission(Time now, const ClientRequest& req) const {
  PG_ASSERT(IsWrite(req.kind));
  if (status_ != PartitionStatus::kPrimary || !host_->LeaseValid(now)) {
    return ErrorCode::kInvalidState;
  }
  if (!ValidateClientRequest(req).ok()) return ErrorCode::kInvalidArgument;
  if (ErrorCode e = RoutingCheck(req.partition_hash); e != ErrorCode::kOk) return e;
  if (MemberCount() < host_->options().mutation_2pc_min_replica_count) {
    return ErrorCode::kNotEnoughMember;
  }
  return ErrorCode::kOk;
}

// on_client_write: admitted writes go through the write queue (Pegasus's mutation_queue), which
// prepares at once while the pipeline has room and gathers the rest.
void Replica::OnClientWrite(Time now, NodeId from, const ClientRequest& req, Outbox& out) {
  PG_ASSERT(IsWrite(req.kind));
  PG_ASSERT_EQ(req.gpid, gpid_);
  if (ErrorCode e = WriteAdmission(now, req); e != ErrorCode::kOk) {
    PG_LOG(kDebug, "replica {}: write {} rejected: {}", gpid_, req.request_id, ErrorCodeName(e));
    out.Send(from, ClientResponse{.request_id = req.request_id, .error = e});
    return;
  }
  // An atomic write executed on the primary reads the applied state: it waits for its row's
  // mutations in 2PC to apply. A re-executed one reads the state each replica applies it to, in
  // decree order, and waits for nothing (as in Pegasus: need_make_idempotent).
  // Bug zoo idempotent_no_row_lock (Pegasus #2198, #2214): executed at once, it reads a base
  // value that misses the writes to its row still in 2PC.
  const bool blocking = IsAtomicWrite(req.kind) && host_->options().atomic_idempotent &&
                        !host_->options().bugs.on(Bug::kIdempotentNoRowLock);
  auto work = primary_.write_queue.AddWork({.client = from, .request = req}, blocking,
                                           PipelineHasRoom(), engine_->last_applied());
  if (!work) {
    out.Mark("replica.write_queued");
    return;
  }
  if (!ExecuteAndPrepare(now, std::move(*work), out)) PrepareNextWork(now, out);
}

// The pipeline's bound, Pegasus's max_concurrent_op (staleness_for_commit): mutations prepared
// and not yet committed.
bool Replica::PipelineHasRoom() const {
  return plist_.max_decree().value() - plist_.last_committed().value() <
         host_->options().staleness_for_commit;
}

// next_work after a commit: one waiting mutation enters 2PC; one whose every write was refused
// is replaced by the next.
void Replica::PrepareNextWork(Time now, Outbox& out) {
  while (status_ == PartitionStatus::kPrimary) {
    auto work = primary_.write_queue.NextWork(PipelineHasRoom(), engine_->last_applied());
    if (!work || ExecuteAndPrepare(now, std::move(*work), out)) return;
  }
}

// init_prepare of a client mutation: each write executed (an atomic one in the atomic_idempotent
// mode; the others only carry their request), then one mutation for all. Returns false only when
// every write was refused, so that the caller takes up the next; a failed engine fails the replica
// and returns true. The queue hands out work only while the pipeline has room, so init_prepare's
// ERR_CAPACITY_EXCEEDED cannot happen here, as in Pegasus, where the queue's bound is the same.
bool Replica::ExecuteAndPrepare(Time now, QueuedMutation work, Outbox& out) {
  PG_ASSERT(status_ == PartitionStatus::kPrimary);
  PG_ASSERT(plist_.Contiguous());
  PG_ASSERT(PipelineHasRoom(), "the write queue handed out work beyond staleness_for_commit");
  const bool atomic_idempotent = host_->options().atomic_idempotent;
  std::vector<WriteUpdate> updates;
  std::vector<PendingReply> replies;
  for (const QueuedWrite& q : work.writes) {
    const ClientRequest& req = q.request;
    ExecutedWrite w = ExecuteWrite(req, *engine_, now, atomic_idempotent, host_->options().bugs);
    if (w.status.code() == ErrorCode::kInvalidArgument) {
      PG_LOG(kDebug, "replica {}: write {}: {}", gpid_, req.request_id, w.status.ToString());
      out.Send(q.client,
               ClientResponse{.request_id = req.request_id, .error = ErrorCode::kInvalidArgument});
      continue;
    }
    if (!w.status.ok()) {
      Fail(out, w.status);
      return true;
    }
    std::move(w.updates.begin(), w.updates.end(), std::back_inserter(updates));
    replies.push_back({.client = q.client,
                       .response = ClientResponse{.request_id = req.request_id,
                                                  .new_value = w.new_value,
                                                  .cas_matched = w.cas_matched},
                       .answer_from_apply = IsAtomicWrite(req.kind) && !atomic_idempotent});
  }
  if (replies.empty()) return false;
  if (replies.size() > 1) out.Mark("replica.write_batched");
  InitPrepare(now, std::move(updates), std::move(replies), out);
  return true;
}

// init_prepare: (ballot, max_decree + 1), header.last_committed_decree = the commit point; the
// local log append and the prepares to every secondary go out together.
void Replica::InitPrepare(Time now, std::vector<WriteUpdate> updates,
                          std::vector<PendingReply> replies, Outbox& out) {
  PG_ASSERT(status_ == PartitionStatus::kPrimary);
  Mutation mu{.ballot = ballot_,
              .decree = plist_.max_decree().next(),
              .last_committed_decree = plist_.last_committed(),
              .updates = std::move(updates)};
  const Decree d = mu.decree;
  primary_.write_queue.EnterTwoPhaseCommit(mu.updates, d, engine_->last_applied());
  AppendMutation(mu, out);
  const bool prepared = plist_.Prepare(std::move(mu));
  PG_ASSERT(prepared, "a primary's new decree {} collided", d);
  if (!replies.empty()) {
    for (PendingReply& r : replies) r.response.decree = d;
    primary_.replies[d] = std::move(replies);
  }
  primary_.last_prepare_time = now;
  PG_ASSERT_EQ(plist_.max_decree(), d);
  SendPrepare(now, d, out);
}

void Replica::SendPrepare(Time now, Decree d, Outbox& out) {
  const PreparedMutation* slot = plist_.Get(d);
  PG_ASSERT(slot != nullptr && (slot->mutation.ballot == ballot_ ||
                                host_->options().bugs.on(Bug::kReconcileOldBallot)),
            "sending decree {} unprepared", d);
  PG_ASSERT(status_ == PartitionStatus::kPrimary);
  PrepareProgress& p = primary_.progress[d];
  p.awaiting = std::set<NodeId>(config_.secondaries.begin(), config_.secondaries.end());
  p.sent = now;
  for (NodeId s : config_.secondaries) {
    out.Send(s, PrepareRequest{.config = MemberConfig(PartitionStatus::kSecondary),
                               .mutation = slot->mutation});
  }
  for (auto& [node, learner] : primary_.learners) {
    if (learner.prepare_start && d >= *learner.prepare_start) {
      SendPrepareToLearner(now, node, learner, d, out);
    }
  }
  if (!p.awaiting.empty()) ArmPrepareTimeout(now, out);
}

// replay_prepare_list: every decree in (last_committed, max_decree] is prepared again in the
// current ballot; a hole becomes an empty mutation. A slot already of this ballot (the same
// primary coming back from a transient pause) is re-sent, not re-logged.
void Replica::ReplayPrepareList(Time now, Outbox& out) {
  PG_ASSERT(status_ == PartitionStatus::kPrimary);
  const Decree committed = plist_.last_committed();
  const Decree max = plist_.max_decree();
  for (Decree d = committed.next(); d <= max; d = d.next()) {
    const PreparedMutation* slot = plist_.Get(d);
    if (slot != nullptr && slot->mutation.ballot < ballot_ &&
        host_->options().bugs.on(Bug::kReconcileOldBallot)) {
      // Bug zoo reconcile_old_ballot (rDSN #496): the uncommitted decree is sent again as it
      // is, under the ballot of the primary that prepared it, instead of being re-prepared (and
      // re-logged) under this primary's ballot.
      SendPrepare(now, d, out);
      continue;
    }
    if (slot == nullptr || slot->mutation.ballot < ballot_) {
      Mutation mu{.ballot = ballot_, .decree = d, .last_committed_decree = committed};
      if (slot != nullptr) {
        mu.updates = slot->mutation.updates;
      } else {
        out.Mark("replica.replay_fill_hole");
      }
      AppendMutation(mu, out);
      const bool prepared = plist_.Prepare(std::move(mu));
      PG_ASSERT(prepared);
    }
    // Unlike Pegasus's, a re-prepared mutation locks the rows it writes: upstream's lock comes from
    // the mutation's client requests, which a primary promoted from secondary does not have, so an
    // atomic write executed on it (atomic_idempotent) read a row missing a committed write still
    // re-preparing (swarm seeds 3113 and 3753; docs/departures.md, "atomic writes"). Bug zoo
    // reprepare_no_row_lock puts upstream's behaviour back.
    if (!host_->options().bugs.on(Bug::kReprepareNoRowLock)) {
      primary_.write_queue.EnterTwoPhaseCommit(plist_.Get(d)->mutation.updates, d,
                                               engine_->last_applied());
    }
    SendPrepare(now, d, out);
  }
  PG_ASSERT(plist_.Contiguous(), "reconciliation leaves no hole");
  if (max > committed) out.Mark("replica.replay_prepare_list");
  TryCommitOnPrimary(now, out);
}

// Bug zoo commit_on_majority (PacificA §3.1): with the switch on, a decree counts as acked once
// the primary and secondaries forming a strict majority of the group hold it. PacificA commits
// only when EVERY member of the configuration acked: a member that lacks a committed decree may
// be the one meta promotes next, and the write is lost.
bool Replica::MajorityAckedUnderBug(const PrepareProgress& p) const {
  if (!host_->options().bugs.on(Bug::kCommitOnMajority)) return false;
  const int acked = MemberCount() - static_cast<int>(p.awaiting.size());
  return 2 * acked > MemberCount();
}

// do_possible_commit_on_primary: decree d commits when the primary's own log holds it and every
// secondary of the current ballot acked it (all, not a majority), strictly in decree order; and a
// joining learner too (LearnerProgress::joining).
void Replica::TryCommitOnPrimary(Time now, Outbox& out) {
  while (status_ == PartitionStatus::kPrimary) {
    const Decree d = plist_.last_committed().next();
    const PreparedMutation* slot = plist_.Get(d);
    if (slot == nullptr || !slot->logged || slot->mutation.ballot != ballot_) break;
    auto progress = primary_.progress.find(d);
    PG_ASSERT(progress != primary_.progress.end(), "prepared decree {} without progress", d);
    if (!progress->second.awaiting.empty() && !MajorityAckedUnderBug(progress->second)) break;
    if (JoiningLearnerLacks(d)) break;
    std::vector<AppliedUpdate> outcomes;
    Status s = plist_.CommitNext(
        [this, &outcomes](const Mutation& mu) { return ApplyMutation(mu, &outcomes); });
    if (!s.ok()) return Fail(out, s);
    PG_ASSERT_EQ(plist_.last_committed(), d);
    primary_.progress.erase(progress);
    auto replies = primary_.replies.find(d);
    if (replies != primary_.replies.end()) {
      for (PendingReply& r : replies->second) {
        if (r.answer_from_apply) AnswerFromApply(outcomes, r.response);
        out.Send(r.client, r.response);
      }
      primary_.replies.erase(replies);
    }
    PrepareNextWork(now, out);
  }
}

// The client's answer to a re-executed atomic write is what it did on the primary: Pegasus
// replies from the write service's execution of the committed mutation.
void Replica::AnswerFromApply(const std::vector<AppliedUpdate>& outcomes,
                              ClientResponse& response) {
  PG_ASSERT_EQ(outcomes.size(), size_t{1}, "a client's atomic write is a mutation of its own");
  const AppliedUpdate& o = outcomes.front();
  if (o.status.code() == ErrorCode::kInvalidArgument) {
    response.error = ErrorCode::kInvalidArgument;  // applied as nothing, as upstream's empty_put
    return;
  }
  PG_ASSERT(o.status.ok(), "an engine error fails the apply: {}", o.status.ToString());
  response.new_value = o.new_value;
  response.cas_matched = o.cas_matched;
}

// on_prepare_reply, of a secondary (the front door sends a learner's to OnLearnerAck).
void Replica::OnPrepareAck(Time now, NodeId from, const PrepareAck& ack, Outbox& out) {
  PG_ASSERT_EQ(status_, PartitionStatus::kPrimary, "the front door admits acks to a primary");
  PG_ASSERT_EQ(ack.ballot, ballot_, "the front door admits acks of this ballot");
  PG_ASSERT(!primary_.learners.contains(from));
  if (ack.decree <= plist_.last_committed()) {
    PG_LOG(kDebug, "replica {}: ignoring ack {}@{} from {}: committed {}", gpid_, ack.decree,
           ack.ballot, from, plist_.last_committed());
    return;
  }
  auto it = primary_.progress.find(ack.decree);
  if (it == primary_.progress.end() || !it->second.awaiting.contains(from)) {
    PG_LOG(kDebug, "replica {}: ignoring ack {} from {}: not awaited", gpid_, ack.decree, from);
    return;
  }
  if (ack.error == ErrorCode::kOk) {
    it->second.awaiting.erase(from);
    return TryCommitOnPrimary(now, out);
  }
  if (ack.error == ErrorCode::kInactiveState || ack.error == ErrorCode::kTryAgain) {
    // Pegasus retries these (after 5 ms) while the prepare's time remains; the prepare
    // timeout still counts from the first send, so a member that stays inactive is removed.
    PG_LOG(kDebug, "replica {}: {} answered {} for {}: retrying", gpid_, from,
           ErrorCodeName(ack.error), ack.decree);
    if (primary_.retries.empty()) {
      out.SetTimer(MakeReplicaTimerId(gpid_, ReplicaTimer::kPrepareRetry),
                   std::max(host_->options().prepare_timeout / 30, Millis(5)));
    }
    primary_.retries.insert({ack.decree, from});
    return;
  }
  PG_LOG(kInfo, "replica {}: {} failed prepare {}: {}", gpid_, from, ack.decree,
         ErrorCodeName(ack.error));
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
  PG_ASSERT(!primary_.prepare_timer_armed, "checked only when the timer fired");
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
