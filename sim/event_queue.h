#pragma once
// The simulator's one event queue: a binary min-heap ordered by (time, sequence), where sequence is
// an insertion counter, so two events at the same time run in the order they were scheduled and a
// run never depends on how the heap happens to break ties.
//
// Payloads live in a slab of reused slots and the heap moves only 24-byte keys, so pushing and
// popping allocates nothing once the slab and the heap have grown to the run's high-water mark.
#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "core/common/assert.h"
#include "core/common/time.h"

namespace pg::sim {

template <class Payload>
class EventQueue {
 public:
  // Schedules `payload` at `at`; returns its sequence number.
  uint64_t Push(Time at, Payload&& payload) {
    uint32_t slot;
    if (free_.empty()) {
      slot = static_cast<uint32_t>(slots_.size());
      slots_.push_back(std::move(payload));
    } else {
      slot = free_.back();
      free_.pop_back();
      slots_[slot] = std::move(payload);
    }
    const uint64_t seq = next_seq_++;
    heap_.push_back(Key{at.ns(), seq, slot});
    std::push_heap(heap_.begin(), heap_.end(), Later);
    return seq;
  }

  bool empty() const { return heap_.empty(); }
  size_t size() const { return heap_.size(); }
  // The earliest event's time; the queue must not be empty.
  Time PeekTime() const {
    PG_ASSERT(!heap_.empty(), "PeekTime on an empty event queue");
    return Time::FromNanos(heap_.front().time_ns);
  }

  // Moves the earliest event into *out and returns its time; the queue must not be empty.
  Time Pop(Payload* out) {
    PG_ASSERT(!heap_.empty(), "Pop on an empty event queue");
    std::pop_heap(heap_.begin(), heap_.end(), Later);
    const Key key = heap_.back();
    heap_.pop_back();
    *out = std::move(slots_[key.slot]);
    free_.push_back(key.slot);
    return Time::FromNanos(key.time_ns);
  }

 private:
  struct Key {
    int64_t time_ns;
    uint64_t seq;
    uint32_t slot;
  };
  // std::*_heap build a max-heap; "later" as the less-than makes the earliest the top.
  static bool Later(const Key& a, const Key& b) {
    if (a.time_ns != b.time_ns) return a.time_ns > b.time_ns;
    return a.seq > b.seq;
  }

  std::vector<Key> heap_;
  std::vector<Payload> slots_;
  std::vector<uint32_t> free_;
  uint64_t next_seq_ = 0;
};

}  // namespace pg::sim
