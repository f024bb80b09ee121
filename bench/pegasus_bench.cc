// The Pegasus core in the simulator, measured:
//  - BM_ScenarioClass/<class>_<storage>: whole runs of a class of scenarios (steady: pegasus/
//    steady.json; faults: the other fixed-fault pegasus/*.json; swarm: pegasus/swarm.json;
//    regressions: regressions/*.json) on RocksDB or MemEngine, one (scenario, seed) per
//    iteration, checker included, as a sweep runs them. Counters: seeds/s (runs per second),
//    events/s, simulated seconds per wall second, all on one core.
//  - BM_RawRocksDbPutOnSimDisk and BM_ReplicatedWrite: the CPU cost of one write through PacificA
//    (client -> primary -> log -> prepare to 2 secondaries -> their logs -> acks -> commit -> 3
//    RocksDB applies -> reply, with every message, timer and disk completion an event of the
//    kernel, invariants checked after each) against one raw RocksDB put (WAL off) on the same
//    simulated disk. The raw put runs first and leaves its time per put; the replicated write
//    reports its own time as a multiple of it ("raw_puts"), so both come from one process.
#include <benchmark/benchmark.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bench/raw_rocksdb.h"
#include "core/storage/key_schema.h"
#include "sim/driver/runner.h"
#include "sim/driver/system_builder.h"
#include "sim/pegasus/rocks_env.h"
#include "sim/scenario/nemesis.h"
#include "sim/scenario/scenario.h"

namespace pg::sim {
namespace {

double g_raw_put_ns = 0;  // set by BM_RawRocksDbPutOnSimDisk

// A class of scenarios, as a sweep runs them: iteration i runs scenario i % n of the class with
// seed 1 + i / n, on the storage engine given (overriding the file's or the swarm's choice).
struct ScenarioClass {
  std::vector<Scenario> scenarios;
};

ScenarioClass LoadClass(const std::vector<std::string>& relative_paths) {
  ScenarioClass c;
  for (const std::string& rel : relative_paths) {
    const std::string path = std::string(PG_SOURCE_DIR) + "/" + rel;
    std::vector<std::string> files;
    if (std::filesystem::is_directory(path)) {
      for (const auto& entry : std::filesystem::directory_iterator(path)) {
        if (entry.path().extension() == ".json") files.push_back(entry.path().string());
      }
      std::sort(files.begin(), files.end());
    } else {
      files.push_back(path);
    }
    for (const std::string& file : files) {
      Result<Scenario> s = LoadScenario(file);
      PG_ASSERT(s.ok(), "{}", s.status().ToString());
      // The fault class is the fixed-fault files: the steady and swarm ones are classes of their
      // own.
      if (rel == "scenarios/pegasus" && (s->name == "steady" || s->swarm)) continue;
      c.scenarios.push_back(std::move(*s));
    }
  }
  return c;
}

void BM_ScenarioClass(benchmark::State& state, const std::vector<std::string>& paths,
                      const std::string& storage) {
  const ScenarioClass c = LoadClass(paths);
  uint64_t i = 0;
  uint64_t events = 0;
  uint64_t failed = 0;
  double sim_s = 0;
  for (auto _ : state) {
    Scenario s = c.scenarios[i % c.scenarios.size()];
    const uint64_t seed = 1 + i / c.scenarios.size();
    ++i;
    s.cluster.storage = storage;
    const RunOutcome out = RunKnobs(ResolveKnobs(s, seed), RunOptions{});
    // Some regression and fault scenarios expect a failure: a failed run is counted, not an
    // error (this measures speed; the sweep judges).
    if (out.failed()) ++failed;
    events += out.events;
    sim_s += static_cast<double>(out.sim_time_ms) / 1000;
  }
  state.counters["scenarios"] = static_cast<double>(c.scenarios.size());
  state.counters["failed"] = static_cast<double>(failed);
  state.counters["seeds/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["sim_s/wall_s"] = benchmark::Counter(sim_s, benchmark::Counter::kIsRate);
}

const std::vector<std::string> kSteady{"scenarios/pegasus/steady.json"};
const std::vector<std::string> kFaults{"scenarios/pegasus"};
const std::vector<std::string> kSwarm{"scenarios/pegasus/swarm.json"};
const std::vector<std::string> kRegressions{"scenarios/regressions"};
// At least 10 s of runs each, so a class's scenarios all run (a run takes 0.05..2 s).
#define PG_CLASS(name, paths)                                                        \
  BENCHMARK_CAPTURE(BM_ScenarioClass, name##_rocksdb, paths, std::string("rocksdb")) \
      ->Unit(benchmark::kMillisecond)                                                \
      ->MinTime(10);                                                                 \
  BENCHMARK_CAPTURE(BM_ScenarioClass, name##_memory, paths, std::string("memory"))   \
      ->Unit(benchmark::kMillisecond)                                                \
      ->MinTime(10)
PG_CLASS(steady, kSteady);
PG_CLASS(faults, kFaults);
PG_CLASS(swarm, kSwarm);
PG_CLASS(regressions, kRegressions);

void BM_RawRocksDbPutOnSimDisk(benchmark::State& state) {
  SimDisk disk;
  SimRocksEnv env(&disk, [] { return Time::Zero(); });
  std::unique_ptr<rocksdb::DB> db = bench::OpenRawRocksDb(&env, "/bench/raw");
  if (db == nullptr) {
    state.SkipWithError("open failed");
    return;
  }
  rocksdb::WriteOptions wo;
  wo.disableWAL = true;
  const std::string value(8, 'v');  // the workload's values are short, unique strings
  int64_t i = 0;
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    const std::string key = EncodeKey("h" + std::to_string(i++ % 64), "s0");
    if (!db->Put(wo, key, value).ok()) state.SkipWithError("put failed");
  }
  const double ns =
      std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
  g_raw_put_ns = ns / static_cast<double>(std::max<int64_t>(1, state.iterations()));
  state.SetItemsProcessed(state.iterations());
  if (!db->Close().ok()) state.SkipWithError("close failed");
}
BENCHMARK(BM_RawRocksDbPutOnSimDisk);

// One partition x 3 replicas on RocksDB, 8 clients issuing only sets, no faults; the history is
// recorded (the run needs it) but not checked: the checker is not part of a write.
Knobs WriteKnobs(uint64_t seed) {
  Result<Scenario> s = ParseScenario(R"({
    "name": "replicated_write", "duration_ms": 20000, "system": "pegasus",
    "cluster": {"meta_servers": 1, "replica_servers": 3, "partitions": 1, "replica_count": 3,
                "storage": "rocksdb"},
    "network": {"latency_ms_min": 1, "latency_ms_mean": 1},
    "disk": {"write_latency_ms_mean": 0.1, "sync_latency_ms_mean": 0.1},
    "workload": {"clients": 8, "hashkeys": 64, "sortkeys": 1, "ops": 8000, "timeout_ms": 2000,
                 "mix": {"set": 1}},
    "faults": []})",
                                     "replicated_write.json");
  PG_ASSERT(s.ok(), "{}", s.status().ToString());
  return ResolveKnobs(*s, seed);
}

void BM_ReplicatedWrite(benchmark::State& state) {
  uint64_t seed = 1;
  uint64_t writes = 0;
  double ns = 0;
  for (auto _ : state) {
    const Knobs knobs = WriteKnobs(seed++);
    Cluster cluster({.seed = knobs.seed, .default_link = LinkConfigFromKnobs(knobs)});
    if (!BuildSystem(cluster, knobs).ok()) state.SkipWithError("build failed");
    const auto start = std::chrono::steady_clock::now();
    cluster.Start();
    cluster.RunUntil(Time::Zero() + Millis(knobs.duration_ms));
    ns +=
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
    if (cluster.failure()) state.SkipWithError(("failed: " + cluster.failure()->kind).c_str());
    for (const RecordedOp& r : cluster.history()) {
      if (r.op.type == "ok") ++writes;
    }
  }
  const double per_write = ns / static_cast<double>(std::max<uint64_t>(1, writes));
  state.counters["writes"] = static_cast<double>(writes);
  state.counters["ns/write"] = per_write;
  if (g_raw_put_ns > 0) state.counters["raw_puts"] = per_write / g_raw_put_ns;
}
BENCHMARK(BM_ReplicatedWrite)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace pg::sim

BENCHMARK_MAIN();
