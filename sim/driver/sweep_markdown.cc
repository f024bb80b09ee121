// SUMMARY.md (sweep_summary.h): a sweep as a person reads it, from the same tally as summary.json.
#include <algorithm>
#include <set>

#include "sim/driver/sweep_summary.h"
#include "sim/driver/verdict.h"

namespace pg::sim {
namespace {

std::string Totals(const SweepTally& t) {
  const size_t unmet = t.unmet();
  return fmt::format(
      "## Totals\n\n"
      "| runs | as expected | not | scenarios | seeds | events | simulated time |\n"
      "|---:|---:|---:|---:|---|---:|---:|\n"
      "| {} | {} | {} | {} | {}..{} | {} | {:.0f} s |\n\n",
      t.runs, t.runs - std::min(t.runs, unmet), unmet, t.scenarios.size(), t.seeds.first,
      t.seeds.last, t.events, static_cast<double>(t.sim_time_ms) / 1000.0);
}

std::string Speed(const SweepTally& t) {
  return fmt::format(
      "## Speed\n\n"
      "Wall-clock measurements: they vary from machine to machine (everything else on this page "
      "is a function of the seeds). seeds/s counts runs (one scenario with one seed) per second "
      "of the whole sweep; each run is single-threaded, and events/s and simulated:wall are per "
      "worker.\n\n"
      "| seeds/s | events/s | simulated:wall | elapsed | CPU in runs |\n"
      "|---:|---:|---:|---:|---:|\n"
      "| {:.1f} | {:.0f} | {:.0f}:1 | {:.1f} s | {:.1f} s |\n\n",
      PerSecond(static_cast<double>(t.runs), t.elapsed_wall_ms),
      PerSecond(static_cast<double>(t.events), t.run_wall_ms),
      t.run_wall_ms > 0 ? static_cast<double>(t.sim_time_ms) / static_cast<double>(t.run_wall_ms)
                        : 0.0,
      static_cast<double>(t.elapsed_wall_ms) / 1000.0, static_cast<double>(t.run_wall_ms) / 1000.0);
}

struct Columns {
  const char* name;
  const char* count;
};

std::string Counts(const std::string& heading, const std::string& intro, Columns columns,
                   const std::map<std::string, size_t>& counts) {
  std::string out = fmt::format("## {}\n\n{}\n\n", heading, intro);
  if (counts.empty()) return out + "None.\n\n";
  out += fmt::format("| {} | {} |\n|---|---:|\n", columns.name, columns.count);
  for (const auto& [name, n] : counts) out += fmt::format("| `{}` | {} |\n", name, n);
  return out + "\n";
}

// Injected, took effect, effects: a bound that never bites shows as a kind injected often and
// taking effect rarely.
std::string FaultTable(const SweepTally& t) {
  std::string out = fmt::format(
      "## Faults injected\n\n"
      "What the nemesis did over all runs ({} in total), by kind; \"(ignored)\" marks a fault that "
      "found nothing to act on. A fault took effect when it had at least one effect: a partition "
      "or clog cut or held a message, a delay rule delayed one, a link setting dropped, duplicated "
      "or reordered one, a disk-error setting failed an I/O operation, a corruption flipped a bit, "
      "a corruption rule damaged a message's frame, a crash, restart, pause, resume or clock "
      "change found its node as it needed, a heal healed a partition. effects adds those up "
      "(messages, operations, nodes).\n\n",
      t.faults);
  if (t.fault_kinds.empty()) return out + "None.\n\n";
  out += "| kind | injected | took effect | effects |\n|---|---:|---:|---:|\n";
  for (const auto& [kind, n] : t.fault_kinds) {
    auto it = t.fault_effects.find(kind);
    const FaultKindEffects e = it == t.fault_effects.end() ? FaultKindEffects{} : it->second;
    out += fmt::format("| `{}` | {} | {} | {} |\n", kind, n, e.took_effect, e.effects);
  }
  return out + "\n";
}

// The marks credited to every fault kind (kNoFaultKind aside): they say nothing about any one
// kind, so the table names them once instead of in every row.
std::set<std::string> CommonMarks(const SweepTally& t) {
  std::set<std::string> common;
  bool first = true;
  for (const auto& [kind, marks] : t.fault_marks) {
    if (kind == kNoFaultKind) continue;
    std::set<std::string> here;
    for (const auto& [mark, runs] : marks) {
      if (first || common.contains(mark)) here.insert(mark);
    }
    common = std::move(here);
    first = false;
  }
  return common;
}

// Per fault kind, the marks credited to it, by name, each with its run count.
std::string PathsTable(const SweepTally& t) {
  std::string out =
      "## Protocol paths reached\n\n"
      "Which coverage marks each fault kind reached: a mark is credited to the fault whose first "
      "effect came last before the mark (a proxy, not a cause: see docs/scenarios.md), or to "
      "`(no fault)`; the number is how many runs credited it so (summary.json's `fault_marks` "
      "has every pair).";
  if (t.fault_marks.empty()) return out + "\n\nNone.\n\n";
  const std::set<std::string> common = CommonMarks(t);
  std::string names;
  for (const std::string& m : common) names += fmt::format("{}`{}`", names.empty() ? "" : ", ", m);
  if (!common.empty()) {
    out += fmt::format(" Marks every fault kind reached, left out of the rows below ({}): {}.",
                       common.size(), names);
  }
  out += "\n\n| fault kind | marks | other marks reached (runs) |\n|---|---:|---|\n";
  for (const auto& [kind, marks] : t.fault_marks) {
    std::string list;
    for (const auto& [mark, runs] : marks) {
      if (kind != kNoFaultKind && common.contains(mark)) continue;
      list += fmt::format("{}`{}` {}", list.empty() ? "" : ", ", mark, runs);
    }
    out += fmt::format("| `{}` | {} | {} |\n", kind, marks.size(), list);
  }
  return out + "\n";
}

std::string Failures(const SweepTally& t) {
  std::string out = "## Failures\n\n";
  if (t.failing.empty() && t.missed().empty()) {
    out += "Every run met its scenario's expectation.\n\n";
  } else {
    out +=
        "Runs that missed their scenario's expectation, each with the command that replays it:\n\n";
    for (const FailingRun& f : t.failing) {
      out += fmt::format("- `{}` seed {}: {} — `{}`\n", f.scenario, f.seed, f.why,
                         ReplayCommand(f.scenario, f.seed));
    }
    for (const std::string& m : t.missed()) out += fmt::format("- {}\n", m);
    out += "\n";
  }
  if (t.expected_failures.empty()) return out;
  out +=
      "Failures the scenarios expect (the bench must find them), with the first seeds to "
      "replay:\n\n"
      "| scenario | runs failed as expected | first seeds |\n|---|---:|---|\n";
  for (const auto& [path, e] : t.expected_failures) {
    std::string first;
    for (const FailingRun& f : e.first)
      first += fmt::format("{}`{}` ({})", first.empty() ? "" : "<br>", ReplayCommand(path, f.seed),
                           f.kind);
    out += fmt::format("| `{}` | {} | {} |\n", path, e.runs, first);
  }
  return out + "\n";
}

}  // namespace

std::string SummaryMarkdown(const SweepTally& t) {
  return Totals(t) + Speed(t) + FaultTable(t) +
         Counts("Coverage marks",
                "How many runs hit each coverage mark (a node's `Mark` effect on a rare path).",
                {"mark", "runs"}, t.marks) +
         PathsTable(t) + Failures(t);
}

}  // namespace pg::sim
