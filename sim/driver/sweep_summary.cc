#include <map>

#include "sim/driver/sweep.h"
#include "sim/driver/verdict.h"

namespace pg::sim {
namespace {

struct Totals {
  uint64_t events = 0;
  int64_t sim_ms = 0;
  int64_t run_wall_ms = 0;
  size_t faults = 0;
  std::map<std::string, size_t> failures_by_kind;  // ordered: deterministic output
  std::map<std::string, size_t> marks;
};

Totals Sum(const SweepResult& result) {
  Totals t;
  for (const RunRecord& r : result.runs) {
    t.events += r.events;
    t.sim_ms += r.sim_time_ms;
    t.run_wall_ms += r.wall_ms;
    t.faults += r.faults;
    if (!r.expectation_met) ++t.failures_by_kind[r.failed ? r.failure_kind : "expectation"];
    for (const std::string& m : r.marks) ++t.marks[m];
  }
  return t;
}

double PerSecond(double amount, int64_t wall_ms) {
  return wall_ms > 0 ? amount * 1000.0 / static_cast<double>(wall_ms) : 0.0;
}

}  // namespace

nlohmann::ordered_json SweepSummaryJson(const SweepResult& result, const SweepOptions& options) {
  const Totals t = Sum(result);
  nlohmann::ordered_json j;
  j["revision"] = Revision();
  j["scenarios"] = options.scenario_paths;
  j["seeds"] = fmt::format("{}..{}", options.seeds.first, options.seeds.last);
  j["shard"] = fmt::format("{}/{}", options.shard.index, options.shard.count);
  j["runs"] = result.runs.size();
  j["unmet"] = result.unmet();
  j["failures_by_kind"] = t.failures_by_kind;
  j["events"] = t.events;
  j["sim_time_ms"] = t.sim_ms;
  j["faults_injected"] = t.faults;
  j["marks"] = t.marks;
  // Wall-time figures: measurements, excluded when comparing summaries.
  j["wall"] = {
      {"elapsed_ms", result.elapsed_wall_ms},
      {"run_wall_ms", t.run_wall_ms},
      {"events_per_s", PerSecond(static_cast<double>(t.events), t.run_wall_ms)},
      {"runs_per_s", PerSecond(static_cast<double>(result.runs.size()), result.elapsed_wall_ms)},
      {"sim_to_wall", t.run_wall_ms > 0 ? static_cast<double>(t.sim_ms) / t.run_wall_ms : 0.0}};
  nlohmann::ordered_json failing = nlohmann::ordered_json::array();
  for (const RunRecord& r : result.runs) {
    if (r.expectation_met) continue;
    failing.push_back({{"scenario", r.scenario},
                       {"seed", r.seed},
                       {"kind", r.failed ? r.failure_kind : "expectation"},
                       {"why", r.why},
                       {"replay", ReplayCommand(r.scenario, r.seed)}});
  }
  j["failing"] = failing;
  j["missed"] = result.missed;
  return j;
}

std::string SweepSummaryText(const SweepResult& result) {
  const Totals t = Sum(result);
  std::string out = fmt::format(
      "runs: {}  ok: {}  failed: {}\n"
      "events: {}  events/s (per worker): {:.0f}  simulated:wall {:.0f}:1  runs/s: {:.1f}  "
      "elapsed: {:.1f}s\n"
      "faults injected: {}\n",
      result.runs.size(), result.runs.size() - result.unmet(), result.unmet(), t.events,
      PerSecond(static_cast<double>(t.events), t.run_wall_ms),
      t.run_wall_ms > 0 ? static_cast<double>(t.sim_ms) / static_cast<double>(t.run_wall_ms) : 0.0,
      PerSecond(static_cast<double>(result.runs.size()), result.elapsed_wall_ms),
      static_cast<double>(result.elapsed_wall_ms) / 1000.0, t.faults);
  for (const auto& [kind, n] : t.failures_by_kind)
    out += fmt::format("  failures of kind {}: {}\n", kind, n);
  for (const RunRecord& r : result.runs) {
    if (r.expectation_met) continue;
    out += fmt::format("FAIL {} seed {}: {}\n  replay: {}\n", r.scenario, r.seed, r.why,
                       ReplayCommand(r.scenario, r.seed));
  }
  for (const std::string& m : result.missed) out += fmt::format("FAIL {}\n", m);
  return out;
}

}  // namespace pg::sim
