#include "sim/driver/sweep.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

namespace pg::sim {
namespace {

SweepOptions Options(int jobs, Shard shard) {
  return {.scenario_paths = {PG_SOURCE_DIR "/scenarios/register/swarm.json",
                             PG_SOURCE_DIR "/scenarios/register/partition.json"},
          .seeds = {.first = 1, .last = 24},
          .shard = shard,
          .jobs = jobs};
}

std::map<std::pair<std::string, uint64_t>, std::string> Hashes(const SweepResult& r) {
  std::map<std::pair<std::string, uint64_t>, std::string> out;
  for (const RunRecord& run : r.runs) out[{run.scenario, run.seed}] = run.trace_hash;
  return out;
}

TEST(Sweep, ResultDoesNotDependOnTheWorkerCount) {
  auto one = RunSweep(Options(1, {}));
  auto three = RunSweep(Options(3, {}));
  ASSERT_TRUE(one.ok() && three.ok());
  ASSERT_EQ(one->runs.size(), 48u);
  for (size_t i = 0; i < one->runs.size(); ++i) {
    EXPECT_EQ(one->runs[i].scenario, three->runs[i].scenario);
    EXPECT_EQ(one->runs[i].seed, three->runs[i].seed);
    EXPECT_EQ(one->runs[i].trace_hash, three->runs[i].trace_hash);
  }
  auto a = SweepSummaryJson(*one, Options(1, {}));
  auto b = SweepSummaryJson(*three, Options(3, {}));
  a.erase("wall");
  b.erase("wall");
  EXPECT_EQ(a.dump(), b.dump());
}

TEST(Sweep, ShardsAreDisjointAndCoverTheWholeSweep) {
  auto whole = RunSweep(Options(2, {}));
  ASSERT_TRUE(whole.ok());
  std::map<std::pair<std::string, uint64_t>, std::string> merged;
  for (uint32_t k = 0; k < 4; ++k) {
    auto shard = RunSweep(Options(2, {.index = k, .count = 4}));
    ASSERT_TRUE(shard.ok());
    for (const auto& [key, hash] : Hashes(*shard)) {
      EXPECT_TRUE(merged.emplace(key, hash).second) << "seed " << key.second << " in two shards";
    }
  }
  EXPECT_EQ(merged, Hashes(*whole));
}

TEST(Sweep, FlagsAreParsedStrictly) {
  EXPECT_TRUE(ParseSeedRange("1..10").ok());
  EXPECT_TRUE(ParseSeedRange("7").ok());
  for (const char* bad : {"", "10..1", "1..", "..5", "a..b", "1...5", "-1..3", "1..2x"}) {
    EXPECT_FALSE(ParseSeedRange(bad).ok()) << bad;
  }
  EXPECT_TRUE(ParseShard("3/4").ok());
  for (const char* bad : {"4/4", "1/0", "1", "/2", "a/b", "1/2/3"}) {
    EXPECT_FALSE(ParseShard(bad).ok()) << bad;
  }
  EXPECT_FALSE(ExpandScenarioPaths({"/nonexistent/x.json"}).ok());
}

TEST(Sweep, ABadScenarioFailsBeforeAnyRun) {
  SweepOptions o = Options(1, {});
  o.scenario_paths.push_back(PG_SOURCE_DIR "/README.md");
  EXPECT_FALSE(RunSweep(o).ok());
}

}  // namespace
}  // namespace pg::sim

namespace pg::sim {
namespace {

// "every_seed": false — a violation the sweep must find on some seed. Found on some seeds: every
// run counts as expected. Found on none: the sweep fails with one "missed" line.
TEST(Sweep, SomeSeedFailureIsJudgedOverTheSweep) {
  SweepOptions found{
      .scenario_paths = {PG_SOURCE_DIR "/scenarios/pegasus/clock_drift_beyond_margin.json"},
      .seeds = {.first = 1, .last = 3},
      .jobs = 2};
  auto r = RunSweep(found);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->missed.empty());
  EXPECT_EQ(r->unmet(), 0u);

  const std::string path = ::testing::TempDir() + "/some_seed.json";
  {
    std::ofstream f(path);
    f << R"({"name": "never_fails", "system": "register", "duration_ms": 2000,
             "faults": [], "expect": {"verdict": "fail", "failure_kind": "invariant:nope",
                                      "every_seed": false}})";
  }
  auto missed = RunSweep({.scenario_paths = {path}, .seeds = {.first = 1, .last = 3}, .jobs = 1});
  ASSERT_TRUE(missed.ok()) << missed.status().ToString();
  for (const RunRecord& run : missed->runs) EXPECT_TRUE(run.expectation_met);
  ASSERT_EQ(missed->missed.size(), 1u);
  EXPECT_NE(missed->missed[0].find("none of 3 seeds showed it"), std::string::npos);
  EXPECT_EQ(missed->unmet(), 1u);
}

}  // namespace
}  // namespace pg::sim
