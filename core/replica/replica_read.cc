// Reads: Pegasus replica::on_client_read. Only the primary serves them, only with a valid lease,
// and from COMMITTED (applied) state; a new primary waits until it has committed everything it
// had prepared when it took over.
#include "core/common/assert.h"
#include "core/common/log.h"
#include "core/replica/replica.h"
#include "core/replica/write_executor.h"

namespace pg {

void Replica::OnClientRead(Time now, NodeId from, const ClientRequest& req, Outbox& out) {
  PG_ASSERT(!IsWrite(req.kind));
  PG_ASSERT_EQ(req.gpid, gpid_);
  ClientResponse resp{.request_id = req.request_id};
  if (status_ != PartitionStatus::kPrimary || !host_->LeaseValid(now) ||
      plist_.last_committed() < primary_.last_prepare_decree_on_new_primary) {
    resp.error = ErrorCode::kInvalidState;
  } else if (!ValidateClientRequest(req).ok()) {
    resp.error = ErrorCode::kInvalidArgument;
  } else {
    resp.error = RoutingCheck(req);
  }
  if (resp.error != ErrorCode::kOk) {
    PG_LOG(kDebug, "replica {}: read {} rejected: {}", gpid_, req.request_id,
           ErrorCodeName(resp.error));
    out.Send(from, resp);
    return;
  }
  if (req.kind == OpKind::kGet) {
    Result<std::optional<std::string>> v = engine_->Get(req.hashkey, req.sortkey, now);
    if (!v.ok()) return Fail(out, v.status());
    resp.value = *v;
  } else {
    Result<std::vector<SortkeyValue>> kvs = engine_->MultiGet(req.hashkey, now);
    if (!kvs.ok()) return Fail(out, kvs.status());
    for (SortkeyValue& kv : *kvs) resp.kvs.emplace(std::move(kv.sortkey), std::move(kv.value));
  }
  out.Send(from, resp);
}

}  // namespace pg
