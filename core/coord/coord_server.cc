#include "core/coord/coord_server.h"

#include <algorithm>
#include <limits>

#include "core/common/assert.h"
#include "core/common/log.h"
#include "core/storage/segmented_log.h"

namespace pg {
namespace {

// The token of the boot's sync of the replayed log: above every zxid.
constexpr uint64_t kBootSyncToken = std::numeric_limits<uint64_t>::max();

}  // namespace

CoordServer::CoordServer(const NodeEnv& env, CoordServerOptions options)
    : env_(env), options_(std::move(options)) {
  PG_ASSERT_GT(options_.min_session_timeout, Duration());
  PG_ASSERT_LE(options_.min_session_timeout, options_.max_session_timeout);
  PG_ASSERT_GT(options_.tick_interval, Duration());
  PG_ASSERT(!options_.log_base.empty(), "the coordination log needs a name");
}

void CoordServer::Step(Time now, const Input& input, Outbox& out) {
  if (std::holds_alternative<Boot>(input)) return OnBoot(now, out);
  if (!booted_) {
    PG_LOG(kWarn, "coord server got an input before Boot; ignoring it");
    return;
  }
  if (stopped_) {
    PG_LOG(kDebug, "coord server is fail-stopped; ignoring input");
    return;
  }
  if (const auto* r = std::get_if<Receive>(&input)) return OnReceive(*r, now, out);
  if (const auto* t = std::get_if<TimerFired>(&input)) {
    if (t->timer == kTickTimer) return OnTick(now, out);
    PG_LOG(kWarn, "coord server: unknown timer {}", t->timer);
    return;
  }
  if (const auto* done = std::get_if<LogAppended>(&input)) return OnLogAppended(*done, out);
  if (const auto* failed = std::get_if<LogFailed>(&input)) return OnLogFailed(*failed, out);
}

// Rebuilds the store from coord.log. Every session restored gets a full timeout from now: its
// client may have kept sending while the server was down (ZooKeeper's session-move semantics).
void CoordServer::OnBoot(Time now, Outbox& out) {
  PG_ASSERT(!booted_, "a CoordServer boots once; a restart builds a new one");
  booted_ = true;
  CoordLogReplay replay;
  if (env_.disk != nullptr) replay = ReplayCoordLog(*env_.disk, options_.log_base);
  if (!replay.status.ok()) {
    // Acknowledged txns may be missing or wrong: serving would break what clients were told.
    PG_LOG(kError, "cannot replay {}: {}; fail-stop", options_.log_base, replay.status.ToString());
    out.Mark("coord.log_unreadable");
    stopped_ = true;
    out.Exit("coord log unreadable");
    return;
  }
  if (replay.cut_tail) {
    PG_LOG(kWarn, "cut a torn tail: {}", replay.cut_reason);
    out.Mark("coord.log_cut_tail");
  }
  if (replay.skipped > 0) out.Mark("coord.log_skipped_abandoned");
  store_ = std::move(replay.store);
  last_zxid_ = durable_zxid_ = replay.last_zxid;
  log_file_ = SegmentName(options_.log_base, replay.write_segment);
  for (const auto& [id, session] : store_.sessions()) last_heard_[id] = now;
  if (last_zxid_ > 0) {
    // An empty synced append makes everything written to the file before it durable.
    boot_sync_pending_ = true;
    out.Mark("coord.boot_sync");
    out.AppendLog({.file = log_file_, .token = kBootSyncToken, .bytes = "", .sync = true});
  }
  PG_LOG(kInfo, "coord server up: zxid {}, {} znodes, {} sessions, appending to {}", last_zxid_,
         store_.znodes().size(), store_.sessions().size(), log_file_);
  out.SetTimer(kTickTimer, options_.tick_interval);
}

void CoordServer::OnReceive(const Receive& r, Time now, Outbox& out) {
  PG_ASSERT(booted_ && !stopped_, "a request reached a server that does not serve");
  PG_ASSERT_LE(durable_zxid_, last_zxid_);
  const Message& m = r.msg;
  if (const auto* req = std::get_if<CoordOpenSession>(&m))
    return OnOpenSession(r.from, *req, now, out);
  if (const auto* req = std::get_if<CoordKeepAlive>(&m)) return OnKeepAlive(r.from, *req, now, out);
  if (const auto* req = std::get_if<CoordCloseSession>(&m)) {
    return OnCloseSession(r.from, *req, now, out);
  }
  if (const auto* req = std::get_if<CoordCreate>(&m)) return OnCreate(r.from, *req, now, out);
  if (const auto* req = std::get_if<CoordGet>(&m)) return OnGet(r.from, *req, now, out);
  if (const auto* req = std::get_if<CoordSet>(&m)) return OnSet(r.from, *req, now, out);
  if (const auto* req = std::get_if<CoordDelete>(&m)) return OnDelete(r.from, *req, now, out);
  PG_LOG(kInfo, "coord server ignores {} from {}: not a coordination request", MessageName(m),
         r.from);
}

// The session id is the zxid of the txn that opens it: unique, and never reused for a session a
// client was told about (a zxid is reused only for a txn that was never acknowledged).
void CoordServer::OnOpenSession(NodeId from, const CoordOpenSession& req, Time now, Outbox& out) {
  const Duration timeout =
      std::clamp(req.timeout, options_.min_session_timeout, options_.max_session_timeout);
  PG_ASSERT(timeout >= options_.min_session_timeout && timeout > Duration(), "{}", timeout);
  const CoordSessionId id(last_zxid_ + 1);
  PG_ASSERT(!store_.HasSession(id), "session id {} is taken", id);
  const ErrorCode e =
      Mutate({.kind = CoordTxnKind::kOpenSession, .session = id, .timeout = timeout}, now, out);
  PG_ASSERT_EQ(e, ErrorCode::kOk, "opening session {}", id);
  PG_ASSERT(store_.HasSession(id) && last_heard_.contains(id), "session {} not opened", id);
  Reply(from,
        CoordOpenSessionResponse{.request_id = req.request_id,
                                 .error = e,
                                 .session = id,
                                 .timeout = timeout,
                                 .zxid = last_zxid_},
        out);
}

void CoordServer::OnKeepAlive(NodeId from, const CoordKeepAlive& req, Time now, Outbox& out) {
  PG_ASSERT(!stopped_);
  const bool live = Touch(req.session, now);
  // Liveness is tracked for exactly the sessions the store holds.
  PG_ASSERT_EQ(live, store_.HasSession(req.session), "session {}", req.session);
  if (!live) PG_LOG(kDebug, "keepalive from {} for session {}, which is gone", from, req.session);
  Reply(from,
        CoordKeepAliveResponse{.request_id = req.request_id,
                               .error = live ? ErrorCode::kOk : ErrorCode::kExpired,
                               .zxid = last_zxid_},
        out);
}

void CoordServer::OnCloseSession(NodeId from, const CoordCloseSession& req, Time now, Outbox& out) {
  PG_ASSERT(!stopped_);
  const ErrorCode e =
      Mutate({.kind = CoordTxnKind::kCloseSession, .session = req.session}, now, out);
  // Closed or never open: either way the session is gone now.
  PG_ASSERT(!store_.HasSession(req.session) && !last_heard_.contains(req.session), "session {}",
            req.session);
  Reply(from,
        CoordCloseSessionResponse{.request_id = req.request_id, .error = e, .zxid = last_zxid_},
        out);
}

void CoordServer::OnCreate(NodeId from, const CoordCreate& req, Time now, Outbox& out) {
  PG_ASSERT(!stopped_);
  Touch(req.session, now);
  const ErrorCode e = Mutate({.kind = CoordTxnKind::kCreate,
                              .session = req.session,
                              .path = req.path,
                              .data = req.data,
                              .ephemeral = req.ephemeral},
                             now, out);
  if (e == ErrorCode::kOk) {
    const Znode* z = store_.Find(req.path);
    PG_ASSERT(z != nullptr && z->version == 0, "created {} is not a fresh znode", req.path);
  }
  Reply(from, CoordCreateResponse{.request_id = req.request_id, .error = e, .zxid = last_zxid_},
        out);
}

void CoordServer::OnGet(NodeId from, const CoordGet& req, Time now, Outbox& out) {
  PG_ASSERT(!stopped_);
  // One server renews every session it hears (renewed keeps its default, true). A read of a
  // client that saw a newer zxid than this server's (seen_zxid > last_zxid_) can only follow a
  // loss of the server's log; there is nothing to wait for, so it is answered from what is here.
  CoordGetResponse resp{.request_id = req.request_id, .zxid = last_zxid_};
  if (!Touch(req.session, now)) {
    resp.error = ErrorCode::kExpired;
  } else {
    store_.AnswerRead(req.path, resp);
  }
  // A read waits for the txns before it too: it must not reveal a txn a crash could still undo.
  Reply(from, std::move(resp), out);
}

void CoordServer::OnSet(NodeId from, const CoordSet& req, Time now, Outbox& out) {
  PG_ASSERT(!stopped_);
  Touch(req.session, now);
  const ErrorCode e = Mutate({.kind = CoordTxnKind::kSet,
                              .session = req.session,
                              .path = req.path,
                              .data = req.data,
                              .expected_version = req.expected_version},
                             now, out);
  // A set that applied left its znode in place, one version on.
  PG_ASSERT(e != ErrorCode::kOk || store_.Find(req.path) != nullptr, "set {}", req.path);
  const int64_t version = e == ErrorCode::kOk ? store_.Find(req.path)->version : 0;
  PG_ASSERT(e != ErrorCode::kOk || version > 0, "set {} to version {}", req.path, version);
  Reply(from,
        CoordSetResponse{
            .request_id = req.request_id, .error = e, .version = version, .zxid = last_zxid_},
        out);
}

void CoordServer::OnDelete(NodeId from, const CoordDelete& req, Time now, Outbox& out) {
  PG_ASSERT(!stopped_);
  Touch(req.session, now);
  const ErrorCode e = Mutate({.kind = CoordTxnKind::kDelete,
                              .session = req.session,
                              .path = req.path,
                              .expected_version = req.expected_version},
                             now, out);
  PG_ASSERT(e != ErrorCode::kOk || store_.Find(req.path) == nullptr, "deleted {}", req.path);
  Reply(from, CoordDeleteResponse{.request_id = req.request_id, .error = e, .zxid = last_zxid_},
        out);
}

void CoordServer::OnTick(Time now, Outbox& out) {
  PG_ASSERT(booted_ && !stopped_);
  out.SetTimer(kTickTimer, options_.tick_interval);
  for (CoordSessionId id : store_.Expired(last_heard_, now)) {
    PG_LOG(kInfo, "session {} expired: nothing heard since {}", id, last_heard_.at(id));
    out.Mark("coord.session_expired");
    const ErrorCode e = Mutate({.kind = CoordTxnKind::kExpireSession, .session = id}, now, out);
    PG_ASSERT_EQ(e, ErrorCode::kOk, "expiring session {}", id);
  }
  // Expiry deletes the sessions and their ephemerals in the same step.
  PG_ASSERT_EQ(last_heard_.size(), store_.sessions().size());
}

ErrorCode CoordServer::Mutate(const CoordTxn& txn, Time now, Outbox& out) {
  PG_ASSERT(booted_ && !stopped_, "a txn on a server that does not serve");
  PG_ASSERT(!log_file_.empty(), "no log to append txn {} to", CoordTxnKindName(txn.kind));
  const ErrorCode e = store_.Apply(txn);
  if (e != ErrorCode::kOk) return e;
  ++last_zxid_;
  switch (txn.kind) {
    case CoordTxnKind::kOpenSession:
      PG_ASSERT_EQ(txn.session.value(), last_zxid_, "a session id is its open txn's zxid");
      last_heard_[txn.session] = now;
      break;
    case CoordTxnKind::kCloseSession:
    case CoordTxnKind::kExpireSession:
      PG_ASSERT_EQ(last_heard_.erase(txn.session), size_t{1}, "session {}", txn.session);
      break;
    default:
      break;
  }
  out.AppendLog({.file = log_file_,
                 .token = last_zxid_,
                 .bytes = EncodeCoordLogRecord(last_zxid_, txn),
                 .sync = true});
  return ErrorCode::kOk;
}

bool CoordServer::Touch(CoordSessionId session, Time now) {
  auto it = last_heard_.find(session);
  if (it == last_heard_.end()) return false;
  it->second = now;
  return true;
}

void CoordServer::Reply(NodeId to, Message msg, Outbox& out) {
  PG_ASSERT(!stopped_, "a stopped server answers nothing");
  PG_ASSERT_LE(durable_zxid_, last_zxid_);
  if (last_zxid_ == durable_zxid_ && !boot_sync_pending_) {
    ++replies_sent_;
    out.Send(to, std::move(msg));
    return;
  }
  held_[last_zxid_].push_back(Send{.to = to, .msg = std::move(msg)});
}

void CoordServer::OnLogAppended(const LogAppended& done, Outbox& out) {
  if (done.file == log_file_ && done.token == kBootSyncToken && boot_sync_pending_) {
    boot_sync_pending_ = false;
    return ReleaseHeld(out);
  }
  if (done.file != log_file_ || done.token <= durable_zxid_ || done.token > last_zxid_ ||
      appended_.contains(done.token)) {
    PG_LOG(kWarn, "ignoring completion of {} token {}: not an append in flight", done.file,
           done.token);
    return;
  }
  appended_.insert(done.token);
  while (appended_.erase(durable_zxid_ + 1) == 1) ++durable_zxid_;
  PG_ASSERT_LE(durable_zxid_, last_zxid_, "durable past the last txn");
  ReleaseHeld(out);
}

// Only now, with every txn up to theirs durable (the replayed ones by the boot's sync), may the
// held replies go out.
void CoordServer::ReleaseHeld(Outbox& out) {
  if (boot_sync_pending_) return;
  while (!held_.empty() && held_.begin()->first <= durable_zxid_) {
    for (Send& s : held_.begin()->second) {
      ++replies_sent_;
      out.Send(s.to, std::move(s.msg));
    }
    held_.erase(held_.begin());
  }
}

void CoordServer::OnLogFailed(const LogFailed& failed, Outbox& out) {
  PG_ASSERT(booted_ && !stopped_);
  // What reached coord.log is unknown: the txn can neither be acknowledged nor forgotten.
  PG_LOG(kError, "{} append {} failed: {}; fail-stop", failed.file, failed.token,
         failed.status.ToString());
  out.Mark("coord.fail_stop");
  stopped_ = true;
  held_.clear();
  replies_at_stop_ = replies_sent_;
  out.Exit("coord log append failed");
}

void CoordServer::CheckInvariants() const {
  if (!booted_) return;
  store_.CheckInvariants();
  PG_ASSERT_LE(durable_zxid_, last_zxid_);
  PG_ASSERT_EQ(last_heard_.size(), store_.sessions().size());
  for (const auto& [id, heard] : last_heard_) {
    PG_ASSERT(store_.HasSession(id), "liveness tracked for unknown session {}", id);
    PG_ASSERT_LE(id.value(), last_zxid_, "session {} is newer than every txn", id);
  }
  for (uint64_t z : appended_) {
    PG_ASSERT_GT(z, durable_zxid_ + 1, "a durable append still listed");
    PG_ASSERT_LE(z, last_zxid_, "an append confirmed that was never made");
  }
  for (const auto& [z, sends] : held_) {
    PG_ASSERT(z > durable_zxid_ || (boot_sync_pending_ && z == durable_zxid_),
              "a reply held behind a durable txn");
    PG_ASSERT_LE(z, last_zxid_);
    PG_ASSERT(!sends.empty(), "an empty batch of held replies");
  }
  if (stopped_) {
    PG_ASSERT(held_.empty(), "a stopped server holds replies");
    PG_ASSERT_EQ(replies_sent_, replies_at_stop_, "a stopped server answered");
  }
}

}  // namespace pg
