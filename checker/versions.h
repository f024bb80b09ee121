#pragma once
// The versions of a one-sortkey register of get, set, del and cas (issue 18's hard shape), as
// unique written values make them visible. A value written by exactly one operation, once
// replaced, never returns; so the write and every operation that surely read that value form a
// cluster whose operations come, in any linearization, after the write and before the next write
// that surely took effect: the clusters' spans in the order are disjoint but for a shared end (a
// successful cas reads one cluster's value and writes the next one's). The initial value is such
// a cluster when nothing writes it again (absent: when no del exists). Every other write that
// surely took effect is a cluster of its own: a del, a set of a value written twice, or a write
// nobody read. What nobody surely did is left out: a failed cas, a read of absent when dels
// exist, an unknown-outcome write whose value nobody read (it may never have happened).
// version_refute.h derives illegal from these clusters; greedy_order.h builds an order from them.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "checker/history.h"
#include "checker/partition.h"
#include "checker/search.h"

namespace pg::checker {

// Positions are event positions in the History (real-time order); an unknown-outcome operation
// has no return.
inline constexpr int64_t kNeverReturns = std::numeric_limits<int64_t>::max();
// The initial value's writer: before everything.
inline constexpr size_t kInitialWriter = std::numeric_limits<size_t>::max();

struct VersionCluster {
  int32_t value = kAbsent;         // the value written (absent for a del)
  size_t writer = kInitialWriter;  // index into the ops given, or kInitialWriter
  // Operations that surely read the value (indices into the ops), in call order: ok gets of it,
  // ok successful cas expecting it, and unknown-outcome cas expecting it whose own value an ok
  // operation read (so they took effect and succeeded).
  std::vector<size_t> readers;
  bool unique = false;  // the value is written by the writer alone, so the readers are its own
  // Over writer and readers: the earliest return and the latest call, and whose they are.
  int64_t min_ret = kNeverReturns, max_inv = -1;
  size_t min_ret_op = kInitialWriter, max_inv_op = kInitialWriter;
  bool forward() const { return min_ret < max_inv; }
  // Counts op i, called at inv and returning at ret, in min_ret and max_inv.
  void Touch(size_t i, int64_t inv, int64_t ret) {
    if (ret < min_ret) min_ret = ret, min_ret_op = i;
    if (inv > max_inv) max_inv = inv, max_inv_op = i;
  }
};

struct Versions {
  std::vector<VersionCluster>
      clusters;  // in the order of their writers' calls; the initial one first
  // Per op: its interval, whether it takes effect in every linearization, and the cluster it
  // writes (a sure write) or -1.
  std::vector<int64_t> inv, ret;
  std::vector<bool> sure;
  std::vector<int32_t> writes_cluster;
  int32_t initial = kAbsent;
};

// nullopt when the partition is not a one-sortkey register of get, set, del and cas, or when an
// observed value has no writer (Prepare reports that). ops: the prepared operations.
std::optional<Versions> BuildVersions(const History& history, const CompiledPartition& p,
                                      const std::vector<SearchOp>& ops);

}  // namespace pg::checker
