// The in-process check takes a run's recorded operations directly: HistoryOf must give exactly
// the history the JSON-lines reader makes of history.jsonl, for every operation kind and outcome,
// and a run writes history.jsonl's text only when asked for it or when it failed.
#include "sim/driver/history_export.h"

#include <gtest/gtest.h>

#include "checker/check.h"
#include "sim/driver/runner.h"
#include "sim/driver/system_builder.h"
#include "sim/scenario/nemesis.h"

namespace pg::sim {
namespace {

void ExpectSameAsJsonl(const std::vector<RecordedOp>& ops, const std::string& what,
                       int64_t ttl_skew_ms) {
  const auto direct = HistoryOf(ops, ttl_skew_ms);
  const auto parsed = checker::ParseJsonlHistory(HistoryToJsonl(ops, ttl_skew_ms), "run history");
  ASSERT_EQ(direct.ok(), parsed.ok()) << what;
  if (!parsed.ok()) return;
  EXPECT_EQ(direct->source, parsed->source) << what;
  EXPECT_EQ(direct->initial_value, parsed->initial_value) << what;
  ASSERT_EQ(direct->events.size(), parsed->events.size()) << what;
  for (size_t i = 0; i < parsed->events.size(); ++i) {
    EXPECT_EQ(direct->events[i], parsed->events[i]) << what << ", event " << i;
  }
  ASSERT_EQ(direct->operations.size(), parsed->operations.size()) << what;
  EXPECT_EQ(checker::ToJson(checker::Check(*direct, {.threads = 1}), false),
            checker::ToJson(checker::Check(*parsed, {.threads = 1}), false))
      << what;
}

RecordedOp Op(int64_t at_ns, uint32_t process, std::string type, std::string f, std::string sortkey,
              std::string value_json) {
  return {.at = Time::Zero() + Nanos(at_ns),
          .node = NodeId(0),
          .op = {.process = process,
                 .type = std::move(type),
                 .f = std::move(f),
                 .hashkey = "h\"1\\",
                 .sortkey = std::move(sortkey),
                 .value_json = std::move(value_json)}};
}

TEST(HistoryOf, EveryOperationKindReadsAsTheJsonLinesReaderReadsIt) {
  const std::vector<RecordedOp> ops = {
      Op(1, 0, "invoke", "set", "s0", R"("v\"1\u00e9")"), Op(2, 0, "ok", "set", "s0", "null"),
      Op(3, 1, "invoke", "get", "s0", "null"), Op(4, 1, "ok", "get", "s0", R"("v\"1\u00e9")"),
      Op(5, 1, "invoke", "get", "s1", "null"), Op(6, 1, "ok", "get", "s1", "null"),
      Op(7, 2, "invoke", "incr", "s2", R"("3")"), Op(8, 2, "ok", "incr", "s2", R"("3")"),
      Op(9, 3, "invoke", "cas", "s2", R"({"expect":"3","set":"x"})"),
      Op(10, 3, "ok", "cas", "s2", "true"),
      Op(11, 3, "invoke", "cas", "s3", R"({"expect":null,"set":"y"})"),
      Op(12, 3, "ok", "cas", "s3", "false"),
      Op(13, 4, "invoke", "multi_set", "", R"({"a":"1","b":"2"})"),
      Op(14, 4, "ok", "multi_set", "", "null"), Op(15, 5, "invoke", "multi_get", "", "null"),
      Op(16, 5, "ok", "multi_get", "", R"({"a":"1","b":null})"),
      Op(17, 0, "invoke", "del", "s0", "null"), Op(18, 0, "info", "del", "s0", "null"),
      Op(19, 1, "invoke", "set", "s1", R"("z")"), Op(20, 1, "fail", "set", "s1", "null"),
      Op(21, 2, "invoke", "del", "s2", "null"), Op(22, 2, "ok", "del", "s2", "null"),
      Op(23, 4, "invoke", "get", "s0", "null"),
      // Escapes without a quote inside: decoded as JSON, not taken verbatim.
      Op(24, 6, "invoke", "set", "s4", R"("a\nb\\c")"), Op(25, 6, "ok", "set", "s4", "null"),
      Op(26, 7, "invoke", "get", "s4", "null"), Op(27, 7, "ok", "get", "s4", R"("a\nb\\c")")};
  ExpectSameAsJsonl(ops, "every kind", 0);
}

TEST(HistoryOf, AWriteWithATtlCarriesItsExpiryAndTheRunsSkew) {
  std::vector<RecordedOp> ops = {
      Op(1, 0, "invoke", "set", "s0", R"("v")"), Op(2, 0, "ok", "set", "s0", "null"),
      Op(3, 1, "invoke", "multi_set", "", R"({"a":"1"})"), Op(4, 1, "ok", "multi_set", "", "null")};
  ops[0].op.expire_ts = 7;
  ops[2].op.expire_ts = 9;
  ExpectSameAsJsonl(ops, "ttl", 250);
  const auto h = HistoryOf(ops, 250);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->operations[0].ttl, (checker::Ttl{.expire_ts = 7, .skew_ms = 250}));
  EXPECT_EQ(h->operations[1].ttl, (checker::Ttl{.expire_ts = 9, .skew_ms = 250}));
  EXPECT_NE(HistoryToJsonl(ops, 250).find(R"("ttl":{"expire_ts":7,"skew_ms":250})"),
            std::string::npos);
}

TEST(HistoryOf, AValueOfTheWrongShapeIsRefusedLikeTheReaderRefusesIt) {
  for (const auto& [f, type, value] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"get", "invoke", R"("x")"},
           {"set", "invoke", "null"},
           {"incr", "ok", "3"},
           {"cas", "ok", R"("true")"},
           {"cas", "invoke", R"({"set":"x"})"},
           {"multi_set", "invoke", R"({"a":null})"},
           {"multi_get", "ok", "[]"}}) {
    const std::vector<RecordedOp> ops = {Op(1, 0, "invoke", f, "s", value)};
    const std::vector<RecordedOp> pair = {Op(1, 0, "invoke", f, "s", R"("1")"),
                                          Op(2, 0, type, f, "s", value)};
    const auto& bad = type == "invoke" ? ops : pair;
    EXPECT_FALSE(HistoryOf(bad, 0).ok()) << f << " " << type << " " << value;
    EXPECT_FALSE(checker::ParseJsonlHistory(HistoryToJsonl(bad, 0), "h").ok()) << f << " " << type;
  }
}

// The histories of real runs, faults included: the direct form equals the parsed text.
TEST(HistoryOf, RunHistoriesEqualTheirJsonLinesForm) {
  for (const char* file : {"pegasus/steady.json", "pegasus/swarm.json", "register/swarm.json"}) {
    Result<Scenario> s = LoadScenario(std::string(PG_SOURCE_DIR "/scenarios/") + file);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    for (uint64_t seed = 1; seed <= 3; ++seed) {
      Knobs knobs = ResolveKnobs(*s, seed);
      knobs.ops = std::min(knobs.ops, 400);
      Cluster cluster({.seed = knobs.seed, .default_link = LinkConfigFromKnobs(knobs)});
      cluster.SetDiskLatency(DiskLatencyFromKnobs(knobs));
      ASSERT_TRUE(BuildSystem(cluster, knobs).ok());
      cluster.Start();
      ScheduleFaults(cluster, knobs);
      cluster.RunUntil(Time::Zero() + Millis(knobs.duration_ms));
      ASSERT_FALSE(cluster.history().empty()) << file;
      ExpectSameAsJsonl(cluster.history(), std::string(file) + " seed " + std::to_string(seed),
                        ServingClockSkewMs(cluster));
    }
  }
}

TEST(RunKnobs, WritesTheHistoryTextOnlyWhenAskedOrWhenTheRunFailed) {
  Result<Scenario> s = LoadScenario(PG_SOURCE_DIR "/scenarios/register/steady.json");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const Knobs knobs = ResolveKnobs(*s, 1);
  const RunOutcome plain = RunKnobs(knobs, {});
  const RunOutcome asked = RunKnobs(knobs, {.history_jsonl = true});
  ASSERT_FALSE(plain.failed());
  EXPECT_TRUE(plain.history_jsonl.empty());
  EXPECT_FALSE(asked.history_jsonl.empty());
  EXPECT_EQ(plain.trace_hash, asked.trace_hash);
  EXPECT_EQ(plain.CheckerJson()["partitions"], asked.CheckerJson()["partitions"]);
  const RunOutcome failed = RunKnobs(knobs, {.system_override = [](Cluster& c, const Knobs& k) {
                                       Status st = BuildSystem(c, k);
                                       c.Schedule(Time::Zero() + Millis(k.duration_ms / 2), "fail",
                                                  [](Cluster& cl) { cl.Fail("x", "y"); });
                                       return st;
                                     }});
  ASSERT_TRUE(failed.failed());
  EXPECT_FALSE(failed.history_jsonl.empty());
}

}  // namespace
}  // namespace pg::sim
