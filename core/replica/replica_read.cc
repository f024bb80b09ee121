// Reads: Pegasus replica::on_client_read. Only the primary serves them, only with a valid lease,
// and from COMMITTED (applied) state; a new primary waits until it has committed everything it
// had prepared when it took over.
#include "core/common/assert.h"
#include "core/common/log.h"
#include "core/replica/replica.h"
#include "core/replica/sortkey_range.h"
#include "core/replica/write_executor.h"

namespace pg {

ErrorCode Replica::ReadAdmission(Time now, bool valid, uint64_t partition_hash) const {
  const BugSet& bugs = host_->options().bugs;
  // Bug zoo secondary_serves_reads (PacificA §3.2): only the primary may answer a read; a
  // secondary applies a decree only once a later prepare or group check tells it the decree
  // committed, so what it holds may be older than a write the primary already acknowledged.
  const bool may_serve =
      status_ == PartitionStatus::kPrimary ||
      (status_ == PartitionStatus::kSecondary && bugs.on(Bug::kSecondaryServesReads));
  // Bug zoo stale_read_new_primary (Pegasus a4a73c300): a new primary may hold, prepared and
  // not yet committed, a write its predecessor committed and acknowledged; its engine does not
  // show that write until it commits past every decree it had prepared when it took over.
  const bool caught_up = plist_.last_committed() >= primary_.last_prepare_decree_on_new_primary ||
                         bugs.on(Bug::kStaleReadOnNewPrimary);
  if (!may_serve || !host_->LeaseValid(now) || !caught_up) return ErrorCode::kInvalidState;
  if (!valid) return ErrorCode::kInvalidArgument;
  return RoutingCheck(partition_hash);
}

void Replica::OnClientRead(Time now, NodeId from, const ClientRequest& req, Outbox& out) {
  PG_ASSERT(!IsWrite(req.kind));
  PG_ASSERT_EQ(req.gpid, gpid_);
  ClientResponse resp{.request_id = req.request_id};
  resp.error = ReadAdmission(now, ValidateClientRequest(req).ok(), req.partition_hash);
  if (resp.error != ErrorCode::kOk) {
    PG_LOG(kDebug, "replica {}: read {} rejected: {}", gpid_, req.request_id,
           ErrorCodeName(resp.error));
    out.Send(from, resp);
    return;
  }
  const uint64_t expired_before = engine_->expired_reads();
  if (req.kind == OpKind::kGet) {
    Result<std::optional<std::string>> v = engine_->Get(req.hashkey, req.sortkey, now);
    if (!v.ok()) return Fail(out, v.status());
    resp.value = *v;
  } else {
    // multi_get and sortkey_count read the whole hashkey; a range narrows what multi_get returns.
    Result<std::vector<SortkeyValue>> kvs = engine_->MultiGet(req.hashkey, now);
    if (!kvs.ok()) return Fail(out, kvs.status());
    if (req.kind == OpKind::kSortkeyCount) {
      resp.count = static_cast<int64_t>(kvs->size());
    } else {
      std::vector<SortkeyValue> read =
          req.range ? SelectRange(std::move(*kvs), *req.range, host_->options().bugs)
                    : std::move(*kvs);
      for (SortkeyValue& kv : read) resp.kvs.emplace(std::move(kv.sortkey), std::move(kv.value));
    }
  }
  // A value with a TTL left out by this server's clock (docs/checker.md "TTL").
  if (engine_->expired_reads() > expired_before) out.Mark("replica.read_expired_value");
  out.Send(from, resp);
}

}  // namespace pg
