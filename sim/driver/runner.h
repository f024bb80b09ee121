#pragma once
// One run: knobs in, outcome out. Builds the cluster the knobs describe, schedules the nemesis,
// runs to the end of simulated time, checks the recorded history, and returns everything a verdict
// needs. Deterministic: equal knobs give an equal RunOutcome (but for wall time).
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "checker/check.h"
#include "sim/driver/served_by.h"
#include "sim/kernel/cluster.h"
#include "sim/scenario/knobs.h"

namespace pg::sim {

// Builds a system's nodes into a cluster (sim/driver/system_builder.h has the real ones).
using SystemBuilder = std::function<Status(Cluster&, const Knobs&)>;

struct RunOptions {
  bool record_trace = false;      // keep one TraceLine per event (for --trace)
  bool record_served_by = false;  // fill RunOutcome::served_by (for the run page)
  // Fill RunOutcome::history_jsonl (for history.jsonl, the run page). A failed run fills it
  // regardless; a clean one in a sweep skips the text (the checker does not need it).
  bool history_jsonl = false;
  double checker_timeout_s = 60;
  // Tests plant bugs by building a variant system; empty = the system the knobs name.
  SystemBuilder system_override;
  // Added: a delivery policy that replaces the one the knobs' "scheduler" names (the explorer's
  // model checker drives runs through it). Null: the knobs decide.
  std::shared_ptr<DeliveryPolicy> delivery_policy;
};

struct RunOutcome {
  Knobs knobs;
  uint64_t trace_hash = 0;
  uint64_t events = 0;
  int64_t sim_time_ms = 0;
  int64_t wall_ms = 0;  // measurement only; never feeds back into the run
  std::optional<Failure> failure;
  // The checker's report; empty when the system records no history. Kept as it is and turned into
  // JSON only for a verdict (CheckerJson): a sweep writes verdicts of unexpected runs alone, and a
  // report of a run with rotating keys has thousands of partitions.
  std::optional<checker::CheckResult> checker;
  std::vector<std::pair<Time, std::string>> faults;
  std::vector<uint64_t> fault_effects;  // per entry of `faults` (Cluster::fault_effects)
  std::vector<std::string> marks;
  // Per mark, the indices into `faults` it is credited to (Cluster::mark_faults).
  std::map<std::string, std::set<FaultIndex>> mark_faults;
  // What the liveness condition excused at its last check, each with its reason (empty without
  // a liveness phase).
  std::vector<std::string> liveness_exempt;
  std::vector<TraceLine> trace;  // empty unless record_trace
  ServedByLog served_by;         // empty unless record_served_by
  std::string history_jsonl;     // the client history, DESIGN.md §4 (RunOptions::history_jsonl)
  size_t operations = 0;         // completed client operations

  bool failed() const { return failure.has_value(); }
  // The checker's report as verdict.json holds it (null when there is none).
  nlohmann::json CheckerJson() const;
};

RunOutcome RunKnobs(const Knobs& knobs, const RunOptions& options);

// Whether the outcome is what the scenario's "expect" asks for; explains itself when not.
struct ExpectationResult {
  bool met = true;
  std::string why;
};
ExpectationResult CheckExpectation(const Scenario& scenario, const RunOutcome& outcome);

}  // namespace pg::sim
