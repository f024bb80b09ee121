// The liveness phase and I/O errors (sim/driver/runner.cc): a disk draws an error when an append
// starts and the node learns of it at completion, so an error drawn before the heal can take a
// node down after it. The heal restarts such a node, as it restarts the nodes that are down when
// it comes; an exit on an error drawn after the heal restarts nothing (found by swarm seed 632:
// coord/0 fail-stopped 0.7 ms after the heal and no meta server could lead).
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "sim/driver/runner.h"

namespace pg::sim {
namespace {

// Appends one synced record `append_after` after each boot and fail-stops if the append fails,
// as meta and coordination servers do.
class FailStopAppender final : public Node {
 public:
  explicit FailStopAppender(Duration append_after) : append_after_(append_after) {}
  void Step(Time, const Input& input, Outbox& out) override {
    if (std::holds_alternative<Boot>(input)) out.SetTimer(TimerId(1), append_after_);
    if (std::holds_alternative<TimerFired>(input)) {
      out.AppendLog({.file = "fail_stop.log", .token = 1, .bytes = "record", .sync = true});
    }
    if (std::holds_alternative<LogFailed>(input)) out.Exit("log append failed");
  }
  void CheckInvariants() const override {}

 private:
  Duration append_after_;
};

// One FailStopAppender, live once it is up with its record on the disk; `build` may schedule
// more (after the heal, too).
RunOptions AppenderSystem(Duration append_after, std::function<void(Cluster&)> build = {}) {
  RunOptions options;
  options.record_trace = true;
  options.system_override = [append_after, build](Cluster& cluster, const Knobs&) {
    const NodeId id = cluster.AddNode("appender/0", [append_after](const NodeEnv&) {
      return std::make_unique<FailStopAppender>(append_after);
    });
    // The disk is read through `cluster` (it outlives the run): Cluster::disk is not const.
    cluster.SetLivenessCondition([id, &cluster](const Cluster& c, Time) {
      if (!c.is_up(id)) return Cluster::LivenessCheck{.problem = "appender/0 is down"};
      if (cluster.disk(id).synced_size("fail_stop.log") == 0) {
        return Cluster::LivenessCheck{.problem = "appender/0 has logged nothing"};
      }
      return Cluster::LivenessCheck{};
    });
    if (build) build(cluster);
    return Status::Ok();
  };
  return options;
}

Knobs AppenderKnobs(double io_error_probability) {
  Knobs k;
  k.seed = 1;
  k.system = "appender";
  k.duration_ms = 2000;
  k.liveness_ms = 10000;
  k.latency_ms_min = 1;
  k.latency_ms_mean = 1;
  k.write_latency_ms_mean = 100;  // an append issued 10 ms before the heal completes after it
  k.sync_latency_ms_mean = 100;
  k.io_error_probability = io_error_probability;
  return k;
}

// When the appender exited, or nullopt.
std::optional<Time> ExitOfAppender(const RunOutcome& out) {
  for (const auto& [at, label] : out.faults) {
    if (label.starts_with("exit appender/0")) return at;
  }
  return std::nullopt;
}

// The heal's restart action for the appender, from the trace, or nullopt.
std::optional<std::string> HealRestartOfAppender(const RunOutcome& out) {
  for (const TraceLine& line : out.trace) {
    if (line.what.starts_with("action: liveness phase: restart appender/0")) return line.what;
  }
  return std::nullopt;
}

TEST(LivenessIoError, AFailStopAfterTheHealOnAnErrorDrawnBeforeItIsRestarted) {
  const Knobs k = AppenderKnobs(1.0);
  const RunOutcome out = RunKnobs(k, AppenderSystem(Millis(k.duration_ms - 10)));
  const std::optional<Time> exit = ExitOfAppender(out);
  ASSERT_TRUE(exit.has_value());
  ASSERT_GT(*exit, Time::Zero() + Millis(k.duration_ms)) << "the error must land after the heal";
  ASSERT_FALSE(out.failed()) << out.failure->kind << ": " << out.failure->detail;
  EXPECT_EQ(HealRestartOfAppender(out),
            "action: liveness phase: restart appender/0 (fail-stopped on an I/O error its disk "
            "drew at t=1990.000ms, before the heal)");
  bool restart_logged = false;  // the restart itself, a fault-log entry with its effect counted
  for (size_t i = 0; i < out.faults.size(); ++i) {
    if (out.faults[i].second == "restart appender/0" && out.faults[i].first == *exit) {
      restart_logged = true;
      EXPECT_EQ(out.fault_effects.at(i), 1u);
    }
  }
  EXPECT_TRUE(restart_logged);
  EXPECT_LT(out.sim_time_ms, k.duration_ms + k.liveness_ms) << "the phase ended once live";
}

TEST(LivenessIoError, AFailStopOnAnErrorDrawnAfterTheHealStaysDownAndFailsLiveness) {
  const Knobs k = AppenderKnobs(0);
  // Errors come back 100 ms into the phase; the appender appends 200 ms into it.
  const RunOptions options = AppenderSystem(Millis(k.duration_ms + 200), [&k](Cluster& cluster) {
    cluster.Schedule(Time::Zero() + Millis(k.duration_ms + 100), "disk errors after the heal",
                     [](Cluster& c) { c.SetNodeDiskFaults(NodeId(0), IoFaults{.write = 1}); });
  });
  const RunOutcome out = RunKnobs(k, options);
  ASSERT_TRUE(ExitOfAppender(out).has_value());
  ASSERT_TRUE(out.failed());
  EXPECT_EQ(out.failure->kind, "liveness");
  EXPECT_EQ(HealRestartOfAppender(out), std::nullopt);
}

TEST(LivenessIoError, SameSeedSameTraceHash) {
  const Knobs k = AppenderKnobs(1.0);
  const RunOutcome a = RunKnobs(k, AppenderSystem(Millis(k.duration_ms - 10)));
  const RunOutcome b = RunKnobs(k, AppenderSystem(Millis(k.duration_ms - 10)));
  EXPECT_EQ(a.trace_hash, b.trace_hash);
  EXPECT_EQ(a.faults, b.faults);
}

}  // namespace
}  // namespace pg::sim
