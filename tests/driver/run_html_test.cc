// `replay --html` for a failing run: the checker's timeline with the operations that cannot be
// placed marked, and the band of what happened to the system under them.
#include "sim/driver/run_html.h"

#include <gtest/gtest.h>

#include "sim/driver/system_builder.h"
#include "tests/support/pegasim_cli.h"
#include "tests/support/volatile_register_server.h"

namespace pg::sim {
namespace {

RunOutcome PlantedRun(uint64_t seed) {
  Result<Scenario> s = LoadScenario(PG_SOURCE_DIR "/scenarios/register/crash_process.json");
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  RunOptions options{.record_trace = true};
  options.system_override = [](Cluster& cluster, const Knobs& knobs) {
    return BuildRegisterSystem(cluster, knobs, [](const NodeEnv&) {
      return std::make_unique<testing::VolatileRegisterServer>();
    });
  };
  return RunKnobs(ResolveKnobs(*s, seed), options);
}

TEST(RunHtml, APlantedBugsPageMarksTheFailingOperationsAndDrawsTheBand) {
  RunOutcome outcome;
  for (uint64_t seed = 1; seed <= 10 && !outcome.failed(); ++seed) outcome = PlantedRun(seed);
  ASSERT_TRUE(outcome.failed());
  ASSERT_EQ(outcome.failure->kind, "checker:illegal");

  const std::vector<checker::TimelineEvent> band = TimelineOf(outcome);
  // Every fault; the checker's verdict is the red bars, not a moment in the band.
  ASSERT_EQ(band.size(), outcome.faults.size());
  EXPECT_TRUE(std::is_sorted(band.begin(), band.end(),
                             [](const auto& a, const auto& b) { return a.time < b.time; }));

  auto html = RunHtml(outcome, "planted seed");
  ASSERT_TRUE(html.ok()) << html.status().ToString();
  // The operations the checker cannot place, in red.
  EXPECT_NE(html->find(" bad'>"), std::string::npos);
  EXPECT_NE(html->find("cannot be placed"), std::string::npos);
  // The band: its rows, a tick per event inside the drawn window, the events' table.
  EXPECT_NE(html->find("class='lane band'>faults<"), std::string::npos);
  EXPECT_NE(html->find("<g class='ev ev-faults'><title>"), std::string::npos);
  EXPECT_NE(html->find("<h2>Timeline events</h2>"), std::string::npos);
  EXPECT_NE(html->find(": crash replica/"), std::string::npos) << "a crash, in the band";
}

TEST(RunHtml, ProtocolEventsComeFromTheMarksWithTheirPartitionAndBallot) {
  Result<Scenario> s = LoadScenario(PG_SOURCE_DIR "/scenarios/pegasus/primary_crash.json");
  ASSERT_TRUE(s.ok());
  const RunOutcome outcome = RunKnobs(ResolveKnobs(*s, 1), {.record_trace = true});
  size_t marks = 0;
  for (const TraceLine& line : outcome.trace) {
    for (size_t at = line.what.find("Mark{"); at != std::string::npos;
         at = line.what.find("Mark{", at + 1))
      ++marks;
  }
  const auto band = TimelineOf(outcome);
  const auto protocol =
      std::count_if(band.begin(), band.end(), [](const auto& e) { return e.row == "protocol"; });
  EXPECT_EQ(static_cast<size_t>(protocol), marks);
  const auto upgrade = std::find_if(band.begin(), band.end(), [](const auto& e) {
    return e.label.starts_with("meta/0: meta.propose_upgrade_to_primary (gpid=");
  });
  ASSERT_NE(upgrade, band.end());
  EXPECT_NE(upgrade->label.find("ballot="), std::string::npos) << upgrade->label;
}

TEST(RunHtml, ReplayWritesThePageOfAnInvariantFailure) {
  using pg::testing::Pegasim;
  const std::string dir = pg::testing::TempDir("replay-html");
  const std::string drift = PG_SOURCE_DIR "/scenarios/pegasus/clock_drift_beyond_margin.json";
  ASSERT_EQ(Pegasim("run " + drift + " --seed 1 --out " + dir).code, 0);
  auto r = Pegasim("replay " + dir + "/verdict.json --html " + dir + "/run.html");
  ASSERT_EQ(r.code, 0) << r.output;
  const std::string html = pg::testing::ReadFile(dir + "/run.html");
  // The history is linearizable: the operations around the failure are drawn, with the band.
  EXPECT_NE(html.find("around the failure"), std::string::npos);
  EXPECT_NE(html.find("invariant:single_primary at event"), std::string::npos);
  EXPECT_NE(html.find("replica.assign_primary (gpid="), std::string::npos);
  EXPECT_NE(html.find("<line class='rule ev ev-failure'"), std::string::npos);
}

}  // namespace
}  // namespace pg::sim
