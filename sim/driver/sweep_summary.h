#pragma once
// What a sweep's summary.json says, as a tally that adds up across shards: N machines each run
// `sweep --shard K/N --out DIR`, `pegasim merge DIR...` reads their summaries back and adds them,
// and the merged summary equals the unsharded sweep's (wall-time figures aside).
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "sim/driver/sweep.h"

namespace pg::sim {

// The kind of a fault the nemesis logged, without its nodes and numbers: "crash replica/1
// (machine)" -> "crash (machine)", "one-way partition 3 [...] | [...]" -> "one-way partition",
// "pause client/2 ignored: ..." -> "pause (ignored)", "crash trigger 3 armed: ..." -> "crash
// trigger armed".
std::string FaultKind(const std::string& description);
// The "fault kind" a coverage mark is credited to when no fault had taken effect before it.
inline constexpr char kNoFaultKind[] = "(no fault)";

// One message per scenario of `order` that expected a failure on some seed and saw it on none.
std::vector<std::string> MissedFailures(const std::vector<std::string>& order,
                                        const std::map<std::string, SomeSeedTally>& some_seed);

struct FailingRun {
  std::string scenario;
  uint64_t seed = 0;
  std::string kind;  // the failure kind, or "expectation"
  std::string why;
};

// Runs that failed as their scenario expects ("expect": {"verdict": "fail"}): how many, and the
// first few by seed, to replay.
struct ExpectedFailures {
  static constexpr size_t kKept = 3;
  size_t runs = 0;
  std::vector<FailingRun> first;  // at most kKept, by seed
};

// `amount` per second of `wall_ms` (0 when no time passed).
inline double PerSecond(double amount, int64_t wall_ms) {
  return wall_ms > 0 ? amount * 1000.0 / static_cast<double>(wall_ms) : 0.0;
}

// What the faults of one kind did over a sweep (fault_kinds has how many were injected).
struct FaultKindEffects {
  size_t took_effect = 0;  // faults with at least one effect
  uint64_t effects = 0;    // their effects, added up (messages, I/O operations, crashes...)
  bool operator==(const FaultKindEffects&) const = default;
};

struct SweepTally {
  std::string revision;
  std::vector<std::string> scenarios;  // in sweep order
  SeedRange seeds;
  Shard shard;
  size_t runs = 0;
  uint64_t events = 0;
  int64_t sim_time_ms = 0;
  size_t faults = 0;
  std::map<std::string, size_t> failures_by_kind;  // ordered maps: deterministic output
  std::map<std::string, size_t> fault_kinds;
  std::map<std::string, size_t> marks;  // runs that hit each coverage mark
  // Per fault kind: a key for every kind in fault_kinds.
  std::map<std::string, FaultKindEffects> fault_effects;
  // Per fault kind (or kNoFaultKind), per mark: runs in which the mark was credited to a fault of
  // that kind (sim/kernel/fault_effects.h: the fault whose first effect came last before it).
  std::map<std::string, std::map<std::string, size_t>> fault_marks;
  std::vector<FailingRun> failing;  // in (scenario, seed) order
  std::map<std::string, SomeSeedTally> some_seed;
  std::map<std::string, ExpectedFailures> expected_failures;  // by scenario path
  // Measurements, excluded when comparing summaries. A merge adds run_wall_ms (CPU spent) and
  // keeps the longest elapsed_ms (the shards ran side by side).
  int64_t elapsed_wall_ms = 0;
  int64_t run_wall_ms = 0;

  std::vector<std::string> missed() const { return MissedFailures(scenarios, some_seed); }
  size_t unmet() const { return failing.size() + missed().size(); }
};

SweepTally TallyOf(const SweepResult& result, const SweepOptions& options);
nlohmann::ordered_json SummaryJson(const SweepTally& tally);
std::string SummaryText(const SweepTally& tally);
// SUMMARY.md's body: totals, speed, fault kinds, coverage marks, failures with replay commands.
std::string SummaryMarkdown(const SweepTally& tally);

// Reads a summary.json back. Strict: a missing or mistyped key is kInvalidArgument naming
// `source` and the JSON path.
Result<SweepTally> TallyFromJson(const nlohmann::json& summary, const std::string& source);

// Adds up the shards of one sweep. kInvalidArgument when they are not one sweep: different
// scenarios, seeds or shard counts, a shard given twice or missing. `sources` name the shards in
// messages, one per tally.
Result<SweepTally> MergeTallies(const std::vector<SweepTally>& shards,
                                const std::vector<std::string>& sources);

}  // namespace pg::sim
