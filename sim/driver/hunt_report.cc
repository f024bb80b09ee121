#include "sim/driver/hunt_report.h"

#include <fmt/format.h>

#include <algorithm>

#include "sim/driver/verdict.h"

namespace pg::sim {

using nlohmann::ordered_json;
namespace {

std::string Catcher(const HuntResult& r) { return r.first ? r.first->kind : "—"; }

std::string ShrunkText(const HuntResult& r) {
  if (!r.first) return "—";
  if (!r.first->shrunk) return "not shrunk";
  return SizesText(*r.first->shrunk);
}

std::string RateText(const HuntResult& r) {
  return fmt::format("{:.0f} ({} of {} seeds)", r.rate_per_100(), r.detecting_seeds, r.seeds_run);
}

ordered_json SizesJson(const ShrinkSizes& s) {
  return {{"faults", s.faults},
          {"clients", s.clients},
          {"ops", s.ops},
          {"meta_servers", s.meta_servers},
          {"replica_servers", s.replica_servers},
          {"partitions", s.partitions},
          {"duration_ms", s.duration_ms}};
}

}  // namespace

std::string SizesText(const ShrinkSizes& s) {
  return fmt::format("{} faults, {} clients, {} ops, {} replica servers, {} partitions, {} s",
                     s.faults, s.clients, s.ops, s.replica_servers, s.partitions,
                     s.duration_ms / 1000);
}

std::string HuntLine(const HuntResult& r) {
  const BugInfo& info = InfoOf(r.bug);
  if (!r.first) {
    return fmt::format("{}: NOT CAUGHT in seeds {}..{} ({} runs)", info.name, r.seeds.first,
                       r.seeds.last, r.runs);
  }
  return fmt::format(
      "{}: caught at seed {} ({} seeds) by {} in {}; {} detecting seeds per 100{}; shrunk: {}",
      info.name, r.first->seed, *r.seeds_to_detection(), r.first->kind, r.first->scenario,
      fmt::format("{:.0f}", r.rate_per_100()), r.stopped_at_first ? " (up to the catch)" : "",
      ShrunkText(r));
}

double MedianSeedsToDetection(const std::vector<HuntResult>& results) {
  if (results.empty()) return 0;
  std::vector<double> v;
  for (const HuntResult& r : results) {
    const auto n = r.seeds_to_detection();
    v.push_back(n ? static_cast<double>(*n)
                  : static_cast<double>(r.seeds.last - r.seeds.first + 2));
  }
  std::sort(v.begin(), v.end());
  const size_t m = v.size() / 2;
  return v.size() % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
}

ordered_json HuntJson(const std::vector<HuntResult>& results) {
  ordered_json bugs = ordered_json::array();
  for (const HuntResult& r : results) {
    const BugInfo& info = InfoOf(r.bug);
    ordered_json j{{"bug", info.name},
                   {"cite", info.cite},
                   {"seeds", fmt::format("{}..{}", r.seeds.first, r.seeds.last)},
                   {"stopped_at_first", r.stopped_at_first},
                   {"seeds_run", r.seeds_run},
                   {"detecting_seeds", r.detecting_seeds},
                   {"runs", r.runs},
                   {"failed_runs", r.failed_runs},
                   {"kinds", r.kinds},
                   {"events", r.events},
                   {"wall_ms", r.wall_ms}};
    if (r.first) {
      j["first"] = {
          {"seed", r.first->seed},
          {"seeds_to_detection", *r.seeds_to_detection()},
          {"scenario", r.first->scenario},
          {"kind", r.first->kind},
          {"why", r.first->why},
          {"replay",
           fmt::format("{} --bug {}", ReplayCommand(r.first->scenario, r.first->seed), info.name)},
          {"original", SizesJson(r.first->original)}};
      if (r.first->shrunk) {
        j["first"]["shrunk"] = SizesJson(*r.first->shrunk);
        j["first"]["shrink_runs"] = r.first->shrink_runs;
      }
    } else {
      j["first"] = nullptr;
    }
    bugs.push_back(std::move(j));
  }
  return {{"revision", Revision()},
          {"median_seeds_to_detection", MedianSeedsToDetection(results)},
          {"bugs", std::move(bugs)}};
}

std::string HuntMarkdown(const std::vector<HuntResult>& results) {
  std::string md =
      "| switch | the real bug | seeds to first detection | detecting seeds per 100 | caught "
      "by | first caught in | shrunk to |\n|---|---|---:|---|---|---|---|\n";
  for (const HuntResult& r : results) {
    const BugInfo& info = InfoOf(r.bug);
    const auto n = r.seeds_to_detection();
    md += fmt::format("| `{}` | {}: {} | {} | {} | `{}` | {} | {} |\n", info.name, info.cite,
                      info.what, n ? fmt::format("{}", *n) : "**not caught**", RateText(r),
                      Catcher(r), r.first ? fmt::format("`{}`", r.first->scenario) : "—",
                      ShrunkText(r));
  }
  md += fmt::format("\nMedian seeds to first detection: {}.\n", MedianSeedsToDetection(results));
  return md;
}

}  // namespace pg::sim
