// The storage engine's own I/O on a node's disk (DiskLatency::engine_mb_per_s): what the engine
// wrote and synced during a step is charged after it as busy time on the disk's queue, so an
// append the node issues behind a flush completes after the flush; free when the rate is 0; a
// slow disk multiplies the charge and a stall holds it until the window ends.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "sim/kernel/cluster.h"
#include "tests/sim/test_nodes.h"

namespace pg::sim {
namespace {

using testing::Journal;
using testing::Scripted;

constexpr uint64_t kFlushBytes = 1'000'000;  // one "flush" at boot
constexpr double kRateMbPerS = 10;           // 1 MB at 10 MB/s: 100 ms busy, plus one sync
constexpr int64_t kSyncMs = 4;

// One node whose engine writes kFlushBytes and syncs once at boot (as a flush does, through the
// disk the kernel charges), then appends one record in the same step.
struct EngineIoRig {
  EngineIoRig(double rate, std::optional<DiskSlow> slow) : cluster({.seed = 5}) {
    id = cluster.AddNode(
        "n", Scripted(&journal, [this](const NodeEnv&, Time, const Input& in, Outbox& out) {
          if (std::holds_alternative<LogAppended>(in)) done = cluster.now();
          if (!std::holds_alternative<Boot>(in)) return;
          issued = cluster.now();
          SimDisk& disk = cluster.disk(id);
          disk.Append("engine/000001.sst", std::string(kFlushBytes, 'x'));
          disk.CountEngineWrite(kFlushBytes);
          disk.CountEngineSync();
          out.AppendLog(AppendLog{.file = "log", .token = 1, .bytes = "a", .sync = false});
        }));
    cluster.SetDiskLatency(
        {.write_mean = Duration(), .sync_mean = Millis(kSyncMs), .engine_mb_per_s = rate});
    if (slow) cluster.SetNodeDiskSlow(id, slow);
    if (slow && slow->stall) {
      cluster.Schedule(Time::Zero() + Seconds(2), "stall ends",
                       [this](Cluster& c) { c.SetNodeDiskSlow(id, std::nullopt); });
    }
  }
  Duration Run() {
    cluster.Start();
    cluster.RunUntil(Time::Zero() + Seconds(5));
    EXPECT_TRUE(done.has_value()) << "the append never completed";
    return done ? *done - issued : Duration();
  }
  Cluster cluster;
  Journal journal;
  NodeId id;
  Time issued;
  std::optional<Time> done;
};

const Duration kCharge = Millis(100) + Millis(kSyncMs);

TEST(EngineIo, FreeWhenTheRateIsZero) {
  EngineIoRig rig(0, std::nullopt);
  EXPECT_EQ(rig.Run(), Duration()) << "a zero write latency and no engine charge";
  EXPECT_EQ(rig.cluster.marks().count("disk.append_behind_engine_io"), 0u);
}

TEST(EngineIo, AnAppendIssuedAfterAFlushCompletesBehindIt) {
  EngineIoRig rig(kRateMbPerS, std::nullopt);
  EXPECT_EQ(rig.Run(), kCharge);
  EXPECT_EQ(rig.cluster.marks().count("disk.append_behind_engine_io"), 1u);
}

TEST(EngineIo, ASlowDiskMultipliesTheCharge) {
  EngineIoRig rig(kRateMbPerS, DiskSlow{.factor = 3});
  EXPECT_EQ(rig.Run(), Duration::Nanos(3 * kCharge.ns()));
}

TEST(EngineIo, AStallHoldsTheChargeUntilItsEnd) {
  EngineIoRig rig(kRateMbPerS, DiskSlow{.stall = true});
  const Duration took = rig.Run();
  // The held append completes behind the engine's busy time, which starts at the stall's end.
  EXPECT_EQ(rig.issued + took, Time::Zero() + Seconds(2) + kCharge);
}

}  // namespace
}  // namespace pg::sim
