// The shrinker, end to end on a planted bug: a sweep finds a failing seed, the shrinker reduces
// its verdict to a small regression scenario, and that file alone replays to the same failure.
// Shrinking is deterministic: the same verdict gives the same file, byte for byte.
#include "sim/driver/shrink.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "sim/driver/sweep.h"
#include "sim/driver/verdict.h"
#include "tests/support/pegasim_cli.h"
#include "tests/support/volatile_register_server.h"

namespace pg::sim {
namespace {

using pg::testing::TempDir;

void Write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// A seed of a sweep over the register swarm scenario on which the planted bug shows, written out
// as that run's verdict.json; "" when no seed of 1..30 shows it.
std::string FailingVerdict(const std::string& dir) {
  SweepOptions sweep{.scenario_paths = {PG_SOURCE_DIR "/scenarios/register/swarm.json"},
                     .seeds = {1, 30}};
  sweep.run = testing::PlantedBugOptions();
  auto result = RunSweep(sweep);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  if (!result.ok()) return "";
  // The failing run with the most faults (the first of those), so there is much to shrink.
  const RunRecord* chosen = nullptr;
  for (const RunRecord& run : result->runs) {
    if (!run.failed || run.failure_kind != "checker:illegal") continue;
    if (!chosen ||
        run.verdict["knobs"]["faults"].size() > chosen->verdict["knobs"]["faults"].size())
      chosen = &run;
  }
  if (!chosen) return "";
  const std::string path = dir + "/verdict.json";
  Write(path, chosen->verdict.dump(2));
  return path;
}

TEST(Shrink, APlantedBugShrinksToAFewFaultsAndTheFileReplaysAlone) {
  const std::string dir = TempDir("shrink-planted");
  const std::string verdict = FailingVerdict(dir);
  ASSERT_FALSE(verdict.empty()) << "no seed of the sweep showed the planted bug";
  ShrinkOptions options{.run = testing::PlantedBugOptions(), .max_runs = 200, .probe_seeds = 3};
  auto file = ShrinkVerdictFile(verdict, options);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  const ShrinkResult& r = file->result;
  EXPECT_EQ(r.failure_kind, "checker:illegal");
  EXPECT_LE(r.runs, 200);
  std::cout << "shrunk in " << r.runs
            << " runs: " << SizesChange(SizesOf(r.original), SizesOf(r.knobs)) << "\n";
  EXPECT_GT(r.original.faults.size(), 5u) << "the sweep found no run with much to shrink";
  EXPECT_LE(r.knobs.faults.size(), 5u) << SizesChange(SizesOf(r.original), SizesOf(r.knobs));
  EXPECT_LE(r.knobs.ops, r.original.ops);
  EXPECT_LE(r.knobs.clients, r.original.clients);
  EXPECT_LT(SizesOf(r.knobs).faults + r.knobs.ops, SizesOf(r.original).faults + r.original.ops);

  // The file, alone: it loads, resolves to the shrunk knobs on its own seed, fails the same way,
  // and its expectation says so.
  const std::string path = dir + "/" + file->name + ".json";
  Write(path, file->scenario.dump(2) + "\n");
  auto scenario = LoadScenario(path);
  ASSERT_TRUE(scenario.ok()) << scenario.status().ToString();
  const Knobs knobs = ResolveKnobs(*scenario, SeedFor(*scenario, std::nullopt));
  EXPECT_EQ(knobs, r.knobs);
  const RunOutcome replay = RunKnobs(knobs, testing::PlantedBugOptions());
  ASSERT_TRUE(replay.failed());
  EXPECT_EQ(replay.failure->kind, "checker:illegal");
  EXPECT_TRUE(CheckExpectation(*scenario, replay).met) << CheckExpectation(*scenario, replay).why;
  EXPECT_EQ(scenario->expect.failure_kind, "checker:illegal");
}

TEST(Shrink, IsDeterministic) {
  const std::string dir = TempDir("shrink-deterministic");
  const std::string verdict = FailingVerdict(dir);
  ASSERT_FALSE(verdict.empty());
  const ShrinkOptions options{.run = testing::PlantedBugOptions(), .max_runs = 60};
  auto first = ShrinkVerdictFile(verdict, options);
  auto second = ShrinkVerdictFile(verdict, options);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->name, second->name);
  EXPECT_EQ(first->scenario.dump(2), second->scenario.dump(2));
  EXPECT_EQ(first->result.runs, second->result.runs);
}

TEST(Shrink, APassingVerdictIsBadInputNamingTheFile) {
  const std::string dir = TempDir("shrink-passing");
  auto scenario = LoadScenario(PG_SOURCE_DIR "/scenarios/register/steady.json");
  ASSERT_TRUE(scenario.ok());
  const RunOutcome outcome = RunKnobs(ResolveKnobs(*scenario, 1), {});
  ASSERT_FALSE(outcome.failed());
  Write(dir + "/verdict.json", VerdictJson(*scenario, outcome).dump(2));
  auto file = ShrinkVerdictFile(dir + "/verdict.json", {});
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(file.status().message().find(dir + "/verdict.json: $.verdict: expected a failing run"),
            std::string::npos)
      << file.status().message();
}

TEST(Shrink, AFailureThatDoesNotReproduceIsReportedNotShrunk) {
  const std::string dir = TempDir("shrink-no-repro");
  const std::string verdict = FailingVerdict(dir);
  ASSERT_FALSE(verdict.empty());
  // The real server does not lose acknowledged writes: the verdict's failure cannot reproduce.
  auto file = ShrinkVerdictFile(verdict, {.max_runs = 10});
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), ErrorCode::kInconsistentState);
  EXPECT_NE(file.status().message().find("does not reproduce checker:illegal"), std::string::npos)
      << file.status().message();
}

TEST(Shrink, TheBudgetCapsTheRuns) {
  const std::string dir = TempDir("shrink-budget");
  const std::string verdict = FailingVerdict(dir);
  ASSERT_FALSE(verdict.empty());
  int steps = 0;
  ShrinkOptions options{.run = testing::PlantedBugOptions(), .max_runs = 5};
  options.on_step = [&steps](const ShrinkStep& step) {
    ++steps;
    EXPECT_LE(step.run, 5);
  };
  auto file = ShrinkVerdictFile(verdict, options);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->result.runs, 5);
  EXPECT_EQ(steps, 4);  // the reproduction run is not a step
  EXPECT_TRUE(file->result.budget_exhausted);
}

}  // namespace
}  // namespace pg::sim
