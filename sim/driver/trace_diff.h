#pragma once
// Where two recorded traces of the same run part ways. Two runs of one scenario and seed must
// execute the same events; when their trace hashes differ, the first line at which the traces
// differ names the event that diverged (its index, simulated time, node, input) and what each run
// did there. Everything before that line is identical in both runs, so the cause is in that step
// or in state the trace does not show (a static variable, an unordered container's order).
#include <optional>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "sim/kernel/cluster.h"

namespace pg::sim {

// One side of a divergence: the line as that run recorded it, its input and its effects split.
struct TraceSide {
  uint64_t index = 0;  // the event index
  Time at;
  std::string node;
  std::string input;    // the input (or the drop, fault or action the line records)
  std::string effects;  // the effects of a step, after "->"; empty for other lines
  uint64_t hash = 0;    // the running trace hash after this line (0: not known)
};

struct TraceDivergence {
  size_t line = 0;  // 0-based line number; every earlier line is identical in both traces
  // nullopt: that trace ended before this line (the other run executed more events).
  std::optional<TraceSide> a;
  std::optional<TraceSide> b;
  // True when the lines read alike and only their hashes differ: the difference is in bytes the
  // text does not show (e.g. the contents of a log append or of a message's digest).
  bool hash_only = false;
};

// The first line at which the traces differ, or nullopt when they are identical. Hashes of 0
// (a trace file written without them) are not compared.
std::optional<TraceDivergence> FirstDivergence(const std::vector<TraceLine>& a,
                                               const std::vector<TraceLine>& b);

// A few lines for a person: the event, then each side's input and effects.
std::string DivergenceText(const TraceDivergence& d, const std::string& name_a,
                           const std::string& name_b);

// Reads back a trace written by TraceText. Strict: a malformed line is kInvalidArgument naming
// `source` and the line number.
Result<std::vector<TraceLine>> ParseTraceText(const std::string& text, const std::string& source);

}  // namespace pg::sim
