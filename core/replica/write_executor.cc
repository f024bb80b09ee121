#include "core/replica/write_executor.h"

#include <fmt/format.h>

#include <limits>

#include "core/common/assert.h"
#include "core/proto/partition_hash.h"
#include "core/storage/key_schema.h"

namespace pg {

Status ValidateClientRequest(const ClientRequest& req) {
  PG_RETURN_IF_ERROR(ValidateHashkey(req.hashkey));
  const bool multi = req.kind == OpKind::kMultiGet || req.kind == OpKind::kMultiSet;
  // Pegasus rejects an empty hashkey for the multi operations (PERR_INVALID_ARGUMENT in
  // pegasus_server_impl::on_multi_get and pegasus_write_service::multi_put).
  if (multi && req.hashkey.empty()) {
    return Status(ErrorCode::kInvalidArgument, "empty hashkey for a multi operation");
  }
  if (req.kind == OpKind::kMultiSet && req.kvs.empty()) {
    return Status(ErrorCode::kInvalidArgument, "multi_set without kvs");
  }
  if (static_cast<uint8_t>(req.kind) > static_cast<uint8_t>(OpKind::kMultiSet)) {
    return Status(ErrorCode::kInvalidArgument, "unknown operation kind");
  }
  if (req.partition_hash != PartitionHash(req.hashkey, req.sortkey)) {
    return Status(ErrorCode::kInvalidArgument, "partition_hash is not the key's hash");
  }
  return Status::Ok();
}

std::optional<int64_t> ParseIncrValue(std::string_view v) {
  if (v.empty()) return 0;  // Pegasus: an empty value counts as 0
  size_t i = 0;
  const bool negative = v[0] == '-';
  if (negative) i = 1;
  if (i == v.size() || v.size() - i > 19) return std::nullopt;
  uint64_t magnitude = 0;
  for (; i < v.size(); ++i) {
    if (v[i] < '0' || v[i] > '9') return std::nullopt;
    magnitude = magnitude * 10 + static_cast<uint64_t>(v[i] - '0');
  }
  const uint64_t limit =
      static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + (negative ? 1 : 0);
  if (magnitude > limit) return std::nullopt;
  return negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
}

namespace {

ExecutedWrite ExecuteIncr(const ClientRequest& req, const std::optional<std::string>& old) {
  ExecutedWrite w;
  std::optional<int64_t> base = old ? ParseIncrValue(*old) : std::optional<int64_t>(0);
  if (!base) {
    w.status = Status(ErrorCode::kInvalidArgument, "incr on a value that is not an integer");
    return w;
  }
  int64_t sum = 0;
  if (__builtin_add_overflow(*base, req.increment, &sum)) {
    w.status = Status(ErrorCode::kInvalidArgument, "incr overflows int64");  // Pegasus: same
    return w;
  }
  w.new_value = sum;
  // The TTL of the old value is not kept (Pegasus keeps it when expire_ts_seconds == 0): the
  // engine's Get does not expose it, and pegasim's workloads do not combine TTL with incr.
  w.updates.push_back(WriteUpdate{.kind = OpKind::kSet,
                                  .hashkey = req.hashkey,
                                  .sortkey = req.sortkey,
                                  .value = std::to_string(sum)});
  return w;
}

}  // namespace

ExecutedWrite ExecuteWrite(const ClientRequest& req, const KvEngine& engine, Time now) {
  PG_ASSERT(IsWrite(req.kind), "ExecuteWrite of a read");
  PG_ASSERT(ValidateHashkey(req.hashkey).ok(), "unvalidated request");
  ExecutedWrite w;
  switch (req.kind) {
    case OpKind::kSet:
      w.updates.push_back(WriteUpdate{.kind = OpKind::kSet,
                                      .hashkey = req.hashkey,
                                      .sortkey = req.sortkey,
                                      .value = req.value,
                                      .expire_ts = req.expire_ts});
      return w;
    case OpKind::kDel:
      w.updates.push_back(
          WriteUpdate{.kind = OpKind::kDel, .hashkey = req.hashkey, .sortkey = req.sortkey});
      return w;
    case OpKind::kMultiSet:
      w.updates.push_back(WriteUpdate{.kind = OpKind::kMultiSet,
                                      .hashkey = req.hashkey,
                                      .kvs = req.kvs,
                                      .expire_ts = req.expire_ts});
      return w;
    default:
      break;
  }
  Result<std::optional<std::string>> old = engine.Get(req.hashkey, req.sortkey, now);
  if (!old.ok()) {
    w.status = old.status();
    return w;
  }
  if (req.kind == OpKind::kIncr) return ExecuteIncr(req, *old);
  PG_ASSERT(req.kind == OpKind::kCheckAndSet, "unexpected write kind {}", OpKindName(req.kind));
  w.cas_matched = *old == req.check_value;
  if (w.cas_matched) {
    w.updates.push_back(WriteUpdate{.kind = OpKind::kSet,
                                    .hashkey = req.hashkey,
                                    .sortkey = req.sortkey,
                                    .value = req.value,
                                    .expire_ts = req.expire_ts});
  }
  return w;
}

Result<WriteBatch> ToWriteBatch(const std::vector<WriteUpdate>& updates) {
  WriteBatch batch;
  for (const WriteUpdate& u : updates) {
    if (u.kind == OpKind::kSet) {
      batch.Put(u.hashkey, u.sortkey, u.value, u.expire_ts);
    } else if (u.kind == OpKind::kDel) {
      batch.Delete(u.hashkey, u.sortkey);
    } else if (u.kind == OpKind::kMultiSet) {
      for (const auto& [sortkey, value] : u.kvs) batch.Put(u.hashkey, sortkey, value, u.expire_ts);
    } else {
      // The primary replicates only puts and deletes; anything else came from a damaged log or
      // a buggy peer. Applying nothing for it would let replicas diverge: the caller fail-stops.
      return Status(ErrorCode::kCorruption,
                    fmt::format("replicated update of kind {}", OpKindName(u.kind)));
    }
  }
  return batch;
}

}  // namespace pg
