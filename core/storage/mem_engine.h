#pragma once
// MemEngine: the KvEngine as a value. State is a std::map from RocksDB key bytes (key_schema.h) to
// stored value bytes, so iteration order, prefix scans and TTL decoding are RocksDB's exactly.
// The flushed snapshot is kept beside the live state, which makes SimulateCrash() behave like
// RocksDB with its WAL off: everything since the last Flush is gone. Copying a MemEngine copies
// the live map and shares the (immutable) flushed snapshot.
#include <map>
#include <memory>
#include <string>

#include "core/storage/kv_engine.h"

namespace pg {

class MemEngine final : public KvEngine {
 public:
  MemEngine();
  MemEngine(const MemEngine&) = default;
  MemEngine& operator=(const MemEngine&) = default;
  MemEngine(MemEngine&&) = default;
  MemEngine& operator=(MemEngine&&) = default;

  Status ApplyBatch(Decree decree, const WriteBatch& batch) override;
  Result<std::optional<std::string>> Get(std::string_view hashkey, std::string_view sortkey,
                                         Time now) const override;
  Result<std::vector<SortkeyValue>> MultiGet(std::string_view hashkey, Time now) const override;
  Result<std::vector<ScanRecord>> Scan(Time now) const override;
  Decree last_applied() const override { return live_.decree; }
  Decree last_durable() const override { return flushed_->decree; }
  Status Flush() override;
  Result<Checkpoint> TakeCheckpoint() const override;
  Status RestoreCheckpoint(const Checkpoint& checkpoint) override;
  Result<std::unique_ptr<KvEngine>> Clone() const override;
  void CheckInvariants() const override;

  // A crash of the process or machine: drops everything applied since the last Flush.
  void SimulateCrash();

 private:
  struct State {
    // RocksDB key bytes -> stored value bytes (value_schema_v0). No meta keys: decree is a field.
    std::map<std::string, std::string> records;
    Decree decree{0};
  };

  State live_;
  // Invariant: never null; flushed_->decree <= live_.decree.
  std::shared_ptr<const State> flushed_;
};

}  // namespace pg
