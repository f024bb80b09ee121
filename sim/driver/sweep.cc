#include "sim/driver/sweep.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>

#include "sim/driver/runner.h"
#include "sim/driver/sweep_summary.h"
#include "sim/driver/verdict.h"
#include "sim/scenario/input_limits.h"
#include "sim/scenario/knobs.h"

namespace pg::sim {
namespace {

Status BadFlag(const std::string& flag, const std::string& text, const std::string& expected) {
  return Status(ErrorCode::kInvalidArgument,
                fmt::format("{}: expected {} (got \"{}\")", flag, expected, text));
}

std::optional<uint64_t> ParseU64(std::string_view s) {
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

RunRecord RecordOf(const Scenario& scenario, const RunOutcome& outcome) {
  const ExpectationResult expectation = CheckExpectation(scenario, outcome);
  RunRecord r{.scenario = scenario.path,
              .seed = outcome.knobs.seed,
              .failed = outcome.failed(),
              .expectation_met = expectation.met,
              .failure_kind = outcome.failed() ? outcome.failure->kind : "",
              .why = expectation.why,
              .trace_hash = TraceHashHex(outcome.trace_hash),
              .events = outcome.events,
              .sim_time_ms = outcome.sim_time_ms,
              .wall_ms = outcome.wall_ms,
              .faults = outcome.faults.size(),
              .marks = outcome.marks};
  for (const auto& [at, what] : outcome.faults) r.fault_kinds.push_back(FaultKind(what));
  r.fault_effects = outcome.fault_effects;
  for (const auto& [mark, faults] : outcome.mark_faults) {
    for (const FaultIndex f : faults) {
      r.fault_marks[f < r.fault_kinds.size() ? r.fault_kinds[f] : kNoFaultKind].insert(mark);
    }
  }
  if (!expectation.met) r.verdict = VerdictJson(scenario, outcome);
  return r;
}

}  // namespace

Result<uint64_t> ParseSeed(const std::string& flag, const std::string& text) {
  auto seed = ParseU64(text);
  if (!seed) return BadFlag(flag, text, "a seed: decimal digits, 0..18446744073709551615");
  return *seed;
}

Result<SeedRange> ParseSeedRange(const std::string& text) {
  const size_t dots = text.find("..");
  constexpr const char* kExpected = "A..B or N: decimal seeds in 0..18446744073709551615, A <= B";
  if (dots == std::string::npos) {
    auto one = ParseU64(text);
    if (!one) return BadFlag("--seeds", text, kExpected);
    return SeedRange{*one, *one};
  }
  auto first = ParseU64(std::string_view(text).substr(0, dots));
  auto last = ParseU64(std::string_view(text).substr(dots + 2));
  if (!first || !last) return BadFlag("--seeds", text, kExpected);
  if (*last < *first) return BadFlag("--seeds", text, "A..B with A <= B");
  if (*last - *first >= InputLimits::kSeedRange) {
    return BadFlag("--seeds", text,
                   fmt::format("at most {} seeds in one range", InputLimits::kSeedRange));
  }
  return SeedRange{*first, *last};
}

Result<std::pair<std::string, uint64_t>> ParseRunRef(const std::string& text) {
  const size_t colon = text.rfind(':');
  std::optional<uint64_t> seed;
  if (colon != std::string::npos) seed = ParseU64(std::string_view(text).substr(colon + 1));
  if (colon == std::string::npos || colon == 0 || !seed)
    return BadFlag("--trace-run", text, "SCENARIO:SEED, e.g. scenarios/register/steady.json:17");
  return std::pair(text.substr(0, colon), *seed);
}

std::string RunFileName(const std::string& scenario_path, uint64_t seed) {
  const std::filesystem::path p(scenario_path);
  const std::string dir = p.parent_path().filename().string();
  return fmt::format("{}{}{}-{}", dir, dir.empty() ? "" : "-", p.stem().string(), seed);
}

Result<Shard> ParseShard(const std::string& text) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos) return BadFlag("--shard", text, "K/N");
  auto k = ParseU64(std::string_view(text).substr(0, slash));
  auto n = ParseU64(std::string_view(text).substr(slash + 1));
  if (!k || !n || *n == 0 || *k >= *n || *n > 1'000'000)
    return BadFlag("--shard", text, "K/N with 0 <= K < N");
  return Shard{static_cast<uint32_t>(*k), static_cast<uint32_t>(*n)};
}

Result<std::vector<std::string>> ExpandScenarioPaths(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (const auto& entry : fs::recursive_directory_iterator(p, ec)) {
        if (entry.is_regular_file() && entry.path().extension() == ".json")
          found.push_back(entry.path().string());
      }
      std::sort(found.begin(), found.end());  // directory order is not deterministic
      if (found.empty()) {
        return Status(ErrorCode::kInvalidArgument,
                      fmt::format("{}: expected a scenario file or a directory holding *.json "
                                  "files (got a directory with none)",
                                  p));
      }
      out.insert(out.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(p, ec)) {
      out.push_back(p);
    } else {
      return Status(ErrorCode::kInvalidArgument,
                    fmt::format("{}: expected a scenario file or a directory of them", p));
    }
  }
  if (out.empty()) return Status(ErrorCode::kInvalidArgument, "no scenario files given");
  return out;
}

size_t SweepResult::unmet() const {
  return missed.size() + std::count_if(runs.begin(), runs.end(),
                                       [](const RunRecord& r) { return !r.expectation_met; });
}

namespace {

// For each scenario whose failure is expected on some seed only: how many seeds showed it.
std::map<std::string, SomeSeedTally> TallySomeSeed(const std::vector<Scenario>& scenarios,
                                                   const std::vector<RunRecord>& runs) {
  std::map<std::string, SomeSeedTally> out;
  for (const Scenario& s : scenarios) {
    if (s.expect.verdict != "fail" || s.expect.every_seed) continue;
    SomeSeedTally t{.expected = s.expect.failure_kind.value_or("a failure")};
    for (const RunRecord& r : runs) {
      if (r.scenario != s.path) continue;
      ++t.seeds;
      if (r.failed && (!s.expect.failure_kind || r.failure_kind == *s.expect.failure_kind))
        ++t.seen;
    }
    out[s.path] = t;
  }
  return out;
}

}  // namespace

Result<SweepResult> RunSweep(const SweepOptions& options) {
  std::vector<Scenario> scenarios;
  for (const std::string& path : options.scenario_paths) {
    Result<Scenario> s = LoadScenario(path);
    if (!s.ok()) return s.status();
    scenarios.push_back(std::move(*s));
  }
  // The work list: every (scenario, seed) of this shard, in a fixed order; its size is checked
  // before it is built.
  const uint64_t seeds_in_shard =
      (options.seeds.last - options.seeds.first) / options.shard.count + 1;
  if (scenarios.size() * seeds_in_shard > InputLimits::kSweepRuns) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("--seeds: expected at most {} runs in one sweep (got {} scenarios x "
                              "about {} seeds)",
                              InputLimits::kSweepRuns, scenarios.size(), seeds_in_shard));
  }
  std::vector<std::pair<size_t, uint64_t>> work;
  for (size_t i = 0; i < scenarios.size(); ++i) {
    for (uint64_t seed = options.seeds.first; seed <= options.seeds.last; ++seed) {
      if (seed % options.shard.count == options.shard.index) work.emplace_back(i, seed);
      if (seed == UINT64_MAX) break;
    }
  }
  SweepResult result;
  result.runs.resize(work.size());
  std::atomic<size_t> next{0};
  size_t done = 0;
  std::mutex mu;
  const auto start = std::chrono::steady_clock::now();
  auto worker = [&] {
    for (size_t w = next++; w < work.size(); w = next++) {
      const Scenario& scenario = scenarios[work[w].first];
      const bool traced =
          std::find(options.trace_runs.begin(), options.trace_runs.end(),
                    std::pair(scenario.path, work[w].second)) != options.trace_runs.end();
      RunOptions run = options.run;
      run.record_trace = run.record_trace || traced;
      Knobs knobs = ResolveKnobs(scenario, work[w].second);
      knobs.bugs.Enable(options.bugs);
      RunOutcome outcome = RunKnobs(knobs, run);
      RunRecord record = RecordOf(scenario, outcome);
      if (traced) record.trace = std::move(outcome.trace);
      std::lock_guard lock(mu);
      result.runs[w] = std::move(record);
      ++done;
      if (options.on_run) options.on_run(result.runs[w], done, work.size());
    }
  };
  const int jobs = std::max(1, std::min<int>(options.jobs, static_cast<int>(work.size())));
  std::vector<std::thread> threads;
  for (int j = 1; j < jobs; ++j) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  result.some_seed = TallySomeSeed(scenarios, result.runs);
  result.missed = MissedFailures(options.scenario_paths, result.some_seed);
  result.elapsed_wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now() - start)
                               .count();
  return result;
}

}  // namespace pg::sim
