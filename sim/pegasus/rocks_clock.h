#pragma once
// The clock RocksDB reads on a simulated node: the node's local time plus a fixed epoch, never
// below zero and never below a value it returned before. The node's own view of time is the
// scenario's (offset, drift and jumps, possibly negative, possibly going back); RocksDB's is not
// allowed to be: it asserts its current time is not negative (MemTable::UpdateOldestKeyTime), and
// its timestamps (SST creation and oldest-key times, file mtimes) assume a clock that does not go
// back. One clock per node's store, kept across restarts, so it stays monotone over crashes too.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <utility>

#include "core/common/time.h"

namespace pg::sim {

class RocksClock {
 public:
  // 2025-01-01T00:00:00Z: SST timestamps look like dates, and an hour's skew stays positive.
  static constexpr int64_t kEpochNanos = int64_t{1'735'689'600} * 1'000'000'000;

  explicit RocksClock(std::function<Time()> local) : local_(std::move(local)) {}

  int64_t Nanos() {
    const int64_t local = local_().ns();
    const int64_t t = local > -kEpochNanos ? kEpochNanos + local : 0;
    last_ = std::max(last_, t);
    return last_;
  }
  int64_t Seconds() { return Nanos() / 1'000'000'000; }

 private:
  std::function<Time()> local_;
  int64_t last_ = 0;
};

}  // namespace pg::sim
