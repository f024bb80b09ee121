#pragma once
// The bridge from a run's recorded client operations to the checker: the JSON-lines history of
// DESIGN.md §4 (written when asked for), and the in-process check, which takes the operations
// directly, whose result becomes part of the verdict.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "checker/history.h"
#include "sim/kernel/cluster.h"

namespace pg::sim {

struct RunOutcome;

// The bound on how far a replica server's clock read from simulated time at any of its steps,
// in whole milliseconds rounded up: the skew every write with a TTL declares in the history
// (docs/checker.md "TTL"), since a replica server judged its expiry by that clock.
int64_t ServingClockSkewMs(const Cluster& cluster);

// ttl_skew_ms: the skew the writes with a TTL declare (ServingClockSkewMs).
std::string HistoryToJsonl(const std::vector<RecordedOp>& history, int64_t ttl_skew_ms);
// The history as the checker takes it, built from the recorded operations directly; equal to
// ParseJsonlHistory(HistoryToJsonl(history, ttl_skew_ms), "run history").
checker::Result<checker::History> HistoryOf(const std::vector<RecordedOp>& history,
                                            int64_t ttl_skew_ms);
// Completions (ok, fail, info) in the history.
size_t CountCompletions(const std::vector<RecordedOp>& history);
// Checks the history for linearizability, stores the checker's report in outcome.checker, and
// returns the failure ("checker:illegal", "checker:unknown") if it is not ok.
std::optional<Failure> JudgeHistory(const std::vector<RecordedOp>& history, int64_t ttl_skew_ms,
                                    double timeout_s, RunOutcome& outcome);

}  // namespace pg::sim
