// The fault kinds of a paused VM and of broken connections, from the file to the cluster: a
// "pause" whose clock is "frozen" reads behind by the pause after its resume until an NTP step
// (given or drawn), a "reset" breaks one link's or one node's connections; the loader refuses
// what they cannot mean, and the swarm draws freezes inside the lease margin and reset bursts.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "sim/scenario/knob_tables.h"
#include "sim/scenario/knobs.h"
#include "sim/scenario/timing_sets.h"
#include "tests/scenario/nemesis_harness.h"

namespace pg::sim {
namespace {

using nemesis_harness::At;
using nemesis_harness::Id;
using nemesis_harness::KnobsFor;
using nemesis_harness::LogHas;
using nemesis_harness::ParseWithFaults;

std::unique_ptr<Cluster> BuildIdle(const Knobs& k) {
  return nemesis_harness::BuildWith<nemesis_harness::IdleNode>(k);
}

TEST(FrozenPause, ResumesBehindByThePauseAndLeapsAfterTheGivenDelay) {
  auto c = BuildIdle(KnobsFor(R"([{"at_ms": 1000, "kind": "pause", "node": "replica/1",
      "duration_ms": 2000, "clock": "frozen", "leap_after_ms": 500}])"));
  const NodeId r1 = Id(*c, "replica/1");
  const Duration offset = c->LocalTime(r1) - Time::Zero();  // the node's drawn offset (0 here)
  c->RunUntil(At(3000));
  EXPECT_TRUE(LogHas(*c, 1000, "pause and freeze clock of replica/1"));
  EXPECT_TRUE(LogHas(*c, 3000, "clock behind by 2000.000ms"));
  EXPECT_EQ(c->LocalTime(r1), At(1000) + offset);  // the paused-at time
  c->RunUntil(At(3499));
  EXPECT_EQ(c->LocalTime(r1), At(1499) + offset);
  c->RunUntil(At(3500));
  EXPECT_TRUE(LogHas(*c, 3500, "leap clock of replica/1 by 2000.000ms"));
  EXPECT_EQ(c->LocalTime(r1), At(3500) + offset);
}

TEST(FrozenPause, WithoutAGivenDelayTheLeapIsDrawnWithinItsBound) {
  auto c = BuildIdle(KnobsFor(R"([{"at_ms": 100, "kind": "pause", "node": "meta/0",
      "duration_ms": 100, "clock": "frozen"}])"));
  c->RunUntil(At(200 + kDefaultLeapMaxMs));
  int leaps = 0;
  for (const auto& [at, what] : c->fault_log()) {
    if (!what.starts_with("leap clock of meta/0 by 100.000ms")) continue;
    ++leaps;
    EXPECT_GE(at, At(200));
    EXPECT_LE(at, At(200 + kDefaultLeapMaxMs));
  }
  EXPECT_EQ(leaps, 1);
}

TEST(FrozenPause, ARunningPauseIsWrittenAsBefore) {
  const Knobs k = KnobsFor(R"([{"at_ms": 1, "kind": "pause", "node": "meta/0",
      "duration_ms": 5}])");
  EXPECT_EQ(FaultToJson(k.faults.at(0)).dump(),
            R"({"at_ms":1,"duration_ms":5,"kind":"pause","node":"meta/0"})");
  const Knobs frozen = KnobsFor(R"([{"at_ms": 1, "kind": "pause", "node": "meta/0",
      "duration_ms": 5, "clock": "frozen", "leap_after_ms": 0}])");
  EXPECT_EQ(FaultToJson(frozen.faults.at(0)).dump(),
            R"({"at_ms":1,"clock":"frozen","duration_ms":5,"kind":"pause","leap_after_ms":0,)"
            R"("node":"meta/0"})");
}

TEST(ResetFault, ALinkOrANodeReachesTheCluster) {
  auto c = BuildIdle(KnobsFor(R"([{"at_ms": 100, "kind": "reset", "from": "client/1",
      "to": "replica/2"}, {"at_ms": 200, "kind": "reset", "node": "meta/0"}])"));
  c->RunUntil(At(300));
  EXPECT_TRUE(LogHas(*c, 100, "reset connections of client/1 and replica/2"));
  EXPECT_TRUE(LogHas(*c, 200, "reset connections of meta/0"));
}

// The loader's errors name the file, the path, and what was expected.
std::string ErrorOf(const std::string& faults) {
  auto s = ParseWithFaults(faults, "", "f.json");
  return s.ok() ? "" : s.status().ToString();
}

TEST(FrozenPauseAndResetLoader, RefuseWhatTheyCannotMean) {
  EXPECT_NE(ErrorOf(R"([{"at_ms": 1, "kind": "pause", "node": "meta/0", "duration_ms": 5,
      "clock": "stopped"}])")
                .find(R"(f.json: $.faults[0].clock: expected one of "runs", "frozen")"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"([{"at_ms": 1, "kind": "pause", "node": "meta/0", "duration_ms": 5,
      "leap_after_ms": 10}])")
                .find(R"(f.json: $.faults[0].leap_after_ms: expected leap_after_ms only with)"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"([{"at_ms": 1, "kind": "pause", "node": "meta/0", "duration_ms": 5,
      "clock": "frozen", "leap_after_ms": -1}])")
                .find("f.json: $.faults[0].leap_after_ms: expected an integer in [0, "),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"([{"at_ms": 1, "kind": "reset"}])")
                .find(R"(f.json: $.faults[0]: expected either "node" or both "from" and "to")"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"([{"at_ms": 1, "kind": "reset", "from": "meta/0", "to": "meta/0"}])")
                .find(R"(f.json: $.faults[0].to: expected a node other than "from")"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"([{"at_ms": 1, "kind": "reset", "node": "replica/9"}])")
                .find("f.json: $.faults[0].node: expected one of"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"([{"at_ms": 1, "kind": "reset", "node": "meta/0", "duration_ms": 5}])")
                .find("f.json: $.faults[0].duration_ms"),
            std::string::npos);
}

const Scenario& FreezeSwarmOf(const std::string& system) {
  static std::map<std::string, Scenario> cache;
  auto it = cache.find(system);
  if (it != cache.end()) return it->second;
  auto s = ParseScenario(
      R"({"name": "s", "swarm": true, "duration_ms": 40000, "system": ")" + system + R"("})",
      "s.json");
  PG_ASSERT(s.ok(), "{}", s.status().ToString());
  return cache.emplace(system, std::move(s).value()).first->second;
}

TEST(FrozenPauseSwarm, FreezesStayInsideTheLeaseMarginAndOffLockHoldingMetas) {
  int frozen = 0;
  int resets = 0;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    SCOPED_TRACE(seed);
    const Knobs k = ResolveKnobs(FreezeSwarmOf("pegasus"), seed);
    int64_t frozen_ms = 0;
    for (const Fault& f : k.faults) {
      if (std::holds_alternative<ResetFault>(f.action)) ++resets;
      const auto* p = std::get_if<PauseFault>(&f.action);
      if (p == nullptr || p->clock != "frozen") continue;
      ++frozen;
      frozen_ms += p->duration_ms;
      EXPECT_FALSE(p->node.starts_with("meta/") && k.meta_servers > 1) << p->node;
      ASSERT_TRUE(p->leap_after_ms.has_value());
      EXPECT_LE(f.at_ms + p->duration_ms + *p->leap_after_ms, k.duration_ms);
    }
    EXPECT_LE(frozen_ms, ClockFreezeBudgetMs(TimingSetNamed(k.timing)));
  }
  EXPECT_GT(frozen, 30);  // drawn at a steady rate: about one run in four
  EXPECT_GT(resets, 30);
}

TEST(FrozenPauseSwarm, TheRegisterSystemFreezesForTheWholeEpisode) {
  int64_t longest = 0;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    const Knobs k = ResolveKnobs(FreezeSwarmOf("register"), seed);
    for (const Fault& f : k.faults) {
      const auto* p = std::get_if<PauseFault>(&f.action);
      if (p != nullptr && p->clock == "frozen") longest = std::max(longest, p->duration_ms);
    }
  }
  EXPECT_GT(longest, ClockFreezeBudgetMs(TimingSetNamed("pegasim")));  // no lease: no bound
}

}  // namespace
}  // namespace pg::sim
