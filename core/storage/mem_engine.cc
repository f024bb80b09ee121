#include "core/storage/mem_engine.h"

#include <fmt/format.h>

#include "core/common/assert.h"
#include "core/storage/engine_util.h"
#include "core/storage/key_schema.h"

namespace pg {

MemEngine::MemEngine() : flushed_(std::make_shared<const State>()) {}

Status MemEngine::ApplyBatch(Decree decree, const WriteBatch& batch) {
  AssertNextDecree("MemEngine", live_.decree, decree);
  PG_RETURN_IF_ERROR(ValidateBatch(batch));
  for (const WriteOp& op : batch.ops) {
    std::string key = EncodeKey(op.hashkey, op.sortkey);
    if (op.kind == WriteOp::Kind::kPut) {
      live_.records.insert_or_assign(std::move(key), EncodeValue(op.expire_ts, op.value));
    } else {
      live_.records.erase(key);
    }
  }
  live_.decree = decree;
  return Status::Ok();
}

Result<std::optional<std::string>> MemEngine::Get(std::string_view hashkey,
                                                  std::string_view sortkey, Time now) const {
  PG_RETURN_IF_ERROR(ValidateHashkey(hashkey));
  const auto it = live_.records.find(EncodeKey(hashkey, sortkey));
  if (it == live_.records.end()) return std::optional<std::string>();
  return Visible(it->second, now);
}

Result<std::vector<SortkeyValue>> MemEngine::MultiGet(std::string_view hashkey, Time now) const {
  PG_RETURN_IF_ERROR(ValidateHashkey(hashkey));
  const std::string prefix = EncodeHashkeyPrefix(hashkey);
  std::vector<SortkeyValue> out;
  for (auto it = live_.records.lower_bound(prefix);
       it != live_.records.end() && it->first.starts_with(prefix); ++it) {
    Result<std::optional<std::string>> value = Visible(it->second, now);
    if (!value.ok()) return value.status();
    if (!value->has_value()) continue;
    out.push_back(
        SortkeyValue{.sortkey = it->first.substr(prefix.size()), .value = std::move(**value)});
  }
  return out;
}

Result<std::vector<ScanRecord>> MemEngine::Scan(Time now) const {
  std::vector<ScanRecord> out;
  for (const auto& [raw, stored] : live_.records) {
    Result<KeyView> key = DecodeKey(raw);
    if (!key.ok()) return key.status();
    Result<std::optional<std::string>> value = Visible(stored, now);
    if (!value.ok()) return value.status();
    if (!value->has_value()) continue;
    out.push_back(ScanRecord{.hashkey = std::string(key->hashkey),
                             .sortkey = std::string(key->sortkey),
                             .value = std::move(**value)});
  }
  return out;
}

Status MemEngine::Flush() {
  if (flushed_->decree != live_.decree) flushed_ = std::make_shared<const State>(live_);
  return Status::Ok();
}

Result<Checkpoint> MemEngine::TakeCheckpoint() const {
  Checkpoint checkpoint{.decree = live_.decree};
  checkpoint.entries.reserve(live_.records.size());
  for (const auto& [key, value] : live_.records) {
    Result<CheckpointEntry> entry = EntryFromRecord(key, value);
    if (!entry.ok()) return entry.status();
    checkpoint.entries.push_back(std::move(entry).value());
  }
  return checkpoint;
}

Status MemEngine::RestoreCheckpoint(const Checkpoint& checkpoint) {
  State state{.decree = checkpoint.decree};
  for (const CheckpointEntry& e : checkpoint.entries) {
    PG_RETURN_IF_ERROR(ValidateHashkey(e.hashkey));
    state.records.insert_or_assign(EncodeKey(e.hashkey, e.sortkey),
                                   EncodeValue(e.expire_ts, e.value));
  }
  live_ = std::move(state);
  flushed_ = std::make_shared<const State>(live_);
  return Status::Ok();
}

Result<std::unique_ptr<KvEngine>> MemEngine::Clone() const {
  return std::unique_ptr<KvEngine>(std::make_unique<MemEngine>(*this));
}

void MemEngine::CheckInvariants() const {
  PG_ASSERT(flushed_ != nullptr);
  PG_ASSERT_LE(flushed_->decree, live_.decree, "MemEngine: durable ahead of applied");
  PG_ASSERT_GE(flushed_->decree, Decree(0));
}

void MemEngine::SimulateCrash() { live_ = *flushed_; }

}  // namespace pg
