#include "core/storage/rocksdb_engine.h"

#include <fmt/format.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cstdarg>

#include "core/common/assert.h"
#include "core/storage/engine_util.h"
#include "core/storage/key_schema.h"

namespace pg {
namespace {

// RocksDB's LOG file lines carry wall-clock timestamps and thread ids; written to the simulated
// disk they would make two runs of one seed differ. Nothing is logged.
class NullLogger final : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char* /*format*/, va_list /*ap*/) override {}
};

// The memtable's insert hints (Options::memtable_insert_with_hint_prefix_extractor), with the
// whole key as the "prefix": one skip-list splice per key. Every applied decree writes the
// last-applied meta key (which sorts after every user key) beside its data, so with RocksDB's one
// shared splice nearly every insert searched the skip list from its top level; a key's own splice
// starts the search next to its previous version, where the new one lands. Only where an insert
// starts its search changes: the memtable, the SSTs and the MANIFEST hold the same bytes, and the
// option is written into none of them (OPTIONS dumps are not kept: sim/pegasus/rocks_fs.cc).
class WholeKey final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "pegasim.WholeKey"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override { return key; }
  bool InDomain(const rocksdb::Slice& /*key*/) const override { return true; }
};

Status ToStatus(const rocksdb::Status& s, std::string_view what) {
  const ErrorCode code = s.IsCorruption() ? ErrorCode::kCorruption
                         : s.IsNotFound() ? ErrorCode::kNotFound
                                          : ErrorCode::kIoError;
  return Status(code, fmt::format("rocksdb {}: {}", what, s.ToString()));
}

rocksdb::Options MakeOptions(const RocksDbEngineOptions& o) {
  rocksdb::Options opts;
  // All file I/O and time through the host: the simulator's disk and clock.
  opts.env = o.env;
  opts.create_if_missing = true;
  opts.info_log = std::make_shared<NullLogger>();
  // Compactions would run on background threads at times of their choosing; Pegasus's own
  // manual compaction is out of scope. Expired values are hidden on read instead.
  opts.disable_auto_compactions = true;
  opts.periodic_compaction_seconds = 0;
  opts.ttl = 0;
  // One memtable big enough that no flush fires before the replica's own Flush.
  opts.write_buffer_size = o.write_buffer_size;
  opts.max_write_buffer_number = 2;
  // The arena grows a memtable in blocks of write_buffer_size / 8 (32 MiB) by default: every
  // new memtable would fault in fresh pages. Small blocks come from the reused heap instead.
  opts.arena_block_size = size_t{64} << 10;
  opts.memtable_insert_with_hint_prefix_extractor = std::make_shared<WholeKey>();
  // Minimal pools: a flush still runs on RocksDB's flush thread, but Flush() waits for it, so
  // its effect is ordered with the caller's steps.
  opts.max_background_jobs = 2;
  // No stats-dump or stats-persist timer threads.
  opts.stats_dump_period_sec = 0;
  opts.stats_persist_period_sec = 0;
  // Closing is crashing: the destructor must not flush (or recovery replay) behind the
  // replica's back, or "durable" would mean more than what Flush() reported.
  opts.avoid_flush_during_shutdown = true;
  opts.avoid_flush_during_recovery = true;
  // No block cache: its keys embed RocksDB's random per-session id, so which blocks it keeps (and
  // so which reads reach the disk, where they may fault) could differ between two runs of a seed.
  // Every read goes to the Env's file system instead; index and filter blocks stay pinned in the
  // table readers (cache_index_and_filter_blocks is false).
  rocksdb::BlockBasedTableOptions table;
  table.no_block_cache = true;
  opts.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // Byte-stable SST files across library builds, and cheaper in the simulator.
  opts.compression = rocksdb::kNoCompression;
  opts.skip_stats_update_on_db_open = true;
  // DB::Open loads every SST's table reader on max_file_opening_threads threads of its own (16 by
  // default), not through the Env: they read the simulated disk concurrently, so which of them
  // draws a read fault first would depend on thread timing, and a seed would hash two ways. One
  // means RocksDB opens them on the caller's thread, in order.
  opts.max_file_opening_threads = 1;
  // The table cache is sharded for threads contending on it (64 shards by default, each allocated
  // at open); one thread uses a store here, and every table reader stays open (max_open_files -1)
  // whatever the shard count, so one shard costs less and caches the same.
  opts.table_cache_numshardbits = 0;
  // After a background error (a failed flush) RocksDB would retry on its own thread every second;
  // the replica fails-stop instead (DESIGN.md §5: uncertain durability is fail-stop).
  opts.max_bgerror_resume_count = 0;
  // The options dump RocksDB writes at open is a convenience for tools that reopen a store without
  // knowing its options; a store here is always opened with these, so a dump that cannot be written
  // (the simulated disk refuses it: sim/pegasus/rocks_fs.cc) must not fail the open.
  opts.fail_if_options_file_error = false;
  // (Its flush thread still sleeps 1 s after a failed flush, through the Env's SystemClock: the
  // host's clock decides what that sleep costs.)
  return opts;
}

rocksdb::WriteOptions NoWal() {
  rocksdb::WriteOptions wo;
  // Pegasus disables RocksDB's WAL: the mutation log is the write-ahead log (PEGASUS.md §1.10).
  wo.disableWAL = true;
  return wo;
}

}  // namespace

Status RocksDbEngine::FromRocks(const rocksdb::Status& s, std::string_view what) const {
  if (s.IsCorruption()) corrupted_ = true;
  return ToStatus(s, what);
}

RocksDbEngine::RocksDbEngine(std::unique_ptr<rocksdb::DB> db,
                             std::function<void()> run_background_work)
    : db_(std::move(db)), run_background_work_(std::move(run_background_work)) {}

void RocksDbEngine::RunBackgroundWork() const {
  if (run_background_work_) run_background_work_();
}

RocksDbEngine::~RocksDbEngine() {
  // Close() errors cannot be reported from a destructor, and nothing unflushed may survive anyway.
  if (db_) db_->Close().PermitUncheckedError();
}

Result<std::unique_ptr<RocksDbEngine>> RocksDbEngine::Open(const RocksDbEngineOptions& options) {
  PG_ASSERT(options.env != nullptr, "RocksDbEngine needs the host's Env");
  PG_ASSERT(!options.path.empty());
  rocksdb::DB* raw = nullptr;
  const rocksdb::Status s = rocksdb::DB::Open(MakeOptions(options), options.path, &raw);
  if (!s.ok()) return ToStatus(s, fmt::format("open {}", options.path));
  std::unique_ptr<RocksDbEngine> engine(
      new RocksDbEngine(std::unique_ptr<rocksdb::DB>(raw), options.run_background_work));
  engine->RunBackgroundWork();  // whatever recovery scheduled

  std::string stored;
  const rocksdb::Status g = engine->db_->Get(rocksdb::ReadOptions(), LastAppliedMetaKey(), &stored);
  if (g.IsNotFound()) return engine;  // A new database: nothing applied.
  if (!g.ok()) return engine->FromRocks(g, "read last_applied_decree");
  Result<Decree> decree = DecodeDecree(stored);
  if (!decree.ok()) return decree.status();
  // WAL off: whatever Open finds was flushed, so it is durable by definition.
  engine->last_applied_ = *decree;
  engine->last_durable_ = *decree;
  return engine;
}

Status RocksDbEngine::ApplyBatch(Decree decree, const WriteBatch& batch) {
  AssertNextDecree("RocksDbEngine", last_applied_, decree);
  PG_RETURN_IF_ERROR(ValidateBatch(batch));
  rocksdb::WriteBatch wb;
  for (const WriteOp& op : batch.ops) {
    const std::string key = EncodeKey(op.hashkey, op.sortkey);
    const rocksdb::Status s = op.kind == WriteOp::Kind::kPut
                                  ? wb.Put(key, EncodeValue(op.expire_ts, op.value))
                                  : wb.Delete(key);
    if (!s.ok()) return FromRocks(s, "build batch");
  }
  // The decree rides in the same batch: data and decree are one atomic write.
  const rocksdb::Status m = wb.Put(LastAppliedMetaKey(), EncodeDecree(decree));
  if (!m.ok()) return FromRocks(m, "build batch");
  const rocksdb::Status w = db_->Write(NoWal(), &wb);
  if (!w.ok()) return FromRocks(w, fmt::format("apply decree {}", decree));
  last_applied_ = decree;
  RunBackgroundWork();  // none expected (see write_buffer_size); if a memtable filled, flush now
  return Status::Ok();
}

Result<std::optional<std::string>> RocksDbEngine::Get(std::string_view hashkey,
                                                      std::string_view sortkey, Time now) const {
  PG_RETURN_IF_ERROR(ValidateHashkey(hashkey));
  std::string stored;
  const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), EncodeKey(hashkey, sortkey), &stored);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "get");
  return Visible(stored, now);
}

Result<std::vector<SortkeyValue>> RocksDbEngine::MultiGet(std::string_view hashkey,
                                                          Time now) const {
  PG_RETURN_IF_ERROR(ValidateHashkey(hashkey));
  const std::string prefix = EncodeHashkeyPrefix(hashkey);
  std::vector<SortkeyValue> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    Result<std::optional<std::string>> value = Visible(it->value().ToStringView(), now);
    if (!value.ok()) return value.status();
    if (!value->has_value()) continue;
    out.push_back(
        SortkeyValue{.sortkey = std::string(it->key().ToStringView().substr(prefix.size())),
                     .value = std::move(**value)});
  }
  if (!it->status().ok()) return FromRocks(it->status(), "multi_get");
  return out;
}

Result<std::vector<ScanRecord>> RocksDbEngine::Scan(Time now) const {
  std::vector<ScanRecord> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  // The engine's meta keys sort after every user key (key_schema.h).
  for (it->SeekToFirst(); it->Valid() && !IsMetaKey(it->key().ToStringView()); it->Next()) {
    Result<KeyView> key = DecodeKey(it->key().ToStringView());
    if (!key.ok()) return key.status();
    Result<std::optional<std::string>> value = Visible(it->value().ToStringView(), now);
    if (!value.ok()) return value.status();
    if (!value->has_value()) continue;
    out.push_back(ScanRecord{.hashkey = std::string(key->hashkey),
                             .sortkey = std::string(key->sortkey),
                             .value = std::move(**value)});
  }
  if (!it->status().ok()) return FromRocks(it->status(), "scan");
  return out;
}

Status RocksDbEngine::Flush() {
  rocksdb::FlushOptions fo;
  // With a host that runs RocksDB's jobs itself, schedule and run the flush here; otherwise wait
  // for RocksDB's flush thread. Either way, when Flush returns ok the memtable is an SST on the
  // host's disk.
  fo.wait = !run_background_work_;
  // Never wait for a stall to clear: with auto compaction off, nothing else would clear it.
  fo.allow_write_stall = true;
  const rocksdb::Status s = db_->Flush(fo);
  if (!s.ok()) return FromRocks(s, "flush");
  if (run_background_work_) {
    RunBackgroundWork();
    // A failed flush job leaves its memtable immutable (and RocksDB's background error set).
    uint64_t unflushed = 0;
    if (!db_->GetIntProperty(rocksdb::DB::Properties::kNumImmutableMemTable, &unflushed) ||
        unflushed > 0) {
      return Status(ErrorCode::kIoError,
                    fmt::format("rocksdb flush failed: {} memtable(s) left", unflushed));
    }
  }
  last_durable_ = last_applied_;
  return Status::Ok();
}

Result<Checkpoint> RocksDbEngine::TakeCheckpoint() const {
  Checkpoint checkpoint{.decree = last_applied_};
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  bool saw_decree = last_applied_ == Decree(0);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string_view key = it->key().ToStringView();
    if (IsMetaKey(key)) {
      if (key != LastAppliedMetaKey()) continue;
      // The iterator's implicit snapshot holds its own copy of the decree: it must agree.
      Result<Decree> stored = DecodeDecree(it->value().ToStringView());
      if (!stored.ok()) return stored.status();
      if (*stored != last_applied_) {
        return Status(ErrorCode::kCorruption,
                      fmt::format("stored decree {} != applied {}", *stored, last_applied_));
      }
      saw_decree = true;
      continue;
    }
    Result<CheckpointEntry> entry = EntryFromRecord(key, it->value().ToStringView());
    if (!entry.ok()) return entry.status();
    checkpoint.entries.push_back(std::move(entry).value());
  }
  if (!it->status().ok()) return FromRocks(it->status(), "checkpoint scan");
  if (!saw_decree) return Status(ErrorCode::kCorruption, "last_applied_decree missing");
  return checkpoint;
}

Status RocksDbEngine::RestoreCheckpoint(const Checkpoint& checkpoint) {
  PG_ASSERT_GE(checkpoint.decree, Decree(0));
  rocksdb::WriteBatch wb;
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const rocksdb::Status s = wb.Delete(it->key());
      if (!s.ok()) return FromRocks(s, "build restore batch");
    }
    if (!it->status().ok()) return FromRocks(it->status(), "restore scan");
  }
  for (const CheckpointEntry& e : checkpoint.entries) {
    PG_RETURN_IF_ERROR(ValidateHashkey(e.hashkey));
    const rocksdb::Status s =
        wb.Put(EncodeKey(e.hashkey, e.sortkey), EncodeValue(e.expire_ts, e.value));
    if (!s.ok()) return FromRocks(s, "build restore batch");
  }
  const rocksdb::Status m = wb.Put(LastAppliedMetaKey(), EncodeDecree(checkpoint.decree));
  if (!m.ok()) return FromRocks(m, "build restore batch");
  const rocksdb::Status w = db_->Write(NoWal(), &wb);
  if (!w.ok()) return FromRocks(w, "restore write");
  last_applied_ = checkpoint.decree;
  // Until the flush below succeeds the disk holds the old state; after a failure the engine must
  // be discarded (fail-stop), and durable is clamped only to keep the invariant checkable.
  last_durable_ = std::min(last_durable_, last_applied_);
  return Flush();
}

Result<std::unique_ptr<KvEngine>> RocksDbEngine::Clone() const {
  return Status(ErrorCode::kInvalidState, "RocksDbEngine has no value semantics; use MemEngine");
}

void RocksDbEngine::CheckInvariants() const {
  PG_ASSERT(db_ != nullptr);
  PG_ASSERT_LE(last_durable_, last_applied_, "RocksDbEngine: durable ahead of applied");
  PG_ASSERT_GE(last_durable_, Decree(0));
}

}  // namespace pg
