#pragma once
// P-compositionality: a history is linearizable iff each independent part is. Operations on
// different hashkeys never constrain each other (DESIGN.md §4), and within a hashkey, sortkeys
// that no multi_get/multi_set ties together are independent registers too, so a partition is a
// hashkey and a connected group of its sortkeys.
#include <string>
#include <vector>

#include "checker/history.h"
#include "checker/model.h"

namespace pg::checker {

struct Partition {
  std::string hashkey;
  std::vector<std::string> sortkeys;  // the slots, sorted
  std::vector<size_t> op_ids;         // History operation ids, in invocation order
  // "h1" when the hashkey is one partition, else "h1 [s0, s1]".
  std::string name;
};

// Partitions in (hashkey, first sortkey) order. Failed operations belong to none (no effect, no
// information), nor do operations that touch no sortkey (a multi_get with an unknown or empty
// result, a multi_set of nothing): they neither change a state nor observe one.
std::vector<Partition> SplitPartitions(const History& history);

struct CompiledPartition {
  ValueTable values;
  std::vector<ModelOp> ops;  // parallel to Partition::op_ids
  State initial;
  // A write in it has a TTL: values may expire, which the fast paths do not model.
  bool has_expiry() const { return !values.expiry_free(); }
};
CompiledPartition Compile(const History& history, const Partition& partition);

}  // namespace pg::checker
