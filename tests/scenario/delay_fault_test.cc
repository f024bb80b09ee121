// The "delay" fault: the loader's grammar, its round trip through a verdict's knobs, the
// nemesis's rule and its end, and the swarm's draw of it within lease-scaled bounds.
#include <gtest/gtest.h>

#include "sim/scenario/knobs.h"
#include "sim/scenario/nemesis.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/swarm_faults.h"
#include "sim/scenario/system_parts.h"
#include "tests/scenario/nemesis_harness.h"

namespace pg::sim {
namespace {

Knobs DelayKnobs(const std::string& faults_json) {
  auto s = ParseScenario(R"({"name": "d", "duration_ms": 20000, "faults": )" + faults_json + "}",
                         "delay.json");
  PG_ASSERT(s.ok(), "{}", s.status().ToString());
  return ResolveKnobs(*s, 1);
}

TEST(DelayFault, DefaultsAndScopes) {
  const Knobs k = DelayKnobs(R"([
    {"at_ms": 100, "kind": "delay", "delay_ms": 9000, "duration_ms": 1000},
    {"at_ms": 200, "kind": "delay", "node": "meta/0", "class": "control", "mode": "hold",
     "probability": 0.5, "duration_ms": 2000},
    {"at_ms": 300, "kind": "delay", "from": "replica/0", "to": "meta/0", "class": "data",
     "delay_ms": 5, "duration_ms": 3000}])");
  ASSERT_EQ(k.faults.size(), 3u);
  EXPECT_EQ(std::get<DelayFault>(k.faults[0].action),
            (DelayFault{.delay_ms = 9000, .duration_ms = 1000}));
  EXPECT_EQ(std::get<DelayFault>(k.faults[1].action), (DelayFault{.node = "meta/0",
                                                                  .message_class = "control",
                                                                  .probability = 0.5,
                                                                  .mode = "hold",
                                                                  .duration_ms = 2000}));
  const auto& link = std::get<DelayFault>(k.faults[2].action);
  EXPECT_EQ(link.from, "replica/0");
  EXPECT_EQ(link.to, "meta/0");
  EXPECT_EQ(FaultNodes(k.faults[2].action), (std::vector<std::string>{"replica/0", "meta/0"}));
}

TEST(DelayFault, RoundTripsThroughKnobs) {
  const Knobs k = DelayKnobs(
      R"([{"at_ms": 200, "kind": "delay", "node": "replica/1", "class": "control",
           "mode": "hold", "probability": 0.25, "duration_ms": 2000}])");
  auto back = KnobsFromJson(KnobsToJson(k), "verdict.json");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->faults, k.faults);
}

TEST(DelayFault, TheNemesisAddsTheRuleAndEndsIt) {
  const Knobs k = DelayKnobs(
      R"([{"at_ms": 1000, "kind": "delay", "node": "replica/1", "class": "control",
           "delay_ms": 4000, "duration_ms": 2000}])");
  Cluster c(ClusterOptions{.seed = 1, .default_link = LinkConfigFromKnobs(k)});
  for (const std::string& name : NodeNames(k)) {
    c.AddNode(name, [](const NodeEnv&) { return std::make_unique<nemesis_harness::IdleNode>(); });
  }
  c.Start();
  ScheduleFaults(c, k);
  c.RunUntil(Time::Zero() + Millis(5000));
  std::vector<std::string> log;
  for (const auto& [at, what] : c.fault_log()) log.push_back(what);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0], "delay: control messages on replica/1, chance 1, up to 4000.000ms more");
  EXPECT_EQ(c.fault_log()[1].first, Time::Zero() + Millis(3000));
  EXPECT_EQ(log[1], "delay 1 end");
}

// The swarm draws delays in units of lease + grace, every kind of scope, class and mode, and
// keeps them out of the liveness phase: a hold ends by duration_ms, a straggler arrives by
// duration_ms + liveness_ms / 3.
TEST(DelayFault, TheSwarmDrawsLeaseScaledDelays) {
  auto s = ParseScenario(
      R"({"name": "s", "system": "pegasus", "swarm": true, "duration_ms": 40000,
          "liveness_ms": 30000})",
      "swarm.json");
  ASSERT_TRUE(s.ok());
  int holds = 0, straggles = 0, control = 0, links = 0, beyond_unit = 0;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    const Knobs k = ResolveKnobs(*s, seed);
    const int64_t unit = DelayUnitMs(k);
    EXPECT_EQ(unit, k.timing == "upstream" ? 42000 : 12000);  // lease + grace of the set drawn
    for (const Fault& f : k.faults) {
      const auto* d = std::get_if<DelayFault>(&f.action);
      if (d == nullptr) continue;
      control += d->message_class == "control";
      links += d->from.has_value();
      if (d->mode == "hold") {
        ++holds;
        EXPECT_LE(d->duration_ms, 3 * unit);
        EXPECT_LE(f.at_ms + d->duration_ms, k.duration_ms);
        beyond_unit += d->duration_ms > unit;
      } else {
        ++straggles;
        ASSERT_TRUE(d->delay_ms.has_value());
        EXPECT_LE(*d->delay_ms, 3 * unit);
        EXPECT_LE(f.at_ms + d->duration_ms + *d->delay_ms, k.duration_ms + k.liveness_ms / 3);
        beyond_unit += *d->delay_ms > unit;
      }
    }
  }
  EXPECT_GT(holds, 20);
  EXPECT_GT(straggles, 40);
  EXPECT_GT(control, 30);
  EXPECT_GT(links, 10);
  EXPECT_GT(beyond_unit, 10);
}

}  // namespace
}  // namespace pg::sim
