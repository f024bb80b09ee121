#pragma once
// RocksDbEngine: the KvEngine over real RocksDB 7.8, configured so that RocksDB does nothing on
// its own: no WAL, no automatic flush or compaction, no stats threads, all file I/O through the
// rocksdb::Env the host hands in (the simulator's disk), flushes only when the replica asks.
//
// last_applied lives under a reserved key in the default column family (key_schema.h MetaKey:
// hashkey length prefix 0xFFFF, which no user key can carry since Pegasus caps hashkeys at
// 0xFFFE bytes). It is written in the same rocksdb::WriteBatch as the mutation's data, so it is
// atomic with it; and because data and decree share one memtable, every flush persists both
// together (a separate column family would need atomic_flush to keep them in step).
#include <rocksdb/db.h>
#include <rocksdb/env.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/storage/kv_engine.h"

namespace pg {

struct RocksDbEngineOptions {
  // Required. The host's Env (its FileSystem and SystemClock); never Env::Default() from core/.
  rocksdb::Env* env = nullptr;
  // The database directory within that Env.
  std::string path;
  // Large enough that no memtable fills between the replica's own flushes: a full memtable
  // would make RocksDB flush on a background thread at a moment of its choosing.
  size_t write_buffer_size = size_t{256} << 20;
  // Runs the jobs RocksDB scheduled on `env` (a flush, the purge after it) on the caller's thread
  // and returns when none is left. Set it when `env` queues jobs instead of running them on a
  // thread pool (the simulator's Env, sim/rocks_env.h): Flush then schedules without waiting and
  // calls this, so the whole flush happens inside the caller's step. Unset: RocksDB's own threads
  // run the jobs and Flush waits for them.
  std::function<void()> run_background_work;
};

class RocksDbEngine final : public KvEngine {
 public:
  // Opens or creates the database and recovers last_applied = last_durable from the meta key
  // (0 for a new database). kIoError/kCorruption when the Env cannot read it back.
  static Result<std::unique_ptr<RocksDbEngine>> Open(const RocksDbEngineOptions& options);

  // Closes without flushing (avoid_flush_during_shutdown): dropping the engine is a crash, and
  // what survives is what the last Flush made durable. Flush first for a clean shutdown.
  ~RocksDbEngine() override;
  RocksDbEngine(const RocksDbEngine&) = delete;
  RocksDbEngine& operator=(const RocksDbEngine&) = delete;

  Status ApplyBatch(Decree decree, const WriteBatch& batch) override;
  Result<std::optional<std::string>> Get(std::string_view hashkey, std::string_view sortkey,
                                         Time now) const override;
  Result<std::vector<SortkeyValue>> MultiGet(std::string_view hashkey, Time now) const override;
  Result<std::vector<ScanRecord>> Scan(Time now) const override;
  Decree last_applied() const override { return last_applied_; }
  Decree last_durable() const override { return last_durable_; }
  Status Flush() override;
  Result<Checkpoint> TakeCheckpoint() const override;
  Status RestoreCheckpoint(const Checkpoint& checkpoint) override;
  Result<std::unique_ptr<KvEngine>> Clone() const override;
  void CheckInvariants() const override;
  bool data_corrupted() const override { return corrupted_; }

 private:
  RocksDbEngine(std::unique_ptr<rocksdb::DB> db, std::function<void()> run_background_work);
  void RunBackgroundWork() const;
  // RocksDB's status as ours, remembering a kCorruption (data_corrupted).
  Status FromRocks(const rocksdb::Status& s, std::string_view what) const;

  std::unique_ptr<rocksdb::DB> db_;
  std::function<void()> run_background_work_;
  // Invariant: last_durable_ <= last_applied_; both >= 0.
  Decree last_applied_{0};
  Decree last_durable_{0};
  // Some read, write or flush reported kCorruption (mutable: reads are const).
  mutable bool corrupted_ = false;
};

}  // namespace pg
