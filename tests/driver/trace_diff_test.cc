// The determinism check must say *where* two runs of one seed part ways. A planted bug: a register
// server whose behaviour depends on a counter that lives in a static variable, so it persists from
// one run to the next in the same process. The first run drops one reply once the process's servers
// have taken 50 steps (and marks it); the second run, its flag already set, does not. Running the
// seed twice with traces must name exactly that step: its event index, time and node.
#include "sim/driver/trace_diff.h"

#include <gtest/gtest.h>

#include <atomic>

#include "sim/driver/runner.h"
#include "sim/driver/system_builder.h"
#include "sim/driver/trace_text.h"
#include "sim/example/register_server.h"

namespace pg::sim {
namespace {

// BUG (planted): process-wide state a run depends on.
std::atomic<int> g_server_steps{0};
std::atomic<bool> g_dropped{false};

class ForgetfulRegisterServer final : public Node {
 public:
  explicit ForgetfulRegisterServer(const NodeEnv& env) : inner_(env) {}
  void Step(Time now, const Input& input, Outbox& out) override {
    const int step = ++g_server_steps;
    if (step >= 50 && std::holds_alternative<Receive>(input) && !g_dropped.exchange(true)) {
      out.Mark("planted.reply_dropped");  // the client retries: the run stays green
      return;
    }
    inner_.Step(now, input, out);
  }
  void CheckInvariants() const override { inner_.CheckInvariants(); }

 private:
  example::RegisterServer inner_;
};

Knobs SteadyKnobs(uint64_t seed) {
  Result<Scenario> s = LoadScenario(PG_SOURCE_DIR "/scenarios/register/steady.json");
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return ResolveKnobs(*s, seed);
}

RunOptions Planted() {
  RunOptions options{.record_trace = true};
  options.system_override = [](Cluster& cluster, const Knobs& knobs) {
    return BuildRegisterSystem(cluster, knobs, [](const NodeEnv& env) {
      return std::make_unique<ForgetfulRegisterServer>(env);
    });
  };
  return options;
}

TEST(TraceDiff, TheDoubleRunNamesThePlantedDivergence) {
  g_server_steps = 0;
  g_dropped = false;
  const RunOutcome first = RunKnobs(SteadyKnobs(5), Planted());
  const RunOutcome second = RunKnobs(SteadyKnobs(5), Planted());
  ASSERT_NE(first.trace_hash, second.trace_hash) << "the planted nondeterminism did not show";
  ASSERT_FALSE(first.failed());

  // Where it must be: the one line of the first run whose effects carry the planted mark.
  size_t expected = first.trace.size();
  for (size_t i = 0; i < first.trace.size(); ++i) {
    if (first.trace[i].what.find("planted.reply_dropped") != std::string::npos) expected = i;
  }
  ASSERT_LT(expected, first.trace.size());
  const TraceLine& culprit = first.trace[expected];
  EXPECT_TRUE(culprit.node.starts_with("replica/")) << culprit.node;

  const auto d = FirstDivergence(first.trace, second.trace);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->line, expected);
  ASSERT_TRUE(d->a && d->b);
  EXPECT_EQ(d->a->index, culprit.index);
  EXPECT_EQ(d->a->at, culprit.at);
  EXPECT_EQ(d->a->node, culprit.node);
  // The same event on both sides (everything before it is identical); only the effects differ.
  EXPECT_EQ(d->b->index, culprit.index);
  EXPECT_EQ(d->b->node, culprit.node);
  EXPECT_EQ(d->a->input, d->b->input);
  EXPECT_TRUE(d->a->input.starts_with("Receive{")) << d->a->input;
  EXPECT_NE(d->a->effects.find("planted.reply_dropped"), std::string::npos);
  EXPECT_EQ(d->b->effects.find("planted"), std::string::npos);
  EXPECT_FALSE(d->b->effects.empty()) << "the second run handles the request (logs or replies)";
  EXPECT_FALSE(d->hash_only);

  const std::string text = DivergenceText(*d, "first", "second");
  EXPECT_NE(text.find(fmt::format("first divergent event: #{} at {:.3f}ms on {}", culprit.index,
                                  culprit.at.ms(), culprit.node)),
            std::string::npos)
      << text;

  // The same answer from the trace files a person would diff.
  auto a = ParseTraceText(TraceText(first.trace), "a.trace");
  auto b = ParseTraceText(TraceText(second.trace), "b.trace");
  ASSERT_TRUE(a.ok() && b.ok());
  const auto from_files = FirstDivergence(*a, *b);
  ASSERT_TRUE(from_files.has_value());
  EXPECT_EQ(from_files->line, expected);
  EXPECT_EQ(from_files->a->index, culprit.index);
}

TEST(TraceDiff, TheRealServerRunsTwiceIdentically) {
  RunOptions options{.record_trace = true};
  const RunOutcome first = RunKnobs(SteadyKnobs(5), options);
  const RunOutcome second = RunKnobs(SteadyKnobs(5), options);
  EXPECT_EQ(first.trace_hash, second.trace_hash);
  EXPECT_FALSE(FirstDivergence(first.trace, second.trace).has_value());
  ASSERT_FALSE(first.trace.empty());
  EXPECT_EQ(first.trace.back().hash, first.trace_hash) << "the last line carries the run's hash";
}

TEST(TraceDiff, ATraceThatStopsEarlyDivergesWhereItEnds) {
  std::vector<TraceLine> a = {{0, Time::FromNanos(0), "n/0", "Boot ->", 1},
                              {1, Time::FromNanos(5), "n/0", "TimerFired{1} ->", 2}};
  std::vector<TraceLine> b(a.begin(), a.begin() + 1);
  const auto d = FirstDivergence(a, b);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->line, 1u);
  EXPECT_TRUE(d->a.has_value());
  EXPECT_FALSE(d->b.has_value());
  EXPECT_NE(DivergenceText(*d, "a", "b").find("the trace ends here"), std::string::npos);
}

TEST(TraceDiff, EqualTextWithDifferentHashesIsADivergenceInHiddenBytes) {
  std::vector<TraceLine> a = {{3, Time::FromNanos(7), "n/1", "LogAppended{\"x\"} -> AppendLog", 9}};
  std::vector<TraceLine> b = a;
  b[0].hash = 10;
  const auto d = FirstDivergence(a, b);
  ASSERT_TRUE(d.has_value());
  EXPECT_TRUE(d->hash_only);
  b[0].hash = 0;  // a trace written without hashes: text only
  EXPECT_FALSE(FirstDivergence(a, b).has_value());
}

TEST(TraceDiff, AMalformedTraceFileNamesTheLine) {
  const std::string good = "#0 0.000ms meta/0 Boot -> [134b53a05bd863d1]\n";
  ASSERT_TRUE(ParseTraceText(good + "#1 1.500ms x/0 TimerFired{1} ->\n", "t").ok());
  for (const char* bad : {"0 0.000ms a b", "#x 0.000ms a b", "#1 1.5ms a b", "#1 1.000 a b",
                          "#1 1.000ms a", "#1 1.000ms a b [12345678zzzzzzzz]"}) {
    auto r = ParseTraceText(good + bad + "\n", "f.trace");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("f.trace:2: expected"), std::string::npos)
        << r.status().message();
  }
}

}  // namespace
}  // namespace pg::sim
