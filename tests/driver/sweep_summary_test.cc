// The sweep summary's fault effects and protocol paths: tallied from run records, written to
// summary.json, read back strictly, added up across shards and shown in SUMMARY.md.
#include "sim/driver/sweep_summary.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace pg::sim {
namespace {

RunRecord RunOf(uint64_t seed, std::vector<std::string> kinds, std::vector<uint64_t> effects,
                std::map<std::string, std::set<std::string>> fault_marks) {
  RunRecord r{.scenario = "s.json", .seed = seed, .faults = kinds.size()};
  r.fault_kinds = std::move(kinds);
  r.fault_effects = std::move(effects);
  r.fault_marks = std::move(fault_marks);
  return r;
}

SweepTally Tally(std::vector<RunRecord> runs, uint64_t first_seed, uint64_t last_seed,
                 Shard shard = {}) {
  SweepResult result{.runs = std::move(runs)};
  SweepOptions options{.scenario_paths = {"s.json"},
                       .seeds = {.first = first_seed, .last = last_seed},
                       .shard = shard};
  return TallyOf(result, options);
}

SweepTally TwoRuns() {
  return Tally({RunOf(1, {"partition", "crash (machine)", "partition"}, {3, 1, 0},
                      {{"partition", {"m.a", "m.b"}}, {kNoFaultKind, {"m.a"}}}),
                RunOf(2, {"partition", "pause (ignored)"}, {5, 0},
                      {{"partition", {"m.a"}}, {"crash (machine)", {"m.c"}}})},
               1, 2);
}

TEST(SweepSummary, ACrashTriggersEntriesAreKindsOfTheirOwn) {
  EXPECT_EQ(FaultKind("crash trigger 3 armed: replica/1 (machine) on mark learn.start until 9s"),
            "crash trigger armed");
  EXPECT_EQ(FaultKind("crash trigger 3 fired: crash replica/1 (machine) on mark learn.start"),
            "crash trigger fired");
  EXPECT_EQ(FaultKind("crash trigger 3 expired: replica/1 never emitted learn.start; no crash"),
            "crash trigger expired");
  EXPECT_EQ(FaultKind("crash trigger 3 fired on replica/1 (learn.start): ignored, already down"),
            "crash trigger fired (ignored)");
  EXPECT_EQ(FaultKind("crash trigger 3 on unknown node 9 ignored"), "crash trigger (ignored)");
  EXPECT_EQ(FaultKind("crash replica/1 (machine)"), "crash (machine)");
  EXPECT_EQ(FaultKind("delay 4 end"), "delay end");
}

TEST(SweepSummary, CountsFaultsThatTookEffectAndTheirEffectsPerKind) {
  const SweepTally t = TwoRuns();
  EXPECT_EQ(t.fault_kinds.at("partition"), 3u);
  EXPECT_EQ(t.fault_effects.at("partition"), (FaultKindEffects{.took_effect = 2, .effects = 8}));
  EXPECT_EQ(t.fault_effects.at("crash (machine)"),
            (FaultKindEffects{.took_effect = 1, .effects = 1}));
  // A kind injected and never taking effect is listed with zeros, not left out.
  EXPECT_EQ(t.fault_effects.at("pause (ignored)"), FaultKindEffects{});
  // Runs per (kind, mark).
  EXPECT_EQ(t.fault_marks.at("partition").at("m.a"), 2u);
  EXPECT_EQ(t.fault_marks.at("partition").at("m.b"), 1u);
  EXPECT_EQ(t.fault_marks.at(kNoFaultKind).at("m.a"), 1u);
  EXPECT_EQ(t.fault_marks.at("crash (machine)").at("m.c"), 1u);
}

TEST(SweepSummary, TheJsonReadsBackToTheSameTally) {
  const SweepTally t = TwoRuns();
  const nlohmann::json j = SummaryJson(t);
  EXPECT_EQ(j["fault_effects"]["partition"]["took_effect"], 2);
  EXPECT_EQ(j["fault_effects"]["partition"]["effects"], 8);
  EXPECT_EQ(j["fault_marks"]["partition"]["m.a"], 2);
  Result<SweepTally> back = TallyFromJson(j, "summary.json");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->fault_kinds, t.fault_kinds);
  EXPECT_EQ(back->fault_effects, t.fault_effects);
  EXPECT_EQ(back->fault_marks, t.fault_marks);
  EXPECT_EQ(nlohmann::json(SummaryJson(*back)).dump(), j.dump());
}

TEST(SweepSummary, TheNewKeysAreReadStrictly) {
  const nlohmann::json good = SummaryJson(TwoRuns());
  nlohmann::json missing = good;
  missing.erase("fault_effects");  // a summary.json written before effects were counted
  Result<SweepTally> r = TallyFromJson(missing, "old.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("old.json"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("$.fault_effects"), std::string::npos)
      << r.status().message();
  nlohmann::json mistyped = good;
  mistyped["fault_effects"]["partition"]["effects"] = "8";
  r = TallyFromJson(mistyped, "bad.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("$.fault_effects.partition.effects"), std::string::npos)
      << r.status().message();
  nlohmann::json extra = good;
  extra["fault_effects"]["partition"]["dropped"] = 1;
  EXPECT_FALSE(TallyFromJson(extra, "extra.json").ok());
  nlohmann::json marks = good;
  marks["fault_marks"]["partition"] = nlohmann::json::array();
  r = TallyFromJson(marks, "marks.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("$.fault_marks.partition"), std::string::npos)
      << r.status().message();
}

TEST(SweepSummary, ShardsAddUpToTheWholeSweep) {
  const RunRecord one = RunOf(1, {"partition", "crash (machine)"}, {3, 1},
                              {{"partition", {"m.a"}}, {kNoFaultKind, {"m.a"}}});
  const RunRecord two = RunOf(2, {"partition", "clog"}, {0, 7}, {{"clog", {"m.a", "m.b"}}});
  const SweepTally whole = Tally({one, two}, 1, 2);
  // Shard K/2 holds the seeds with seed % 2 == K; each goes through its JSON, as merge reads it.
  std::vector<SweepTally> shards;
  for (const auto& [run, k] : {std::pair{two, 0u}, std::pair{one, 1u}}) {
    Result<SweepTally> read =
        TallyFromJson(SummaryJson(Tally({run}, 1, 2, {.index = k, .count = 2})), "shard");
    ASSERT_TRUE(read.ok()) << read.status().message();
    shards.push_back(*read);
  }
  Result<SweepTally> merged = MergeTallies(shards, {"shard0", "shard1"});
  ASSERT_TRUE(merged.ok()) << merged.status().message();
  EXPECT_EQ(merged->fault_effects, whole.fault_effects);
  EXPECT_EQ(merged->fault_marks, whole.fault_marks);
  EXPECT_EQ(merged->fault_effects.at("partition"),
            (FaultKindEffects{.took_effect = 1, .effects = 3}));
}

TEST(SweepSummary, TheMarkdownShowsEffectsAndPathsPerKind) {
  const std::string md = SummaryMarkdown(TwoRuns());
  EXPECT_NE(md.find("| kind | injected | took effect | effects |"), std::string::npos) << md;
  EXPECT_NE(md.find("| `partition` | 3 | 2 | 8 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| `pause (ignored)` | 1 | 0 | 0 |"), std::string::npos) << md;
  EXPECT_NE(md.find("## Protocol paths reached"), std::string::npos) << md;
  EXPECT_NE(md.find("| `partition` | 2 | `m.a` 2, `m.b` 1 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| `crash (machine)` | 1 | `m.c` 1 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| `(no fault)` | 1 | `m.a` 1 |"), std::string::npos) << md;
  EXPECT_EQ(md.find("Marks every fault kind reached"), std::string::npos) << md;  // none in common
}

TEST(SweepSummary, MarksEveryKindReachedAreNamedOnceAboveTheRows) {
  const std::string md = SummaryMarkdown(
      Tally({RunOf(1, {"partition", "clog"}, {1, 1},
                   {{"partition", {"m.a", "m.b"}}, {"clog", {"m.a"}}, {kNoFaultKind, {"m.a"}}})},
            1, 1));
  EXPECT_NE(md.find("Marks every fault kind reached, left out of the rows below (1): `m.a`."),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| `partition` | 2 | `m.b` 1 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| `clog` | 1 |  |"), std::string::npos) << md;
  EXPECT_NE(md.find("| `(no fault)` | 1 | `m.a` 1 |"), std::string::npos) << md;
  const std::string text = SummaryText(TwoRuns());
  EXPECT_NE(text.find("faults injected: 5  took effect: 3  effects: 9"), std::string::npos) << text;
}

}  // namespace
}  // namespace pg::sim
