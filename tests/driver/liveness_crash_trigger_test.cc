// The liveness phase and crash triggers: the heal cancels a trigger still armed (it must not take
// a node down while the phase runs) and restarts a node a trigger took down after its scenario's
// last restart.
#include <gtest/gtest.h>

#include "sim/driver/runner.h"

namespace pg::sim {
namespace {

bool Logged(const RunOutcome& out, int64_t ms, const std::string& part) {
  for (const auto& [at, label] : out.faults) {
    if (at == Time::Zero() + Millis(ms) && label.find(part) != std::string::npos) return true;
  }
  return false;
}

TEST(LivenessCrashTrigger, TheHealCancelsArmedTriggersAndRestartsWhatOneTookDown) {
  Result<Scenario> s = LoadScenario(PG_SOURCE_DIR "/scenarios/pegasus/primary_crash.json");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  Knobs k = ResolveKnobs(*s, 1);
  k.duration_ms = 30000;
  k.liveness_ms = 30000;
  k.faults = {
      {.at_ms = 5000, .action = CrashFault{.node = "replica/0", .mode = "machine"}},
      {.at_ms = 8000, .action = RestartFault{.node = "replica/0"}},
      // Fires as replica/0 reconnects to meta after its restart; nothing restarts it after.
      {.at_ms = 8000,
       .action = CrashFault{.node = "replica/0",
                            .mode = "process",
                            .on_mark = "replica_server.connected",
                            .within_ms = 10000}},
      // Still armed when the phase starts: learning is what the phase's repairs do.
      {.at_ms = 29000,
       .action = CrashFault{.node = "replica/1",
                            .mode = "process",
                            .on_mark = "learn.start",
                            .within_ms = 600000}},
  };
  const RunOutcome out = RunKnobs(k, {});
  ASSERT_FALSE(out.failed()) << out.failure->kind << ": " << out.failure->detail;
  bool fired = false;
  for (const auto& [at, label] : out.faults) {
    fired = fired || label.find("crash trigger 0 fired: crash replica/0") != std::string::npos;
  }
  EXPECT_TRUE(fired);
  EXPECT_TRUE(Logged(out, k.duration_ms, "crash trigger 1 cancelled: replica/1"));
  EXPECT_TRUE(Logged(out, k.duration_ms, "restart replica/0"));
  for (const auto& [at, label] : out.faults) {
    EXPECT_EQ(label.find("crash trigger 1 fired"), std::string::npos) << label;
  }
}

}  // namespace
}  // namespace pg::sim
