// One seed is one run, bit for bit: the same seed twice gives the same trace hash, different seeds
// give different ones, with every fault kind on.
#include <gtest/gtest.h>

#include <set>

#include "sim/kernel/cluster.h"
#include "tests/sim/chaos.h"

namespace pg::sim {
namespace {

using testing::ChaosShared;

struct RunResult {
  uint64_t hash = 0;
  uint64_t events = 0;
  size_t trace_lines = 0;
  size_t faults = 0;
  std::vector<std::string> violations;
};

RunResult RunChaos(uint64_t seed, bool record_trace) {
  Cluster cluster(
      {.seed = seed, .default_link = testing::ChaosLink(false), .record_trace = record_trace});
  ChaosShared shared;
  testing::AddChaosNodes(cluster, &shared, 5);
  const auto faults = testing::DrawFaults(cluster.stream("nemesis"), 5, 60, Millis(400));
  for (const auto& f : faults) testing::Apply(cluster, f, false);
  cluster.Start();
  cluster.RunUntil(Time::Zero() + Millis(500));
  return {.hash = cluster.trace_hash(),
          .events = cluster.events(),
          .trace_lines = cluster.trace().size(),
          .faults = cluster.fault_log().size(),
          .violations = shared.violations};
}

TEST(Determinism, SameSeedSameHashDifferentSeedsDiffer) {
  std::set<uint64_t> hashes;
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    const RunResult a = RunChaos(seed, false);
    const RunResult b = RunChaos(seed, false);
    ASSERT_EQ(a.hash, b.hash) << "seed " << seed;
    ASSERT_EQ(a.events, b.events) << "seed " << seed;
    EXPECT_GT(a.events, 300u);  // crashes take nodes down for good: runs vary a lot
    EXPECT_GE(a.faults, 60u);
    EXPECT_TRUE(a.violations.empty()) << "seed " << seed << ": " << a.violations.front();
    hashes.insert(a.hash);
  }
  EXPECT_EQ(hashes.size(), 100u);
}

TEST(Determinism, RecordingTheTraceDoesNotChangeTheRun) {
  const RunResult off = RunChaos(77, false);
  const RunResult on = RunChaos(77, true);
  EXPECT_EQ(off.hash, on.hash);
  EXPECT_EQ(off.trace_lines, 0u);
  EXPECT_GE(on.trace_lines, on.events);  // every event, plus the fault lines
}

TEST(Determinism, TraceLinesShowInputAndEffects) {
  Cluster cluster({.seed = 1, .record_trace = true});
  ChaosShared shared;
  testing::AddChaosNodes(cluster, &shared, 2);
  cluster.Start();
  cluster.Step();
  ASSERT_EQ(cluster.trace().size(), 1u);
  const TraceLine& line = cluster.trace()[0];
  EXPECT_EQ(line.index, 0u);
  EXPECT_EQ(line.node, "node/0");
  EXPECT_EQ(line.what.rfind("Boot -> Send{to=", 0), 0u) << line.what;
  EXPECT_NE(line.what.find("Hosted{kind=\"Ping\", payload="), std::string::npos) << line.what;
  EXPECT_NE(line.what.find("SetTimer{1001, after="), std::string::npos) << line.what;
}

TEST(Determinism, AnyDifferenceInInputsChangesTheHash) {
  // The same run with one extra host action differs.
  auto run = [](bool extra) {
    Cluster cluster({.seed = 5});
    ChaosShared shared;
    testing::AddChaosNodes(cluster, &shared, 3);
    if (extra) cluster.Schedule(Time::Zero() + Millis(50), "noop", [](Cluster&) {});
    cluster.Start();
    cluster.RunUntil(Time::Zero() + Millis(100));
    return cluster.trace_hash();
  };
  EXPECT_NE(run(false), run(true));
  EXPECT_EQ(run(true), run(true));
}

}  // namespace
}  // namespace pg::sim
