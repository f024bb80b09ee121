// pegasim hunt's parts: a run with switches its file does not list says so in its replay
// command; a hunt runs only pegasus scenarios, stops at its first catch when asked, and reports.
#include <gtest/gtest.h>

#include "core/common/bugs.h"
#include "sim/driver/hunt.h"
#include "sim/driver/hunt_report.h"
#include "sim/driver/verdict.h"
#include "sim/knobs.h"
#include "sim/scenario.h"

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

}  // namespace
}  // namespace pg::sim
