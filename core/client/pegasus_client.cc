#include "core/client/pegasus_client.h"

#include <algorithm>
#include <limits>

#include "core/common/epoch.h"
#include "core/common/log.h"
#include "core/proto/partition_hash.h"

namespace pg {
namespace {

// A query unanswered for this long is sent again (to the next meta server).
constexpr Duration kQueryResendAfter = Millis(500);

// Rejections that Pegasus's replica sends before any prepare: the attempt had no effect.
bool IsNoEffectRejection(ErrorCode e) {
  return e == ErrorCode::kInvalidState || e == ErrorCode::kObjectNotFound ||
         e == ErrorCode::kNotEnoughMember || e == ErrorCode::kCapacityExceeded;
}

// The coverage mark of an ok completion: one per operation kind and form, so that a sweep's
// summary shows every kind the workload reached (a ranged multi_get, a cas with one of upstream's
// other checks, and whether a check passed, count apart).
std::string OkMark(const ClientRequest& r, const ClientResponse& resp) {
  std::string mark = fmt::format("client.ok.{}", OpKindName(r.kind));
  if (r.range) mark += "_range";
  const bool checked = r.kind == OpKind::kCheckAndSet || r.kind == OpKind::kCheckAndMutate;
  if (r.kind == OpKind::kCheckAndSet && r.check.type != CheckType::kBytesEqual &&
      r.check.type != CheckType::kValueNotExist) {
    mark += "_check";
  }
  if (checked) mark += resp.cas_matched ? "_passed" : "_not_passed";
  return mark;
}

}  // namespace

PegasusClient::PegasusClient(const NodeEnv& env, PegasusClientOptions options)
    : env_(env),
      options_(std::move(options)),
      workload_(WorkloadShape{.process = options_.process,
                              .hashkeys = options_.hashkeys,
                              .sortkeys = options_.sortkeys,
                              .key_rotation_ops = options_.key_rotation_ops,
                              .mix = options_.mix,
                              .ttl_fraction = options_.ttl_fraction,
                              .ttl_s_max = options_.ttl_s_max}) {
  PG_ASSERT(env_.rng != nullptr);
  PG_ASSERT_GT(options_.timeout, Duration());
}

const std::optional<PartitionConfiguration>& PegasusClient::cached_config(int partition) const {
  PG_ASSERT(partition >= 0 && partition < partition_count_, "partition {}", partition);
  PG_ASSERT_EQ(configs_.size(), static_cast<size_t>(partition_count_));
  return configs_[partition];
}

void PegasusClient::Step(Time now, const Input& input, Outbox& out) {
  if (std::holds_alternative<Boot>(input)) {
    PG_ASSERT(started_ == 0 && !open_, "process {} booted twice", options_.process);
    if (options_.ops > 0 && workload_.has_operations() && !options_.meta_servers.empty()) {
      RequestConfig(now, out);  // warm the cache while thinking
      out.SetTimer(kNextOpTimer, options_.think_time);
    }
  } else if (const auto* r = std::get_if<Receive>(&input)) {
    if (const auto* q = std::get_if<QueryConfigResponse>(&r->msg)) {
      OnQueryConfig(*q, now, out);
    } else if (const auto* c = std::get_if<ClientResponse>(&r->msg)) {
      OnResponse(*c, now, out);
    } else if (const auto* s = std::get_if<ScanResponse>(&r->msg)) {
      OnScanResponse(*s, now, out);
    } else {
      PG_LOG(kDebug, "client ignores {} from {}", MessageName(r->msg), r->from);
    }
  } else if (const auto* t = std::get_if<TimerFired>(&input)) {
    if (t->timer == kNextOpTimer) StartOp(now, out);
    if (t->timer == kRetryTimer && open_ && open_->backing_off) {
      // A backoff waits on no reply (Backoff's precondition).
      PG_ASSERT(!open_->in_flight, "a backoff ended while request {} awaits its reply",
                *open_->in_flight);
      open_->backing_off = false;
      TrySend(now, out);
    }
    if (t->timer == kDeadlineTimer) OnDeadline(out);
    if (t->timer == kAttemptTimer) OnAttemptTimeout(now, out);
  }
}

void PegasusClient::StartOp(Time now, Outbox& out) {
  PG_ASSERT(!open_, "starting an operation while one is open");
  // kNextOpTimer is armed only when there is something to run (Boot), or after an operation.
  PG_ASSERT(workload_.has_operations() && !options_.meta_servers.empty(), "process {}",
            options_.process);
  if (started_ >= options_.ops) return;
  OpenOp op{.op = deferred_ ? std::move(*deferred_) : workload_.Next(*env_.rng),
            .deadline = now + options_.timeout};
  deferred_.reset();
  op.partition_hash = PartitionHash(op.op.request.hashkey, op.op.request.sortkey);
  op.op.request.app_name = options_.app_name;
  if (IsScan(op.op.request.kind) && !BeginScan(op)) {
    out.SetTimer(kNextOpTimer, options_.think_time);
    if (app_missing_) {
      // No table, so no partition to scan: the scan is skipped, never sent nor recorded.
      ++started_;
      ++completed_;
      return;
    }
    // A full scan names its partition, which needs the partition count: ask, and start it then.
    deferred_ = std::move(op.op);
    RequestConfig(now, out);
    return;
  }
  ++started_;
  // As Pegasus's client turns ttl_seconds into expire_ts_seconds: by its own clock, once.
  if (op.op.ttl_s > 0) {
    const uint64_t expire = uint64_t{EpochSeconds(now)} + op.op.ttl_s;
    op.op.request.expire_ts =
        static_cast<uint32_t>(std::min<uint64_t>(expire, std::numeric_limits<uint32_t>::max()));
  }
  const bool names_sortkey = HistoryNamesSortkey(op.op.request.kind);
  open_ = std::move(op);
  out.Record({.process = options_.process,
              .type = "invoke",
              .f = open_->op.f,
              .hashkey = open_->op.request.hashkey,
              .sortkey = names_sortkey ? open_->op.request.sortkey : "",
              .value_json = open_->scan ? ScanInvokeValue() : open_->op.invoke_value_json,
              .expire_ts = open_->op.request.expire_ts});
  PG_ASSERT_EQ(started_, completed_ + 1, "process {}: one operation open", options_.process);
  out.SetTimer(kDeadlineTimer, options_.timeout);
  if (app_missing_) return Finish("fail", "null", out);
  TrySend(now, out);
}

// Sends the open operation to its partition's primary, or asks meta for the configuration and
// tries again after a backoff.
void PegasusClient::TrySend(Time now, Outbox& out) {
  PG_ASSERT(open_.has_value());
  PG_ASSERT(!open_->in_flight, "a second attempt while one awaits its reply");
  PG_ASSERT(!open_->backing_off, "sending while a backoff runs");
  PG_ASSERT(!open_->out_of_time, "sending after the last attempt that fit before the deadline");
  const PartitionConfiguration* pc = nullptr;
  if (partition_count_ > 0) {
    const size_t partition = open_->partition_hash % partition_count_;
    PG_ASSERT_LT(partition, configs_.size());
    const auto& cached = configs_[partition];
    if (cached && cached->primary) pc = &*cached;
    // The cache files each configuration under its own partition (OnQueryConfig).
    if (pc) PG_ASSERT_EQ(pc->gpid.partition_index, static_cast<int32_t>(partition));
  }
  if (pc == nullptr) {
    RequestConfig(now, out);
    return Backoff(now, out);
  }
  if (open_->scan) return SendScanAttempt(*pc, out);
  ClientRequest req = open_->op.request;
  req.request_id = NextRequestId();
  req.gpid = pc->gpid;
  req.partition_hash = open_->partition_hash;
  open_->in_flight = req.request_id;
  if (IsWrite(req.kind)) open_->maybe_applied = true;
  out.Send(*pc->primary, std::move(req));
  // Bug zoo client_incr_retry: the attempt gets its own timeout, as an rpc in Pegasus's resolver.
  if (RetriesIncr()) out.SetTimer(kAttemptTimer, options_.timeout / 4);
}

// Request ids never repeat: a late reply to an earlier attempt can never match a later one.
uint64_t PegasusClient::NextRequestId() {
  const uint64_t id = (static_cast<uint64_t>(options_.process) << 40) | next_request_id_++;
  PG_ASSERT_LT(next_request_id_, uint64_t{1} << 40, "request ids overflow into the process bits");
  return id;
}

bool PegasusClient::RetriesIncr() const {
  return open_ && open_->op.request.kind == OpKind::kIncr &&
         options_.bugs.on(Bug::kClientIncrRetry);
}

// Only with the bug on (the timer is set for nothing else): the unanswered incr is given up on
// and sent again, though the first attempt may still apply.
void PegasusClient::OnAttemptTimeout(Time now, Outbox& out) {
  if (!RetriesIncr() || !open_->in_flight) return;
  PG_ASSERT(!open_->backing_off, "awaiting a reply and backing off");
  PG_ASSERT(IsWrite(open_->op.request.kind) && open_->maybe_applied, "an incr was sent");
  PG_LOG(kInfo, "incr attempt {} timed out: sending it again", *open_->in_flight);
  open_->in_flight.reset();
  Backoff(now, out);
}

void PegasusClient::Backoff(Time now, Outbox& out) {
  PG_ASSERT(open_.has_value());
  // Every caller has no reply to wait for and no backoff running.
  PG_ASSERT(!open_->in_flight && !open_->backing_off, "process {}", options_.process);
  PG_ASSERT_GE(open_->retries, 0);
  const Duration delay =
      Millis(std::min<int64_t>(int64_t{8} << std::min(open_->retries, 10), 1000));
  ++open_->retries;
  // Past the deadline there is no point: the deadline timer ends the operation, and until then
  // nothing (a config answer in particular) starts another attempt, else a partition without
  // primary had every answer ask meta again at once.
  if (now + delay >= open_->deadline) {
    open_->out_of_time = true;
    return;
  }
  open_->backing_off = true;
  out.SetTimer(kRetryTimer, delay);
}

void PegasusClient::RequestConfig(Time now, Outbox& out) {
  PG_ASSERT(!options_.meta_servers.empty(), "a client with no meta server to ask");
  PG_ASSERT_LT(meta_index_, options_.meta_servers.size());
  if (query_sent_at_ && now - *query_sent_at_ < kQueryResendAfter) return;
  if (query_sent_at_) meta_index_ = (meta_index_ + 1) % options_.meta_servers.size();
  query_sent_at_ = now;
  out.Send(options_.meta_servers[meta_index_], QueryConfigRequest{.app_name = options_.app_name});
}

void PegasusClient::OnQueryConfig(const QueryConfigResponse& resp, Time now, Outbox& out) {
  PG_ASSERT_EQ(configs_.size(), static_cast<size_t>(partition_count_));
  query_sent_at_.reset();
  if (resp.error == ErrorCode::kAppNotExist) {
    PG_LOG(kWarn, "table {:?} does not exist", options_.app_name);
    app_missing_ = true;
    // Nothing was sent for the open operation while the table was unknown: no effect.
    if (open_ && !open_->maybe_applied && !open_->in_flight) Finish("fail", "null", out);
    return;
  }
  if (resp.error != ErrorCode::kOk) {
    if (resp.error == ErrorCode::kForwardToOthers) {
      // To the leader it names, or, if it knows none, to the next meta.
      auto it = resp.leader ? std::find(options_.meta_servers.begin(), options_.meta_servers.end(),
                                        *resp.leader)
                            : options_.meta_servers.end();
      meta_index_ = it != options_.meta_servers.end()
                        ? static_cast<size_t>(it - options_.meta_servers.begin())
                        : (meta_index_ + 1) % options_.meta_servers.size();
    }
    PG_LOG(kInfo, "config query answered {}", ErrorCodeName(resp.error));
    return;  // asked again on the next retry
  }
  if (resp.partition_count <= 0 || resp.partitions.size() != size_t(resp.partition_count)) {
    PG_LOG(kWarn, "malformed config answer ({} partitions, {} listed)", resp.partition_count,
           resp.partitions.size());
    return;
  }
  if (resp.partition_count != partition_count_) configs_.assign(resp.partition_count, std::nullopt);
  app_id_ = resp.app_id;
  partition_count_ = resp.partition_count;
  for (const PartitionConfiguration& pc : resp.partitions) {
    const int i = pc.gpid.partition_index;
    if (i < 0 || i >= partition_count_) continue;
    // Answers can arrive out of order: never replace a configuration by an older one.
    if (!configs_[i] || pc.ballot >= configs_[i]->ballot) configs_[i] = pc;
  }
  PG_ASSERT_EQ(configs_.size(), static_cast<size_t>(partition_count_));
  PG_ASSERT_GT(partition_count_, 0, "a valid answer fills the cache");
  if (open_ && !open_->in_flight && !open_->backing_off && !open_->out_of_time) TrySend(now, out);
}

void PegasusClient::OnResponse(const ClientResponse& resp, Time now, Outbox& out) {
  if (!open_ || open_->in_flight != resp.request_id) {
    PG_LOG(kDebug, "ignoring a reply to request {}: not the attempt awaited", resp.request_id);
    return;
  }
  // The attempt awaited was sent to a partition of the cache, so the cache has partitions.
  PG_ASSERT(!open_->backing_off && partition_count_ > 0, "process {}", options_.process);
  open_->in_flight.reset();
  const bool write = IsWrite(open_->op.request.kind);
  if (resp.error == ErrorCode::kOk) {
    out.Mark(OkMark(open_->op.request, resp));
    workload_.Learn(open_->op, resp);
    return Finish("ok", OkValueJson(open_->op, resp, options_.sortkeys), out);
  }
  if (resp.error == ErrorCode::kInvalidArgument) {
    // Refused before any prepare (e.g. incr of a value that is not an integer): no effect.
    open_->maybe_applied = false;
    return Finish("fail", "null", out);
  }
  if (IsNoEffectRejection(resp.error)) {
    open_->maybe_applied = false;  // the only attempt that could have applied was this one
    if (resp.error == ErrorCode::kInvalidState || resp.error == ErrorCode::kObjectNotFound) {
      // The cached primary is wrong: forget it and ask meta (on_access_failure).
      PG_ASSERT_EQ(configs_.size(), static_cast<size_t>(partition_count_));
      configs_[open_->partition_hash % partition_count_].reset();
      RequestConfig(now, out);
    }
    return Backoff(now, out);
  }
  if (!write) return Backoff(now, out);  // a read never has an effect: retry on any error
  // Any other answer to a write does not say it had no effect: never resend it. Bug zoo
  // client_incr_retry (Pegasus client retry semantics; PEGASUS.md §1.11-1.12: incr is not
  // idempotent, and the Java client does not retry ERR_TIMEOUT): the buggy client resends the
  // incr, which may then apply twice while the history records one incr.
  if (RetriesIncr()) return Backoff(now, out);
  PG_LOG(kInfo, "write answered {}: outcome unknown", ErrorCodeName(resp.error));
  Finish("info", "null", out);
}

void PegasusClient::OnDeadline(Outbox& out) {
  if (!open_) return;
  PG_ASSERT_EQ(started_, completed_ + 1, "process {}: the deadline of the open operation",
               options_.process);
  const bool write = IsWrite(open_->op.request.kind);
  // A read never counts as maybe applied: it ends as fail, never as info.
  PG_ASSERT(write || !open_->maybe_applied, "process {}", options_.process);
  // A write that may have reached a primary may still take effect: unknown outcome. Otherwise
  // (a read, or a write every attempt of which was refused) it certainly had no effect.
  Finish(write && open_->maybe_applied ? "info" : "fail", "null", out);
}

void PegasusClient::Finish(const std::string& type, std::string value_json, Outbox& out) {
  PG_ASSERT(open_.has_value());
  PG_ASSERT(type != "fail" || !open_->maybe_applied, "a maybe-applied write cannot fail");
  const bool names_sortkey = HistoryNamesSortkey(open_->op.request.kind);
  out.Record({.process = options_.process,
              .type = type,
              .f = open_->op.f,
              .hashkey = open_->op.request.hashkey,
              .sortkey = names_sortkey ? open_->op.request.sortkey : "",
              .value_json = std::move(value_json)});
  open_.reset();
  ++completed_;
  PG_ASSERT_EQ(completed_, started_, "process {}: completed what it never started",
               options_.process);
  out.CancelTimer(kRetryTimer);
  out.CancelTimer(kDeadlineTimer);
  if (options_.bugs.on(Bug::kClientIncrRetry)) out.CancelTimer(kAttemptTimer);
  // Jittered think time (mean think_time) so clients do not move in lockstep.
  out.SetTimer(kNextOpTimer, Nanos(env_.rng->UniformRange(0, 2 * options_.think_time.ns())));
}

void PegasusClient::CheckInvariants() const {
  PG_ASSERT_EQ(started_, completed_ + (open_ ? 1 : 0), "process {}", options_.process);
  PG_ASSERT_LE(started_, options_.ops, "process {}", options_.process);
  PG_ASSERT_EQ(configs_.size(), static_cast<size_t>(partition_count_));
  if (open_) {
    PG_ASSERT(!open_->in_flight || !open_->backing_off, "waiting on a reply and a backoff");
    if (!IsWrite(open_->op.request.kind)) PG_ASSERT(!open_->maybe_applied);
    PG_ASSERT_GE(open_->retries, 0);
    PG_ASSERT_EQ(open_->op.request.app_name, options_.app_name);
  }
  if (!options_.meta_servers.empty()) PG_ASSERT_LT(meta_index_, options_.meta_servers.size());
  // Each cached configuration sits under its own partition.
  for (size_t i = 0; i < configs_.size(); ++i) {
    if (configs_[i]) PG_ASSERT_EQ(configs_[i]->gpid.partition_index, static_cast<int32_t>(i));
  }
}

}  // namespace pg
