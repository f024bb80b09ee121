#pragma once
// A server process's incarnation id, carried by its beacons and config syncs so that meta can tell
// an earlier incarnation's late messages (core/meta/server_incarnations.h).
#include <cstdint>

#include "core/common/time.h"

namespace pg {

// The id of a process started at `start` (its own clock): the start in milliseconds (biased so a
// clock set before zero still orders) in the high bits, `random` in the low 20 so that two starts
// in one millisecond differ; odd, never 0. Ordered by start as far as the server's clock runs
// forward across its restarts (upstream's beacon carries the process start time for the same use).
uint64_t IncarnationId(Time start, uint64_t random);

}  // namespace pg
