#pragma once
// The search in two stages. An unknown-outcome operation may never take effect, so a
// linearization of the other operations alone is a linearization of the whole history. Most
// timed-out operations in a simulated run never took effect (the write was lost with its
// primary, or never reached one), and searching without them is a far smaller problem: stage
// one searches the operations with a return only; only when that finds no order does stage two
// search them all. Exact both ways: stage one answers only ok, which the whole history is then.
// Stage one stops after kStageOneSteps, so that a history which needs its unknown-outcome
// operations (stage one cannot succeed) costs at most that much more than one search.
#include <cstdint>
#include <vector>

#include "checker/search.h"

namespace pg::checker {

inline constexpr uint64_t kStageOneSteps = 1'000'000;

struct StagedOptions {
  bool staged = true;  // false: one stage, all the operations
  SearchOptions search;
};

// As Search; outcome.steps and memo_entries add up both stages.
SearchOutcome SearchInStages(const std::vector<SearchOp>& ops, const State& initial,
                             ValueTable* values, const SearchBudget& budget,
                             const StagedOptions& options);

}  // namespace pg::checker
