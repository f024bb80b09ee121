#pragma once
// A candidate linearization of a one-sortkey register of get, set, del and cas, built by one sweep
// over the history, then verified by replaying the model in that order against real time.
// Verified, the order is a linearization and the partition is ok; otherwise nothing is decided
// (the search runs). Sound by construction: the sweep is a guess, the verification is exact.
//
// The sweep walks the calls and returns in real-time order. Reads go early: a pending get or
// failed cas that the current state accepts is placed at once (placing an observation as soon
// as it fits loses no linearization: the state is unchanged and every operation that must
// precede it, having returned, is placed). Writes go late: an acknowledged write at its return,
// or earlier when an operation returning needs it -- the only writer of the value a get returns
// or a cas expects (a cas first getting the value it expects, in turn), a del for a read of
// absent, any write for a failed cas that would otherwise succeed. An unknown-outcome write is
// placed only when needed, and else left out (it never happened). Where no guess gets past an
// event, an exact search over the stretch around it repairs the order (greedy_window.h).
#include <optional>
#include <vector>

#include "checker/history.h"
#include "checker/partition.h"
#include "checker/search.h"
#include "checker/versions.h"

namespace pg::checker {

// Whether `order` (indices into ops) is a linearization of ops: every observed op in it once,
// no op placed after one invoked after it completed, each accepted by the model in turn from
// p's initial state. Unknown-outcome ops left out never happened, which the format allows.
bool VerifyOrder(const History& history, CompiledPartition* p, const std::vector<SearchOp>& ops,
                 const std::vector<size_t>& order);

// The verified order, or nullopt.
std::optional<std::vector<size_t>> GreedyOrder(const History& history, CompiledPartition* p,
                                               const std::vector<SearchOp>& ops,
                                               const Versions& versions);

}  // namespace pg::checker
