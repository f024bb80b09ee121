// The scans of the mix (scan, full_scan): drawn by the swarm last of all (draw 37) for pegasus,
// never for a system whose clients do not scan, and left to the file when it gives a mix.
#include <gtest/gtest.h>

#include "tests/scenario/replica_knobs.h"

namespace pg::sim {
namespace {

TEST(ScanKnob, TheSwarmDrawsScansInThreeOfFourPegasusSeedsWithinTheirBounds) {
  const Scenario swarm = PegasusSwarm();
  const Scenario reg = RegisterSwarm();
  int scanning = 0;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    const Knobs k = ResolveKnobs(swarm, seed);
    const double scan = k.mix.at("scan");
    const double full = k.mix.at("full_scan");
    for (double w : {scan, full}) {
      EXPECT_TRUE(w == 0 || (w >= 1 && w <= 4 && w == static_cast<int>(w))) << "seed " << seed;
    }
    if (scan > 0 || full > 0) ++scanning;
    auto back = KnobsFromJson(KnobsToJson(k), "verdict.json:knobs");
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->mix, k.mix) << "seed " << seed;
    const Knobs r = ResolveKnobs(reg, seed);
    EXPECT_EQ(r.mix.at("scan"), 0) << "seed " << seed;
    EXPECT_EQ(r.mix.at("full_scan"), 0) << "seed " << seed;
  }
  EXPECT_GT(scanning, 125);
  EXPECT_LT(scanning, 175);
}

TEST(ScanKnob, AFileMixIsTakenWholeAndTheDefaultHasNoScans) {
  const Scenario given = ParseKnobScenario(
      R"({"name": "s", "system": "pegasus", "swarm": true, "workload": {"mix": {"get": 1}}})");
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    const Knobs k = ResolveKnobs(given, seed);
    EXPECT_EQ(k.mix.at("scan"), 0) << "seed " << seed;
    EXPECT_EQ(k.mix.at("full_scan"), 0) << "seed " << seed;
  }
  const Knobs named = ResolveKnobs(
      ParseKnobScenario(
          R"({"name": "s", "system": "pegasus", "workload": {"mix": {"set": 1, "full_scan": 2}}})"),
      1);
  EXPECT_EQ(named.mix.at("full_scan"), 2);
  EXPECT_EQ(named.mix.at("scan"), 0);
  const Knobs plain = ResolveKnobs(ParseKnobScenario(R"({"name": "s", "system": "pegasus"})"), 1);
  EXPECT_EQ(plain.mix.at("scan"), 0);
  EXPECT_EQ(plain.mix.at("full_scan"), 0);
}

}  // namespace
}  // namespace pg::sim
