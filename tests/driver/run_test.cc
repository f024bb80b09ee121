// One run end to end: determinism of the trace hash, every verdict key of DESIGN.md §4, and that
// every register scenario is green on its seeds.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "sim/driver/runner.h"
#include "sim/driver/sweep.h"
#include "sim/driver/verdict.h"

namespace pg::sim {
namespace {

Scenario Load(const std::string& name) {
  Result<Scenario> s = LoadScenario(std::string(PG_SOURCE_DIR "/scenarios/register/") + name);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return *s;
}

TEST(Run, SameKnobsGiveTheSameTraceHashAndDifferentSeedsDiffer) {
  const Scenario s = Load("swarm.json");
  std::set<uint64_t> hashes;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    const RunOutcome a = RunKnobs(ResolveKnobs(s, seed), {.history_jsonl = true});
    const RunOutcome b =
        RunKnobs(ResolveKnobs(s, seed), {.record_trace = true, .history_jsonl = true});
    EXPECT_EQ(a.trace_hash, b.trace_hash)
        << "seed " << seed << " (trace recording changed the run)";
    EXPECT_EQ(a.history_jsonl, b.history_jsonl);
    EXPECT_FALSE(a.history_jsonl.empty());
    EXPECT_GE(b.trace.size(), b.events);  // every event, plus the nemesis's actions
    hashes.insert(a.trace_hash);
  }
  EXPECT_EQ(hashes.size(), 20u) << "different seeds gave the same run";
}

TEST(Run, VerdictCarriesEveryKeyOfTheFormat) {
  const Scenario s = Load("lossy_network.json");
  const auto v = VerdictJson(s, RunKnobs(ResolveKnobs(s, 3), {}));
  for (const char* key :
       {"scenario", "seed", "revision", "knobs", "trace_hash", "events", "sim_time_ms", "wall_ms",
        "verdict", "failure", "checker", "faults", "marks", "replay"}) {
    EXPECT_TRUE(v.contains(key)) << key;
  }
  EXPECT_EQ(v["verdict"], "ok");
  EXPECT_EQ(v["replay"], "pegasim run " + s.path + " --seed 3");
  EXPECT_EQ(v["checker"]["verdict"], "ok");
  // Each fault entry: when, what, and how many effects it had (a number, always written).
  ASSERT_FALSE(v["faults"].empty());
  for (const auto& f : v["faults"]) {
    EXPECT_EQ(f.size(), 3u) << f.dump();
    EXPECT_TRUE(f["at_ms"].is_number()) << f.dump();
    EXPECT_TRUE(f["what"].is_string()) << f.dump();
    EXPECT_TRUE(f["effects"].is_number_unsigned()) << f.dump();
  }
}

// The counts observe a run: the same seed gives the same effects and credited marks.
TEST(Run, FaultEffectsAreAFunctionOfTheSeed) {
  const Scenario s = Load("swarm.json");
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    const RunOutcome a = RunKnobs(ResolveKnobs(s, seed), {});
    const RunOutcome b = RunKnobs(ResolveKnobs(s, seed), {.record_trace = true});
    EXPECT_EQ(a.fault_effects, b.fault_effects) << "seed " << seed;
    EXPECT_EQ(a.mark_faults, b.mark_faults) << "seed " << seed;
    EXPECT_EQ(a.fault_effects.size(), a.faults.size()) << "seed " << seed;
  }
}

// The `disk` section's latencies were once parsed, recorded in every verdict and never applied:
// every run's disk took its built-in 1 ms whatever the scenario said. A slow log must slow the run.
TEST(Run, TheDiskSectionSetsTheDisksLatency) {
  Result<Scenario> s = LoadScenario(PG_SOURCE_DIR "/scenarios/pegasus/steady.json");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  Knobs fast = ResolveKnobs(*s, 1);
  fast.write_latency_ms_mean = 0.1;
  fast.sync_latency_ms_mean = 0.1;
  fast.ops = 1'000'000;  // more than either run finishes: the disk alone sets the pace
  Knobs slow = fast;
  slow.write_latency_ms_mean = 40;
  const RunOutcome f = RunKnobs(fast, {});
  const RunOutcome w = RunKnobs(slow, {.record_trace = true});
  ASSERT_FALSE(f.failed()) << f.failure->detail;
  ASSERT_FALSE(w.failed()) << w.failure->detail;
  EXPECT_NE(f.trace_hash, w.trace_hash);
  // Each write waits for two log appends, one after the other on a client's path.
  EXPECT_LT(w.operations * 3, f.operations * 2)
      << "fast disk " << f.operations << " operations, slow disk " << w.operations;
  bool logged = false;
  for (const auto& line : w.trace) {
    logged = logged || line.what.find("set disk latency: write 40.000ms") != std::string::npos;
  }
  EXPECT_TRUE(logged) << "the disk's latency is a nemesis setting, in the trace";
}

TEST(Run, EveryRegisterScenarioIsGreen) {
  for (const auto& entry :
       std::filesystem::directory_iterator(PG_SOURCE_DIR "/scenarios/register")) {
    const Scenario s = Load(entry.path().filename().string());
    for (uint64_t seed = 1; seed <= 5; ++seed) {
      const RunOutcome o = RunKnobs(ResolveKnobs(s, seed), {});
      EXPECT_FALSE(o.failed()) << s.path << " seed " << seed << ": " << o.failure->kind << ": "
                               << o.failure->detail;
      EXPECT_TRUE(CheckExpectation(s, o).met);
    }
  }
}

TEST(Run, AnUnavailableSystemFailsSetupWithoutCrashing) {
  Scenario s = Load("steady.json");
  s.system = "no_such_system";
  const RunOutcome o = RunKnobs(ResolveKnobs(s, 1), {});
  ASSERT_TRUE(o.failed());
  EXPECT_EQ(o.failure->kind, "setup");
}

}  // namespace
}  // namespace pg::sim
