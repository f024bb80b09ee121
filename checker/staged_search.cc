#include "checker/staged_search.h"

#include <algorithm>

#include "checker/assert.h"

namespace pg::checker {
namespace {

// Stage one's outcome names operations by their index in `required`; the caller's are `ops`.
void ToOps(const std::vector<size_t>& to_ops, SearchOutcome* outcome) {
  for (size_t& i : outcome->linearization) {
    CK_ASSERT_LT(i, to_ops.size());
    i = to_ops[i];
  }
  if (outcome->blocked != kNoReturn) {
    CK_ASSERT_LT(outcome->blocked, to_ops.size());
    outcome->blocked = to_ops[outcome->blocked];
  }
}

}  // namespace

SearchOutcome SearchInStages(const std::vector<SearchOp>& ops, const State& initial,
                             ValueTable* values, const SearchBudget& budget,
                             const StagedOptions& options) {
  std::vector<SearchOp> required;
  std::vector<size_t> to_ops;  // required[i] is ops[to_ops[i]]
  for (size_t i = 0; i < ops.size(); ++i) {
    if (ops[i].return_pos == kNoReturn) continue;
    required.push_back(ops[i]);
    to_ops.push_back(i);
  }
  if (!options.staged || required.size() == ops.size()) {
    return Search(ops, initial, values, budget, options.search);
  }
  SearchBudget short_budget = budget;
  short_budget.max_steps = std::min(budget.max_steps, kStageOneSteps);
  SearchOutcome first = Search(required, initial, values, short_budget, options.search);
  if (first.verdict == Verdict::kOk) {
    // The unknown-outcome operations never take effect; the order of the rest stands.
    ToOps(to_ops, &first);
    CK_ASSERT_EQ(first.linearization.size(), required.size(), "every required op placed");
    return first;
  }
  if (first.verdict == Verdict::kUnknown && first.unknown_reason != "step limit") {
    // Out of time or memory in stage one: its prefix and blocked op are the report's, in the
    // caller's indices (read as indices of `ops`, they named other operations -- one with no
    // return tripped FillBlocked's assertion on issue 18's 64 x 100k hard histories).
    ToOps(to_ops, &first);
    return first;
  }
  // Without them no order exists (or stage one's steps ran out): the unknown-outcome
  // operations must be searched too, with what is left of the step budget.
  SearchBudget rest = budget;
  // A search that hits its step limit has counted one step past it.
  CK_ASSERT_LE(first.steps, short_budget.max_steps + 1);
  rest.max_steps = budget.max_steps - std::min(budget.max_steps, first.steps);
  SearchOutcome second = Search(ops, initial, values, rest, options.search);
  second.steps += first.steps;
  second.memo_entries += first.memo_entries;
  return second;
}

}  // namespace pg::checker
