// The minimal simulated disk: AppendLog, completion, sync, and what crashes keep.
#include <gtest/gtest.h>

#include "sim/kernel/cluster.h"
#include "sim/kernel/sim_disk.h"
#include "tests/sim/test_nodes.h"

namespace pg::sim {
namespace {

using testing::Journal;
using testing::Scripted;

AppendLog Append(std::string file, uint64_t token, std::string bytes, bool sync) {
  return AppendLog{
      .file = std::move(file), .token = token, .bytes = std::move(bytes), .sync = sync};
}

TEST(SimDisk, MachineCrashKeepsOnlyTheSyncedPrefix) {
  SimDisk d;
  EXPECT_FALSE(d.Exists("log"));
  EXPECT_EQ(d.ReadFile("log").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(d.Append("log", "aaa"), 3u);
  d.MarkSynced("log", 3);
  EXPECT_EQ(d.Append("log", "bbb"), 6u);
  d.MarkSynced("log", 2);  // an older sync never lowers the mark
  EXPECT_EQ(d.synced_size("log"), 3u);
  EXPECT_EQ(*d.ReadFile("log"), "aaabbb");
  d.LoseUnsynced();
  EXPECT_EQ(*d.ReadFile("log"), "aaa");
  d.MarkSynced("nope", 5);  // a file lost meanwhile: nothing to do
  EXPECT_FALSE(d.Exists("nope"));
}

// On Boot appends "aaa" (sync) and "bbb" (no sync) to "log"; records completion tokens and what
// the node could read at each step.
struct DiskRig {
  DiskRig() : cluster({.seed = 4}) {
    id = cluster.AddNode(
        "n", Scripted(&journal, [this](const NodeEnv& env, Time, const Input& in, Outbox& out) {
          auto content = env.disk->ReadFile("log");
          read.push_back(content.ok() ? *content : "<none>");
          if (std::holds_alternative<Boot>(in) && append_on_boot) {
            out.AppendLog(Append("log", 1, "aaa", true));
            out.AppendLog(Append("log", 2, "bbb", false));
          }
        }));
    cluster.SetEventObserver([this](uint64_t, Time at, NodeId, const Input& in) {
      if (const auto* a = std::get_if<LogAppended>(&in)) done.emplace_back(at, a->token);
    });
  }
  Cluster cluster;
  Journal journal;
  NodeId id;
  bool append_on_boot = true;
  std::vector<std::string> read;
  std::vector<std::pair<Time, uint64_t>> done;
};

TEST(Disk, AppendLandsAtOnceAndCompletesInOrderAfterItsLatency) {
  DiskRig r;
  r.cluster.Start();
  r.cluster.RunUntil(Time::Zero() + Seconds(1));
  ASSERT_EQ(r.done.size(), 2u);
  EXPECT_EQ(r.done[0].second, 1u);
  EXPECT_EQ(r.done[1].second, 2u);
  EXPECT_GT(r.done[0].first, Time::Zero());
  EXPECT_GE(r.done[1].first, r.done[0].first);
  EXPECT_EQ(r.read, (std::vector<std::string>{"<none>", "aaabbb", "aaabbb"}));
  EXPECT_EQ(r.cluster.disk(r.id).synced_size("log"), 3u);
}

TEST(Disk, SyncCompletesWithTheSyncedLength) {
  DiskRig r;
  r.cluster.Start();
  r.cluster.Step();  // Boot: the bytes are there, nothing is synced yet
  EXPECT_EQ(r.cluster.disk(r.id).size("log"), 6u);
  EXPECT_EQ(r.cluster.disk(r.id).synced_size("log"), 0u);
  r.cluster.Step();  // LogAppended{1}
  EXPECT_EQ(r.cluster.disk(r.id).synced_size("log"), 3u);
}

TEST(Disk, ProcessCrashKeepsUnsyncedBytesMachineCrashLosesThem) {
  for (CrashMode mode : {CrashMode::kProcess, CrashMode::kMachine}) {
    DiskRig r;
    r.cluster.Start();
    r.cluster.RunUntil(Time::Zero() + Seconds(1));
    r.cluster.Crash(r.id, mode);
    r.append_on_boot = false;
    r.cluster.Restart(r.id);
    r.cluster.RunUntil(Time::Zero() + Seconds(2));
    EXPECT_EQ(r.read.back(), mode == CrashMode::kProcess ? "aaabbb" : "aaa");
  }
}

// An append is the process's until it completes (Pegasus's mutation log batches in user space):
// a process crash takes the appends still in flight back off the disk, newest first, and keeps
// the completed ones.
TEST(Disk, AProcessCrashLosesTheAppendsNotYetCompleted) {
  DiskRig r;
  r.cluster.Start();
  r.cluster.Step();  // Boot: both appends are on the disk, in flight
  r.cluster.Step();  // LogAppended{1}: "aaa" is done, "bbb" is not
  ASSERT_EQ(r.done.size(), 1u);
  EXPECT_EQ(r.cluster.disk(r.id).size("log"), 6u);
  r.cluster.Crash(r.id, CrashMode::kProcess);
  EXPECT_EQ(*r.cluster.disk(r.id).ReadFile("log"), "aaa");
  r.append_on_boot = false;
  r.cluster.Restart(r.id);
  r.cluster.RunUntil(Time::Zero() + Seconds(2));
  EXPECT_EQ(r.read.back(), "aaa");
  EXPECT_EQ(r.done.size(), 1u) << "the lost append never completes";
}

TEST(Disk, CompletionsAndPendingSyncsDieWithTheCrash) {
  DiskRig r;
  r.cluster.SetDiskLatency({.write_mean = Seconds(1), .sync_mean = Seconds(1)});
  r.cluster.Start();
  r.cluster.RunUntil(Time::Zero() + Nanos(1));
  r.cluster.Crash(r.id, CrashMode::kMachine);
  r.append_on_boot = false;
  r.cluster.Restart(r.id);
  r.cluster.RunUntil(Time::Zero() + Seconds(100));
  EXPECT_TRUE(r.done.empty());
  EXPECT_EQ(r.read.back(), "");  // the file exists, empty: nothing was synced
}

TEST(Disk, LatencyMeansAreSettable) {
  DiskRig r;
  r.cluster.SetDiskLatency({.write_mean = Duration(), .sync_mean = Duration()});
  r.cluster.Start();
  r.cluster.RunUntil(Time::Zero() + Seconds(1));
  ASSERT_EQ(r.done.size(), 2u);
  EXPECT_EQ(r.done[0].first, Time::Zero());
  EXPECT_EQ(r.done[1].first, Time::Zero());
  r.cluster.SetDiskLatency({.write_mean = Millis(-5), .sync_mean = Millis(1)});  // clamped
}

TEST(Disk, WriteLatencyMeanIsAboutOneMillisecond) {
  Cluster cluster({.seed = 4});
  Journal journal;
  constexpr int kAppends = 2000;
  cluster.AddNode("n", Scripted(&journal, [](const NodeEnv&, Time, const Input& in, Outbox& out) {
                    if (std::holds_alternative<Boot>(in)) {
                      out.AppendLog(Append("log", 0, "x", false));
                    } else if (const auto* a = std::get_if<LogAppended>(&in)) {
                      if (a->token + 1 < kAppends)
                        out.AppendLog(Append("log", a->token + 1, "x", false));
                    }
                  }));
  cluster.Start();
  cluster.RunUntil(Time::Zero() + Seconds(100));
  ASSERT_EQ(journal.seen.size(), 1u + kAppends);
  EXPECT_NEAR(journal.seen.back().local.ms() / kAppends, 1.0, 0.07);
}

}  // namespace
}  // namespace pg::sim
