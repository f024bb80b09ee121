// Scans as Pegasus's C++ client runs them (src/client_lib/pegasus_scanner_impl.cpp): get_scanner
// opens a context on the partition's primary and answers its first page; each scan asks for the
// next page of that context, until the answer says the context completed. A page answered
// "not found" (the context expired, or the request reached another replica, as after a primary
// change) makes the scanner open a new context after the last record it received
// (_start_scan). Every page of a context reads the snapshot the context opened with, so each
// context is one history operation; one that is lost ends as "fail" (a read has no effect) and
// the new context is a new operation over the rest.
#include "core/client/pegasus_client.h"
#include "core/common/assert.h"
#include "core/common/log.h"
#include "core/proto/partition_hash.h"

namespace pg {
namespace {

// Contexts one scan may open before it gives up (each after a lost one): a scan whose contexts
// keep getting lost is recorded as failed, as a user's scanner that stops retrying.
constexpr int kMaxScanContexts = 8;

}  // namespace

bool PegasusClient::BeginScan(OpenOp& op) const {
  PG_ASSERT(IsScan(op.op.request.kind));
  PG_ASSERT_GE(op.op.batch_size, 1);
  op.scan.emplace();
  if (op.op.request.kind == OpKind::kScan) return true;
  if (partition_count_ <= 0) return false;
  op.scan->partition = static_cast<int32_t>(op.op.partition_pick % partition_count_);
  // Upstream's unordered scanners route by the partition index itself.
  op.partition_hash = static_cast<uint64_t>(op.scan->partition);
  return true;
}

// The invocation of the current context: a hashkey scan's range from where it resumes; a full
// scan's partition, the hashkeys of the client's key set that map there, and where it resumes.
// A hashkey scan's range from where the current context starts: upstream resumes from the last
// key received, exclusive.
SortkeyRange PegasusClient::ScanRangeFromHere() const {
  PG_ASSERT(open_ && open_->scan && open_->op.request.range);
  SortkeyRange range = *open_->op.request.range;
  if (const std::optional<ScanKey>& last = open_->scan->last_key) {
    range.start = last->sortkey;
    range.start_inclusive = false;
  }
  return range;
}

std::string PegasusClient::ScanInvokeValue() const {
  PG_ASSERT(open_ && open_->scan);
  const OpenOp::Scan& s = *open_->scan;
  const ClientRequest& r = open_->op.request;
  if (r.kind == OpKind::kScan) return ScanInvokeJson(ScanRangeFromHere());
  std::vector<std::string> hashkeys;
  for (const std::string& h : open_->op.key_set) {
    if (PartitionHash(h, "") % static_cast<uint64_t>(partition_count_) ==
        static_cast<uint64_t>(s.partition)) {
      hashkeys.push_back(h);
    }
  }
  return FullScanInvokeJson(s.partition, partition_count_, hashkeys, s.last_key);
}

void PegasusClient::SendScanAttempt(const PartitionConfiguration& pc, Outbox& out) {
  PG_ASSERT(open_ && open_->scan);
  const OpenOp::Scan& s = *open_->scan;
  const ClientRequest& r = open_->op.request;
  const uint64_t id = NextRequestId();
  open_->in_flight = id;
  if (s.context) {
    out.Send(*pc.primary, ScanRequest{.request_id = id,
                                      .app_name = options_.app_name,
                                      .gpid = pc.gpid,
                                      .partition_hash = open_->partition_hash,
                                      .context_id = *s.context});
    return;
  }
  GetScannerRequest req{.request_id = id,
                        .app_name = options_.app_name,
                        .gpid = pc.gpid,
                        .partition_hash = open_->partition_hash,
                        .full_scan = r.kind == OpKind::kFullScan,
                        .batch_size = open_->op.batch_size};
  if (r.kind == OpKind::kScan) {
    req.hashkey = r.hashkey;
    req.range = ScanRangeFromHere();
  } else {
    req.after = s.last_key;
  }
  out.Send(*pc.primary, std::move(req));
}

void PegasusClient::OnScanResponse(const ScanResponse& resp, Time now, Outbox& out) {
  if (!open_ || !open_->scan || open_->in_flight != resp.request_id) {
    PG_LOG(kDebug, "ignoring a scan reply to request {}: not the attempt awaited", resp.request_id);
    return;
  }
  PG_ASSERT(!open_->backing_off && partition_count_ > 0, "process {}", options_.process);
  open_->in_flight.reset();
  OpenOp::Scan& s = *open_->scan;
  if (resp.error == ErrorCode::kOk) {
    for (const ScanRecord& rec : resp.records) {
      s.records[rec.hashkey][rec.sortkey] = rec.value;
      // A hashkey scan resumes within its hashkey (its request names a sortkey range of it).
      if (open_->op.request.kind == OpKind::kFullScan || rec.hashkey == open_->op.request.hashkey) {
        s.last_key = ScanKey{rec.hashkey, rec.sortkey};
      }
    }
    if (resp.context_id == kScanCompleted) {
      out.Mark(fmt::format("client.ok.{}", open_->op.f));
      if (s.contexts > 1) out.Mark(fmt::format("client.ok.{}_resumed", open_->op.f));
      return Finish("ok", ScanRecordsJson(s.records), out);
    }
    s.context = resp.context_id;
    out.Mark("client.scan_next_page");
    return TrySend(now, out);
  }
  if (resp.error == ErrorCode::kNotFound) return ResumeScan(now, out);
  if (resp.error == ErrorCode::kInvalidArgument) return Finish("fail", "null", out);
  if (resp.error == ErrorCode::kInvalidState || resp.error == ErrorCode::kObjectNotFound) {
    // The cached primary is wrong: forget it and ask meta (on_access_failure). The retry asks
    // the new primary for the same context, which it does not hold.
    configs_[open_->partition_hash % partition_count_].reset();
    RequestConfig(now, out);
  }
  Backoff(now, out);
}

void PegasusClient::ResumeScan(Time now, Outbox& out) {
  PG_ASSERT(open_ && open_->scan && !open_->in_flight);
  OpenOp::Scan& s = *open_->scan;
  out.Mark("client.scan_context_lost");
  if (s.contexts >= kMaxScanContexts) return Finish("fail", "null", out);
  out.Record({.process = options_.process,
              .type = "fail",
              .f = open_->op.f,
              .hashkey = open_->op.request.hashkey,
              .value_json = "null"});
  ++s.contexts;
  s.context.reset();
  s.records.clear();
  open_->deadline = now + options_.timeout;
  open_->retries = 0;
  open_->out_of_time = false;
  out.Record({.process = options_.process,
              .type = "invoke",
              .f = open_->op.f,
              .hashkey = open_->op.request.hashkey,
              .value_json = ScanInvokeValue()});
  out.CancelTimer(kRetryTimer);
  out.SetTimer(kDeadlineTimer, options_.timeout);
  TrySend(now, out);
}

}  // namespace pg
