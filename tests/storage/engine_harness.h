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

}  // namespace pg
