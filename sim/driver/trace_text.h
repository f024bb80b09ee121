#pragma once
// The human-readable forms of a run: the event trace (one line per event) and a verdict summary.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/kernel/cluster.h"

namespace pg::sim {

// "#12 3.204ms replica/1 Receive{from=client/0, ...} -> Send{...} [0123456789abcdef]": the event
// index, simulated time, node, input, effects, and the running trace hash after the event (the
// last line's is the run's trace hash; sim/driver/trace_diff.h reads the lines back).
std::string TraceText(const std::vector<TraceLine>& trace);
// A few lines: scenario, seed, verdict, failure, events, times, trace hash.
std::string VerdictText(const nlohmann::ordered_json& verdict);

}  // namespace pg::sim
