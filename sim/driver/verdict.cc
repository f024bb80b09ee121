#include "sim/driver/verdict.h"

#include <algorithm>

#include "sim/scenario/input_limits.h"
#include "sim/scenario/json_reader.h"

namespace pg::sim {

#ifndef PG_REVISION
#define PG_REVISION "unknown"
#endif

std::string Revision() { return PG_REVISION; }

std::string TraceHashHex(uint64_t hash) { return fmt::format("{:016x}", hash); }

std::string ReplayCommand(const std::string& scenario_path, uint64_t seed) {
  return fmt::format("pegasim run {} --seed {}", scenario_path, seed);
}

nlohmann::ordered_json VerdictJson(const Scenario& scenario, const RunOutcome& outcome) {
  nlohmann::ordered_json v;
  v["scenario"] = scenario.path;
  v["name"] = scenario.name;
  v["seed"] = outcome.knobs.seed;
  v["revision"] = Revision();
  v["knobs"] = KnobsToJson(outcome.knobs);
  v["trace_hash"] = TraceHashHex(outcome.trace_hash);
  v["events"] = outcome.events;
  v["sim_time_ms"] = outcome.sim_time_ms;
  v["wall_ms"] = outcome.wall_ms;
  v["verdict"] = outcome.failed() ? "fail" : "ok";
  if (outcome.failure) {
    v["failure"] = {{"kind", outcome.failure->kind},
                    {"detail", outcome.failure->detail},
                    {"event", outcome.failure->event},
                    {"time_ms", outcome.failure->at.ms()}};
  } else {
    v["failure"] = nullptr;
  }
  v["checker"] = outcome.CheckerJson();
  v["operations"] = outcome.operations;
  nlohmann::ordered_json faults = nlohmann::ordered_json::array();
  for (size_t i = 0; i < outcome.faults.size(); ++i) {
    const auto& [at, what] = outcome.faults[i];
    faults.push_back(
        {{"at_ms", at.ms()},
         {"what", what},
         {"effects", i < outcome.fault_effects.size() ? outcome.fault_effects[i] : 0}});
  }
  v["faults"] = faults;
  v["marks"] = outcome.marks;
  v["liveness_exempt"] = outcome.liveness_exempt;
  const ExpectationResult expectation = CheckExpectation(scenario, outcome);
  v["expectation"] = {{"met", expectation.met}, {"why", expectation.why}};
  // Switches the run had on that its file does not list (a hunt's) go on the command line.
  std::string replay = ReplayCommand(scenario.path, outcome.knobs.seed);
  for (const BugInfo& info : AllBugs()) {
    if (outcome.knobs.bugs.on(info.bug) && !scenario.bugs.on(info.bug))
      replay += fmt::format(" --bug {}", info.name);
  }
  v["replay"] = replay;
  return v;
}

namespace {

Status VerdictError(const std::string& path, const std::string& json_path,
                    const std::string& what) {
  return Status(ErrorCode::kInvalidArgument, fmt::format("{}: {}: {}", path, json_path, what));
}

}  // namespace

namespace {

// A trace hash as TraceHashHex writes it: 16 lowercase hex digits.
bool IsTraceHash(const std::string& s) {
  return s.size() == 16 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

Result<VerdictFile> LoadVerdict(const std::string& path) {
  auto text = ReadInputFile(path, InputLimits::kVerdictBytes, "verdict file");
  if (!text.ok()) return text.status();
  auto parsed = ParseJsonText(*text, path);  // nesting limit, no repeated key
  if (!parsed.ok()) return parsed.status();
  const nlohmann::json& j = *parsed;
  if (!j.is_object()) return VerdictError(path, "$", "expected a JSON object");
  VerdictFile v{.path = path};
  if (!j.contains("scenario") || !j["scenario"].is_string())
    return VerdictError(path, "$.scenario", "expected a string");
  if (!j.contains("seed") || !j["seed"].is_number_unsigned())
    return VerdictError(path, "$.seed", "expected a non-negative integer");
  if (!j.contains("trace_hash") || !j["trace_hash"].is_string() ||
      !IsTraceHash(j["trace_hash"].get<std::string>()))
    return VerdictError(path, "$.trace_hash", "expected 16 lowercase hex digits");
  if (!j.contains("verdict") || !j["verdict"].is_string() ||
      (j["verdict"] != "ok" && j["verdict"] != "fail"))
    return VerdictError(path, "$.verdict", "expected \"ok\" or \"fail\"");
  if (!j.contains("knobs") || !j["knobs"].is_object())
    return VerdictError(path, "$.knobs", "expected an object");
  if (j.contains("name") && !j["name"].is_string())
    return VerdictError(path, "$.name", "expected a string");
  v.scenario = j["scenario"].get<std::string>();
  v.seed = j["seed"].get<uint64_t>();
  v.trace_hash = j["trace_hash"].get<std::string>();
  v.verdict = j["verdict"].get<std::string>();
  v.knobs = j["knobs"];
  if (j.contains("name")) v.name = j["name"].get<std::string>();
  if (v.verdict == "fail") {
    const auto failure = j.find("failure");
    if (failure == j.end() || !failure->is_object() || !failure->contains("kind") ||
        !(*failure)["kind"].is_string())
      return VerdictError(path, "$.failure.kind", "expected a string (the verdict is \"fail\")");
    v.failure_kind = (*failure)["kind"].get<std::string>();
  }
  return v;
}

}  // namespace pg::sim
