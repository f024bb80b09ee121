// From a verdict.json to the regression scenario file the shrinker writes.
#include <fmt/format.h>

#include <cctype>
#include <charconv>

#include "sim/driver/shrink.h"
#include "sim/driver/verdict.h"
#include "sim/scenario/scenario_writer.h"

namespace pg::sim {
namespace {

// A file-name-safe rendering: lowercase letters, digits and '_' ("checker:illegal" ->
// "checker_illegal").
std::string Slug(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const bool keep = std::isalnum(static_cast<unsigned char>(c)) != 0;
    if (keep) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

std::string StemOf(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  std::string stem = slash == std::string::npos ? path : path.substr(slash + 1);
  if (const size_t dot = stem.rfind('.'); dot != std::string::npos) stem.resize(dot);
  return stem;
}

std::string ProbeText(const ShrinkResult& r, int probe_seeds) {
  if (probe_seeds <= 0) return "";
  std::string text = r.probe_seeds_failing.empty()
                         ? fmt::format(" None of seeds 1..{} fails the same way.", probe_seeds)
                         : fmt::format(" Of seeds 1..{}, these fail the same way: {}.", probe_seeds,
                                       fmt::join(r.probe_seeds_failing, ", "));
  for (const auto& [kind, seeds] : r.probe_other_kinds)
    text += fmt::format(" Seeds {} fail with {}.", fmt::join(seeds, ", "), kind);
  if (!r.probe_other_kinds.empty())
    text += " So \"expect\" names no failure kind: in a sweep other seeds show the bug otherwise.";
  return text;
}

}  // namespace

std::string SizesChange(const ShrinkSizes& a, const ShrinkSizes& b) {
  return fmt::format(
      "faults {} -> {}, clients {} -> {}, ops {} -> {}, meta_servers {} -> {}, "
      "replica_servers {} -> {}, partitions {} -> {}, duration_ms {} -> {}",
      a.faults, b.faults, a.clients, b.clients, a.ops, b.ops, a.meta_servers, b.meta_servers,
      a.replica_servers, b.replica_servers, a.partitions, b.partitions, a.duration_ms,
      b.duration_ms);
}

Result<RegressionFile> ShrinkVerdictFile(const std::string& verdict_path,
                                         const ShrinkOptions& options) {
  auto verdict = LoadVerdict(verdict_path);
  if (!verdict.ok()) return verdict.status();
  if (verdict->verdict != "fail") {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("{}: $.verdict: expected a failing run to shrink (got \"{}\": the "
                              "run passed, there is nothing to shrink)",
                              verdict_path, verdict->verdict));
  }
  auto knobs = KnobsFromJson(verdict->knobs, verdict_path + ": $.knobs");
  if (!knobs.ok()) return knobs.status();
  ShrinkOptions checked = options;
  uint64_t hash = 0;  // LoadVerdict checked: 16 lowercase hex digits
  const std::string& hex = verdict->trace_hash;
  if (std::from_chars(hex.data(), hex.data() + hex.size(), hash, 16).ec == std::errc()) {
    checked.expect_trace_hash = hash;
  }
  auto shrunk = ShrinkKnobs(*knobs, verdict->failure_kind, checked);
  if (!shrunk.ok()) {
    return Status(shrunk.status().code(),
                  fmt::format("{}: {}", verdict_path, shrunk.status().message()));
  }
  const ShrinkResult& r = *shrunk;
  const std::string source = verdict->name.empty() ? StemOf(verdict->scenario) : verdict->name;
  const std::string name =
      fmt::format("{}_seed{}_{}", Slug(source), verdict->seed, Slug(verdict->failure_kind));
  const std::string description = fmt::format(
      "REGRESSION (found by pegasim, not yet fixed): shrunk by `pegasim shrink` from {} seed {}, "
      "which failed with {}: {} ({} runs{}).{} The file expects that failure (on its seed; in a "
      "sweep, on some seed); once the bug is fixed, set \"expect\" to {{\"verdict\": \"ok\"}} "
      "and keep the file.",
      verdict->scenario, verdict->seed, r.failure_kind,
      SizesChange(SizesOf(r.original), SizesOf(r.knobs)), r.runs,
      r.budget_exhausted ? ", run budget spent" : "", ProbeText(r, options.probe_seeds));
  const ScenarioFileHeader header{
      .name = name,
      .description = description,
      .expect = {.verdict = "fail",
                 .failure_kind = r.probe_other_kinds.empty()
                                     ? std::optional<std::string>(r.failure_kind)
                                     : std::nullopt,
                 .every_seed = false}};
  return RegressionFile{
      .name = name, .scenario = ScenarioFileJson(r.knobs, header), .result = std::move(*shrunk)};
}

}  // namespace pg::sim
