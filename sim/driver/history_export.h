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

std::string HistoryToJsonl(const std::vector<RecordedOp>& history);
// The history as the checker takes it, built from the recorded operations directly; equal to
// ParseJsonlHistory(HistoryToJsonl(history), "run history").
checker::Result<checker::History> HistoryOf(const std::vector<RecordedOp>& history);
// Completions (ok, fail, info) in the history.
size_t CountCompletions(const std::vector<RecordedOp>& history);
// Checks the history for linearizability, stores the checker's report in outcome.checker, and
// returns the failure ("checker:illegal", "checker:unknown") if it is not ok.
std::optional<Failure> JudgeHistory(const std::vector<RecordedOp>& history, double timeout_s,
                                    RunOutcome& outcome);

}  // namespace pg::sim
