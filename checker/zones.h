#pragma once
// Unique written values decide a plain register without search. When every set writes a value
// no other operation writes, each read maps to exactly one write, and Gibbons & Korach's zone
// test (Testing Shared Memories, SIAM J. Comput. 1997, §4) decides linearizability in
// O(n log n): group each write with its reads (a cluster); a cluster whose earliest completion
// precedes its latest invocation has a forward zone [earliest completion, latest invocation],
// over which its value must hold; otherwise a backward zone [latest invocation, earliest
// completion]. The history is linearizable iff no read completes before its write is invoked,
// no two forward zones intersect, and no backward zone lies within a forward zone.
#include <optional>
#include <string>
#include <vector>

#include "checker/history.h"
#include "checker/partition.h"
#include "checker/search.h"

namespace pg::checker {

struct ZoneVerdict {
  Verdict verdict = Verdict::kOk;
  // illegal: the operations involved (History ids) and the reason.
  std::vector<size_t> ops;
  std::string why;
};

// nullopt when the partition is not a unique-value get/set register (one sortkey, only get and
// set, every written value distinct and not the initial one, every read of a written or the
// initial value); ops are the prepared (pruned) operations.
std::optional<ZoneVerdict> DecideByZones(const History& history, const CompiledPartition& p,
                                         const std::vector<SearchOp>& ops);

}  // namespace pg::checker
