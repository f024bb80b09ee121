// Scans: Pegasus pegasus_server_impl::on_get_scanner and on_scan, reached through
// replica::on_client_read, so the checks of every read (ReadAdmission) come first. A context is the
// rest of a snapshot read whole when it opened (upstream holds a RocksDB iterator, which reads
// one implicit snapshot: the same records), served batch_size records a page.
#include "core/common/assert.h"
#include "core/common/log.h"
#include "core/proto/partition_hash.h"
#include "core/replica/replica.h"
#include "core/replica/sortkey_range.h"
#include "core/storage/key_schema.h"

namespace pg {
namespace {

// What on_get_scanner refuses as kInvalidArgument (and what pegasim's client never sends).
bool ValidScanRequest(const GetScannerRequest& req) {
  if (req.batch_size < 1) return false;
  if (req.full_scan) return req.hashkey.empty();
  return !req.after && ValidateHashkey(req.hashkey).ok() && ValidateRange(req.range).ok() &&
         req.range.limit == 0 && !req.range.reverse;
}

}  // namespace

void Replica::OnGetScanner(Time now, NodeId from, const GetScannerRequest& req, Outbox& out) {
  PG_ASSERT_EQ(req.gpid, gpid_);
  ScanResponse resp{.request_id = req.request_id};
  resp.error = ReadAdmission(now, ValidScanRequest(req), req.partition_hash);
  if (resp.error != ErrorCode::kOk) {
    PG_LOG(kDebug, "replica {}: get_scanner {} rejected: {}", gpid_, req.request_id,
           ErrorCodeName(resp.error));
    out.Send(from, resp);
    return;
  }
  const uint64_t expired_before = engine_->expired_reads();
  Result<std::vector<ScanRecord>> snapshot = ScanSnapshot(req, now);
  if (!snapshot.ok()) return Fail(out, snapshot.status());
  if (engine_->expired_reads() > expired_before) out.Mark("replica.read_expired_value");
  ServeScanPage(now, std::move(*snapshot), req.batch_size, resp, out);
  out.Send(from, resp);
}

void Replica::OnScan(Time now, NodeId from, const ScanRequest& req, Outbox& out) {
  PG_ASSERT_EQ(req.gpid, gpid_);
  ScanResponse resp{.request_id = req.request_id};
  resp.error = ReadAdmission(now, /*valid=*/true, req.partition_hash);
  std::optional<ScannerContext> context;
  if (resp.error == ErrorCode::kOk) {
    context = scanners_.Fetch(req.context_id, now);
    if (!context) resp.error = ErrorCode::kNotFound;
  }
  if (resp.error != ErrorCode::kOk) {
    if (resp.error == ErrorCode::kNotFound) out.Mark("replica.scan_context_not_found");
    out.Send(from, resp);
    return;
  }
  ServeScanPage(now, std::move(context->rest), context->batch_size, resp, out);
  out.Send(from, resp);
}

// The records a new context reads: a hashkey's range, or every record of this partition (upstream
// skips a record whose hashkey belongs to another partition: validate_partition_hash) after the
// resume point.
Result<std::vector<ScanRecord>> Replica::ScanSnapshot(const GetScannerRequest& req,
                                                      Time now) const {
  std::vector<ScanRecord> records;
  // Bug zoo full_scan_resume_as_hashkey_scan (Pegasus #824, fixed by #825): before the request
  // said which scan it is, a start key naming a hashkey made on_get_scanner seek with
  // prefix_same_as_start, as for a hashkey scan: a resumed full scan stopped at that hashkey's end.
  const bool as_hashkey_scan =
      req.full_scan && req.after && host_->options().bugs.on(Bug::kFullScanResumeAsHashkeyScan);
  if (!req.full_scan || as_hashkey_scan) {
    const std::string& hashkey = as_hashkey_scan ? req.after->hashkey : req.hashkey;
    SortkeyRange range = req.range;
    if (as_hashkey_scan)
      range = SortkeyRange{.start = req.after->sortkey, .start_inclusive = false};
    Result<std::vector<SortkeyValue>> kvs = engine_->MultiGet(hashkey, now);
    if (!kvs.ok()) return kvs.status();
    for (SortkeyValue& kv : SelectRange(std::move(*kvs), range, host_->options().bugs)) {
      records.push_back(ScanRecord{
          .hashkey = hashkey, .sortkey = std::move(kv.sortkey), .value = std::move(kv.value)});
    }
    return records;
  }
  Result<std::vector<ScanRecord>> all = engine_->Scan(now);
  if (!all.ok()) return all.status();
  PG_ASSERT_GT(partition_count_, 0, "RoutingCheck passed");
  for (ScanRecord& r : *all) {
    const uint64_t hash = PartitionHash(r.hashkey, r.sortkey);
    if (hash % static_cast<uint64_t>(partition_count_) !=
        static_cast<uint64_t>(gpid_.partition_index)) {
      continue;
    }
    if (req.after && !KeyOrderLess(*req.after, ScanKey{r.hashkey, r.sortkey})) continue;
    records.push_back(std::move(r));
  }
  return records;
}

// Answers the first batch_size records of `rest`, and keeps what remains as a context.
void Replica::ServeScanPage(Time now, std::vector<ScanRecord> rest, int32_t batch_size,
                            ScanResponse& resp, Outbox& out) {
  PG_ASSERT_GE(batch_size, 1);
  const size_t page = std::min(rest.size(), static_cast<size_t>(batch_size));
  resp.records.assign(std::make_move_iterator(rest.begin()),
                      std::make_move_iterator(rest.begin() + static_cast<ptrdiff_t>(page)));
  rest.erase(rest.begin(), rest.begin() + static_cast<ptrdiff_t>(page));
  if (rest.empty()) {
    resp.context_id = kScanCompleted;
    return;
  }
  if (!scanners_.seeded()) scanners_.Seed(ScannerIdBase());
  resp.context_id =
      scanners_.Put(ScannerContext{.rest = std::move(rest), .batch_size = batch_size}, now);
  out.Mark("replica.scan_context_kept");
}

// As upstream since apache/incubator-pegasus#156 (ed07698c0, #158): the ids' high half is random,
// so the contexts of two replicas (a scan continued at a new primary) almost never share an id.
// Drawn at the first context, so a run without scans draws nothing more.
int64_t Replica::ScannerIdBase() const {
  return static_cast<int64_t>((host_->Random() & 0x7fffffffULL) << 32);
}

}  // namespace pg
