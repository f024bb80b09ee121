#pragma once
// How far a run's delayed messages reach into its liveness phase. The swarm lets a straggler
// arrive by duration_ms + liveness_ms / 3, so that most of the phase runs after the last fault's
// effect; a shrink of a liveness failure must keep to that, or it may cut duration_ms under a
// delay and turn "slow to repair" into "repaired too late because a fault outlived the heal".
#include <cstdint>

#include "sim/scenario/knob_types.h"

namespace pg::sim {

// The latest arrival of a message a straggling delay rule lags, past duration_ms (0 when none
// does): the heal at duration_ms ends each rule, so its last lagged message departs by then.
int64_t StragglerTailMs(const Knobs& knobs);

// Whether `candidate` keeps its stragglers within the swarm's bound, or within `original`'s
// when the original already went beyond it (a hand-written file).
bool KeepsStragglerTail(const Knobs& candidate, const Knobs& original);

}  // namespace pg::sim
