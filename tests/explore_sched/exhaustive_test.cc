// The bounded exhaustive explorer: it finishes on the tiny Pegasus configuration and reports its
// state count, finds the relay toy's planted bug, and the choices it reports replay the violation.
#include "sim/explore/exhaustive.h"

#include <gtest/gtest.h>

#include "tests/explore_sched/relay_toy.h"

namespace pg::sim {
namespace {

TEST(Exhaustive, TinyPegasusIsExhaustedWithinTheBound) {
  Result<Scenario> s = LoadScenario(PG_SOURCE_DIR "/scenarios/explore/tiny_pegasus.json");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const ExhaustiveResult r = ExploreExhaustive(ResolveKnobs(*s, 1), {.max_choices = 6});
  EXPECT_TRUE(r.exhausted);
  EXPECT_FALSE(r.failure) << r.failure->kind << ": " << r.failure->detail;
  EXPECT_EQ(r.deepest, 6u);
  EXPECT_GT(r.states, 100u);
  EXPECT_GT(r.pruned_runs, 0u) << "state hashing never recognised a state";
  // Without hashing the same bound takes more runs: the cache really prunes.
  const ExhaustiveResult plain =
      ExploreExhaustive(ResolveKnobs(*s, 1), {.max_choices = 6, .state_hashing = false});
  EXPECT_TRUE(plain.exhausted);
  EXPECT_GT(plain.runs, r.runs);
}

TEST(Exhaustive, FindsThePlantedOrderingBugAndItsChoicesReplayIt) {
  const SystemBuilder toy = [](Cluster& c, const Knobs& k) { return relay_toy::Build(c, k, 1); };
  const Knobs knobs = relay_toy::ToyKnobs(2, 1, "timed");
  EXPECT_FALSE(RunKnobs(knobs, {.system_override = toy}).failed());
  const ExhaustiveResult r = ExploreExhaustive(knobs, {.max_choices = 8, .system_override = toy});
  ASSERT_TRUE(r.failure.has_value()) << r.runs << " runs";
  EXPECT_EQ(r.failure->kind, "invariant:stale_backup_read");
  const RunOutcome replay = ReplayChoices(knobs, r.failing_choices, toy);
  ASSERT_TRUE(replay.failed());
  EXPECT_EQ(replay.failure->kind, "invariant:stale_backup_read");
  EXPECT_EQ(replay.failure->event, r.failure->event);
}

}  // namespace
}  // namespace pg::sim
