#pragma once
// Presence guards (docs/checker.md "Presence guards"): an exact ordering constraint that keeps
// the search from trying, at every point, unknown-outcome writes that a later read of absent
// rules out there.
//
// Call a sortkey *lasting* in a set of operations when none of them can make it absent: none
// deletes it (del, multi_del, a check_and_mutate's del mutation) and none writes it a value with
// a TTL (which may read as expired). In an order of those operations, once the sortkey is
// present it stays present: every later write of it writes a present value, an incr leaves a
// number, and a choice (model_expiry.cc) only ever mixes present values. So an operation W that
// leaves the sortkey present whenever it is accepted (a set, a multi_set writing it, an incr of
// it) and an ok operation R that saw it absent (a get of null, a multi_get listing it as null, a
// range read under its limit that did not return it, a cas that expected absent and passed) are
// ordered R before W in every valid linearization that holds W. The search may therefore try W
// only once every such R is linearized: it loses no linearization.
#include <cstddef>
#include <vector>

#include "checker/partition.h"
#include "checker/search.h"

namespace pg::checker {

// Fills SearchOp::after_calls of every unknown-outcome set, multi_set and incr among ops (the
// operations the search is given, so "lasting" is judged among them) with the calls of the ok
// operations that saw a lasting sortkey it writes absent. Returns how many operations got one.
size_t AddPresenceGuards(const CompiledPartition& p, std::vector<SearchOp>* ops);

}  // namespace pg::checker
