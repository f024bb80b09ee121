// Storage write cost, for the later "replicated write vs raw put" comparison: a raw RocksDB put
// (WAL off, MemEnv), the same put through RocksDbEngine::ApplyBatch (key/value schema + the
// decree meta key in the same WriteBatch), and MemEngine::ApplyBatch. Keys cycle over a fixed
// keyspace so memory stays bounded however long the benchmark runs.
#include <benchmark/benchmark.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/options.h>

#include <memory>
#include <string>

#include "bench/raw_rocksdb.h"
#include "core/storage/key_schema.h"
#include "core/storage/mem_engine.h"
#include "core/storage/rocksdb_engine.h"

namespace pg {
namespace {

constexpr int kKeyspace = 100'000;
constexpr size_t kValueBytes = 100;

std::string HashkeyOf(int64_t i) { return "user" + std::to_string(i % kKeyspace); }

void BM_RawRocksDbPut(benchmark::State& state) {
  std::unique_ptr<rocksdb::Env> env(rocksdb::NewMemEnv(rocksdb::Env::Default()));
  std::unique_ptr<rocksdb::DB> db = bench::OpenRawRocksDb(env.get(), "/bench/raw");
  if (db == nullptr) {
    state.SkipWithError("open failed");
    return;
  }
  rocksdb::WriteOptions wo;
  wo.disableWAL = true;
  const std::string value(kValueBytes, 'v');
  int64_t i = 0;
  for (auto _ : state) {
    const std::string key = EncodeKey(HashkeyOf(i++), "s");
    if (!db->Put(wo, key, value).ok()) state.SkipWithError("put failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawRocksDbPut);

void ApplyPuts(benchmark::State& state, KvEngine& engine) {
  const std::string value(kValueBytes, 'v');
  int64_t i = 0;
  for (auto _ : state) {
    WriteBatch batch;
    batch.Put(HashkeyOf(i++), "s", value);
    if (!engine.ApplyBatch(engine.last_applied().next(), batch).ok()) {
      state.SkipWithError("apply failed");
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_RocksDbEngineApplyBatch(benchmark::State& state) {
  std::unique_ptr<rocksdb::Env> env(rocksdb::NewMemEnv(rocksdb::Env::Default()));
  Result<std::unique_ptr<RocksDbEngine>> engine =
      RocksDbEngine::Open({.env = env.get(), .path = "/bench/engine"});
  if (!engine.ok()) {
    state.SkipWithError("open failed");
    return;
  }
  ApplyPuts(state, **engine);
}
BENCHMARK(BM_RocksDbEngineApplyBatch);

void BM_MemEngineApplyBatch(benchmark::State& state) {
  MemEngine engine;
  ApplyPuts(state, engine);
}
BENCHMARK(BM_MemEngineApplyBatch);

// The synchronous Flush the replica pays when it checkpoints: a memtable of state.range(0) puts.
void BM_RocksDbEngineFlush(benchmark::State& state) {
  std::unique_ptr<rocksdb::Env> env(rocksdb::NewMemEnv(rocksdb::Env::Default()));
  Result<std::unique_ptr<RocksDbEngine>> engine =
      RocksDbEngine::Open({.env = env.get(), .path = "/bench/flush"});
  if (!engine.ok()) {
    state.SkipWithError("open failed");
    return;
  }
  const std::string value(kValueBytes, 'v');
  for (auto _ : state) {
    state.PauseTiming();
    for (int64_t i = 0; i < state.range(0); ++i) {
      WriteBatch batch;
      batch.Put(HashkeyOf(i), "s", value);
      if (!(*engine)->ApplyBatch((*engine)->last_applied().next(), batch).ok()) {
        state.SkipWithError("apply failed");
      }
    }
    state.ResumeTiming();
    if (!(*engine)->Flush().ok()) state.SkipWithError("flush failed");
  }
}
BENCHMARK(BM_RocksDbEngineFlush)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace pg

BENCHMARK_MAIN();
