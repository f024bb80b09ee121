// The bench must catch a broken system: a register server that keeps its state only in memory
// (acknowledges writes it never logs) loses acknowledged writes on every crash, and the checker
// has to say so. The same seeds with the real server stay green.
#include <gtest/gtest.h>

#include "sim/driver/runner.h"
#include "tests/support/volatile_register_server.h"

namespace pg::sim {
namespace {

Knobs CrashKnobs(uint64_t seed) {
  Result<Scenario> s = LoadScenario(PG_SOURCE_DIR "/scenarios/register/crash_process.json");
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return ResolveKnobs(*s, seed);
}

TEST(PlantedBug, VolatileServerLosesAcknowledgedWritesAndTheCheckerSaysIllegal) {
  const RunOptions options = testing::PlantedBugOptions();
  int illegal = 0;
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    const RunOutcome outcome = RunKnobs(CrashKnobs(seed), options);
    if (outcome.failed()) {
      EXPECT_EQ(outcome.failure->kind, "checker:illegal") << outcome.failure->detail;
      ++illegal;
    }
  }
  EXPECT_GE(illegal, 5) << "the checker missed a server that forgets acknowledged writes";
}

TEST(PlantedBug, TheRealServerIsGreenOnTheSameSeeds) {
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    const RunOutcome outcome = RunKnobs(CrashKnobs(seed), {});
    EXPECT_FALSE(outcome.failed())
        << "seed " << seed << ": " << outcome.failure->kind << " " << outcome.failure->detail;
    EXPECT_GT(outcome.operations, 100u);
  }
}

}  // namespace
}  // namespace pg::sim
