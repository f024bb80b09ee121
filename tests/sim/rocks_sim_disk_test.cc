// RocksDB on the simulated disk: its files live on the SimDisk, its background work runs inline,
// it reads simulated time, and it recovers from what process crashes, machine crashes (torn
// writes included), I/O errors and bit rot leave behind.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "core/storage/rocksdb_engine.h"
#include "sim/kernel/rng.h"
#include "sim/kernel/sim_disk.h"
#include "sim/pegasus/rocks_env.h"
#include "sim/pegasus/rocks_fs.h"
#include "tests/support/write_batches.h"

namespace pg::sim {
namespace {

constexpr char kDbPath[] = "/pegasim/replica/0/1.0";

using pg::testing::PutOnH;

// One node's disk, its Env, and an engine that can be crashed and reopened.
struct Rig {
  Rig()
      : env(std::make_unique<SimRocksEnv>(&disk, [this] {
          ++clock_reads;
          return local_time;
        })) {}
  ~Rig() { engine.reset(); }

  Status Open() {
    SimRocksEnv* e = env.get();
    auto opened = RocksDbEngine::Open(
        {.env = e, .path = kDbPath, .run_background_work = [e] { e->RunScheduled(); }});
    if (!opened.ok()) return opened.status();
    engine = std::move(opened).value();
    return Status::Ok();
  }
  void ProcessCrash() { engine.reset(); }
  void MachineCrash(Rng& rng) {
    engine.reset();
    disk.LoseUnsynced(rng, 0.5);
  }
  std::optional<std::string> Get(const std::string& sortkey) {
    auto v = engine->Get("h", sortkey, Time::Zero());
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : std::nullopt;
  }
  bool HasFileEndingWith(const std::string& suffix) const {
    for (const std::string& f : disk.Files()) {
      if (f.ends_with(suffix)) return true;
    }
    return false;
  }

  SimDisk disk;
  uint64_t clock_reads = 0;
  Time local_time = Time::Zero() + Seconds(1000);  // the node's clock, as the scenario makes it
  std::unique_ptr<SimRocksEnv> env;
  std::unique_ptr<RocksDbEngine> engine;
};

TEST(RocksOnSimDisk, FilesLiveOnTheSimulatedDiskAndFlushRunsInline) {
  Rig r;
  ASSERT_TRUE(r.Open().ok());
  EXPECT_TRUE(r.disk.Exists(std::string(kDbPath) + "/CURRENT"));
  EXPECT_TRUE(r.HasFileEndingWith("/IDENTITY"));
  EXPECT_FALSE(r.HasFileEndingWith(".sst"));
  ASSERT_TRUE(r.engine->ApplyBatch(Decree(1), PutOnH("a", "1")).ok());
  ASSERT_TRUE(r.engine->Flush().ok());
  // The flush job ran inside Flush(): the SST is there, synced, and nothing is queued.
  EXPECT_TRUE(r.HasFileEndingWith(".sst"));
  for (const std::string& f : r.disk.Files()) {
    if (f.ends_with(".sst")) {
      EXPECT_EQ(r.disk.synced_size(f), r.disk.size(f)) << f;
    }
  }
  EXPECT_EQ(r.env->GetThreadPoolQueueLen(rocksdb::Env::HIGH), 0u);
  EXPECT_EQ(r.env->GetThreadPoolQueueLen(rocksdb::Env::LOW), 0u);
  EXPECT_GT(r.clock_reads, 0u) << "RocksDB must read the simulated clock";
}

// The simulated disk refuses RocksDB's options dump (rocks_fs.cc): opening, writing, flushing and
// reopening still work, and no OPTIONS file, temporary or final, is ever on the disk.
TEST(RocksOnSimDisk, OpensWithoutAnOptionsDump) {
  Rig r;
  ASSERT_TRUE(r.Open().ok());
  ASSERT_TRUE(r.engine->ApplyBatch(Decree(1), PutOnH("a", "1")).ok());
  ASSERT_TRUE(r.engine->Flush().ok());
  r.ProcessCrash();
  ASSERT_TRUE(r.Open().ok());
  EXPECT_EQ(r.Get("a"), "1");
  for (const std::string& f : r.disk.Files()) {
    EXPECT_EQ(f.find("OPTIONS"), std::string::npos) << f;
  }
}

// The node's clock may start an hour behind zero and jump back; RocksDB's may not (it asserts its
// time is not negative when a memtable takes its first key).
TEST(RocksOnSimDisk, ANegativeOrBackwardNodeClockNeverReachesRocksDb) {
  Rig r;
  r.local_time = Time::Zero() - Seconds(3600);
  ASSERT_TRUE(r.Open().ok());
  ASSERT_TRUE(r.engine->ApplyBatch(Decree(1), PutOnH("a", "1")).ok());
  ASSERT_TRUE(r.engine->Flush().ok());
  r.local_time = Time::Zero() - Seconds(7200);  // a backward jump
  ASSERT_TRUE(r.engine->ApplyBatch(Decree(2), PutOnH("b", "2")).ok());
  ASSERT_TRUE(r.engine->Flush().ok());
  r.ProcessCrash();
  r.local_time = Time::Zero() - Seconds(9000);
  ASSERT_TRUE(r.Open().ok());
  EXPECT_EQ(r.engine->last_applied(), Decree(2));
  EXPECT_EQ(r.Get("a"), "1");
  EXPECT_EQ(r.Get("b"), "2");
  int64_t rocks_seconds = 0;
  ASSERT_TRUE(r.env->GetCurrentTime(&rocks_seconds).ok());
  EXPECT_GE(rocks_seconds, 0);
}

TEST(RocksClock, NeverNegativeNeverBackwardsAndFollowsTheNodeForward) {
  Time local = Time::Zero();
  RocksClock clock([&] { return local; });
  EXPECT_EQ(clock.Nanos(), RocksClock::kEpochNanos);
  local = Time::Zero() + Seconds(5);
  const int64_t at5 = clock.Nanos();
  EXPECT_EQ(at5, RocksClock::kEpochNanos + Seconds(5).ns());
  local = Time::Zero() - Seconds(3600);  // back an hour: held where it was
  EXPECT_EQ(clock.Nanos(), at5);
  local = Time::Zero() + Seconds(6);  // forward past it: followed again
  EXPECT_EQ(clock.Nanos(), RocksClock::kEpochNanos + Seconds(6).ns());
  RocksClock far_back([] { return Time::Zero() - Seconds(int64_t{2'000'000'000}); });
  EXPECT_EQ(far_back.Nanos(), 0);
  EXPECT_EQ(far_back.Seconds(), 0);
}

TEST(RocksOnSimDisk, ProcessCrashKeepsTheFlushedStateOnly) {
  Rig r;
  ASSERT_TRUE(r.Open().ok());
  ASSERT_TRUE(r.engine->ApplyBatch(Decree(1), PutOnH("a", "1")).ok());
  ASSERT_TRUE(r.engine->Flush().ok());
  ASSERT_TRUE(r.engine->ApplyBatch(Decree(2), PutOnH("b", "2")).ok());
  r.ProcessCrash();
  ASSERT_TRUE(r.Open().ok());
  EXPECT_EQ(r.engine->last_applied(), Decree(1));
  EXPECT_EQ(r.Get("a"), "1");
  EXPECT_EQ(r.Get("b"), std::nullopt);
}

TEST(RocksOnSimDisk, MachineCrashWithTornWritesKeepsWhatFlushSynced) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Rig r;
    Xoshiro256 rng(seed);
    ASSERT_TRUE(r.Open().ok());
    ASSERT_TRUE(r.engine->ApplyBatch(Decree(1), PutOnH("a", "1")).ok());
    ASSERT_TRUE(r.engine->Flush().ok());
    ASSERT_TRUE(r.engine->ApplyBatch(Decree(2), PutOnH("a", "2")).ok());
    r.MachineCrash(rng);
    ASSERT_TRUE(r.Open().ok()) << "seed " << seed;
    EXPECT_EQ(r.engine->last_applied(), Decree(1)) << "seed " << seed;
    EXPECT_EQ(r.Get("a"), "1") << "seed " << seed;
  }
}

// Decree 1 flushed and decree 2 applied; under `faults` the next flush fails and nothing durable
// moves. Returns the failed flush's status.
Status FailTheSecondFlush(Rig& r, IoFaults faults, Xoshiro256& rng) {
  EXPECT_TRUE(r.Open().ok());
  EXPECT_TRUE(r.engine->ApplyBatch(Decree(1), PutOnH("a", "1")).ok());
  EXPECT_TRUE(r.engine->Flush().ok());
  EXPECT_TRUE(r.engine->ApplyBatch(Decree(2), PutOnH("a", "2")).ok());
  r.disk.SetFaults(faults, &rng);
  const Status failed = r.engine->Flush();
  EXPECT_EQ(r.engine->last_durable(), Decree(1));
  return failed;
}

// After a machine crash, with the faults gone, the store opens as the first flush left it.
void ExpectRecoveredToTheFirstFlush(Rig& r, Xoshiro256& rng) {
  r.MachineCrash(rng);
  r.disk.SetFaults(IoFaults{}, nullptr);
  ASSERT_TRUE(r.Open().ok());
  EXPECT_EQ(r.engine->last_applied(), Decree(1));
  EXPECT_EQ(r.Get("a"), "1");
}

TEST(RocksOnSimDisk, FailedFlushIsAnErrorAndTheDiskKeepsTheOldState) {
  Rig r;
  Xoshiro256 rng(3);
  const Status failed = FailTheSecondFlush(r, IoFaults{.write = 1.0}, rng);
  EXPECT_EQ(failed.code(), ErrorCode::kIoError) << failed.ToString();
  ExpectRecoveredToTheFirstFlush(r, rng);
}

// A full disk reaches RocksDB as its own NoSpace error (not a generic I/O error), the flush fails
// and nothing durable moves; once space is back the store opens as the last flush left it.
TEST(RocksOnSimDisk, AFullDiskIsRocksDbsNoSpaceAndTheFlushFails) {
  Rig r;
  Xoshiro256 rng(3);
  EXPECT_FALSE(FailTheSecondFlush(r, IoFaults{.full = true}, rng).ok());
  SimFileSystem fs(&r.disk, [] { return int64_t{0}; });
  std::unique_ptr<rocksdb::FSWritableFile> file;
  const rocksdb::IOStatus created =
      fs.NewWritableFile("/pegasim/x", rocksdb::FileOptions(), &file, nullptr);
  EXPECT_TRUE(created.IsNoSpace()) << created.ToString();
  ExpectRecoveredToTheFirstFlush(r, rng);
}

TEST(RocksOnSimDisk, BitRotInAnSstIsReportedNotServed) {
  Rig r;
  ASSERT_TRUE(r.Open().ok());
  ASSERT_TRUE(r.engine->ApplyBatch(Decree(1), PutOnH("a", std::string(100, 'v'))).ok());
  ASSERT_TRUE(r.engine->Flush().ok());
  r.ProcessCrash();
  for (const std::string& f : r.disk.Files()) {
    if (f.ends_with(".sst")) {
      ASSERT_TRUE(r.disk.CorruptBit(f, 10));  // inside the data block
    }
  }
  const Status opened = r.Open();
  if (!opened.ok()) {
    EXPECT_EQ(opened.code(), ErrorCode::kCorruption) << opened.ToString();
    return;
  }
  auto v = r.engine->Get("h", "a", Time::Zero());
  ASSERT_FALSE(v.ok()) << "a flipped bit was served as data";
  EXPECT_EQ(v.status().code(), ErrorCode::kCorruption) << v.status().ToString();
}

TEST(RocksOnSimDisk, SameOperationsSameFiles) {
  auto layout = [] {
    Rig r;
    EXPECT_TRUE(r.Open().ok());
    for (int d = 1; d <= 30; ++d) {
      EXPECT_TRUE(r.engine->ApplyBatch(Decree(d), PutOnH("k" + std::to_string(d % 7), "v")).ok());
      if (d % 10 == 0) {
        EXPECT_TRUE(r.engine->Flush().ok());
      }
    }
    std::map<std::string, uint64_t> sizes;
    for (const std::string& f : r.disk.Files()) sizes[f] = r.disk.size(f);
    return sizes;
  };
  EXPECT_EQ(layout(), layout());
}

// DB::Open reads every SST's table properties. RocksDB would do that on threads of its own (the
// SimDisk asserts every read comes from its run's thread, so that would abort); with the options
// RocksDbEngine sets, it reads them on the caller's thread, and the fault draws keep their order.
TEST(RocksOnSimDisk, ReopeningManySstsReadsOnlyOnTheCallersThread) {
  Rig r;
  ASSERT_TRUE(r.Open().ok());
  for (int d = 1; d <= 12; ++d) {
    ASSERT_TRUE(r.engine->ApplyBatch(Decree(d), PutOnH("k" + std::to_string(d), "v")).ok());
    ASSERT_TRUE(r.engine->Flush().ok());
  }
  r.engine.reset();
  ASSERT_TRUE(r.Open().ok());
  for (int d = 1; d <= 12; ++d) {
    EXPECT_EQ(r.Get("k" + std::to_string(d)), "v") << d;
  }
}

TEST(RocksOnSimDiskDeathTest, ADiskReadFromAnotherThreadStopsTheRun) {
  SimDisk disk;
  disk.Append("f", "bytes");
  EXPECT_DEATH(std::thread([&disk] { (void)disk.ReadAt("f", 0, 5); }).join(),
               "thread other than its run's");
}

// Random applies, flushes, process and machine crashes, and I/O errors of every kind: after every
// reopen the engine holds exactly the model's state at some decree between the last durable one
// it reported and the last one it applied (a flush whose sync failed may still have landed).
RC_GTEST_PROP(RocksOnSimDisk, RecoversToAConsistentPrefixUnderCrashesAndErrors, ()) {
  const auto seed = *rc::gen::arbitrary<uint64_t>();
  const double error_p = *rc::gen::element(0.0, 0.05, 0.2);
  Rig r;
  Xoshiro256 rng(seed);
  RC_ASSERT(r.Open().ok());
  std::map<Decree, std::map<std::string, std::string>> model{{Decree(0), {}}};
  Decree applied(0);
  Decree durable(0);
  const int steps = *rc::gen::inRange(10, 60);
  for (int i = 0; i < steps; ++i) {
    r.disk.SetFaults(IoFaults{.read = error_p, .write = error_p, .sync = error_p}, &rng);
    const uint64_t what = rng.Uniform(10);
    bool broken = false;
    if (what < 6) {
      std::map<std::string, std::string> next = model[applied];
      const std::string key = "k" + std::to_string(rng.Uniform(5));
      const std::string value = "v" + std::to_string(i);
      next[key] = value;
      if (r.engine->ApplyBatch(applied.next(), PutOnH(key, value)).ok()) {
        applied = applied.next();
        model[applied] = std::move(next);
      } else {
        broken = true;  // RocksDB refuses writes after a background error: fail-stop
      }
    } else if (what < 8) {
      if (r.engine->Flush().ok()) {
        durable = applied;
      } else {
        broken = true;
      }
    }
    if (!broken && what < 8) continue;
    if (what == 9) {
      r.MachineCrash(rng);
    } else {
      r.ProcessCrash();
    }
    r.disk.SetFaults(IoFaults{}, nullptr);  // recovery itself is not under test for errors here
    RC_ASSERT(r.Open().ok());
    const Decree got = r.engine->last_applied();
    RC_ASSERT(got >= durable);
    RC_ASSERT(got <= applied);
    for (const auto& [key, value] : model[got]) RC_ASSERT(r.Get(key) == value);
    for (int k = 0; k < 5; ++k) {
      const std::string key = "k" + std::to_string(k);
      if (!model[got].contains(key)) RC_ASSERT(r.Get(key) == std::nullopt);
    }
    applied = got;
    durable = got;
    for (auto it = model.upper_bound(got); it != model.end();) it = model.erase(it);
  }
}

}  // namespace
}  // namespace pg::sim
