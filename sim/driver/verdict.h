#pragma once
// verdict.json (DESIGN.md §4): everything about one run that a person or a tool needs, including
// the one command that replays it. Reading a verdict back gives the knobs that reproduce the run.
#include <nlohmann/json.hpp>
#include <string>

#include "core/common/result.h"
#include "sim/driver/runner.h"
#include "sim/scenario/scenario.h"

namespace pg::sim {

nlohmann::ordered_json VerdictJson(const Scenario& scenario, const RunOutcome& outcome);
std::string ReplayCommand(const std::string& scenario_path, uint64_t seed);
std::string TraceHashHex(uint64_t hash);
// The git revision this binary was built from.
std::string Revision();

// What `replay` needs from a verdict file.
struct VerdictFile {
  std::string path;
  std::string scenario;  // the scenario path the run came from
  uint64_t seed = 0;
  std::string trace_hash;
  std::string verdict;
  nlohmann::json knobs;
  std::string name;          // the scenario's name; empty in a verdict that has none
  std::string failure_kind;  // $.failure.kind of a failed run ("fail"); empty otherwise
};
// Strict: a missing or mistyped key is kInvalidArgument naming the file and the JSON path.
Result<VerdictFile> LoadVerdict(const std::string& path);

}  // namespace pg::sim
