#pragma once
// Shrinking a failing run: from the knobs of a run that failed with some kind (an invariant's
// "invariant:NAME", the checker's "checker:illegal", ...), find knobs with fewer faults, clients,
// operations and nodes, a shorter duration and simpler faults, that still fail with that same
// kind. Every candidate is one deterministic run, so the same input always shrinks to the same
// output. The result becomes a regression scenario file (ShrinkVerdictFile) that replays alone.
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/common/result.h"
#include "sim/driver/runner.h"
#include "sim/scenario/knobs.h"

namespace pg::sim {

// The sizes a shrink reports, before and after.
struct ShrinkSizes {
  size_t faults = 0;
  int clients = 0;
  int ops = 0;
  int meta_servers = 0;
  int replica_servers = 0;
  int partitions = 0;
  int64_t duration_ms = 0;
};
ShrinkSizes SizesOf(const Knobs& knobs);
// "faults 9 -> 1, clients 4 -> 1, ops 400 -> 12, ..." (every size, changed or not).
std::string SizesChange(const ShrinkSizes& before, const ShrinkSizes& after);

// One finished candidate run.
struct ShrinkStep {
  int run = 0;            // 1-based count of runs so far
  int max_runs = 0;       // the budget
  std::string_view what;  // the step that built the candidate: "faults", "clients", ...
  bool kept = false;      // it failed the same way, so it is the new smallest
  ShrinkSizes sizes;      // of the smallest knobs so far
};

struct ShrinkOptions {
  RunOptions run;      // how each candidate runs (tests plant bugs through system_override)
  int max_runs = 200;  // candidate runs at most, the reproduction run included
  // Seeds other than the run's on which the shrunk knobs are tried afterwards (not counted in
  // max_runs), to tell how often a sweep will see the failure: seeds 1..probe_seeds.
  int probe_seeds = 0;
  std::function<void(const ShrinkStep&)> on_step;  // progress display
  // The verdict's trace hash, when shrinking a verdict: the reproduction run must match it, or
  // the shrink would start from a different run than the one recorded.
  std::optional<uint64_t> expect_trace_hash;
};

struct ShrinkResult {
  Knobs original;
  Knobs knobs;  // the smallest knobs found that fail with failure_kind (swarm off)
  std::string failure_kind;
  Failure failure;  // the smallest knobs' failure
  int runs = 0;
  bool budget_exhausted = false;
  std::vector<uint64_t> probe_seeds_failing;  // of seeds 1..probe_seeds, those failing the same way
  // Of seeds 1..probe_seeds, those failing with another kind, e.g. "checker:illegal on 3, 8" (the
  // same bug seen by a different check): then the file's expect cannot name one kind.
  std::map<std::string, std::vector<uint64_t>> probe_other_kinds;
};

// kInconsistentState (naming the kind it got) when `knobs` do not fail with `failure_kind`.
Result<ShrinkResult> ShrinkKnobs(const Knobs& knobs, const std::string& failure_kind,
                                 const ShrinkOptions& options);

// A shrunk verdict, as the regression scenario file to commit.
struct RegressionFile {
  std::string name;  // the scenario's name; the file is NAME.json
  nlohmann::ordered_json scenario;
  ShrinkResult result;
};
// Loads a verdict.json and shrinks its run. kInvalidArgument for an unreadable verdict or one
// that did not fail; kInconsistentState when the failure does not reproduce.
Result<RegressionFile> ShrinkVerdictFile(const std::string& verdict_path,
                                         const ShrinkOptions& options);

}  // namespace pg::sim
