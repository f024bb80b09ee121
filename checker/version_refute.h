#pragma once
// Refutation by versions (versions.h) for a one-sortkey register of get, set, del and cas with
// unique written values. Each rule is a necessary condition of every linearization (the argument
// is in version_refute.cc and docs/checker.md), so an illegal verdict here is a proof; a history
// that passes is not proved legal (greedy_order.h or the search decide it).
#include <optional>

#include "checker/history.h"
#include "checker/partition.h"
#include "checker/search.h"
#include "checker/versions.h"
#include "checker/zones.h"

namespace pg::checker {

// An illegal verdict with the operations involved (History ids, the one to show first first) and
// why, or nullopt when no rule refutes the history.
std::optional<ZoneVerdict> RefuteByVersions(const History& history, const CompiledPartition& p,
                                            const std::vector<SearchOp>& ops,
                                            const Versions& versions);

}  // namespace pg::checker
