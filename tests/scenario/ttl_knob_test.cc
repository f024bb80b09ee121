// The knobs workload.ttl_fraction and ttl_s_max: the share of sets and multi_sets a Pegasus client
// writes with a TTL, drawn by the swarm in half its pegasus seeds, written wherever the system has
// it, and refused where no run would write one.
#include <gtest/gtest.h>

#include "tests/scenario/replica_knobs.h"

namespace pg::sim {
namespace {

TEST(TtlKnob, TheSwarmWritesTtlsInHalfThePegasusSeedsWithinItsBounds) {
  const Scenario swarm = PegasusSwarm();
  const Scenario reg = RegisterSwarm();
  int with_ttl = 0;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    const Knobs k = ResolveKnobs(swarm, seed);
    if (k.ttl_fraction > 0) {
      ++with_ttl;
      EXPECT_GE(k.ttl_fraction, 0.05);
      EXPECT_LE(k.ttl_fraction, 0.5);
      EXPECT_GE(k.ttl_s_max, 1);
      EXPECT_LE(k.ttl_s_max, 20);
    } else {
      EXPECT_EQ(k.ttl_s_max, 0);
    }
    auto back = KnobsFromJson(KnobsToJson(k), "verdict.json:knobs");
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->ttl_fraction, k.ttl_fraction) << "seed " << seed;
    EXPECT_EQ(back->ttl_s_max, k.ttl_s_max) << "seed " << seed;
    EXPECT_EQ(ResolveKnobs(reg, seed).ttl_fraction, 0);
  }
  EXPECT_GT(with_ttl, 70);
  EXPECT_LT(with_ttl, 130);
}

TEST(TtlKnob, AFileGivingAFractionAloneGetsTenSecondsAtMost) {
  const Knobs k = ResolveKnobs(
      ParseKnobScenario(R"({"name": "t", "system": "pegasus", "workload": {"ttl_fraction": 0.3}})"),
      1);
  EXPECT_EQ(k.ttl_fraction, 0.3);
  EXPECT_EQ(k.ttl_s_max, 10);
  const Knobs none = ResolveKnobs(ParseKnobScenario(R"({"name": "t", "system": "pegasus"})"), 1);
  EXPECT_EQ(none.ttl_fraction, 0);
  EXPECT_EQ(none.ttl_s_max, 0);
}

std::string TtlLoadError(const std::string& text) {
  auto s = ParseScenario(text, "ttl.json");
  return s.ok() ? "" : s.status().ToString();
}

TEST(TtlKnob, ATtlNoRunWouldWriteIsBadInputNamingItsPath) {
  const std::string reg =
      TtlLoadError(R"({"name": "t", "system": "register", "workload": {"ttl_fraction": 0.2}})");
  EXPECT_NE(reg.find("workload.ttl_fraction"), std::string::npos) << reg;
  const std::string alone =
      TtlLoadError(R"({"name": "t", "system": "pegasus", "workload": {"ttl_s_max": 3}})");
  EXPECT_NE(alone.find("workload.ttl_s_max"), std::string::npos) << alone;
  EXPECT_EQ(TtlLoadError(R"({"name": "t", "system": "pegasus", "swarm": true,
                          "workload": {"ttl_s_max": 3}})"),
            "");
  EXPECT_NE(TtlLoadError(R"({"name": "t", "system": "pegasus", "workload": {"ttl_fraction": 1.5}})")
                .find("workload.ttl_fraction"),
            std::string::npos);
}

}  // namespace
}  // namespace pg::sim
