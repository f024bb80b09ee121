// The run's page (`run --html`, `replay --html`): every operation with who served it, the
// operations that cannot be placed marked, and the band of what happened to the system under them.
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
      std::count_if(band.begin(), band.end(), [](const auto& e) { return e.kind == "protocol"; });
  EXPECT_EQ(static_cast<size_t>(protocol), marks);
  const auto upgrade = std::find_if(band.begin(), band.end(), [](const auto& e) {
    return e.label.starts_with("meta/0: meta.propose_upgrade_to_primary (gpid=");
  });
  ASSERT_NE(upgrade, band.end());
  EXPECT_NE(upgrade->label.find("ballot="), std::string::npos) << upgrade->label;
  // Its row names the node and the partition; its short name the ballot.
  EXPECT_TRUE(upgrade->row.starts_with("meta/0 \u00b7 1.")) << upgrade->row;
  EXPECT_TRUE(upgrade->brief.starts_with("propose_upgrade_to_primary b")) << upgrade->brief;
}

TEST(RunHtml, ReplayWritesThePageOfAnInvariantFailure) {
  using pg::testing::Pegasim;
  const std::string dir = pg::testing::TempDir("replay-html");
  const std::string drift = PG_SOURCE_DIR "/scenarios/pegasus/clock_drift_beyond_margin.json";
  ASSERT_EQ(Pegasim("run " + drift + " --seed 1 --out " + dir).code, 0);
  auto r = Pegasim("replay " + dir + "/verdict.json --html " + dir + "/run.html");
  ASSERT_EQ(r.code, 0) << r.output;
  const std::string html = pg::testing::ReadFile(dir + "/run.html");
  // The history is linearizable: every operation is drawn, the page opens at the failure, the
  // heading says the run failed.
  EXPECT_NE(html.find("All "), std::string::npos);
  EXPECT_NE(html.find("document.getElementById('timeline').scrollLeft = "), std::string::npos);
  EXPECT_NE(html.find(": fail (invariant:single_primary)</h1>"), std::string::npos);
  EXPECT_NE(html.find("invariant:single_primary at event"), std::string::npos);
  EXPECT_NE(html.find("replica.assign_primary (gpid="), std::string::npos);
  EXPECT_NE(html.find("<line class='rule ev ev-failure'"), std::string::npos);
}

// A short run of the primary_crash scenario (the crash comes after its operations).
RunOutcome ShortPegasusRun(const RunOptions& options) {
  Result<Scenario> s = LoadScenario(PG_SOURCE_DIR "/scenarios/pegasus/primary_crash.json");
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  Knobs knobs = ResolveKnobs(*s, 1);
  knobs.ops = 48;
  return RunKnobs(knobs, options);
}

TEST(RunHtml, RecordingWhoServedChangesNothingInTheRun) {
  const RunOutcome plain = ShortPegasusRun({.history_jsonl = true});
  const RunOutcome recorded = ShortPegasusRun(RunHtmlRecording());
  EXPECT_EQ(plain.trace_hash, recorded.trace_hash);
  EXPECT_EQ(plain.events, recorded.events);
  EXPECT_EQ(plain.history_jsonl, recorded.history_jsonl);
  EXPECT_TRUE(plain.served_by.empty());
  EXPECT_FALSE(recorded.served_by.empty());
}

TEST(RunHtml, EveryOperationNamesTheServerAndTheBallotThatAnsweredIt) {
  const RunOutcome outcome = ShortPegasusRun(RunHtmlRecording());
  ASSERT_FALSE(outcome.failed()) << outcome.failure->detail;
  // No fault touches these operations: every completion is a primary's reply.
  ASSERT_EQ(outcome.served_by.size(), outcome.operations);
  const auto history = checker::ParseJsonlHistory(outcome.history_jsonl, "run");
  ASSERT_TRUE(history.ok());
  for (const auto& [index, by] : outcome.served_by) {
    ASSERT_LT(index, history->events.size());
    EXPECT_NE(history->events[index].type, checker::EventType::kInvoke) << index;
    EXPECT_TRUE(by.server.starts_with("replica/")) << by.server;
    ASSERT_TRUE(by.ballot.has_value()) << Describe(by);
    EXPECT_GE(*by.ballot, 1);
    EXPECT_EQ(by.status, "primary") << Describe(by);
    EXPECT_TRUE(by.partition && by.partition->starts_with("1.")) << Describe(by);
  }
  auto html = RunHtml(outcome, "short run");
  ASSERT_TRUE(html.ok()) << html.status().ToString();
  // Every operation is drawn, and each says who served it: in its tooltip in full, on its bar
  // when it fits, and by its stripe's colour.
  const auto& [index, by] = *outcome.served_by.begin();
  const std::string served = "served by " + Describe(by);
  EXPECT_NE(html->find(served), std::string::npos) << served;
  EXPECT_EQ(served.find("served by replica/"), 0u);
  EXPECT_NE(served.find(fmt::format(", ballot {} (primary) of 1.", *by.ballot)), std::string::npos);
  EXPECT_NE(html->find(fmt::format("All {} operations", history->operations.size())),
            std::string::npos);
  EXPECT_NE(html->find("Served by (the stripe under each bar)"), std::string::npos);
  EXPECT_NE(html->find("x = event order"), std::string::npos);
  EXPECT_NE(html->find(" r" + by.server.substr(by.server.find('/') + 1) +
                       fmt::format(" b{}</text>", *by.ballot)),
            std::string::npos)
      << "the short form on a bar";
}

TEST(RunHtml, TheTimeAxisIsSimulatedTimeWhenAsked) {
  const RunOutcome outcome = ShortPegasusRun(RunHtmlRecording());
  auto html = RunHtml(outcome, "short run", checker::TimeAxis::kSimTime);
  ASSERT_TRUE(html.ok());
  EXPECT_NE(html->find("x = simulated time"), std::string::npos);
  EXPECT_NE(html->find(" ms</text>"), std::string::npos) << "the axis's ticks";
}

// How a fold's tooltip goes on after "×5, t=" when its first mark is at `first_ns`.
std::string FiveCheckpointsFrom(int64_t first_ns) {
  return fmt::format("{:.3f} to", static_cast<double>(first_ns) / 1e6);
}

TEST(RunHtml, RepeatedMarksFoldIntoOne) {
  // Five checkpoints of one replica in a row, between two other marks of the same row: of a
  // partition the run does not have (1.9), so that no mark of the run falls between them.
  RunOutcome outcome = ShortPegasusRun(RunHtmlRecording());
  const auto history = checker::ParseJsonlHistory(outcome.history_jsonl, "run");
  ASSERT_TRUE(history.ok());
  const int64_t t0 = history->events.front().time;
  const int64_t step = (history->events.back().time - t0) / 10;
  auto line = [&](int64_t i, const std::string& mark) {
    outcome.trace.push_back(TraceLine{
        .at = Time::FromNanos(t0 + i * step),
        .node = "replica/3",
        .what = "TimerFired{7} -> Mark{\"" + mark + "\"} Send{to=meta/0, X{gpid=1.9, ballot=4}}"});
  };
  line(1, "replica.assign_primary");
  for (int64_t i = 2; i < 7; ++i) line(i, "replica.checkpoint");
  line(7, "replica.prepare_timeout");
  auto html = RunHtml(outcome, "folded");
  ASSERT_TRUE(html.ok());
  // One mark for the five, named with its count; the others one by one, in the same row.
  EXPECT_NE(html->find("checkpoint b4 \u00d75</text>"), std::string::npos);
  EXPECT_NE(html->find("<title>replica.checkpoint \u00d75, t="), std::string::npos);
  EXPECT_NE(html->find("<summary>replica.checkpoint \u00d75</summary>"), std::string::npos);
  auto count = [&html](const std::string& what) {
    size_t n = 0;
    for (size_t at = html->find(what); at != std::string::npos; at = html->find(what, at + 1)) ++n;
    return n;
  };
  // The fold of these five (the run's own marks may fold too, in their rows).
  EXPECT_EQ(count("replica.checkpoint \u00d75, t=" + FiveCheckpointsFrom(t0 + 2 * step)), 1u);
  // Each of the five is named twice, in the folded mark's tooltip and in the table's list, and
  // nowhere else (no mark or table line of its own).
  EXPECT_EQ(count("replica/3: replica.checkpoint (gpid=1.9, ballot=4)"), 10u);
  EXPECT_NE(html->find("class='lane band'>replica/3 \u00b7 1.9<"), std::string::npos);
  EXPECT_NE(html->find("replica/3: replica.assign_primary (gpid=1.9, ballot=4)"),
            std::string::npos);
  EXPECT_NE(html->find("replica/3: replica.prepare_timeout (gpid=1.9, ballot=4)"),
            std::string::npos);
}

TEST(RunHtml, ThePageNamesNoAbsolutePath) {
  using pg::testing::Pegasim;
  const std::string dir = pg::testing::TempDir("run-html");
  const std::string scenario = PG_SOURCE_DIR "/scenarios/pegasus/primary_crash.json";
  auto r = Pegasim("run " + scenario + " --seed 1 --out " + dir + " --html " + dir + "/run.html");
  ASSERT_EQ(r.code, 0) << r.output;
  const std::string html = pg::testing::ReadFile(dir + "/run.html");
  EXPECT_NE(html.find("scenarios/pegasus/primary_crash.json seed 1"), std::string::npos);
  EXPECT_EQ(html.find(PG_SOURCE_DIR), std::string::npos);
  EXPECT_EQ(html.find("=\"/"), std::string::npos);
  EXPECT_EQ(html.find(" /work/"), std::string::npos);
  // An assertion's file, and a path given on a command line, both become the tree's own.
  EXPECT_EQ(RepoRelative("ASSERTION FAILED at " PG_SOURCE_DIR "/core/replica/replica.cc:12: x"),
            "ASSERTION FAILED at core/replica/replica.cc:12: x");
}

}  // namespace
}  // namespace pg::sim
