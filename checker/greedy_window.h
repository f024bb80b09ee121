#pragma once
// The greedy order's last repair (greedy_order.h): an exact search over a window of the history.
// Where the sweep's guesses dead-end (an event no policy can do), the search starts from the
// sweep's progress kept at an earlier block (the order so far, the state, the operations called
// and not placed) and looks for an order of the operations returning before the window's end,
// with any of the others that help (acknowledged ones returning later, unknown-outcome writes),
// from that state, against real time. The sweep then goes on from the order found. Sound for the
// same reason as the sweep: whatever it builds is replayed by VerifyOrder before ok is said.
#include <cstdint>
#include <optional>
#include <vector>

#include "checker/model.h"
#include "checker/partition.h"
#include "checker/search.h"
#include "checker/versions.h"

namespace pg::checker {

// Steps one window's search may take, and all of one partition's together: deterministic
// budgets, so whether the sweep succeeds never depends on the machine.
inline constexpr uint64_t kWindowSteps = 200'000;
inline constexpr uint64_t kWindowStepsTotal = 4'000'000;

struct Window {
  std::vector<size_t> ops;  // not placed, called before `until`: indices into ops, ascending
  int64_t until = 0;        // the window's end: those returning before it must be placed
  int32_t state = kAbsent;  // the one sortkey's value where the window starts
};

// An order of every required op and some optional ones, each accepted in turn from w.state and
// none placed after one called after it returned (indices into ops); nullopt when the search
// finds none within its steps. *steps_left is charged what the search took.
std::optional<std::vector<size_t>> SearchWindow(const std::vector<SearchOp>& ops, const Versions& v,
                                                const Window& w, CompiledPartition* p,
                                                uint64_t* steps_left);

}  // namespace pg::checker
