#include "core/storage/engine_util.h"

#include <fmt/format.h>

#include "core/common/assert.h"
#include "core/storage/key_schema.h"

namespace pg {

std::string LastAppliedMetaKey() { return MetaKey("last_applied_decree"); }

std::string EncodeDecree(Decree decree) { return Encode(decree); }

Result<Decree> DecodeDecree(std::string_view raw) {
  Result<Decree> decree = Decode<Decree>(raw);
  if (!decree.ok()) {
    return Status(ErrorCode::kCorruption,
                  fmt::format("stored last_applied_decree: {}", decree.status().message()));
  }
  if (decree->value() < 0) {
    return Status(ErrorCode::kCorruption,
                  fmt::format("stored last_applied_decree {} is negative", decree->value()));
  }
  return decree;
}

Status ValidateBatch(const WriteBatch& batch) {
  for (size_t i = 0; i < batch.ops.size(); ++i) {
    const Status s = ValidateHashkey(batch.ops[i].hashkey);
    if (!s.ok()) return Status(s.code(), fmt::format("op {}: {}", i, s.message()));
  }
  return Status::Ok();
}

Result<std::optional<std::string>> VisibleValue(std::string_view stored, Time now) {
  Result<ValueView> value = DecodeValue(stored);
  if (!value.ok()) return value.status();
  if (IsExpired(value->expire_ts, now)) return std::optional<std::string>();
  return std::optional<std::string>(std::string(value->user_value));
}

Result<std::optional<std::string>> KvEngine::Visible(std::string_view stored, Time now) const {
  Result<std::optional<std::string>> value = VisibleValue(stored, now);
  if (value.ok() && !value->has_value()) ++expired_reads_;  // stored, so absent means expired
  return value;
}

Result<CheckpointEntry> EntryFromRecord(std::string_view raw_key, std::string_view raw_value) {
  Result<KeyView> key = DecodeKey(raw_key);
  if (!key.ok()) return key.status();
  Result<ValueView> value = DecodeValue(raw_value);
  if (!value.ok()) return value.status();
  return CheckpointEntry{.hashkey = std::string(key->hashkey),
                         .sortkey = std::string(key->sortkey),
                         .value = std::string(value->user_value),
                         .expire_ts = value->expire_ts};
}

void AssertNextDecree(const char* engine, Decree last_applied, Decree decree) {
  // Pegasus's replication_app_base::apply_mutation: CHECK_EQ(decree, last_committed + 1).
  PG_ASSERT_EQ(decree, last_applied.next(), "{}: mutations apply in decree order, none skipped",
               engine);
}

}  // namespace pg
