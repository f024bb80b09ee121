#pragma once
// The plain data of a partition's key-value state, as the KvEngine (core/storage/kv_engine.h)
// applies and returns it and as messages carry it: the updates of one mutation (WriteBatch) and
// a whole engine's state (Checkpoint, which an LT_APP LearnResponse carries). Encoded with the
// codec like every message.
#include <cstdint>
#include <string>
#include <vector>

#include "core/common/ids.h"
#include "core/proto/codec.h"

namespace pg {

// One put or delete of a WriteBatch. expire_ts: seconds since Pegasus's epoch_begin, 0 = no TTL
// (puts only).
struct WriteOp {
  enum class Kind : uint8_t { kPut = 0, kDelete = 1 };
  Kind kind = Kind::kPut;
  std::string hashkey;
  std::string sortkey;
  std::string value;
  uint32_t expire_ts = 0;
  PG_FIELDS(kind, hashkey, sortkey, value, expire_ts);
};

// The updates of one mutation, applied in order and atomically: a later op on the same key wins.
struct WriteBatch {
  std::vector<WriteOp> ops;
  PG_FIELDS(ops);

  void Put(std::string hashkey, std::string sortkey, std::string value, uint32_t expire_ts = 0) {
    ops.push_back(WriteOp{.kind = WriteOp::Kind::kPut,
                          .hashkey = std::move(hashkey),
                          .sortkey = std::move(sortkey),
                          .value = std::move(value),
                          .expire_ts = expire_ts});
  }
  void Delete(std::string hashkey, std::string sortkey) {
    ops.push_back(WriteOp{.kind = WriteOp::Kind::kDelete,
                          .hashkey = std::move(hashkey),
                          .sortkey = std::move(sortkey)});
  }
};

struct SortkeyValue {
  std::string sortkey;
  std::string value;
  PG_FIELDS(sortkey, value);
  friend bool operator==(const SortkeyValue&, const SortkeyValue&) = default;
};

// One stored record, TTL included (expired records are copied too: a RocksDB checkpoint copies
// SST files, which keep expired values until a compaction filter drops them).
struct CheckpointEntry {
  std::string hashkey;
  std::string sortkey;
  std::string value;
  uint32_t expire_ts = 0;
  PG_FIELDS(hashkey, sortkey, value, expire_ts);
  friend bool operator==(const CheckpointEntry&, const CheckpointEntry&) = default;
};

// Everything an engine holds at `decree`: what a learner receives for LT_APP learning
// (PEGASUS.md §1.7). Entries are in key order (the RocksDB key order of key_schema.h).
struct Checkpoint {
  Decree decree;
  std::vector<CheckpointEntry> entries;
  PG_FIELDS(decree, entries);
  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;

  // Bytes on the wire (the codec encoding), what a transfer of this checkpoint costs.
  uint64_t ByteSize() const { return Encode(*this).size(); }
};

}  // namespace pg
