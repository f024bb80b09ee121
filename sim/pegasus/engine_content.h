#pragma once
// What the bench knows of each engine's content, without reading the engine.
//
// EngineContent: a digest of a KvEngine's logical content (every record: hashkey, sortkey, value,
// expire_ts), kept from what the replica applies (ApplyBatch) and restores (RestoreCheckpoint).
// It is an order-independent sum of one hash per record, so a record replaced or deleted is taken
// out again. Reading the engine instead would touch the simulated disk (RocksDB's files) and
// change the run it observes.
//
// ContentLedger: the first digest any replica held at each applied decree of each partition. Every
// replica that applies decree d of a partition must then hold exactly that content: committed
// mutations are the same everywhere (invariant committed_prefix) and applying them is
// deterministic. A different digest means a replica diverged: a mutation applied twice, skipped or
// out of order, a checkpoint of another decree restored, an operation that computed differently.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/ids.h"
#include "core/proto/kv_data.h"

namespace pg::sim {

class EngineContent {
 public:
  void Apply(const WriteBatch& batch);
  void Reset(const Checkpoint& checkpoint);
  uint64_t digest() const { return sum_ + records_.size(); }
  size_t size() const { return records_.size(); }

 private:
  void Put(std::string_view hashkey, std::string_view sortkey, std::string_view value,
           uint32_t expire_ts);
  void Delete(std::string_view hashkey, std::string_view sortkey);

  // (hashkey, sortkey) -> the record's hash; sum_ is their sum modulo 2^64.
  std::map<std::pair<std::string, std::string>, uint64_t> records_;
  uint64_t sum_ = 0;
};

class ContentLedger {
 public:
  // `node` holds `digest` after applying (or restoring a checkpoint at) decree `d` of `gpid`.
  void Record(std::string_view node, Gpid gpid, Decree d, uint64_t digest);
  // The first divergence recorded, if any.
  const std::optional<std::string>& violation() const { return violation_; }

 private:
  struct First {
    uint64_t digest = 0;
    std::string node;
  };
  std::map<Gpid, std::vector<std::optional<First>>> first_;  // index: decree
  std::optional<std::string> violation_;
};

}  // namespace pg::sim
