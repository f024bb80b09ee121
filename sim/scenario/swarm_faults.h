#pragma once
// Swarm fault schedules: what the nemesis injects in a swarm scenario that has no "faults" key.
#include <vector>

#include "core/common/rng.h"
#include "sim/scenario/knob_types.h"

namespace pg::sim {

// Draws a fault schedule for the resolved knobs (cluster sizes and duration must be final).
std::vector<Fault> DrawSwarmFaults(const Knobs& knobs, Rng& rng);

// Rounds to 3 decimals, so drawn values read well in verdicts and round-trip exactly.
double Round3(double v);

}  // namespace pg::sim
