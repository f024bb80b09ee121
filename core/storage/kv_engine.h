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
//
// The data it takes and gives (WriteBatch, Checkpoint, ...) is plain data in core/proto/kv_data.h:
// learn messages carry checkpoints, and storage depends on proto, never the reverse.
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
#include "core/proto/kv_data.h"
#include "core/proto/scan_messages.h"

namespace pg {

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
  // Every unexpired record of the partition in Pegasus's key order (KeyOrderLess): a full scan.
  virtual Result<std::vector<ScanRecord>> Scan(Time now) const = 0;

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

  // Whether some operation found stored data failing its checksum (RocksDB's kCorruption): the
  // engine's files must not be reused (Pegasus's replica::_data_corrupted). Engines that keep
  // no checksummed files never are.
  virtual bool data_corrupted() const { return false; }

  // How many stored values reads have found expired and left out (a coverage mark's source); a
  // wrapper answers its engine's.
  virtual uint64_t expired_reads() const { return expired_reads_; }

 protected:
  // A stored record as a read at `now` sees it: nullopt once expired (counted), else its value.
  Result<std::optional<std::string>> Visible(std::string_view stored, Time now) const;

 private:
  mutable uint64_t expired_reads_ = 0;
};

}  // namespace pg
