#pragma once
// Unique written values decide a plain register without search. When every set writes a value
// no other operation writes, each read maps to exactly one write, and Gibbons & Korach's zone
// test (Testing Shared Memories, SIAM J. Comput. 1997, §4) decides linearizability in
// O(n log n): group each write with its reads (a cluster); a cluster whose earliest completion
// precedes its latest invocation has a forward zone [earliest completion, latest invocation],
// over which its value must hold; otherwise a backward zone [latest invocation, earliest
// completion]. The history is linearizable iff no read completes before its write is invoked,
// no two forward zones intersect, and no backward zone lies within a forward zone.
#include <algorithm>
#include <cstdint>
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

// The first conflict Gibbons & Korach's test finds among clusters (anything with min_ret,
// max_inv and forward()), taken in the given order: two forward zones that intersect (`first`
// and `second` in order of earliest completion), else a backward zone (`second`) lying within a
// forward one (`first`). Indices are into `clusters`. Shared by the get/set zone test here and the
// version clusters of cas and del (version_refute.h).
struct ZoneConflict {
  size_t first = 0;
  size_t second = 0;
  bool backward_inside = false;
};

template <typename Cluster>
std::optional<ZoneConflict> FindZoneConflict(const std::vector<const Cluster*>& clusters) {
  std::vector<size_t> forward, backward;
  for (size_t i = 0; i < clusters.size(); ++i) {
    (clusters[i]->forward() ? forward : backward).push_back(i);
  }
  std::sort(forward.begin(), forward.end(),
            [&](size_t a, size_t b) { return clusters[a]->min_ret < clusters[b]->min_ret; });
  for (size_t k = 1; k < forward.size(); ++k) {
    if (clusters[forward[k]]->min_ret < clusters[forward[k - 1]]->max_inv) {
      return ZoneConflict{.first = forward[k - 1], .second = forward[k]};
    }
  }
  for (size_t b : backward) {
    // The forward zone starting last at or before b's start is the only one that can hold it.
    auto it = std::upper_bound(forward.begin(), forward.end(), clusters[b]->max_inv,
                               [&](int64_t t, size_t f) { return t < clusters[f]->min_ret; });
    if (it == forward.begin()) continue;
    const size_t f = *std::prev(it);
    if (clusters[f]->max_inv > clusters[b]->min_ret) {
      return ZoneConflict{.first = f, .second = b, .backward_inside = true};
    }
  }
  return std::nullopt;
}

// nullopt when the partition is not a unique-value get/set register (one sortkey, only get and
// set, every written value distinct and not the initial one, every read of a written or the
// initial value); ops are the prepared (pruned) operations.
std::optional<ZoneVerdict> DecideByZones(const History& history, const CompiledPartition& p,
                                         const std::vector<SearchOp>& ops);

}  // namespace pg::checker
