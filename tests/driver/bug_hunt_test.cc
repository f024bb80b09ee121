// pegasim hunt's parts: a run with switches its file does not list says so in its replay
// command; a hunt runs only pegasus scenarios, stops at its first catch when asked, and reports.
#include <gtest/gtest.h>

#include "core/common/bugs.h"
#include "sim/driver/hunt.h"
#include "sim/driver/hunt_report.h"
#include "sim/driver/verdict.h"
#include "sim/scenario/knobs.h"
#include "sim/scenario/scenario.h"

namespace pg::sim {
namespace {

TEST(BugHunt, AReplayCommandAddsTheSwitchesTheFileDoesNotList) {
  auto s = ParseScenario(R"({"name": "x", "bugs": ["ack_before_logged"]})", "x.json");
  ASSERT_TRUE(s.ok());
  RunOutcome outcome;
  outcome.knobs = ResolveKnobs(*s, 3);
  outcome.knobs.bugs.Enable(Bug::kSecondaryServesReads);
  const auto v = VerdictJson(*s, outcome);
  EXPECT_EQ(v["replay"], "pegasim run x.json --seed 3 --bug secondary_serves_reads");
}

TEST(BugHunt, OnlyPegasusScenariosAreHunted) {
  const std::string dir = std::string(PG_SOURCE_DIR) + "/scenarios/";
  auto none = PegasusScenarios({dir + "register/steady.json"});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("pegasus"), std::string::npos);
  auto some = PegasusScenarios({dir + "register/steady.json", dir + "pegasus/steady.json"});
  ASSERT_TRUE(some.ok()) << some.status().ToString();
  EXPECT_EQ(*some, std::vector<std::string>{dir + "pegasus/steady.json"});
}

// The scenario written for the all-replicas-down rule fails with ddd_pick_by_committed on at seed 3
// (an invariant, not a missed mark): a quick hunt from 3 stops there, unless it must measure a
// floor of seeds first.
TEST(BugHunt, AQuickHuntStopsAtTheCatchButNotBeforeItsMinimumSeeds) {
  const std::string file =
      std::string(PG_SOURCE_DIR) + "/scenarios/pegasus/lone_primary_unrecorded_commit.json";
  HuntOptions options{.bug = Bug::kDddPickByCommitted,
                      .scenario_paths = {file},
                      .seeds = {3, 12},
                      .stop_at_first = true};
  auto quick = RunHunt(options);
  ASSERT_TRUE(quick.ok()) << quick.status().ToString();
  ASSERT_TRUE(quick->caught());
  EXPECT_EQ(quick->first->seed, 3u);
  EXPECT_EQ(quick->first->kind, "invariant:committed_prefix");
  EXPECT_EQ(quick->seeds_run, 1u);
  options.min_seeds = 3;
  auto floored = RunHunt(options);
  ASSERT_TRUE(floored.ok());
  EXPECT_EQ(floored->first->seed, 3u);
  EXPECT_EQ(floored->seeds_run, 3u);
  EXPECT_GE(floored->detecting_seeds, 1u);
}

HuntResult Caught(uint64_t first_of_range, std::optional<uint64_t> at) {
  HuntResult r{.bug = Bug::kCommitOnMajority, .seeds = {first_of_range, first_of_range + 9}};
  r.seeds_run = 10;
  if (at) {
    r.first = HuntCatch{.seed = *at, .scenario = "s.json", .kind = "checker:illegal"};
    r.detecting_seeds = 4;
  }
  return r;
}

// A run the checker left undecided showed nothing wrong: with a switch on, such a run must not
// count as catching the bug (the checker's budget, not the bench, would have decided the hunt).
TEST(BugHunt, AnUndecidedHistoryIsNotADetection) {
  RunRecord undecided{.failed = true, .expectation_met = false, .failure_kind = "checker:unknown"};
  EXPECT_FALSE(DetectsBug(undecided));
  RunRecord illegal{.failed = true, .expectation_met = false, .failure_kind = "checker:illegal"};
  EXPECT_TRUE(DetectsBug(illegal));
  RunRecord broken{.failed = true, .expectation_met = false, .failure_kind = "invariant:monotonic"};
  EXPECT_TRUE(DetectsBug(broken));
  RunRecord missed_mark{.failed = false, .expectation_met = false};
  EXPECT_TRUE(DetectsBug(missed_mark)) << "a coverage mark not hit is a detection";
  RunRecord expected_unknown{
      .failed = true, .expectation_met = true, .failure_kind = "checker:unknown"};
  EXPECT_FALSE(DetectsBug(expected_unknown));
}

TEST(BugHunt, SeedsToDetectionCountFromTheRangesFirstSeed) {
  EXPECT_EQ(Caught(1, 1).seeds_to_detection(), 1U);
  EXPECT_EQ(Caught(11, 13).seeds_to_detection(), 3U);
  EXPECT_EQ(Caught(1, std::nullopt).seeds_to_detection(), std::nullopt);
  EXPECT_DOUBLE_EQ(Caught(1, 2).rate_per_100(), 40.0);
}

TEST(BugHunt, TheMedianCountsAnUncaughtBugAsOnePastItsRange) {
  EXPECT_DOUBLE_EQ(MedianSeedsToDetection({Caught(1, 1), Caught(1, 5), Caught(1, 3)}), 3);
  EXPECT_DOUBLE_EQ(MedianSeedsToDetection({Caught(1, 1), Caught(1, 2)}), 1.5);
  // Ranges of 10 seeds: an uncaught bug counts 11, so two uncaught of three raise the median.
  EXPECT_DOUBLE_EQ(
      MedianSeedsToDetection({Caught(1, 1), Caught(1, std::nullopt), Caught(1, std::nullopt)}), 11);
  const std::string md = HuntMarkdown({Caught(1, 2), Caught(1, std::nullopt)});
  EXPECT_NE(md.find("**not caught**"), std::string::npos) << md;
  EXPECT_NE(md.find("`checker:illegal`"), std::string::npos) << md;
  const auto j = HuntJson({Caught(1, 2)});
  EXPECT_EQ(j["bugs"][0]["first"]["seeds_to_detection"], 2);
  EXPECT_EQ(j["bugs"][0]["first"]["replay"],
            "pegasim run s.json --seed 2 --bug commit_on_majority");
}

}  // namespace
}  // namespace pg::sim
