// The shrinker and a crash on a mark: among other faults, the trigger that a failure needs is
// kept (ddmin cannot drop it, nor turn it into a plain crash) and simplified (a process crash, a
// shorter window); the others go.
#include <gtest/gtest.h>

#include <memory>

#include "sim/driver/shrink.h"
#include "sim/scenario/scenario.h"

namespace pg::sim {
namespace {

// Every 500 ms of its own clock, emits "learn.start".
class MarkingNode final : public Node {
 public:
  void Step(Time, const Input& input, Outbox& out) override {
    if (std::holds_alternative<TimerFired>(input)) out.Mark("learn.start");
    out.SetTimer(TimerId(1), Millis(500));
  }
  void CheckInvariants() const override {}
};

// Fails the run as soon as a crash trigger fires: a "bug" only a crash on a mark shows.
RunOptions TriggerFailsOptions() {
  RunOptions options;
  options.system_override = [](Cluster& cluster, const Knobs& knobs) {
    for (const std::string& name : NodeNames(knobs)) {
      cluster.AddNode(name, [](const NodeEnv&) { return std::make_unique<MarkingNode>(); });
    }
    cluster.AddInvariant("trigger_fired", [](const Cluster& c) -> std::optional<std::string> {
      for (const auto& [at, what] : c.fault_log()) {
        if (what.find("fired") != std::string::npos) return what;
      }
      return std::nullopt;
    });
    return Status::Ok();
  };
  return options;
}

TEST(ShrinkCrashMark, KeepsTheTriggerAndSimplifiesIt) {
  auto s = ParseScenario(R"({"name": "t", "system": "register", "duration_ms": 8000,
    "cluster": {"replica_servers": 3, "replica_count": 1},
    "workload": {"clients": 2, "ops": 0},
    "faults": [
      {"at_ms": 100, "kind": "pause", "node": "replica/1", "duration_ms": 200},
      {"at_ms": 300, "kind": "clock_jump", "node": "replica/2", "by_ms": 100},
      {"at_ms": 1200, "kind": "crash", "node": "replica/2", "mode": "machine",
       "on_mark": "learn.start", "within_ms": 5000},
      {"at_ms": 1300, "kind": "crash", "node": "replica/0"},
      {"at_ms": 2000, "kind": "restart", "node": "replica/0"}]})",
                         "t.json");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const Knobs knobs = ResolveKnobs(*s, 1);
  auto r = ShrinkKnobs(knobs, "invariant:trigger_fired",
                       ShrinkOptions{.run = TriggerFailsOptions(), .max_runs = 150});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->knobs.faults.size(), 1U) << KnobsToJson(r->knobs).dump();
  const auto* crash = std::get_if<CrashFault>(&r->knobs.faults[0].action);
  ASSERT_NE(crash, nullptr);
  EXPECT_EQ(crash->on_mark, "learn.start");
  EXPECT_EQ(crash->mode, "process");
  ASSERT_TRUE(crash->within_ms.has_value());
  EXPECT_LT(*crash->within_ms, 5000);
  EXPECT_EQ(crash->node, "replica/0");  // renumbered densely
}

}  // namespace
}  // namespace pg::sim
