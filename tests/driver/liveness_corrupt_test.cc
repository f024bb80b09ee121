// The liveness phase ends corruption rules (sim/driver/runner.cc): a rule that damages every
// message, and would outlast the run, is cleared at the heal, so messages get through again.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "sim/driver/runner.h"
#include "sim/example/example_messages.h"

namespace pg::sim {
namespace {

// pinger/0 pings pinger/1 every 100 ms; pinger/1 counts what it receives.
class Pinger final : public Node {
 public:
  Pinger(NodeId peer, uint64_t* received) : peer_(peer), received_(received) {}
  void Step(Time, const Input& input, Outbox& out) override {
    if (std::holds_alternative<Receive>(input)) ++*received_;
    if (std::holds_alternative<Boot>(input) || std::holds_alternative<TimerFired>(input)) {
      out.Send(peer_, Host(Ping{.seq = 0, .payload = "p"}));
      out.SetTimer(TimerId(1), Millis(100));
    }
  }
  void CheckInvariants() const override {}

 private:
  NodeId peer_;
  uint64_t* received_;
};

struct PingSystem {
  uint64_t received_by_1 = 0;
  uint64_t unused = 0;
  RunOptions Options() {
    RunOptions options;
    options.system_override = [this](Cluster& cluster, const Knobs&) {
      cluster.AddNode("pinger/0", [this](const NodeEnv&) {
        return std::make_unique<Pinger>(NodeId(1), &unused);
      });
      cluster.AddNode("pinger/1", [this](const NodeEnv&) {
        return std::make_unique<Pinger>(NodeId(0), &received_by_1);
      });
      cluster.SetLivenessCondition([this](const Cluster&, Time) {
        if (received_by_1 == 0) return Cluster::LivenessCheck{.problem = "pinger/1 got nothing"};
        return Cluster::LivenessCheck{};
      });
      return Status::Ok();
    };
    return options;
  }
};

TEST(LivenessCorrupt, TheHealClearsARuleThatWouldOutlastTheRun) {
  Knobs k;
  k.seed = 1;
  k.system = "pinger";
  k.duration_ms = 2000;
  k.liveness_ms = 5000;
  k.latency_ms_min = 1;
  k.latency_ms_mean = 1;
  k.faults = {
      Fault{.at_ms = 0, .action = CorruptMessagesFault{.probability = 1, .duration_ms = 600'000}}};
  PingSystem system;
  const RunOutcome out = RunKnobs(k, system.Options());
  ASSERT_FALSE(out.failed()) << out.failure->kind << ": " << out.failure->detail;
  EXPECT_GT(system.received_by_1, 0u);
  bool cleared_at_heal = false;
  for (size_t i = 0; i < out.faults.size(); ++i) {
    if (out.faults[i].second.starts_with("corrupt frames: ")) {
      EXPECT_GE(out.fault_effects.at(i), 20u) << "every ping of the first 2 s was damaged";
    }
    if (out.faults[i].second == "frame corruption cleared") {
      EXPECT_EQ(out.faults[i].first, Time::Zero() + Millis(k.duration_ms));
      EXPECT_EQ(out.fault_effects.at(i), 1u);
      cleared_at_heal = true;
    }
  }
  EXPECT_TRUE(cleared_at_heal);
}

}  // namespace
}  // namespace pg::sim
