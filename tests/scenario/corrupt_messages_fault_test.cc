// The "corrupt_messages" fault: the loader's grammar and defaults, its round trip through a
// verdict's knobs, the nemesis's rule and its end, and the swarm's draw of it with a lossy spell.
#include <gtest/gtest.h>

#include "sim/scenario/knob_tables.h"
#include "sim/scenario/knobs.h"
#include "sim/scenario/nemesis.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/system_parts.h"
#include "tests/scenario/nemesis_harness.h"

namespace pg::sim {
namespace {

Knobs CorruptKnobs(const std::string& faults_json) {
  auto s = ParseScenario(R"({"name": "c", "duration_ms": 20000, "faults": )" + faults_json + "}",
                         "corrupt.json");
  PG_ASSERT(s.ok(), "{}", s.status().ToString());
  return ResolveKnobs(*s, 1);
}

TEST(CorruptMessagesFault, DefaultsAndScopes) {
  const Knobs k = CorruptKnobs(R"([
    {"at_ms": 100, "kind": "corrupt_messages", "probability": 0.1, "duration_ms": 1000},
    {"at_ms": 200, "kind": "corrupt_messages", "node": "meta/0", "class": "control",
     "probability": 1, "bits_max": 8, "duration_ms": 2000},
    {"at_ms": 300, "kind": "corrupt_messages", "from": "replica/0", "to": "meta/0",
     "class": "data", "probability": 0.5, "duration_ms": 3000}])");
  ASSERT_EQ(k.faults.size(), 3u);
  EXPECT_EQ(std::get<CorruptMessagesFault>(k.faults[0].action),
            (CorruptMessagesFault{.probability = 0.1, .bits_max = 3, .duration_ms = 1000}));
  EXPECT_EQ(std::get<CorruptMessagesFault>(k.faults[1].action),
            (CorruptMessagesFault{.node = "meta/0",
                                  .message_class = "control",
                                  .probability = 1,
                                  .bits_max = 8,
                                  .duration_ms = 2000}));
  EXPECT_EQ(FaultKind(k.faults[2].action), "corrupt_messages");
  EXPECT_EQ(FaultNodes(k.faults[2].action), (std::vector<std::string>{"replica/0", "meta/0"}));
}

TEST(CorruptMessagesFault, RoundTripsThroughKnobs) {
  const Knobs k = CorruptKnobs(
      R"([{"at_ms": 200, "kind": "corrupt_messages", "from": "replica/1", "to": "replica/2",
           "class": "control", "probability": 0.25, "bits_max": 2, "duration_ms": 2000}])");
  auto back = KnobsFromJson(KnobsToJson(k), "verdict.json");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->faults, k.faults);
}

TEST(CorruptMessagesFault, TheNemesisAddsTheRuleAndEndsIt) {
  const Knobs k = CorruptKnobs(
      R"([{"at_ms": 1000, "kind": "corrupt_messages", "from": "replica/1", "to": "replica/0",
           "class": "data", "probability": 0.5, "duration_ms": 2000}])");
  Cluster c(ClusterOptions{.seed = 1, .default_link = LinkConfigFromKnobs(k)});
  for (const std::string& name : NodeNames(k)) {
    c.AddNode(name, [](const NodeEnv&) { return std::make_unique<nemesis_harness::IdleNode>(); });
  }
  c.Start();
  ScheduleFaults(c, k);
  c.RunUntil(Time::Zero() + Millis(5000));
  ASSERT_EQ(c.fault_log().size(), 2u);
  EXPECT_EQ(c.fault_log()[0].second,
            "corrupt frames: data messages on replica/1->replica/0, chance 0.5, 1..3 bits");
  EXPECT_EQ(c.fault_log()[1].first, Time::Zero() + Millis(3000));
  EXPECT_EQ(c.fault_log()[1].second, "corrupt frames 1 end");
}

// The swarm draws corruption with half its lossy spells, for the spell, on every link, within
// SwarmBounds; a spell without it draws no more.
TEST(CorruptMessagesFault, TheSwarmDrawsItWithHalfTheLossySpells) {
  auto s = ParseScenario(R"({"name": "s", "system": "pegasus", "swarm": true})", "swarm.json");
  ASSERT_TRUE(s.ok());
  int spells = 0, corrupt = 0, many_bits = 0;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    const Knobs k = ResolveKnobs(*s, seed);
    for (size_t i = 0; i < k.faults.size(); ++i) {
      spells += std::holds_alternative<NetworkFault>(k.faults[i].action);
      const auto* c = std::get_if<CorruptMessagesFault>(&k.faults[i].action);
      if (c == nullptr) continue;
      ++corrupt;
      ASSERT_GT(i, 0u);
      const auto* spell = std::get_if<NetworkFault>(&k.faults[i - 1].action);
      ASSERT_NE(spell, nullptr) << "drawn right after its spell";
      EXPECT_EQ(k.faults[i - 1].at_ms, k.faults[i].at_ms);
      EXPECT_EQ(spell->duration_ms, c->duration_ms);
      EXPECT_TRUE(SwarmBounds::kSpellCorruptProbability.Contains(c->probability));
      EXPECT_TRUE(SwarmBounds::kSpellCorruptBitsMax.Contains(c->bits_max));
      EXPECT_FALSE(c->node || c->from || c->to);
      EXPECT_EQ(c->message_class, "all");
      many_bits += c->bits_max > 3;
    }
  }
  EXPECT_GT(spells, 100);
  EXPECT_GT(corrupt, spells / 3);
  EXPECT_LT(corrupt, spells * 2 / 3);
  EXPECT_GT(many_bits, 10);
}

}  // namespace
}  // namespace pg::sim
