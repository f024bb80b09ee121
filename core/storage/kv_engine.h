#pragma once
// KvEngine: one partition's applied state (Pegasus's pegasus_server_impl over RocksDB, reduced to
// what replication needs). Two implementations pass one conformance suite: RocksDbEngine (real
// RocksDB over a host-given Env) and MemEngine (a std::map with value semantics).
//
// Decrees (PEGASUS.md §1.10): last_applied is the decree of the last ApplyBatch and is written in
// the same atomic write as that batch's data, so data and decree can never disagree. RocksDB's
// WAL is off, as in Pegasus, so only flushed state survives a crash: last_durable is the
// last_applied as of the last Flush, and after a crash the engine comes back at exactly that
// decree with exactly that data; the replica replays its mutation log from there.
//
// This is the one synchronous exception to "no I/O in core/" (DESIGN.md §2): every call that can
// touch a disk returns a Status (kIoError, kCorruption) that the replica must handle.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/ids.h"
#include "core/common/result.h"
#include "core/common/status.h"
#include "core/common/time.h"
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

class KvEngine {
 public:
  virtual ~KvEngine() = default;

  // Applies `batch` as mutation `decree`, together with last_applied = decree, atomically.
  // Precondition (asserted): decree == last_applied() + 1, as Pegasus's apply_mutation checks.
  // kInvalidArgument (nothing applied) when a hashkey is too long; kIoError from the disk.
  virtual Status ApplyBatch(Decree decree, const WriteBatch& batch) = 0;

  // The value of (hashkey, sortkey), or nullopt when absent or expired at `now` (the node's local
  // clock, read against expire_ts).
  virtual Result<std::optional<std::string>> Get(std::string_view hashkey, std::string_view sortkey,
                                                 Time now) const = 0;
  // Every unexpired (sortkey, value) of `hashkey`, in sortkey byte order.
  virtual Result<std::vector<SortkeyValue>> MultiGet(std::string_view hashkey, Time now) const = 0;

  // Invariant: last_durable() <= last_applied().
  virtual Decree last_applied() const = 0;
  virtual Decree last_durable() const = 0;

  // Makes everything applied so far survive a crash; returns when it has. On success
  // last_durable() == last_applied().
  virtual Status Flush() = 0;

  virtual Result<Checkpoint> TakeCheckpoint() const = 0;
  // Replaces the whole state with `checkpoint` and makes it durable at once (a learner opens the
  // learned files, which are already on disk): last_applied == last_durable == checkpoint.decree.
  virtual Status RestoreCheckpoint(const Checkpoint& checkpoint) = 0;

  // A copy with equal state, for a model checker that forks a cluster. Only engines with value
  // semantics (MemEngine) can; RocksDbEngine answers kInvalidState.
  virtual Result<std::unique_ptr<KvEngine>> Clone() const = 0;

  virtual void CheckInvariants() const = 0;
};

}  // namespace pg
