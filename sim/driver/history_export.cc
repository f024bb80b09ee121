#include "sim/driver/history_export.h"

#include <fmt/format.h>

#include "checker/check.h"
#include "sim/driver/runner.h"

namespace pg::sim {

namespace {

// A JSON string literal (quotes and escapes) through nlohmann, so escaping follows the library.
void AppendJsonString(std::string& out, const std::string& s) { out += nlohmann::json(s).dump(); }

}  // namespace

// Written field by field rather than through a json object per line: this runs once per run in
// every sweep, and a history has thousands of lines. Keys keep DESIGN.md §4's order. Nodes build
// value_json with nlohmann, so it is inserted as it is; if it were ever malformed, the checker's
// strict reader would report the line instead of the bench guessing.
std::string HistoryToJsonl(const std::vector<RecordedOp>& history) {
  std::string out;
  out.reserve(history.size() * 120);
  uint64_t index = 0;
  for (const RecordedOp& r : history) {
    out += fmt::format("{{\"index\":{},\"process\":{},\"type\":", index++, r.op.process);
    AppendJsonString(out, r.op.type);
    out += ",\"f\":";
    AppendJsonString(out, r.op.f);
    out += ",\"hashkey\":";
    AppendJsonString(out, r.op.hashkey);
    if (!r.op.sortkey.empty()) {
      out += ",\"sortkey\":";
      AppendJsonString(out, r.op.sortkey);
    }
    out += ",\"value\":";
    out += r.op.value_json;
    out += fmt::format(",\"time\":{}}}\n", r.at.ns());
  }
  return out;
}

size_t CountCompletions(const std::vector<RecordedOp>& history) {
  size_t n = 0;
  for (const RecordedOp& r : history) n += r.op.type != "invoke";
  return n;
}

}  // namespace pg::sim

namespace pg::sim {

std::optional<Failure> JudgeHistory(const std::vector<RecordedOp>& history, double timeout_s,
                                    RunOutcome& outcome) {
  // Through the JSON-lines form on purpose: the checker judges exactly what a person or another
  // tool would read from history.jsonl.
  checker::Result<checker::History> parsed =
      checker::ParseJsonlHistory(outcome.history_jsonl, "run history");
  if (!parsed.ok()) {
    // The simulator wrote it, so a malformed history is a bug in the bench.
    return Failure{.kind = "history", .detail = parsed.error().ToString()};
  }
  const checker::CheckResult result =
      checker::Check(*parsed, {.timeout_s = timeout_s, .threads = 1});
  outcome.checker = checker::ToJson(result, /*include_elapsed=*/true);
  switch (result.verdict) {
    case checker::Verdict::kOk:
      return std::nullopt;
    case checker::Verdict::kIllegal:
      return Failure{.kind = "checker:illegal",
                     .detail = result.explanation,
                     .event = outcome.events,
                     .at = Time::Zero() + Millis(outcome.sim_time_ms)};
    case checker::Verdict::kUnknown:
      return Failure{.kind = "checker:unknown",
                     .detail = result.explanation,
                     .event = outcome.events,
                     .at = Time::Zero() + Millis(outcome.sim_time_ms)};
  }
  return std::nullopt;
}

}  // namespace pg::sim
