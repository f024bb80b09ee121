#pragma once
// --order time: re-sequence a paired history so that event order is time order with closed
// intervals, the convention of Porcupine and Jepsen's Knossos for histories recorded elsewhere.
#include "checker/history.h"

namespace pg::checker {

// Sorts h->events by (time, invocations before completions), keeping line order among equals,
// and renumbers the operations (still in invocation order) to match. Putting invocations first
// at equal times makes intervals closed: A precedes B iff A.complete_time < B.invoke_time, so an
// operation completing at t overlaps one invoked at t -- also two of one process, as in Porcupine,
// which orders by time alone. Requires what pairing checked: invoke_time <= complete_time.
// Events keep their `line`, so reports still name the lines of the file.
void OrderByTime(History* h);

}  // namespace pg::checker
