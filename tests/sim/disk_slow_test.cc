// A fail-slow disk (Cluster::SetNodeDiskSlow): a factor multiplies each append's drawn latency; a
// stall holds every completion until the window ends and keeps issue order; either counts an
// effect per append it slowed; a crash drops what a stall held.
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

constexpr int kSlowAppends = 5;
constexpr int64_t kStallEndMs = 2000;

// One node that appends kSlowAppends records at boot (alternating sync) and, at 3 s, one more;
// records when (global time) and in which order they completed.
struct SlowDiskRig {
  explicit SlowDiskRig(std::optional<DiskSlow> slow) : cluster({.seed = 11}) {
    id = cluster.AddNode(
        "n", Scripted(&journal, [this](const NodeEnv&, Time, const Input& in, Outbox& out) {
          if (const auto* a = std::get_if<LogAppended>(&in)) {
            tokens.push_back(a->token);
            done.push_back(cluster.now());
          }
          if (std::holds_alternative<Boot>(in)) {
            issued = cluster.now();
            for (int i = 0; i < kSlowAppends; ++i) Append(out, i);
            out.SetTimer(TimerId(1), Seconds(3));
          }
          if (std::holds_alternative<TimerFired>(in)) Append(out, kSlowAppends);
        }));
    cluster.SetDiskLatency({.write_mean = Millis(5), .sync_mean = Millis(5)});
    if (slow) cluster.SetNodeDiskSlow(id, slow);
    if (slow && slow->stall) {
      cluster.Schedule(Time::Zero() + Millis(kStallEndMs), "stall ends",
                       [this](Cluster& c) { c.SetNodeDiskSlow(id, std::nullopt); });
    }
  }
  static void Append(Outbox& out, int i) {
    out.AppendLog(AppendLog{.file = "log",
                            .token = static_cast<uint64_t>(i),
                            .bytes = std::string(1, static_cast<char>('a' + i)),
                            .sync = i % 2 == 0});
  }
  void Run() {
    cluster.Start();
    cluster.RunUntil(Time::Zero() + Seconds(5));
  }
  uint64_t EffectsOf(std::string_view logged) const {
    const auto effects = cluster.fault_effects();
    for (size_t i = 0; i < cluster.fault_log().size(); ++i) {
      if (cluster.fault_log()[i].second.starts_with(logged)) return effects[i];
    }
    ADD_FAILURE() << "no fault log entry starting with " << logged;
    return 0;
  }
  Cluster cluster;
  Journal journal;
  NodeId id;
  Time issued;
  std::vector<uint64_t> tokens;
  std::vector<Time> done;
};

std::vector<uint64_t> InIssueOrder() {
  std::vector<uint64_t> order;
  for (int i = 0; i <= kSlowAppends; ++i) order.push_back(static_cast<uint64_t>(i));
  return order;
}

TEST(DiskSlow, AFactorMultipliesTheFirstAppendsLatency) {
  SlowDiskRig plain(std::nullopt);
  SlowDiskRig slow(DiskSlow{.factor = 20});
  plain.Run();
  slow.Run();
  ASSERT_EQ(plain.tokens, InIssueOrder());
  ASSERT_EQ(slow.tokens, InIssueOrder());
  // The first append has no backlog ahead of it: its completion is exactly its drawn latency,
  // the same draw in both runs (the factor draws nothing).
  const Duration normal = plain.done[0] - plain.issued;
  const Duration slowed = slow.done[0] - slow.issued;
  ASSERT_GT(normal, Duration());
  EXPECT_NEAR(static_cast<double>(slowed.ns()), 20.0 * static_cast<double>(normal.ns()), 1.0);
  EXPECT_EQ(slow.EffectsOf("disk slow on n: factor 20"), static_cast<uint64_t>(kSlowAppends + 1));
}

TEST(DiskSlow, AStallHoldsCompletionsUntilItsEndInIssueOrder) {
  SlowDiskRig plain(std::nullopt);
  SlowDiskRig stalled(DiskSlow{.stall = true});
  plain.Run();
  stalled.Run();
  ASSERT_EQ(stalled.tokens, InIssueOrder());
  const Time end = Time::Zero() + Millis(kStallEndMs);
  for (int i = 0; i < kSlowAppends; ++i) {
    SCOPED_TRACE(i);
    EXPECT_GT(stalled.done[i], end) << "completed inside the stall";
    if (i > 0) {
      EXPECT_GE(stalled.done[i], stalled.done[i - 1]);
    }
  }
  // The first held append completes its drawn latency after the end (the same draw as without
  // the stall: holding draws nothing).
  EXPECT_EQ(stalled.done[0] - end, plain.done[0] - plain.issued);
  // The append issued after the window ended is not held: it takes what it takes without one.
  EXPECT_EQ(stalled.done[kSlowAppends], plain.done[kSlowAppends]);
  EXPECT_EQ(stalled.EffectsOf("disk slow on n: stalled"), static_cast<uint64_t>(kSlowAppends));
  EXPECT_EQ(stalled.EffectsOf("disk slow on n end"), 1u);
}

// A process crash inside a stall drops what it held with the incarnation: the restarted node
// never sees a completion of an append its predecessor issued.
TEST(DiskSlow, ACrashInsideAStallDropsTheHeldCompletions) {
  SlowDiskRig r(DiskSlow{.stall = true});
  r.cluster.Schedule(Time::Zero() + Millis(1000), "crash",
                     [&r](Cluster& c) { c.Crash(r.id, CrashMode::kProcess); });
  r.Run();
  EXPECT_TRUE(r.tokens.empty());
  EXPECT_EQ(r.cluster.disk(r.id).size("log"), 0u) << "the held appends were the process's";
}

}  // namespace
}  // namespace pg::sim
