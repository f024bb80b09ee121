// The liveness phase (sim/driver/runner.cc, pegasus_liveness.h): after duration_ms every fault
// heals, and the system's liveness condition must hold within liveness_ms, or the run fails with
// kind "liveness".
#include <gtest/gtest.h>

#include "sim/driver/runner.h"
#include "sim/pegasus/pegasus_system.h"

namespace pg::sim {
namespace {

Knobs KnobsOf(const std::string& file, uint64_t seed, int64_t liveness_ms) {
  Result<Scenario> s = LoadScenario(PG_SOURCE_DIR "/scenarios/pegasus/" + file);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  Knobs k = ResolveKnobs(*s, seed);
  k.liveness_ms = liveness_ms;
  return k;
}

TEST(LivenessPhase, AfterAPermanentCrashTheHealRestartsTheNodeAndTheGroupsAreWholeAgain) {
  const Knobs k = KnobsOf("primary_crash.json", 1, 30000);
  const RunOutcome out = RunKnobs(k, {});
  ASSERT_FALSE(out.failed()) << out.failure->kind << ": " << out.failure->detail;
  // replica/0 lost power at 10 s for good; the heal at duration_ms restarts it.
  bool restarted = false;
  for (const auto& [at, label] : out.faults) {
    restarted = restarted || (at == Time::Zero() + Millis(k.duration_ms) &&
                              label.find("restart replica/0") != std::string::npos);
  }
  EXPECT_TRUE(restarted);
  EXPECT_GT(out.sim_time_ms, k.duration_ms) << "the phase ran";
  EXPECT_LT(out.sim_time_ms, k.duration_ms + k.liveness_ms) << "and ended once live";
}

TEST(LivenessPhase, ASystemThatNeverRecoversFailsWithKindLiveness) {
  RunOptions options;
  options.system_override = [](Cluster& cluster, const Knobs& knobs) {
    Status s = BuildPegasusSystem(cluster, knobs);
    cluster.SetLivenessCondition(
        [](const Cluster&, Time) { return Cluster::LivenessCheck{.problem = "stuck (planted)"}; });
    return s;
  };
  const Knobs k = KnobsOf("steady.json", 1, 5000);
  const RunOutcome out = RunKnobs(k, options);
  ASSERT_TRUE(out.failed());
  EXPECT_EQ(out.failure->kind, "liveness");
  EXPECT_NE(out.failure->detail.find("stuck (planted)"), std::string::npos);
  EXPECT_EQ(out.sim_time_ms, k.duration_ms + k.liveness_ms);
}

TEST(LivenessPhase, WithoutLivenessMsTheRunEndsAtItsDuration) {
  const Knobs k = KnobsOf("steady.json", 1, 0);
  const RunOutcome out = RunKnobs(k, {});
  ASSERT_FALSE(out.failed());
  EXPECT_EQ(out.sim_time_ms, k.duration_ms);
}

}  // namespace
}  // namespace pg::sim
