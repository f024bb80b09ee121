#pragma once
// Test harnesses that give both KvEngines one shape: the engine, and a crash that keeps only what
// the engine's "disk" holds. RocksDbEngine runs over rocksdb::NewMemEnv (tests may use Env::Default
// as the base; core/ never does); its crash drops the DB object without Flush and reopens.
#include <gtest/gtest.h>
#include <rocksdb/env.h>

#include <memory>
#include <string>

#include "core/storage/mem_engine.h"
#include "core/storage/rocksdb_engine.h"
#include "sim/kernel/rng.h"
#include "sim/kernel/sim_disk.h"
#include "sim/pegasus/rocks_env.h"

namespace pg {

class MemHarness {
 public:
  static constexpr const char* kName = "MemEngine";
  KvEngine& engine() { return engine_; }
  void Crash() { engine_.SimulateCrash(); }

 private:
  MemEngine engine_;
};

class RocksHarness {
 public:
  static constexpr const char* kName = "RocksDbEngine";
  RocksHarness() : env_(rocksdb::NewMemEnv(rocksdb::Env::Default())) { Open(); }
  KvEngine& engine() { return *engine_; }
  void Crash() {
    engine_.reset();  // no Close/Flush: the memtable dies with the object
    Open();
  }

 private:
  void Open() {
    Result<std::unique_ptr<RocksDbEngine>> opened =
        RocksDbEngine::Open({.env = env_.get(), .path = "/db/partition"});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    engine_ = std::move(opened).value();
  }

  // Declared before engine_: the engine must close before its Env goes away.
  std::unique_ptr<rocksdb::Env> env_;
  std::unique_ptr<RocksDbEngine> engine_;
};

// RocksDbEngine as the simulator runs it: on a SimDisk through SimRocksEnv, background jobs run
// inline. Its crash is a machine crash: the DB object dies without Flush, then the disk loses
// every unsynced byte (tearing the first unsynced write half the time) before the reopen.
class RocksSimDiskHarness {
 public:
  static constexpr const char* kName = "RocksDbEngineOnSimDisk";
  RocksSimDiskHarness()
      : env_(std::make_unique<sim::SimRocksEnv>(&disk_, [] { return Time::Zero(); })) {
    Open();
  }
  KvEngine& engine() { return *engine_; }
  void Crash() {
    engine_.reset();
    disk_.LoseUnsynced(rng_, 0.5);
    Open();
  }

 private:
  void Open() {
    sim::SimRocksEnv* env = env_.get();
    Result<std::unique_ptr<RocksDbEngine>> opened =
        RocksDbEngine::Open({.env = env, .path = "/db/partition", .run_background_work = [env] {
                               env->RunScheduled();
                             }});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    engine_ = std::move(opened).value();
  }

  sim::SimDisk disk_;
  sim::Xoshiro256 rng_{42};
  std::unique_ptr<sim::SimRocksEnv> env_;
  std::unique_ptr<RocksDbEngine> engine_;  // last: closes first
};

}  // namespace pg
