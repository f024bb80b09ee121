#pragma once
// One line of a run's human-readable trace, as the Cluster (cluster.h) and the Trace (trace.h)
// keep it.
#include <cstdint>
#include <string>

#include "core/common/time.h"

namespace pg::sim {

// One line of the human-readable trace; kept only when trace recording is on.
struct TraceLine {
  uint64_t index = 0;
  Time at;
  std::string node;
  std::string what;  // the input, and the effects it produced
  // The run's trace hash after this record: two runs' traces diverge at the first line where it
  // differs (it covers bytes the text leaves out, e.g. a log record's contents), and the last
  // line's equals the run's trace hash.
  uint64_t hash = 0;
};

}  // namespace pg::sim
