#pragma once
// Values nothing reads are interchangeable. On a sortkey no incr touches, an operation tells
// values apart only by comparing with a value it names: a get or multi_get with the value it
// returned, a cas with its expected value. A written value that no operation names (and that is
// not the initial value or absent) is therefore indistinguishable from any other such value of
// the same sortkey: every operation is accepted or rejected alike and leaves states that differ
// the same way. Writing one representative for all of them keeps every verdict (a bisimulation)
// and makes timed-out writes of such values identical, which the search then treats as
// interchangeable (search.h, "twins").
#include <cstddef>
#include <vector>

#include "checker/partition.h"
#include "checker/search.h"

namespace pg::checker {

// Rewrites the values ops write; returns how many (sortkey, value) pairs were merged into
// another. The representative of a sortkey's unread values is the one with the smallest id.
size_t MergeUnreadValues(const CompiledPartition& p, std::vector<SearchOp>* ops);

}  // namespace pg::checker
