#pragma once
// The witness fast path: a history may carry a candidate order (each event's optional "witness",
// the position of the op's effect in its partition's apply order). Verifying one total order
// against real time and the model takes linear time; a verified order is a linearization, so the
// partition is ok. A witness that fails verification decides nothing: the caller searches.
#include <vector>

#include "checker/history.h"
#include "checker/partition.h"

namespace pg::checker {

// True when the witnessed operations, ordered by (witness, invocation), form a linearization:
// every ok operation has a witness, the order respects real time, and each operation is legal in
// the model at its place. Unknown-outcome operations without a witness are taken never to have
// happened, which is always allowed. On success *order holds compiled op indices in that order.
bool VerifyWitness(const History& history, CompiledPartition* partition,
                   std::vector<size_t>* order);

}  // namespace pg::checker
