#include "sim/driver/runner.h"

#include <chrono>
#include <stdexcept>

#include "sim/driver/history_export.h"
#include "sim/driver/system_builder.h"
#include "sim/nemesis.h"
#include "sim/schedulers.h"

namespace pg::sim {
namespace {

// An assertion in a node is a bug report, not a reason to lose the sweep: inside a run the
// failure handler throws, RunKnobs catches it and the run fails with kind "assertion". This is the
// one use of exceptions in sim/ (DESIGN.md §5 departs here, see README): the cluster is discarded
// right after, so no code has to be exception-safe.
struct AssertionFailed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void ThrowOnAssert(const std::string& report) { throw AssertionFailed(report); }

class ScopedAssertHandler {
 public:
  ScopedAssertHandler() { SetAssertFailureHandler(&ThrowOnAssert); }
  ~ScopedAssertHandler() { SetAssertFailureHandler(nullptr); }
};

void RunCluster(Cluster& cluster, const Knobs& knobs) {
  const Time end = Time::Zero() + Millis(knobs.duration_ms);
  cluster.Start();
  ScheduleFaults(cluster, knobs);
  cluster.RunUntil(end);
}

void Collect(const Cluster& cluster, RunOutcome& out) {
  out.trace_hash = cluster.trace_hash();
  out.events = cluster.events();
  out.sim_time_ms = cluster.now().ns() / 1'000'000;
  out.faults = cluster.fault_log();
  out.marks.assign(cluster.marks().begin(), cluster.marks().end());
  out.trace = cluster.trace();
  out.history_jsonl = HistoryToJsonl(cluster.history());
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
  cluster.SetDiskFaults({.io_error_probability = knobs.io_error_probability});
  Status built = options.system_override ? options.system_override(cluster, knobs)
                                         : BuildSystem(cluster, knobs);
  if (!built.ok()) {
    out.failure = Failure{.kind = "setup", .detail = built.message()};
  } else {
    try {
      ScopedAssertHandler handler;
      RunCluster(cluster, knobs);
    } catch (const AssertionFailed& e) {
      out.failure = Failure{
          .kind = "assertion", .detail = e.what(), .event = cluster.events(), .at = cluster.now()};
    }
    Collect(cluster, out);
  }
  if (!out.failure) out.failure = JudgeHistory(cluster.history(), options.checker_timeout_s, out);
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
