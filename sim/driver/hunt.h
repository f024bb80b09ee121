#pragma once
// A bug hunt: the default sweep with one bug-zoo switch on (core/common/bugs.h), seed by seed,
// measuring how soon and how often the bench catches it. A seed is one run of every scenario the
// switch can reach (the "pegasus" ones); the seed detects the bug when any of its runs misses its
// expectation. The same scenarios and seeds with every switch off are the green sweep CI runs, so
// a detection is the switch's doing, not a bug the sweep already has.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/common/bugs.h"
#include "core/common/result.h"
#include "sim/driver/shrink.h"
#include "sim/driver/sweep.h"

namespace pg::sim {

struct HuntOptions {
  Bug bug = Bug::kCommitOnMajority;
  std::vector<std::string> scenario_paths;  // expanded; those not of the "pegasus" system skipped
  SeedRange seeds;
  int jobs = 1;
  // Stop at the first detecting seed (CI's quick pass) instead of measuring the whole range.
  bool stop_at_first = false;
  // With stop_at_first: run at least this many seeds before stopping, so the detection rate has a
  // floor of seeds under it (tools/bugzoo: a rate over 1..20, and the first catch up to 200).
  uint64_t min_seeds = 0;
  // Shrink the first detecting run with at most this many candidate runs; 0: no shrink.
  int shrink_runs = 0;
  // Called after each seed: progress display.
  std::function<void(uint64_t seed, size_t failing_runs)> on_seed;
};

// The first run that detected the bug.
struct HuntCatch {
  uint64_t seed = 0;
  std::string scenario;  // its path
  std::string kind;      // the failure kind ("invariant:committed_prefix", "checker:illegal", ...)
  std::string why;       // the sweep's explanation
  std::optional<ShrinkSizes> shrunk;  // when shrunk: the smallest failing knobs' sizes
  ShrinkSizes original;
  int shrink_runs = 0;
};

struct HuntResult {
  Bug bug = Bug::kCommitOnMajority;
  std::vector<std::string> scenarios;  // the ones run
  SeedRange seeds;                     // the range asked for
  // A quick pass: the rate covers the seeds run (up to the catch, or min_seeds).
  bool stopped_at_first = false;
  uint64_t seeds_run = 0;        // seeds first..last (or up to the first catch)
  uint64_t detecting_seeds = 0;  // seeds with a run that missed its expectation
  uint64_t runs = 0;
  uint64_t failed_runs = 0;
  // Runs whose history the checker left undecided (checker:unknown): not a detection, whatever
  // the bug, since the budget ran out before anything was shown wrong.
  uint64_t undecided_runs = 0;
  std::map<std::string, uint64_t> kinds;  // failing runs by failure kind
  std::optional<HuntCatch> first;
  int64_t wall_ms = 0;
  uint64_t events = 0;
  bool caught() const { return first.has_value(); }
  // How many seeds of the range it took (1: the range's first seed caught it); none if uncaught.
  std::optional<uint64_t> seeds_to_detection() const;
  // Detecting seeds per 100 seeds run.
  double rate_per_100() const;
};

// Whether a run of a hunt detects the bug: it missed its expectation, and not only because the
// checker ran out of budget (an undecided history shows nothing wrong).
bool DetectsBug(const RunRecord& run);

// kInvalidArgument for a bad scenario file or no pegasus scenario among the paths.
Result<HuntResult> RunHunt(const HuntOptions& options);

// The pegasus scenarios among `paths` (the only ones the core's switches reach).
Result<std::vector<std::string>> PegasusScenarios(const std::vector<std::string>& paths);

}  // namespace pg::sim
