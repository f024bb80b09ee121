#include "sim/driver/sweep_summary.h"

#include <algorithm>
#include <cctype>

#include "sim/driver/verdict.h"
#include "sim/scenario/json_reader.h"

namespace pg::sim {
namespace {

double SimToWall(const SweepTally& t) {
  return t.run_wall_ms > 0 ? static_cast<double>(t.sim_time_ms) / static_cast<double>(t.run_wall_ms)
                           : 0.0;
}

// A word that names a node, a number or a value rather than the kind of fault.
bool IsArgument(const std::string& word) {
  return word.find('/') != std::string::npos || word.find('[') != std::string::npos ||
         word.find("->") != std::string::npos ||
         std::any_of(word.begin(), word.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace

std::string FaultKind(const std::string& description) {
  std::vector<std::string> words;
  size_t pos = 0;
  while (pos < description.size()) {
    size_t end = description.find(' ', pos);
    if (end == std::string::npos) end = description.size();
    if (end > pos) words.push_back(description.substr(pos, end - pos));
    pos = end + 1;
  }
  std::string kind;
  for (const std::string& w : words) {
    if (IsArgument(w) || w == "of" || w == "on" || w == "by" || w == "for" || w == "to") break;
    const bool last = w.back() == ':';
    kind += (kind.empty() ? "" : " ") + (last ? w.substr(0, w.size() - 1) : w);
    if (last) break;
  }
  // A crash trigger's entries (cluster_triggers.cc) differ only after its number: armed, fired,
  // expired and cancelled are kinds of their own, or arming would hide how many fired.
  if (kind == "crash trigger" && words.size() > 3 && words[3] != "on") {
    std::string what = words[3];
    while (!what.empty() && (what.back() == ':' || what.back() == ',')) what.pop_back();
    kind += " " + what;
  }
  if (description.find(" ignored") != std::string::npos) return kind + " (ignored)";
  for (const char* mode : {"(machine)", "(process)"}) {
    if (description.ends_with(mode)) return kind + " " + mode;
  }
  if (description.ends_with(" end")) return kind + " end";
  return kind;
}

std::vector<std::string> MissedFailures(const std::vector<std::string>& order,
                                        const std::map<std::string, SomeSeedTally>& some_seed) {
  std::vector<std::string> missed;
  for (const std::string& path : order) {
    auto it = some_seed.find(path);
    if (it == some_seed.end() || it->second.seeds == 0 || it->second.seen > 0) continue;
    missed.push_back(fmt::format("{}: expected {} on some seed; none of {} seeds showed it", path,
                                 it->second.expected, it->second.seeds));
  }
  return missed;
}

SweepTally TallyOf(const SweepResult& result, const SweepOptions& options) {
  SweepTally t{.revision = Revision(),
               .scenarios = options.scenario_paths,
               .seeds = options.seeds,
               .shard = options.shard,
               .runs = result.runs.size(),
               .some_seed = result.some_seed,
               .elapsed_wall_ms = result.elapsed_wall_ms};
  for (const RunRecord& r : result.runs) {
    t.events += r.events;
    t.sim_time_ms += r.sim_time_ms;
    t.run_wall_ms += r.wall_ms;
    t.faults += r.faults;
    for (size_t i = 0; i < r.fault_kinds.size(); ++i) {
      const std::string& k = r.fault_kinds[i];
      ++t.fault_kinds[k];
      FaultKindEffects& e = t.fault_effects[k];
      const uint64_t n = i < r.fault_effects.size() ? r.fault_effects[i] : 0;
      if (n > 0) ++e.took_effect;
      e.effects += n;
    }
    for (const auto& [kind, marks] : r.fault_marks) {
      for (const std::string& m : marks) ++t.fault_marks[kind][m];
    }
    for (const std::string& m : r.marks) ++t.marks[m];
    if (r.failed && r.expectation_met) {
      ExpectedFailures& e = t.expected_failures[r.scenario];
      if (++e.runs <= ExpectedFailures::kKept)
        e.first.push_back({.scenario = r.scenario, .seed = r.seed, .kind = r.failure_kind});
    }
    if (r.expectation_met) continue;
    const std::string kind = r.failed ? r.failure_kind : "expectation";
    ++t.failures_by_kind[kind];
    t.failing.push_back({.scenario = r.scenario, .seed = r.seed, .kind = kind, .why = r.why});
  }
  return t;
}

nlohmann::ordered_json SummaryJson(const SweepTally& t) {
  nlohmann::ordered_json j;
  j["revision"] = t.revision;
  j["scenarios"] = t.scenarios;
  j["seeds"] = fmt::format("{}..{}", t.seeds.first, t.seeds.last);
  j["shard"] = fmt::format("{}/{}", t.shard.index, t.shard.count);
  j["runs"] = t.runs;
  j["unmet"] = t.unmet();
  j["failures_by_kind"] = t.failures_by_kind;
  j["events"] = t.events;
  j["sim_time_ms"] = t.sim_time_ms;
  j["faults_injected"] = t.faults;
  j["fault_kinds"] = t.fault_kinds;
  nlohmann::ordered_json effects = nlohmann::ordered_json::object();
  for (const auto& [kind, e] : t.fault_effects)
    effects[kind] = {{"took_effect", e.took_effect}, {"effects", e.effects}};
  j["fault_effects"] = effects;
  nlohmann::ordered_json fault_marks = nlohmann::ordered_json::object();
  for (const auto& [kind, marks] : t.fault_marks) fault_marks[kind] = marks;
  j["fault_marks"] = fault_marks;
  j["marks"] = t.marks;
  // Wall-time figures: measurements, excluded when comparing summaries.
  j["wall"] = {{"elapsed_ms", t.elapsed_wall_ms},
               {"run_wall_ms", t.run_wall_ms},
               {"events_per_s", PerSecond(static_cast<double>(t.events), t.run_wall_ms)},
               {"runs_per_s", PerSecond(static_cast<double>(t.runs), t.elapsed_wall_ms)},
               {"sim_to_wall", SimToWall(t)}};
  nlohmann::ordered_json failing = nlohmann::ordered_json::array();
  for (const FailingRun& f : t.failing) {
    failing.push_back({{"scenario", f.scenario},
                       {"seed", f.seed},
                       {"kind", f.kind},
                       {"why", f.why},
                       {"replay", ReplayCommand(f.scenario, f.seed)}});
  }
  j["failing"] = failing;
  j["missed"] = t.missed();
  nlohmann::ordered_json some_seed = nlohmann::ordered_json::object();
  for (const auto& [path, s] : t.some_seed) {
    some_seed[path] = {{"expected", s.expected}, {"seeds", s.seeds}, {"seen", s.seen}};
  }
  j["some_seed"] = some_seed;
  nlohmann::ordered_json expected = nlohmann::ordered_json::object();
  for (const auto& [path, e] : t.expected_failures) {
    nlohmann::ordered_json first = nlohmann::ordered_json::array();
    for (const FailingRun& f : e.first) {
      first.push_back(
          {{"seed", f.seed}, {"kind", f.kind}, {"replay", ReplayCommand(f.scenario, f.seed)}});
    }
    expected[path] = {{"runs", e.runs}, {"first", first}};
  }
  j["expected_failures"] = expected;
  return j;
}

std::string SummaryText(const SweepTally& t) {
  const size_t unmet = t.unmet();
  size_t took_effect = 0;
  uint64_t effects = 0;
  for (const auto& [kind, e] : t.fault_effects) {
    took_effect += e.took_effect;
    effects += e.effects;
  }
  std::string out = fmt::format(
      "runs: {}  ok: {}  failed: {}\n"
      "events: {}  events/s (per worker): {:.0f}  simulated:wall {:.0f}:1  runs/s: {:.1f}  "
      "elapsed: {:.1f}s\n"
      "faults injected: {}  took effect: {}  effects: {}\n",
      t.runs, t.runs - std::min(t.runs, unmet), unmet, t.events,
      PerSecond(static_cast<double>(t.events), t.run_wall_ms), SimToWall(t),
      PerSecond(static_cast<double>(t.runs), t.elapsed_wall_ms),
      static_cast<double>(t.elapsed_wall_ms) / 1000.0, t.faults, took_effect, effects);
  for (const auto& [kind, n] : t.failures_by_kind)
    out += fmt::format("  failures of kind {}: {}\n", kind, n);
  for (const FailingRun& f : t.failing) {
    out += fmt::format("FAIL {} seed {}: {}\n  replay: {}\n", f.scenario, f.seed, f.why,
                       ReplayCommand(f.scenario, f.seed));
  }
  for (const std::string& m : t.missed()) out += fmt::format("FAIL {}\n", m);
  return out;
}

// The entry point sweep.h has always offered.
nlohmann::ordered_json SweepSummaryJson(const SweepResult& result, const SweepOptions& options) {
  return SummaryJson(TallyOf(result, options));
}

}  // namespace pg::sim
