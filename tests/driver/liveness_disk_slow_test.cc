// The liveness phase ends a slow disk's window (sim/driver/runner.cc): a stall that would outlast
// the run ends at the heal, and what it held completes then, so a node waiting on its disk can
// satisfy the liveness condition.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "sim/driver/runner.h"

namespace pg::sim {
namespace {

// Appends one synced record 100 ms after boot (inside the stall); live once it is durable.
class BootAppender final : public Node {
 public:
  void Step(Time, const Input& input, Outbox& out) override {
    if (std::holds_alternative<Boot>(input)) out.SetTimer(TimerId(1), Millis(100));
    if (std::holds_alternative<TimerFired>(input)) {
      out.AppendLog({.file = "boot.log", .token = 1, .bytes = "record", .sync = true});
    }
  }
  void CheckInvariants() const override {}
};

RunOptions BootAppenderSystem() {
  RunOptions options;
  options.system_override = [](Cluster& cluster, const Knobs&) {
    const NodeId id = cluster.AddNode(
        "appender/0", [](const NodeEnv&) { return std::make_unique<BootAppender>(); });
    cluster.SetLivenessCondition([id, &cluster](const Cluster&, Time) {
      if (cluster.disk(id).synced_size("boot.log") == 0) {
        return Cluster::LivenessCheck{.problem = "appender/0 has synced nothing"};
      }
      return Cluster::LivenessCheck{};
    });
    return Status::Ok();
  };
  return options;
}

Knobs StalledFromTheStart(std::optional<int64_t> liveness_ms) {
  Knobs k;
  k.seed = 1;
  k.system = "appender";
  k.duration_ms = 2000;
  k.liveness_ms = liveness_ms.value_or(0);
  k.latency_ms_min = 1;
  k.latency_ms_mean = 1;
  // Armed at 0 ms, before the append, and far longer than the run.
  k.faults = {
      Fault{.at_ms = 0,
            .action = DiskSlowFault{.node = "appender/0", .stall = true, .duration_ms = 600'000}}};
  return k;
}

TEST(LivenessDiskSlow, TheHealEndsAStallAndReleasesWhatItHeld) {
  const Knobs k = StalledFromTheStart(10'000);
  const RunOutcome out = RunKnobs(k, BootAppenderSystem());
  ASSERT_FALSE(out.failed()) << out.failure->kind << ": " << out.failure->detail;
  bool ended_at_heal = false;
  for (size_t i = 0; i < out.faults.size(); ++i) {
    if (out.faults[i].second == "disk slow on appender/0 end") {
      EXPECT_EQ(out.faults[i].first, Time::Zero() + Millis(k.duration_ms));
      EXPECT_EQ(out.fault_effects.at(i), 1u);
      ended_at_heal = true;
    }
    if (out.faults[i].second == "disk slow on appender/0: stalled") {
      EXPECT_EQ(out.fault_effects.at(i), 1u) << "the append was held";
    }
  }
  EXPECT_TRUE(ended_at_heal);
}

// Without the phase nothing ends the stall: the record is never durable (the test above is not
// passing for a reason of its own).
TEST(LivenessDiskSlow, WithoutAHealTheStallHoldsToTheEnd) {
  RunOptions options = BootAppenderSystem();
  bool synced = true;
  options.system_override = [inner = options.system_override, &synced](Cluster& cluster,
                                                                       const Knobs& k) {
    cluster.Schedule(
        Time::Zero() + Millis(k.duration_ms - 1), "look at the disk",
        [&synced](Cluster& c) { synced = c.disk(NodeId(0)).synced_size("boot.log") > 0; });
    return inner(cluster, k);
  };
  const RunOutcome out = RunKnobs(StalledFromTheStart(std::nullopt), options);
  EXPECT_FALSE(synced);
  for (const auto& [at, what] : out.faults) EXPECT_NE(what, "disk slow on appender/0 end");
}

}  // namespace
}  // namespace pg::sim
