#include "sim/driver/history_export.h"

#include "checker/check.h"
#include "sim/driver/runner.h"

namespace pg::sim {

std::string HistoryToJsonl(const std::vector<RecordedOp>& history) {
  std::string out;
  uint64_t index = 0;
  for (const RecordedOp& r : history) {
    nlohmann::ordered_json line;
    line["index"] = index++;
    line["process"] = r.op.process;
    line["type"] = r.op.type;
    line["f"] = r.op.f;
    line["hashkey"] = r.op.hashkey;
    if (!r.op.sortkey.empty()) line["sortkey"] = r.op.sortkey;
    // Nodes build value_json with nlohmann, so it parses; if it ever does not, the checker's strict
    // reader reports the line instead of the bench guessing.
    line["value"] = nlohmann::ordered_json::parse(r.op.value_json, nullptr, false);
    line["time"] = r.at.ns();
    out += line.dump();
    out += '\n';
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
