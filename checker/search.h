#pragma once
// Wing & Gong's linearizability search with Lowe's memoization (as in Porcupine): walk the
// history's call/return entries, tentatively linearize an operation whose call is reached, back
// up when a return is reached whose operation is not linearized yet, and never revisit a
// configuration (set of linearized operations, model state) already explored.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "checker/memory_account.h"
#include "checker/model.h"

namespace pg::checker {

enum class Verdict : uint8_t { kOk, kIllegal, kUnknown };
constexpr std::string_view VerdictName(Verdict v) {
  return v == Verdict::kOk ? "ok" : v == Verdict::kIllegal ? "illegal" : "unknown";
}

inline constexpr size_t kNoReturn = std::numeric_limits<size_t>::max();

// One operation as the search sees it. Positions are event positions in the History (real-time
// order); a return at rank 0 sorts before the real return at the same position.
struct SearchOp {
  ModelOp model;
  size_t call_pos = 0;
  // Where the operation must be linearized by; kNoReturn for an operation that may take effect
  // at any time after its call, or never (unknown outcome).
  size_t return_pos = kNoReturn;
  int return_rank = 1;
  // The calls (positions) of operations that every valid order places before this one, so the
  // search linearizes it only after them (presence_guards.h). A call no op of the search has is
  // ignored: dropping a constraint only widens the search.
  std::vector<size_t> after_calls;
};

struct SearchBudget {
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  size_t memory_cap_bytes = std::numeric_limits<size_t>::max();  // this search alone
  MemoryAccount* memory = nullptr;            // shared with other searches: their cap together
  const std::atomic<bool>* cancel = nullptr;  // set by the caller to stop early
  // A deterministic budget: the outcome when it runs out never depends on the machine.
  uint64_t max_steps = std::numeric_limits<uint64_t>::max();
};

// Exact reductions of the search, on by default; tests turn them off to compare.
struct SearchOptions {
  // The memo refuses a configuration when one with an equal state, the same required ops and a
  // subset of its optional (unknown-outcome) ops was reached before (docs/checker.md).
  bool dominance = true;
  // Reads first: at each new configuration, a required observation (a get, multi_get or failed
  // cas) that the state accepts is linearized as its only child. Off by default (the steps
  // reported elsewhere count the search without it); the greedy order's windows turn it on.
  bool reads_first = false;
};

struct SearchOutcome {
  Verdict verdict = Verdict::kUnknown;
  // ok: a linearization (indices into the ops given). Otherwise the longest linearizable prefix
  // found before the search backed up past it.
  std::vector<size_t> linearization;
  // illegal/unknown: the operation whose return was reached with no way to place it after that
  // prefix, and the state the prefix leaves.
  size_t blocked = kNoReturn;
  State state;
  std::string unknown_reason;  // "timeout", "memory cap", "cancelled", "step limit"
  uint64_t steps = 0;
  size_t memo_entries = 0;
};

// ops must be sorted by call_pos. Deterministic: the outcome depends only on the inputs (and on
// the budget, when it runs out).
SearchOutcome Search(const std::vector<SearchOp>& ops, const State& initial, ValueTable* values,
                     const SearchBudget& budget, const SearchOptions& options = {});

}  // namespace pg::checker
