// `pegasim shrink` as a user meets it: the one failure the curated scenarios expect (two primaries
// when a clock runs at half speed) shrinks to a regression file that `pegasim run` replays, green,
// to the same failure; a passing or unreadable verdict is bad input.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/support/pegasim_cli.h"

namespace {

using pg::testing::Pegasim;
using pg::testing::Ran;
using pg::testing::TempDir;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(CliShrink, AFailingVerdictShrinksToARegressionFileThatReplaysGreen) {
  const std::string dir = TempDir("cli-shrink-drift");
  Ran run = Pegasim("run " PG_SOURCE_DIR
                    "/scenarios/pegasus/clock_drift_beyond_margin.json "
                    "--seed 1 --out " +
                    dir + "/run");
  ASSERT_EQ(run.code, 0) << run.output;  // the failure is the scenario's expectation
  Ran shrink = Pegasim("shrink " + dir + "/run/verdict.json --out " + dir + "/reg --max-runs 60 " +
                       "--probe-seeds 2");
  ASSERT_EQ(shrink.code, 0) << shrink.output;
  const std::string file =
      dir + "/reg/clock_drift_beyond_margin_seed1_invariant_single_primary.json";
  ASSERT_TRUE(std::filesystem::exists(file)) << shrink.output;
  EXPECT_NE(shrink.output.find("faults 3 -> "), std::string::npos) << shrink.output;
  EXPECT_NE(shrink.output.find("replay:  pegasim run " + file + " --seed 1"), std::string::npos)
      << shrink.output;
  // The file alone, on its own seed: it fails with the same invariant and expects to.
  Ran replay = Pegasim("run " + file + " --out " + dir + "/replay");
  EXPECT_EQ(replay.code, 0) << replay.output;
  EXPECT_NE(replay.output.find("invariant:single_primary"), std::string::npos) << replay.output;
  // Deterministic: a second shrink writes the same bytes.
  ASSERT_EQ(Pegasim("shrink " + dir + "/run/verdict.json --out " + dir + "/again --max-runs 60 " +
                    "--probe-seeds 2")
                .code,
            0);
  EXPECT_EQ(Slurp(file),
            Slurp(dir + "/again/clock_drift_beyond_margin_seed1_invariant_single_primary.json"));
}

TEST(CliShrink, AVerdictWhoseTraceHashDoesNotReproduceIsNotShrunk) {
  const std::string dir = TempDir("cli-shrink-hash");
  ASSERT_EQ(Pegasim("run " PG_SOURCE_DIR "/scenarios/pegasus/clock_drift_beyond_margin.json "
                    "--seed 1 --out " +
                    dir + "/run")
                .code,
            0);
  std::string text = Slurp(dir + "/run/verdict.json");
  const size_t at = text.find("\"trace_hash\": \"") + 15;
  text[at] = text[at] == '0' ? '1' : '0';  // still 16 hex digits: well-formed, but not this run's
  std::ofstream(dir + "/run/verdict.json") << text;
  Ran shrink = Pegasim("shrink " + dir + "/run/verdict.json --out " + dir + "/reg --max-runs 5");
  EXPECT_EQ(shrink.code, 1) << shrink.output;
  EXPECT_NE(shrink.output.find("does not reproduce the verdict: trace hash"), std::string::npos)
      << shrink.output;
  EXPECT_FALSE(std::filesystem::exists(dir + "/reg"));
}

TEST(CliShrink, APassingOrUnreadableVerdictIsBadInput) {
  const std::string dir = TempDir("cli-shrink-bad");
  ASSERT_EQ(
      Pegasim("run " PG_SOURCE_DIR "/scenarios/register/steady.json --seed 1 --out " + dir).code,
      0);
  Ran ok = Pegasim("shrink " + dir + "/verdict.json --out " + dir + "/reg");
  EXPECT_EQ(ok.code, 2) << ok.output;
  EXPECT_NE(ok.output.find(dir + "/verdict.json: $.verdict: expected a failing run"),
            std::string::npos)
      << ok.output;
  EXPECT_FALSE(std::filesystem::exists(dir + "/reg"));
  Ran missing = Pegasim("shrink " + dir + "/nothing.json");
  EXPECT_EQ(missing.code, 2) << missing.output;
  EXPECT_NE(missing.output.find(dir + "/nothing.json"), std::string::npos) << missing.output;
  Ran budget = Pegasim("shrink " + dir + "/verdict.json --max-runs 0");
  EXPECT_EQ(budget.code, 2) << budget.output;
  EXPECT_NE(budget.output.find("--max-runs"), std::string::npos) << budget.output;
}

}  // namespace
