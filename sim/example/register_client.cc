#include "sim/example/register_client.h"

#include <nlohmann/json.hpp>

#include "core/common/log.h"

namespace pg::example {

uint64_t RegisterKeyHash(const std::string& key) {
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a
  for (char c : key) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

RegisterClient::RegisterClient(const NodeEnv& env, RegisterClientOptions options)
    : env_(env), options_(std::move(options)) {}

void RegisterClient::Step(Time now, const Input& input, Outbox& out) {
  if (std::holds_alternative<Boot>(input)) {
    // A restarted client has lost its open operation: it stays open in the history (unknown
    // outcome), and the process id is reused only after an info record, which we cannot write
    // from here, so a restarted client simply stops issuing operations.
    if (started_ == 0) out.SetTimer(kNextOpTimer, options_.think_time);
  } else if (const auto* r = std::get_if<Receive>(&input)) {
    if (const auto reply = Unhost<RegisterReply>(r->msg)) OnReply(*reply, now, out);
  } else if (const auto* t = std::get_if<TimerFired>(&input)) {
    if (t->timer == kNextOpTimer) StartOp(now, out);
    if (t->timer == kRetryTimer) OnRetry(now, out);
  }
}

void RegisterClient::StartOp(Time now, Outbox& out) {
  PG_ASSERT(!open_, "starting an operation while one is open");
  if (started_ >= options_.ops || options_.servers.empty()) return;
  ++started_;
  open_ = true;
  const bool is_write = env_.rng->Chance(options_.write_fraction);
  current_ = RegisterRequest{
      .request_id =
          (static_cast<uint64_t>(options_.process) << 40) | static_cast<uint64_t>(started_),
      .is_write = is_write,
      .key = fmt::format("k{}", env_.rng->Uniform(static_cast<uint64_t>(options_.keys))),
      .value = is_write ? fmt::format("c{}-{}", options_.process, started_) : ""};
  deadline_ = now + options_.timeout;
  out.Record({.process = options_.process,
              .type = "invoke",
              .f = is_write ? "set" : "get",
              .hashkey = current_.key,
              .sortkey = "s",
              .value_json = is_write ? nlohmann::json(current_.value).dump() : "null"});
  SendCurrent(out);
}

void RegisterClient::SendCurrent(Outbox& out) {
  const size_t index = RegisterKeyHash(current_.key) % options_.servers.size();
  out.Send(options_.servers[index], Host(current_));
  out.SetTimer(kRetryTimer, options_.retry_interval);
}

void RegisterClient::OnReply(const RegisterReply& reply, Time now, Outbox& out) {
  if (!open_ || reply.request_id != current_.request_id) {
    PG_LOG(kDebug, "ignoring stale reply to request {}", reply.request_id);
    return;
  }
  if (reply.error != ErrorCode::kOk) return;  // retried by the timer until the deadline
  std::string value = "null";
  if (!current_.is_write && reply.value) value = nlohmann::json(*reply.value).dump();
  Finish("ok", std::move(value), out);
}

void RegisterClient::OnRetry(Time now, Outbox& out) {
  if (!open_) return;
  if (now >= deadline_) {
    // A write may still take effect (unknown outcome: info); a read certainly had no effect.
    Finish(current_.is_write ? "info" : "fail", "null", out);
    return;
  }
  SendCurrent(out);
}

void RegisterClient::Finish(std::string type, std::string value_json, Outbox& out) {
  out.Record({.process = options_.process,
              .type = std::move(type),
              .f = current_.is_write ? "set" : "get",
              .hashkey = current_.key,
              .sortkey = "s",
              .value_json = std::move(value_json)});
  open_ = false;
  ++completed_;
  out.CancelTimer(kRetryTimer);
  // Jittered think time (mean think_time) so clients do not move in lockstep.
  out.SetTimer(kNextOpTimer, Nanos(env_.rng->UniformRange(0, 2 * options_.think_time.ns())));
}

void RegisterClient::CheckInvariants() const {
  PG_ASSERT_EQ(started_, completed_ + (open_ ? 1 : 0), "process {}", options_.process);
  PG_ASSERT_LE(started_, options_.ops);
}

}  // namespace pg::example
