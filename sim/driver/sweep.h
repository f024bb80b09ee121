#pragma once
// A sweep: many scenarios × many seeds, each run single-threaded, runs spread over worker threads.
// The summary is a function of the (scenario, seed) set alone, never of the worker count or the
// order runs finish in (wall-time figures aside).
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "sim/driver/runner.h"
#include "sim/kernel/cluster.h"
#include "sim/scenario/scenario.h"

namespace pg::sim {

struct SeedRange {
  uint64_t first = 0;
  uint64_t last = 0;  // inclusive
};
// "A..B" (inclusive) or "N" (one seed), decimal, at most InputLimits::kSeedRange seeds.
// kInvalidArgument otherwise.
Result<SeedRange> ParseSeedRange(const std::string& text);
// One seed, as every seed flag takes it: decimal digits only (no sign, no 0x, not empty), at most
// 2^64 - 1. kInvalidArgument naming `flag` otherwise.
Result<uint64_t> ParseSeed(const std::string& flag, const std::string& text);

struct Shard {
  uint32_t index = 0;  // K in K/N, 0-based (a Kubernetes JOB_COMPLETION_INDEX fits as is)
  uint32_t count = 1;
};
Result<Shard> ParseShard(const std::string& text);

// "PATH:SEED": one run of a sweep, as hashes.txt names it (the path as the sweep saw it).
Result<std::pair<std::string, uint64_t>> ParseRunRef(const std::string& text);
// A file name for one run's artifacts: "scenarios/register/steady.json", 17 ->
// "register-steady-17" (the directory keeps names like pegasus/steady and register/steady apart).
std::string RunFileName(const std::string& scenario_path, uint64_t seed);

// Files named on the command line, directories expanded to their *.json files (recursively,
// sorted). kInvalidArgument for a path that does not exist or a directory with no *.json file.
Result<std::vector<std::string>> ExpandScenarioPaths(const std::vector<std::string>& paths);

struct RunRecord {
  std::string scenario;
  uint64_t seed = 0;
  bool failed = false;          // the run's own verdict
  bool expectation_met = true;  // what the sweep counts
  std::string failure_kind;     // when failed
  std::string why;              // when the expectation was not met
  std::string trace_hash;
  uint64_t events = 0;
  int64_t sim_time_ms = 0;
  int64_t wall_ms = 0;
  size_t faults = 0;
  std::vector<std::string> fault_kinds;  // FaultKind of each fault, in injection order
  std::vector<uint64_t> fault_effects;   // the effects of each fault, in the same order
  // Per fault kind (or kNoFaultKind), the coverage marks credited to a fault of that kind.
  std::map<std::string, std::set<std::string>> fault_marks;
  std::vector<std::string> marks;
  std::vector<TraceLine> trace;    // only for runs named in SweepOptions::trace_runs
  nlohmann::ordered_json verdict;  // kept only for runs that missed their expectation
};

struct SweepOptions {
  std::vector<std::string> scenario_paths;
  SeedRange seeds;
  Shard shard;
  int jobs = 1;
  // Runs (scenario path, seed) to record the event trace of, e.g. the runs two sweeps disagree
  // on; recording does not change a run, only costs time and memory.
  std::vector<std::pair<std::string, uint64_t>> trace_runs;
  RunOptions run;  // how each run runs (tests plant bugs through run.system_override)
  // Bug-zoo switches turned on in every scenario on top of its own "bugs" (`pegasim hunt`); the
  // verdicts' knobs list them, so a failing run replays with them on.
  BugSet bugs;
  // Called once per finished run, from the worker that ran it (under a lock): progress display.
  std::function<void(const RunRecord&, size_t done, size_t total)> on_run;
};

// A scenario expecting a failure on some seed only ("every_seed": false): how many of this sweep's
// seeds ran it and how many showed the expected failure. Adds up across shards.
struct SomeSeedTally {
  std::string expected;  // the failure kind, or "a failure"
  size_t seeds = 0;
  size_t seen = 0;
};

struct SweepResult {
  std::vector<RunRecord> runs;                     // in (scenario, seed) order
  std::map<std::string, SomeSeedTally> some_seed;  // by scenario path
  int64_t elapsed_wall_ms = 0;
  // Scenarios expecting a failure on some seed ("every_seed": false) on which no seed of this
  // sweep failed that way: one message each. They fail the sweep like an unmet run.
  std::vector<std::string> missed;
  size_t unmet() const;
};

// Loads every scenario first: a bad file is an error before any run starts.
Result<SweepResult> RunSweep(const SweepOptions& options);
// summary.json; sim/driver/sweep_summary.h has its parts, its text form and the merge of shards.
nlohmann::ordered_json SweepSummaryJson(const SweepResult& result, const SweepOptions& options);

}  // namespace pg::sim
