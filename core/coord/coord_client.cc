#include "core/coord/coord_client.h"

#include <algorithm>

#include "core/common/log.h"

namespace pg {

CoordClient::CoordClient(CoordClientOptions options) : options_(std::move(options)) {
  PG_ASSERT_GT(options_.session_timeout, Duration());
  PG_ASSERT_GT(options_.keepalive_interval, Duration());
  PG_ASSERT_GT(options_.request_timeout, Duration());
  PG_ASSERT_GE(options_.op_timeout, options_.request_timeout);
  PG_ASSERT_GT(options_.safety_margin, Duration(), "a lock needs a margin for clock drift");
  PG_ASSERT_LT(options_.safety_margin, options_.session_timeout);
  PG_ASSERT_NE(options_.keepalive_timer, options_.retry_timer, "the client needs two timers");
  PG_ASSERT(!options_.servers.empty(), "a coordination client needs a server");
  for (size_t i = 0; i < options_.servers.size(); ++i) {
    for (size_t j = i + 1; j < options_.servers.size(); ++j) {
      PG_ASSERT_NE(options_.servers[i], options_.servers[j], "a server listed twice");
    }
  }
}

NodeId CoordClient::current_server() const {
  return options_.servers[rotations_ % options_.servers.size()];
}

bool CoordClient::IsServer(NodeId node) const {
  return std::find(options_.servers.begin(), options_.servers.end(), node) !=
         options_.servers.end();
}

void CoordClient::AttemptTimedOut(uint64_t via, Outbox& out) {
  PG_ASSERT_LE(via, rotations_, "an attempt sent to a server not reached yet");
  if (via != rotations_) return;  // sent to a server the client already left
  ++rotations_;
  // With one server the client stays where it is, and nothing shows (as before rotation existed).
  if (options_.servers.size() == 1) return;
  PG_LOG(kInfo, "coordination server {} unanswered for {}: trying {}",
         options_.servers[(rotations_ - 1) % options_.servers.size()], options_.request_timeout,
         current_server());
  out.Mark("coord.client_rotated");
}

void CoordClient::Start(Time now, Outbox& out) {
  if (state_ != State::kIdle) return;
  SendOpen(now, out);
}

void CoordClient::Close(Time now, Outbox& out) {
  LoseSession("closed by its owner", /*reopen=*/false, now, out);
  out.CancelTimer(options_.keepalive_timer);
  PG_ASSERT(state_ == State::kIdle && ops_.empty(), "closed, yet operations remain");
}

void CoordClient::SendOpen(Time now, Outbox& out) {
  // From idle (Start, LoseSession) or to retry an open: never over an open session.
  PG_ASSERT(state_ != State::kOpen && ops_.empty(), "opening over session {}", session_);
  state_ = State::kOpening;
  open_request_id_ = next_request_id_++;
  open_sent_at_ = now;
  open_via_ = rotations_;
  out.Send(current_server(),
           CoordOpenSession{.request_id = open_request_id_, .timeout = options_.session_timeout});
  ArmRetryTimer(now, out);
}

bool CoordClient::SessionAlive(Time now) const {
  return state_ == State::kOpen && now < confirmed_at_ + timeout_ - options_.safety_margin;
}

// Only an answer that the session's renewal stands behind may come here: a keepalive's, a write's
// (both decided by the server whose clock expires sessions: the single server, the quorum's
// leader), a read's with renewed set. A read a quorum follower answered from its own store
// (renewed false) never reached the leader, which alone renews sessions and whose clock alone
// expires them: the lease argument (coord_client.h) needs the leader to have heard the session at
// or after sent_at, and such an answer proves only that a follower did.
void CoordClient::Confirm(Time sent_at) {
  // Only a request of the open session confirms it (keepalives and operations die with it).
  PG_ASSERT(state_ == State::kOpen, "confirming session {} that is not open", session_);
  confirmed_at_ = std::max(confirmed_at_, sent_at);
}

bool CoordClient::OnMessage(NodeId from, const Message& msg, Time now, Outbox& out) {
  if (!IsServer(from)) return false;
  if (const auto* r = std::get_if<CoordOpenSessionResponse>(&msg)) {
    OnOpened(*r, now, out);
  } else if (const auto* r = std::get_if<CoordKeepAliveResponse>(&msg)) {
    OnKeepAliveResponse(*r, now, out);
  } else if (const auto* r = std::get_if<CoordCreateResponse>(&msg)) {
    OnOpResponse({.request_id = r->request_id, .zxid = r->zxid, .result = {.error = r->error}}, now,
                 out);
  } else if (const auto* r = std::get_if<CoordGetResponse>(&msg)) {
    OnOpResponse({.request_id = r->request_id,
                  .zxid = r->zxid,
                  .renewed = r->renewed,
                  .result = {.error = r->error,
                             .data = r->data,
                             .version = r->version,
                             .ephemeral_owner = r->ephemeral_owner}},
                 now, out);
  } else if (const auto* r = std::get_if<CoordSetResponse>(&msg)) {
    OnOpResponse({.request_id = r->request_id,
                  .zxid = r->zxid,
                  .result = {.error = r->error, .version = r->version}},
                 now, out);
  } else if (const auto* r = std::get_if<CoordDeleteResponse>(&msg)) {
    OnOpResponse({.request_id = r->request_id, .zxid = r->zxid, .result = {.error = r->error}}, now,
                 out);
  } else if (std::holds_alternative<CoordCloseSessionResponse>(msg)) {
    // Closing is best effort: its answer changes nothing.
  } else {
    return false;
  }
  return true;
}

void CoordClient::OnKeepAliveResponse(const CoordKeepAliveResponse& resp, Time now, Outbox& out) {
  auto it = keepalives_.find(resp.request_id);
  if (it == keepalives_.end()) {
    PG_LOG(kDebug, "ignoring keepalive answer {}: of an earlier session, or a duplicate",
           resp.request_id);
    return;
  }
  PG_ASSERT(state_ == State::kOpen, "a keepalive awaited without a session");
  const Time sent_at = it->second.sent_at;
  keepalives_.erase(it);
  Saw(resp.zxid);
  if (resp.error == ErrorCode::kExpired) {
    LoseSession("the server expired it", /*reopen=*/true, now, out);
  } else {
    Confirm(sent_at);
  }
}

void CoordClient::OnOpened(const CoordOpenSessionResponse& resp, Time now, Outbox& out) {
  if (state_ != State::kOpening || resp.request_id != open_request_id_) {
    // An earlier attempt opened a session nobody will use: close it rather than let it expire.
    // (A duplicate of the answer that opened the current session is just a duplicate.)
    if (resp.error == ErrorCode::kOk && resp.session != session_) {
      PG_LOG(kDebug, "closing unused coordination session {}", resp.session);
      out.Send(current_server(),
               CoordCloseSession{.request_id = next_request_id_++, .session = resp.session});
    }
    return;
  }
  if (resp.error != ErrorCode::kOk || resp.session == kNoCoordSession ||
      resp.timeout <= Duration()) {
    PG_LOG(kWarn, "opening a coordination session failed: {}", ErrorCodeName(resp.error));
    return;  // the retry timer sends the next attempt
  }
  PG_ASSERT(ops_.empty() && keepalives_.empty(), "work left from an earlier session");
  Saw(resp.zxid);
  state_ = State::kOpen;
  session_ = resp.session;
  timeout_ = resp.timeout;
  // The server opened it no earlier than this attempt was sent.
  confirmed_at_ = open_sent_at_;
  open_request_id_ = 0;
  if (timeout_ <= options_.safety_margin) {
    PG_LOG(kWarn, "session timeout {} is within the safety margin {}: never known alive", timeout_,
           options_.safety_margin);
  }
  PG_LOG(kInfo, "coordination session {} open, timeout {}", session_, timeout_);
  out.SetTimer(options_.keepalive_timer, std::min(options_.keepalive_interval, timeout_ / 3));
}

bool CoordClient::OnTimer(TimerId timer, Time now, Outbox& out) {
  if (timer == options_.keepalive_timer) {
    OnKeepAliveTimer(now, out);
    return true;
  }
  if (timer == options_.retry_timer) {
    OnRetryTimer(now, out);
    return true;
  }
  return false;
}

void CoordClient::OnKeepAliveTimer(Time now, Outbox& out) {
  if (state_ != State::kOpen) return;
  PG_ASSERT_NE(session_, kNoCoordSession);
  PG_ASSERT_GT(timeout_, Duration(), "session {}", session_);
  // A keepalive to the current server unanswered for request_timeout moves the client on, so
  // that this one, or the open below, goes to the next server.
  for (const auto& [id, k] : keepalives_) {
    if (now >= k.sent_at + options_.request_timeout) AttemptTimedOut(k.via, out);
  }
  if (now >= confirmed_at_ + timeout_) {
    // The server may have expired it by now: give it up (LoseSession opens a new one).
    return LoseSession("no answer within the session timeout", /*reopen=*/true, now, out);
  }
  // Forget keepalives too old to ever confirm anything new.
  std::erase_if(keepalives_, [&](const auto& k) { return k.second.sent_at + timeout_ <= now; });
  const uint64_t id = next_request_id_++;
  keepalives_[id] = KeepAlive{.sent_at = now, .via = rotations_};
  out.Send(current_server(), CoordKeepAlive{.request_id = id, .session = session_});
  out.SetTimer(options_.keepalive_timer, std::min(options_.keepalive_interval, timeout_ / 3));
}

void CoordClient::OnRetryTimer(Time now, Outbox& out) {
  // Operations live only in an open session (LoseSession finishes them).
  PG_ASSERT(ops_.empty() || state_ == State::kOpen, "{} operations without a session", ops_.size());
  if (state_ == State::kOpening && now >= open_sent_at_ + options_.request_timeout) {
    AttemptTimedOut(open_via_, out);
    SendOpen(now, out);
  }
  std::vector<uint64_t> due;
  for (const auto& [op_id, op] : ops_) {
    if (now >= op.sent_at + options_.request_timeout) due.push_back(op_id);
  }
  for (uint64_t op_id : due) {
    PendingOp& op = ops_.at(op_id);
    AttemptTimedOut(op.via, out);
    if (now >= op.deadline) {
      Finish(op_id, {.error = ErrorCode::kTimeout}, now, out);
    } else {
      SendAttempt(op_id, op, now, out);
    }
  }
  ArmRetryTimer(now, out);
}

void CoordClient::ArmRetryTimer(Time now, Outbox& out) {
  std::optional<Time> next;
  if (state_ == State::kOpening) next = open_sent_at_ + options_.request_timeout;
  for (const auto& [op_id, op] : ops_) {
    const Time due = op.sent_at + options_.request_timeout;
    if (!next || due < *next) next = due;
  }
  if (next) out.SetTimer(options_.retry_timer, std::max(*next - now, Duration()));
}

void CoordClient::LoseSession(const char* why, bool reopen, Time now, Outbox& out) {
  if (state_ == State::kOpen) {
    PG_LOG(kWarn, "coordination session {} given up: {}", session_, why);
    if (reopen) ++sessions_lost_;
    // Abandoned for good: close it, so that its ephemerals go now and not at its expiry.
    out.Send(current_server(),
             CoordCloseSession{.request_id = next_request_id_++, .session = session_});
  }
  state_ = State::kIdle;
  session_ = kNoCoordSession;
  open_request_id_ = 0;
  keepalives_.clear();
  // Whatever was in flight may or may not have taken effect.
  std::vector<uint64_t> open_ops;
  for (const auto& [op_id, op] : ops_) open_ops.push_back(op_id);
  for (uint64_t op_id : open_ops) Finish(op_id, {.error = ErrorCode::kTimeout}, now, out);
  PG_ASSERT(ops_.empty() && by_request_.empty(), "operations outlived their session");
  if (lock_) lock_->held = false;
  if (reopen) SendOpen(now, out);
}

uint64_t CoordClient::Issue(PendingOp op, Time now, Outbox& out) {
  const uint64_t op_id = next_op_id_++;
  if (!SessionAlive(now)) {
    CoordResult r{.op_id = op_id, .kind = op.kind, .path = op.path, .error = ErrorCode::kExpired};
    if (!op.for_lock) results_.push_back(std::move(r));
    return op_id;
  }
  op.deadline = now + options_.op_timeout;
  PG_ASSERT(!ops_.contains(op_id), "operation id {} reused", op_id);
  PendingOp& stored = ops_[op_id] = std::move(op);
  SendAttempt(op_id, stored, now, out);
  ArmRetryTimer(now, out);
  return op_id;
}

void CoordClient::SendAttempt(uint64_t op_id, PendingOp& op, Time now, Outbox& out) {
  PG_ASSERT(state_ == State::kOpen, "an operation without a session");
  by_request_.erase(op.request_id);
  op.request_id = next_request_id_++;
  op.sent_at = now;
  op.via = rotations_;
  ++op.attempts;
  PG_ASSERT(!by_request_.contains(op.request_id), "request id {} reused", op.request_id);
  by_request_[op.request_id] = op_id;
  const uint64_t rid = op.request_id;
  const NodeId to = current_server();
  switch (op.kind) {
    case CoordOpKind::kCreate:
      return out.Send(to, CoordCreate{.request_id = rid,
                                      .session = session_,
                                      .path = op.path,
                                      .data = op.data,
                                      .ephemeral = op.ephemeral});
    case CoordOpKind::kGet:
      return out.Send(
          to,
          CoordGet{
              .request_id = rid, .session = session_, .path = op.path, .seen_zxid = seen_zxid_});
    case CoordOpKind::kSet:
      return out.Send(to, CoordSet{.request_id = rid,
                                   .session = session_,
                                   .path = op.path,
                                   .data = op.data,
                                   .expected_version = op.expected_version});
    case CoordOpKind::kDelete:
      return out.Send(to, CoordDelete{.request_id = rid,
                                      .session = session_,
                                      .path = op.path,
                                      .expected_version = op.expected_version});
  }
  PG_UNREACHABLE("operation kind {}", static_cast<int>(op.kind));
}

void CoordClient::OnOpResponse(OpAnswer answer, Time now, Outbox& out) {
  auto it = by_request_.find(answer.request_id);
  if (it == by_request_.end()) {
    PG_LOG(kDebug, "ignoring a stale coordination response {}", answer.request_id);
    return;
  }
  const uint64_t op_id = it->second;
  // by_request_ maps exactly the current attempts of operations in flight.
  PG_ASSERT(ops_.contains(op_id) && ops_.at(op_id).request_id == answer.request_id, "op {}", op_id);
  Saw(answer.zxid);
  if (answer.result.error == ErrorCode::kExpired) {
    // The service no longer has the session: the operation certainly had no effect.
    Finish(op_id, std::move(answer.result), now, out);
    return LoseSession("the server expired it", /*reopen=*/true, now, out);
  }
  // A follower's read answered alone renewed nothing: it confirms nothing (see Confirm).
  if (answer.renewed) Confirm(ops_.at(op_id).sent_at);
  Finish(op_id, std::move(answer.result), now, out);
}

void CoordClient::Finish(uint64_t op_id, CoordResult result, Time now, Outbox& out) {
  auto it = ops_.find(op_id);
  PG_ASSERT(it != ops_.end(), "finishing unknown operation {}", op_id);
  by_request_.erase(it->second.request_id);
  result.op_id = op_id;
  result.kind = it->second.kind;
  result.path = it->second.path;
  result.attempts = it->second.attempts;
  const bool for_lock = it->second.for_lock;
  ops_.erase(it);
  if (for_lock) return OnLockStep(result, now, out);
  results_.push_back(std::move(result));
}

std::vector<CoordResult> CoordClient::TakeResults() {
  std::vector<CoordResult> r = std::move(results_);
  results_.clear();
  return r;
}

uint64_t CoordClient::Create(const std::string& path, const std::string& data, bool ephemeral,
                             Time now, Outbox& out) {
  return Issue({.kind = CoordOpKind::kCreate, .path = path, .data = data, .ephemeral = ephemeral},
               now, out);
}

uint64_t CoordClient::Get(const std::string& path, Time now, Outbox& out) {
  return Issue({.kind = CoordOpKind::kGet, .path = path}, now, out);
}

uint64_t CoordClient::Set(const std::string& path, const std::string& data,
                          int64_t expected_version, Time now, Outbox& out) {
  return Issue(
      {.kind = CoordOpKind::kSet, .path = path, .data = data, .expected_version = expected_version},
      now, out);
}

uint64_t CoordClient::Delete(const std::string& path, int64_t expected_version, Time now,
                             Outbox& out) {
  return Issue({.kind = CoordOpKind::kDelete, .path = path, .expected_version = expected_version},
               now, out);
}

void CoordClient::CheckInvariants() const {
  PG_ASSERT_EQ(state_ == State::kOpen, session_ != kNoCoordSession);
  PG_ASSERT_EQ(state_ == State::kOpening, open_request_id_ != 0);
  if (state_ != State::kOpen) {
    PG_ASSERT(ops_.empty(), "{} operations without a session", ops_.size());
    PG_ASSERT(keepalives_.empty(), "keepalives without a session");
    PG_ASSERT(!lock_ || !lock_->held, "a lock held without a session");
  }
  PG_ASSERT(!options_.servers.empty(), "no coordination server");
  PG_ASSERT(state_ != State::kOpening || open_via_ <= rotations_, "open sent to a future server");
  for (const auto& [id, k] : keepalives_) PG_ASSERT_LE(k.via, rotations_, "keepalive {}", id);
  for (const auto& [op_id, op] : ops_) PG_ASSERT_LE(op.via, rotations_, "operation {}", op_id);
  PG_ASSERT_EQ(by_request_.size(), ops_.size());
  for (const auto& [rid, op_id] : by_request_) {
    auto it = ops_.find(op_id);
    PG_ASSERT(it != ops_.end(), "request {} maps to unknown operation {}", rid, op_id);
    PG_ASSERT_EQ(it->second.request_id, rid, "operation {}", op_id);
    PG_ASSERT_LT(rid, next_request_id_);
  }
  if (lock_ && lock_->held) PG_ASSERT_EQ(lock_->session, session_, "lock of another session");
  if (lock_ && lock_->op_id != 0) {
    PG_ASSERT(ops_.contains(lock_->op_id), "lock step {} is not in flight", lock_->op_id);
  }
}

}  // namespace pg
