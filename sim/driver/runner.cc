#include "sim/driver/runner.h"

#include <chrono>
#include <stdexcept>

#include "sim/driver/history_export.h"
#include "sim/driver/system_builder.h"
#include "sim/kernel/schedulers.h"
#include "sim/scenario/nemesis.h"

namespace pg::sim {
namespace {

// An assertion in a node is a bug report, not a reason to lose the sweep: inside a run the
// failure handler throws, RunKnobs catches it and the run fails with kind "assertion". This is the
// one use of exceptions in sim/ (a departure from DESIGN.md §5): the cluster is discarded right
// after, so no code has to be exception-safe.
struct AssertionFailed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void ThrowOnAssert(const std::string& report) { throw AssertionFailed(report); }

class ScopedAssertHandler {
 public:
  ScopedAssertHandler() { SetAssertFailureHandler(&ThrowOnAssert); }
  ~ScopedAssertHandler() { SetAssertFailureHandler(nullptr); }
};

// The end of the faults: crash triggers cancelled, every partition healed, every paused node
// resumed, every crashed node restarted, delay and corruption rules ended, disk faults (errors
// and slow disks), lossy spells and the scenario's own standing loss, duplication and
// reordering off (latency and bandwidth stay).
// Standing loss is a fault too: PacificA drops a secondary whose prepare times out, so under steady
// random loss some group of a many-partition table is always being reconfigured, and no bound on
// full replica sets could hold (Pegasus runs over TCP, which loses nothing short of a broken
// connection). A nemesis action, so it is in the trace.
void HealEverything(Cluster& cluster, const Knobs& knobs) {
  // First, so that no crash trigger can fire after the restarts below (none armed: no trace).
  cluster.CancelCrashTriggers();
  cluster.HealAll();
  cluster.ClearDelays();
  cluster.ClearCorruptions();
  cluster.SetDiskFaults({});
  LinkConfig healed = LinkConfigFromKnobs(knobs);
  healed.drop_probability = 0;
  healed.duplicate_probability = 0;
  healed.reorder_probability = 0;
  cluster.SetDefaultLink(healed);
  for (size_t i = 0; i < cluster.node_count(); ++i) {
    const NodeId id(static_cast<uint32_t>(i));
    if (cluster.has_disk_faults(id)) cluster.SetNodeDiskFaults(id, std::nullopt);
    // A slow disk's window ends here: what a stall held completes from now on.
    if (cluster.has_disk_slow(id)) cluster.SetNodeDiskSlow(id, std::nullopt);
    if (cluster.is_paused(id)) cluster.Resume(id);
    if (!cluster.is_up(id)) cluster.Restart(id);
  }
}

// The heal also ends what the faults it ends set in motion. A disk draws an I/O error when an
// operation starts (sim_disk.h), but the node learns of it only at completion, which a disk
// queue's backlog can put after the heal: a meta or coordination server then fail-stops in the
// phase (meta.fail_stop, coord.fail_stop) on a fault of the scenario's, and, without this, stays
// down, while the heal restarts the nodes that were down when it came. So an exit in the step
// that handled a LogFailed drawn no later than the heal (after it no disk fails) restarts its node,
// as a heal action (traced, in the fault log, counted). The error itself stands: the node sees
// it and fail-stops, as upstream does. Turning the failure into a success instead would change
// the disk's history (a failed write put nothing on the file, and later appends may already sit
// where its bytes would go), so the bench does what an operator does: it restarts the process.
// An exit for another reason (a rotten log at boot, an error drawn after the heal) restarts
// nothing, and a node that keeps failing stays down: the condition still has to hold.
void RestartFailStopsOnEarlierIoErrors(Cluster& cluster) {
  const Time healed_at = cluster.now();
  cluster.SetExitObserver([healed_at](Cluster& c, const Cluster::NodeExit& exit) {
    if (!exit.io_error_drawn_at || *exit.io_error_drawn_at > healed_at) return;
    c.Schedule(c.now(),
               fmt::format("liveness phase: restart {} (fail-stopped on an I/O error its disk "
                           "drew at {}, before the heal)",
                           c.name(exit.node), *exit.io_error_drawn_at),
               [node = exit.node](Cluster& c2) { c2.Restart(node); });
  });
}

// The liveness phase (knobs.liveness_ms > 0): after duration_ms everything heals, and the
// system's liveness condition must hold within liveness_ms, checked every 500 ms of simulated
// time. Not holding by then fails the run with kind "liveness", like a safety violation.
// Returns what the condition excused at its last check.
std::vector<std::string> RunLivenessPhase(Cluster& cluster, const Knobs& knobs, Time healed_at) {
  const Cluster::LivenessCondition& live = cluster.liveness_condition();
  const Time deadline = healed_at + Millis(knobs.liveness_ms);
  Cluster::LivenessCheck check{.problem = "not checked yet"};
  for (Time t = healed_at + Millis(500); !cluster.failure(); t = t + Millis(500)) {
    cluster.RunUntil(std::min(t, deadline));
    if (cluster.failure()) return {};
    check = live(cluster, healed_at);
    if (!check.problem || t >= deadline) break;
  }
  if (check.problem && !cluster.failure()) {
    cluster.Fail("liveness", fmt::format("{} ms after every fault healed: {}", knobs.liveness_ms,
                                         *check.problem));
  }
  return std::move(check.exempt);
}

void RunCluster(Cluster& cluster, const Knobs& knobs, std::vector<std::string>& liveness_exempt) {
  const Time end = Time::Zero() + Millis(knobs.duration_ms);
  cluster.Start();
  ScheduleFaults(cluster, knobs);
  const bool liveness = knobs.liveness_ms > 0 && cluster.liveness_condition() != nullptr;
  if (liveness) {
    cluster.Schedule(end, "liveness phase: heal every fault", [&knobs](Cluster& c) {
      HealEverything(c, knobs);
      RestartFailStopsOnEarlierIoErrors(c);
    });
  }
  cluster.RunUntil(end);
  if (liveness && !cluster.failure()) liveness_exempt = RunLivenessPhase(cluster, knobs, end);
}

void Collect(const Cluster& cluster, RunOutcome& out) {
  out.trace_hash = cluster.trace_hash();
  out.events = cluster.events();
  out.sim_time_ms = cluster.now().ns() / 1'000'000;
  out.faults = cluster.fault_log();
  out.fault_effects = cluster.fault_effects();
  out.mark_faults = cluster.mark_faults();
  out.marks.assign(cluster.marks().begin(), cluster.marks().end());
  out.trace = cluster.trace();
  out.operations = CountCompletions(cluster.history());
  if (cluster.failure()) out.failure = cluster.failure();
}

}  // namespace

RunOutcome RunKnobs(const Knobs& knobs, const RunOptions& options) {
  const auto wall_start = std::chrono::steady_clock::now();
  RunOutcome out;
  out.knobs = knobs;
  Cluster cluster({.seed = knobs.seed,
                   .default_link = LinkConfigFromKnobs(knobs),
                   .record_trace = options.record_trace,
                   .delivery_policy = options.delivery_policy
                                          ? options.delivery_policy
                                          : MakeDeliveryPolicy(knobs.scheduler, knobs.seed)});
  cluster.SetDiskFaults({.io_error_probability = knobs.io_error_probability,
                         .torn_write_probability = knobs.torn_write_probability});
  cluster.SetDiskLatency(DiskLatencyFromKnobs(knobs));
  Status built = options.system_override ? options.system_override(cluster, knobs)
                                         : BuildSystem(cluster, knobs);
  if (!built.ok()) {
    out.failure = Failure{.kind = "setup", .detail = built.message()};
  } else {
    if (options.record_served_by) RecordServedBy(cluster, knobs, &out.served_by);
    try {
      ScopedAssertHandler handler;
      RunCluster(cluster, knobs, out.liveness_exempt);
    } catch (const AssertionFailed& e) {
      out.failure = Failure{
          .kind = "assertion", .detail = e.what(), .event = cluster.events(), .at = cluster.now()};
    }
    Collect(cluster, out);
  }
  const int64_t ttl_skew_ms = ServingClockSkewMs(cluster);
  if (!out.failure) {
    out.failure = JudgeHistory(cluster.history(), ttl_skew_ms, options.checker_timeout_s, out);
  }
  if (options.history_jsonl || out.failed()) {
    out.history_jsonl = HistoryToJsonl(cluster.history(), ttl_skew_ms);
  }
  out.wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - wall_start)
                    .count();
  return out;
}

ExpectationResult CheckExpectation(const Scenario& scenario, const RunOutcome& outcome) {
  const ExpectSection& expect = scenario.expect;
  const std::string verdict = outcome.failed() ? "fail" : "ok";
  // A failure expected on some seeds only: a clean run is fine here; the sweep checks that some
  // seed failed (SweepResult::missed).
  if (expect.verdict == "fail" && !expect.every_seed && !outcome.failed()) return {};
  if (verdict != expect.verdict) {
    return {false, fmt::format("expected verdict {}, got {}{}", expect.verdict, verdict,
                               outcome.failed() ? " (" + outcome.failure->kind + ")" : "")};
  }
  if (expect.failure_kind && outcome.failed() && outcome.failure->kind != *expect.failure_kind) {
    return {false, fmt::format("expected failure kind {}, got {}", *expect.failure_kind,
                               outcome.failure->kind)};
  }
  for (const std::string& mark : expect.marks) {
    if (std::find(outcome.marks.begin(), outcome.marks.end(), mark) == outcome.marks.end()) {
      return {false, fmt::format("coverage mark {} was not hit", mark)};
    }
  }
  return {};
}

}  // namespace pg::sim
