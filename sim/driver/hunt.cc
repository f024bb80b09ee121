#include "sim/driver/hunt.h"

#include <chrono>

#include "sim/scenario/knobs.h"

namespace pg::sim {
namespace {

// The first detecting run of a seed's runs (they come in scenario order), shrunk if asked.
HuntCatch CatchOf(const RunRecord& run, const Scenario& scenario, const HuntOptions& options) {
  HuntCatch c{.seed = run.seed,
              .scenario = run.scenario,
              .kind = run.failed ? run.failure_kind : "expectation",
              .why = run.why};
  Scenario with_bug = scenario;
  with_bug.bugs.Enable(options.bug);
  const Knobs knobs = ResolveKnobs(with_bug, run.seed);
  c.original = SizesOf(knobs);
  // Only a failure has a kind to preserve; a run that passed where it was expected to fail has
  // nothing to shrink towards.
  if (options.shrink_runs > 0 && run.failed) {
    Result<ShrinkResult> shrunk =
        ShrinkKnobs(knobs, run.failure_kind, ShrinkOptions{.max_runs = options.shrink_runs});
    if (shrunk.ok()) {
      c.shrunk = SizesOf(shrunk->knobs);
      c.shrink_runs = shrunk->runs;
    }
  }
  return c;
}

}  // namespace

bool DetectsBug(const RunRecord& run) {
  return !run.expectation_met && !(run.failed && run.failure_kind == "checker:unknown");
}

std::optional<uint64_t> HuntResult::seeds_to_detection() const {
  if (!first) return std::nullopt;
  return first->seed - seeds.first + 1;
}

double HuntResult::rate_per_100() const {
  return seeds_run == 0 ? 0.0 : 100.0 * static_cast<double>(detecting_seeds) / seeds_run;
}

Result<std::vector<std::string>> PegasusScenarios(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const std::string& path : paths) {
    Result<Scenario> s = LoadScenario(path);
    if (!s.ok()) return s.status();
    if (s->system == "pegasus") out.push_back(path);
  }
  if (out.empty()) {
    return Status(ErrorCode::kInvalidArgument,
                  "no scenario of the \"pegasus\" system among the paths: the bug-zoo switches "
                  "live in its core");
  }
  return out;
}

Result<HuntResult> RunHunt(const HuntOptions& options) {
  auto scenarios = PegasusScenarios(options.scenario_paths);
  if (!scenarios.ok()) return scenarios.status();
  std::map<std::string, Scenario> loaded;
  for (const std::string& path : *scenarios) loaded.emplace(path, *LoadScenario(path));
  HuntResult result{.bug = options.bug,
                    .scenarios = *scenarios,
                    .seeds = options.seeds,
                    .stopped_at_first = options.stop_at_first};
  BugSet bugs;
  bugs.Enable(options.bug);
  const auto start = std::chrono::steady_clock::now();
  // One seed at a time, so the first detecting seed is exact and a quick pass stops there.
  for (uint64_t seed = options.seeds.first; seed <= options.seeds.last; ++seed) {
    SweepOptions sweep{
        .scenario_paths = *scenarios, .seeds = {seed, seed}, .jobs = options.jobs, .bugs = bugs};
    Result<SweepResult> swept = RunSweep(sweep);
    if (!swept.ok()) return swept.status();
    ++result.seeds_run;
    size_t failing = 0;
    for (const RunRecord& run : swept->runs) {
      ++result.runs;
      result.events += run.events;
      if (run.expectation_met) continue;
      if (!DetectsBug(run)) {
        ++result.undecided_runs;
        continue;
      }
      ++failing;
      ++result.failed_runs;
      ++result.kinds[run.failed ? run.failure_kind : "expectation"];
      if (!result.first) result.first = CatchOf(run, loaded.at(run.scenario), options);
    }
    if (failing > 0) ++result.detecting_seeds;
    if (options.on_seed) options.on_seed(seed, failing);
    const bool measured_enough = result.seeds_run >= options.min_seeds;
    if ((result.first && options.stop_at_first && measured_enough) || seed == UINT64_MAX) break;
  }
  result.wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - start)
                       .count();
  return result;
}

}  // namespace pg::sim
