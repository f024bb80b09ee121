#pragma once
// Swarm fault schedules: what the nemesis injects in a swarm scenario that has no "faults" key.
#include <cstdint>
#include <vector>

#include "core/common/rng.h"
#include "sim/scenario/knob_types.h"

namespace pg::sim {

// Draws a fault schedule for the resolved knobs (cluster sizes and duration must be final).
std::vector<Fault> DrawSwarmFaults(const Knobs& knobs, Rng& rng);

// The timing in force that the swarm's delays scale with, in ms: the pegasus system's replica
// lease plus meta's grace under the run's timing set (TimingUnitMs; PegasusTimingOf asserts it
// agrees), the register system's client timeout (it has no lease).
int64_t DelayUnitMs(const Knobs& knobs);

// Rounds to 3 decimals, so drawn values read well in verdicts and round-trip exactly.
double Round3(double v);

}  // namespace pg::sim
