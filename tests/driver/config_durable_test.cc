// Invariant config_durable (sim/pegasus/pegasus_invariants.h): no replica holds a ballot above its
// partition's in the leading meta's table. The scenario's meta disk lies about syncs and then
// loses power; the same run with an honest disk must stay green, so the invariant fires on the
// lost configurations and on nothing else the run does.
#include <gtest/gtest.h>

#include <variant>

#include "sim/driver/runner.h"

namespace pg::sim {
namespace {

Knobs LyingMetaDiskKnobs(uint64_t seed) {
  Result<Scenario> s =
      LoadScenario(std::string(PG_SOURCE_DIR "/scenarios/pegasus/lying_sync_power_loss.json"));
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return ResolveKnobs(*s, seed);
}

// The same faults with the disk's syncs honest: the power loss keeps what was synced.
Knobs WithHonestSyncs(Knobs k) {
  int lies = 0;
  for (Fault& f : k.faults) {
    if (auto* d = std::get_if<DiskErrorsFault>(&f.action); d != nullptr && d->lying_sync) {
      d->lying_sync = false;
      d->sync_error_probability = 0;  // a disk_errors fault names at least one kind
      ++lies;
    }
  }
  EXPECT_EQ(lies, 1);
  return k;
}

TEST(ConfigDurable, AMetaThatLostDurableConfigurationsIsCaught) {
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    const RunOutcome lied = RunKnobs(LyingMetaDiskKnobs(seed), {});
    ASSERT_TRUE(lied.failed()) << "seed " << seed;
    EXPECT_EQ(lied.failure->kind, "invariant:config_durable") << lied.failure->detail;
    EXPECT_NE(lied.failure->detail.find("above the ballot"), std::string::npos);
  }
}

TEST(ConfigDurable, TheSameRunWithAnHonestDiskIsGreen) {
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    const RunOutcome honest = RunKnobs(WithHonestSyncs(LyingMetaDiskKnobs(seed)), {});
    EXPECT_FALSE(honest.failed()) << "seed " << seed << ": " << honest.failure->kind << ": "
                                  << honest.failure->detail;
  }
}

}  // namespace
}  // namespace pg::sim
