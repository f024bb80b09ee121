// CoordPeer as leader: establishing an epoch, deciding requests, committing by quorum, sessions.
#include <algorithm>
#include <functional>

#include "core/common/assert.h"
#include "core/common/log.h"
#include "core/coord/coord_peer.h"

namespace pg {

void CoordPeer::Lead(Time now, Outbox& out) {
  role_ = Role::kLeading;
  leader_ = env_.id;
  established_ = false;
  // The whole history, committed or not, is the new epoch's start.
  speculative_ = BaseStore();
  for (const CoordLogged& l : log_) {
    const ErrorCode e = speculative_.Apply(l.txn);
    PG_ASSERT_EQ(e, ErrorCode::kOk, "logged txn {:#x} does not apply", l.zxid);
  }
  const uint64_t start = CoordEpochStart(accepted_epoch_);
  PG_ASSERT_GT(start, last_zxid_, "epoch {} is not newer than the history", accepted_epoch_);
  pending_base_ = PendingBase{.zxid = start, .store = speculative_};
  log_.clear();
  last_zxid_ = start;
  Log(PeerRecord{.kind = PeerRecordKind::kSnapshot, .zxid = start, .image = speculative_.ToImage()},
      start, out);
  PG_LOG(kInfo, "coord peer {} leads epoch {} from zxid {:#x}", env_.name, accepted_epoch_, start);
  out.Mark("coord.peer.elected");
  out.CancelTimer(kElectionTimer);
  for (NodeId peer : options_.peers) {
    if (peer == env_.id) continue;
    heard_follower_at_[peer] = now;
    SendSync(peer, now, out);
  }
}

void CoordPeer::SendSync(NodeId follower, Time now, Outbox& out) {
  const uint64_t seq = next_sync_seq_++;
  sync_sent_[follower] = seq;
  sync_sent_at_[follower] = now;
  acked_.erase(follower);
  out.Send(follower, CoordSync{.epoch = accepted_epoch_,
                               .sync_seq = seq,
                               .snap_zxid = BaseZxid(),
                               .image = BaseStore().ToImage(),
                               .tail = log_,
                               .commit_zxid = commit_zxid_,
                               .sent_at = now});
}

void CoordPeer::OnAck(NodeId from, const CoordAck& ack, Time now, Outbox& out) {
  if (!IsPeer(from)) return;
  if (ack.epoch > accepted_epoch_) return SeeEpoch(ack.epoch, now, out);
  if (role_ != Role::kLeading || ack.epoch != accepted_epoch_) return;
  Time& heard = heard_follower_at_[from];
  heard = std::max(heard, ack.lease_from);
  if (ack.need_sync) {
    // One sync per tick at most: a burst of proposals past a gap asks for many.
    auto at = sync_sent_at_.find(from);
    if (at == sync_sent_at_.end() || now - at->second >= options_.tick_interval) {
      SendSync(from, now, out);
    }
    return;
  }
  auto sent = sync_sent_.find(from);
  if (sent == sync_sent_.end() || sent->second != ack.sync_seq) return;
  uint64_t& acked = acked_[from];
  acked = std::max(acked, ack.durable_zxid);
  AdvanceCommit(now, out);
}

// The newest zxid of this epoch that a quorum holds durably: the leader's own durable history
// and each follower's acknowledged one.
void CoordPeer::AdvanceCommit(Time now, Outbox& out) {
  if (role_ != Role::kLeading) return;
  std::vector<uint64_t> held{durable_zxid_};
  for (const auto& [peer, zxid] : acked_) held.push_back(zxid);
  if (held.size() < Quorum()) return;
  std::sort(held.begin(), held.end(), std::greater<>());
  const uint64_t quorum_zxid = held[Quorum() - 1];
  if (quorum_zxid < CoordEpochStart(accepted_epoch_) || quorum_zxid <= commit_zxid_) return;
  PG_ASSERT_LE(quorum_zxid, last_zxid_, "acknowledged past the leader's history");
  if (!established_) {
    established_ = true;
    out.Mark("coord.peer.established");
    PG_LOG(kInfo, "coord peer {} established epoch {}", env_.name, accepted_epoch_);
    // Sessions get a full timeout from now: their clients could not reach a leader meanwhile.
    for (const auto& [id, session] : speculative_.sessions()) last_heard_[id] = now;
  }
  CommitUpTo(quorum_zxid, now, out);
  SendCommit(now, out);
}

// The heartbeat and commit notice, to every follower.
void CoordPeer::SendCommit(Time now, Outbox& out) {
  for (NodeId peer : options_.peers) {
    if (peer != env_.id) {
      out.Send(peer, CoordCommit{.epoch = accepted_epoch_,
                                 .commit_zxid = commit_zxid_,
                                 .last_zxid = last_zxid_,
                                 .sent_at = now});
    }
  }
}

void CoordPeer::OnForward(NodeId from, const CoordForward& fwd, Time now, Outbox& out) {
  if (!IsPeer(from) || !serving_as_leader() || fwd.epoch != accepted_epoch_) return;
  Result<Message> request = Decode<Message>(fwd.request);
  if (!request.ok()) {
    PG_LOG(kWarn, "a forwarded request from {} does not decode: {}", from,
           request.status().ToString());
    return;
  }
  Decide(from, fwd.client, *request, now, out);
}

void CoordPeer::Decide(std::optional<NodeId> via, NodeId client, const Message& m, Time now,
                       Outbox& out) {
  PG_ASSERT(serving_as_leader());
  if (std::holds_alternative<CoordOpenSession>(m) || std::holds_alternative<CoordKeepAlive>(m) ||
      std::holds_alternative<CoordCloseSession>(m)) {
    return DecideSession(via, client, m, now, out);
  }
  if (std::holds_alternative<CoordCreate>(m) || std::holds_alternative<CoordSet>(m) ||
      std::holds_alternative<CoordDelete>(m)) {
    return DecideWrite(via, client, m, now, out);
  }
  PG_LOG(kInfo, "coord leader ignores {} from {}: not a request it decides", MessageName(m),
         client);
}

void CoordPeer::DecideSession(std::optional<NodeId> via, NodeId client, const Message& m, Time now,
                              Outbox& out) {
  if (const auto* req = std::get_if<CoordOpenSession>(&m)) {
    const Duration timeout =
        std::clamp(req->timeout, options_.min_session_timeout, options_.max_session_timeout);
    // The session id is the zxid of its open txn: unique across epochs.
    const CoordSessionId id(last_zxid_ + 1);
    const ErrorCode e =
        Propose({.kind = CoordTxnKind::kOpenSession, .session = id, .timeout = timeout}, now, out);
    PG_ASSERT_EQ(e, ErrorCode::kOk, "opening session {}", id);
    last_heard_[id] = now;
    return AnswerAfterCommit(via, client,
                             CoordOpenSessionResponse{.request_id = req->request_id,
                                                      .error = e,
                                                      .session = id,
                                                      .timeout = timeout,
                                                      .zxid = last_zxid_},
                             out);
  }
  if (const auto* req = std::get_if<CoordKeepAlive>(&m)) {
    const bool live = Touch(req->session, now);
    return AnswerAfterCommit(
        via, client,
        CoordKeepAliveResponse{.request_id = req->request_id,
                               .error = live ? ErrorCode::kOk : ErrorCode::kExpired,
                               .zxid = last_zxid_},
        out);
  }
  const auto& req = std::get<CoordCloseSession>(m);
  const ErrorCode e =
      Propose({.kind = CoordTxnKind::kCloseSession, .session = req.session}, now, out);
  last_heard_.erase(req.session);
  AnswerAfterCommit(
      via, client,
      CoordCloseSessionResponse{.request_id = req.request_id, .error = e, .zxid = last_zxid_}, out);
}

void CoordPeer::DecideWrite(std::optional<NodeId> via, NodeId client, const Message& m, Time now,
                            Outbox& out) {
  if (const auto* req = std::get_if<CoordCreate>(&m)) {
    Touch(req->session, now);
    const ErrorCode e = Propose({.kind = CoordTxnKind::kCreate,
                                 .session = req->session,
                                 .path = req->path,
                                 .data = req->data,
                                 .ephemeral = req->ephemeral},
                                now, out);
    return AnswerAfterCommit(
        via, client,
        CoordCreateResponse{.request_id = req->request_id, .error = e, .zxid = last_zxid_}, out);
  }
  if (const auto* req = std::get_if<CoordSet>(&m)) {
    Touch(req->session, now);
    const ErrorCode e = Propose({.kind = CoordTxnKind::kSet,
                                 .session = req->session,
                                 .path = req->path,
                                 .data = req->data,
                                 .expected_version = req->expected_version},
                                now, out);
    const int64_t version = e == ErrorCode::kOk ? speculative_.Find(req->path)->version : 0;
    return AnswerAfterCommit(
        via, client,
        CoordSetResponse{
            .request_id = req->request_id, .error = e, .version = version, .zxid = last_zxid_},
        out);
  }
  const auto& req = std::get<CoordDelete>(m);
  Touch(req.session, now);
  const ErrorCode e = Propose({.kind = CoordTxnKind::kDelete,
                               .session = req.session,
                               .path = req.path,
                               .expected_version = req.expected_version},
                              now, out);
  AnswerAfterCommit(
      via, client,
      CoordDeleteResponse{.request_id = req.request_id, .error = e, .zxid = last_zxid_}, out);
}

ErrorCode CoordPeer::Propose(const CoordTxn& txn, Time now, Outbox& out) {
  const ErrorCode e = speculative_.Apply(txn);
  if (e != ErrorCode::kOk) return e;
  const uint64_t zxid = last_zxid_ + 1;
  PG_ASSERT_EQ(CoordEpochOf(zxid), accepted_epoch_, "the epoch's zxids ran out");
  const uint64_t prev = last_zxid_;
  log_.push_back(CoordLogged{.zxid = zxid, .txn = txn});
  last_zxid_ = zxid;
  Log(PeerRecord{.kind = PeerRecordKind::kTxn, .zxid = zxid, .txn = txn}, zxid, out);
  for (NodeId peer : options_.peers) {
    if (peer == env_.id) continue;
    out.Send(peer, CoordProposal{.epoch = accepted_epoch_,
                                 .prev_zxid = prev,
                                 .logged = log_.back(),
                                 .commit_zxid = commit_zxid_,
                                 .sent_at = now});
  }
  return ErrorCode::kOk;
}

// Even a refusal waits for the txns before it: it was judged against them, and must not reveal a
// state a lost proposal would undo.
void CoordPeer::AnswerAfterCommit(std::optional<NodeId> via, NodeId client, Message response,
                                  Outbox& out) {
  Answer answer{.via = via, .client = client, .response = std::move(response)};
  if (last_zxid_ <= commit_zxid_) return Deliver(std::move(answer), out);
  answers_[last_zxid_].push_back(std::move(answer));
}

void CoordPeer::Deliver(Answer answer, Outbox& out) {
  if (!answer.via) return out.Send(answer.client, std::move(answer.response));
  out.Send(*answer.via, CoordRelay{.client = answer.client, .response = Encode(answer.response)});
}

bool CoordPeer::Touch(CoordSessionId session, Time now) {
  auto it = last_heard_.find(session);
  if (it == last_heard_.end()) return false;
  it->second = now;
  return true;
}

void CoordPeer::ExpireSessions(Time now, Outbox& out) {
  for (CoordSessionId id : speculative_.Expired(last_heard_, now)) {
    PG_LOG(kInfo, "session {} expired: nothing heard since {}", id, last_heard_.at(id));
    out.Mark("coord.session_expired");
    last_heard_.erase(id);
    const ErrorCode e = Propose({.kind = CoordTxnKind::kExpireSession, .session = id}, now, out);
    PG_ASSERT_EQ(e, ErrorCode::kOk, "expiring session {}", id);
  }
}

}  // namespace pg
