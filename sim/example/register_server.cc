#include "sim/example/register_server.h"

#include "core/common/log.h"

namespace pg::example {

RegisterServer::RegisterServer(const NodeEnv& env) : env_(env) {}

void RegisterServer::Step(Time now, const Input& input, Outbox& out) {
  if (std::holds_alternative<Boot>(input)) {
    Replay(out);
  } else if (const auto* r = std::get_if<Receive>(&input)) {
    if (const auto req = Unhost<RegisterRequest>(r->msg)) OnRequest(r->from, *req, out);
  } else if (const auto* done = std::get_if<LogAppended>(&input)) {
    OnLogAppended(done->token, out);
  } else if (const auto* failed = std::get_if<LogFailed>(&input)) {
    // What reached the disk is unknown: fail-stop rather than acknowledge or apply on a guess.
    PG_LOG(kWarn, "log append failed ({}): fail-stop", failed->status.ToString());
    failed_ = true;
    pending_.clear();
    recovery_syncs_ = 0;
  }
}

std::string RegisterLogFile(int generation) { return fmt::format("register.{}.log", generation); }

// Rebuilds state from every earlier generation's log, in order, syncs each (an empty synced
// append), and picks a fresh file for this incarnation.
void RegisterServer::Replay(Outbox& out) {
  int generation = 0;
  while (env_.disk && env_.disk->Exists(RegisterLogFile(generation))) {
    if (!ReplayFile(RegisterLogFile(generation))) {
      failed_ = true;
      return;
    }
    out.AppendLog({.file = RegisterLogFile(generation), .token = next_token_++, .sync = true});
    ++recovery_syncs_;
    ++generation;
  }
  first_pending_token_ = next_token_;
  log_file_ = RegisterLogFile(generation);
}

// Length-prefixed encoded records; a truncated tail (a write that never completed before a
// machine crash, possibly torn) ends this file's replay.
bool RegisterServer::ReplayFile(const std::string& file) {
  Result<std::string> bytes = env_.disk->ReadFile(file);
  if (!bytes.ok()) return false;
  Decoder d(*bytes);
  while (!d.done()) {
    std::string framed;
    d.Get(framed);
    if (!d.status().ok()) break;  // torn tail
    Result<RegisterLogRecord> record = Decode<RegisterLogRecord>(framed);
    if (!record.ok()) break;
    Apply(*record);
  }
  return true;
}

void RegisterServer::OnRequest(NodeId from, const RegisterRequest& req, Outbox& out) {
  // A fail-stopped server is silent, and so is one whose replayed state is not durable yet; the
  // client times out and retries.
  if (failed_ || recovery_syncs_ > 0) return;
  if (!req.is_write) {
    auto it = state_.find(req.key);
    std::optional<std::string> value;
    if (it != state_.end()) value = it->second;
    out.Send(from, Host(RegisterReply{.request_id = req.request_id, .value = std::move(value)}));
    return;
  }
  if (applied_.contains(req.request_id)) {
    out.Send(from, Host(RegisterReply{.request_id = req.request_id}));
    return;
  }
  for (const PendingWrite& p : pending_) {
    if (p.record.request_id == req.request_id) return;  // a retry of a write still being logged
  }
  RegisterLogRecord record{.request_id = req.request_id, .key = req.key, .value = req.value};
  std::string framed;
  Encoder(&framed).Put(Encode(record));
  if (pending_.empty()) first_pending_token_ = next_token_;
  out.AppendLog(
      {.file = log_file_, .token = next_token_++, .bytes = std::move(framed), .sync = true});
  pending_.push_back({.client = from, .record = std::move(record)});
}

void RegisterServer::OnLogAppended(uint64_t token, Outbox& out) {
  if (token < first_pending_token_ && recovery_syncs_ > 0) {
    --recovery_syncs_;  // a replayed file is durable now
    return;
  }
  if (token < first_pending_token_ || token >= first_pending_token_ + pending_.size()) {
    PG_LOG(kDebug, "ignoring completion of unknown log token {}", token);
    return;
  }
  pending_[token - first_pending_token_].appended = true;
  while (!pending_.empty() && pending_.front().appended) {
    PendingWrite& w = pending_.front();
    Apply(w.record);
    out.Send(w.client, Host(RegisterReply{.request_id = w.record.request_id}));
    pending_.pop_front();
    ++first_pending_token_;
  }
}

void RegisterServer::Apply(const RegisterLogRecord& record) {
  state_[record.key] = record.value;
  applied_[record.request_id] = true;
}

void RegisterServer::CheckInvariants() const {
  for (const PendingWrite& p : pending_) {
    PG_ASSERT(!applied_.contains(p.record.request_id), "pending write {} already applied",
              p.record.request_id);
  }
  PG_ASSERT(!failed_ || pending_.empty(), "a fail-stopped server holds pending writes");
  PG_ASSERT(recovery_syncs_ == 0 || pending_.empty(), "a write taken before recovery ended");
  PG_ASSERT_LE(first_pending_token_ + pending_.size(), next_token_);
}

}  // namespace pg::example
