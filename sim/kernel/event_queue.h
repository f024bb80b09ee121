#pragma once
// The simulator's one event queue: a binary min-heap ordered by (time, sequence), where sequence is
// an insertion counter, so two events at the same time run in the order they were scheduled and a
// run never depends on how the heap happens to break ties.
//
// Payloads live in a slab of reused slots and the heap moves only 16-byte keys, so pushing and
// popping allocates nothing once the slab and the heap have grown to the run's high-water mark.
// The slab is a deque: adding slots never moves the others, so the kernel executes an event in
// place (PopSlot ... Release) while that event schedules new ones.
#include <algorithm>
#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

#include "core/common/assert.h"
#include "core/common/time.h"

namespace pg::sim {

template <class Payload>
class EventQueue {
 public:
  using Slot = uint32_t;

  // Schedules `payload` at `at`.
  void Push(Time at, Payload&& payload) { Emplace(at) = std::move(payload); }

  // Schedules a slot at `at` and returns it for the caller to fill. It holds whatever a previous
  // event left there: the caller sets every field.
  Payload& Emplace(Time at) {
    Slot slot;
    if (free_.empty()) {
      slot = static_cast<Slot>(slots_.size());
      slots_.emplace_back();
    } else {
      slot = free_.back();
      free_.pop_back();
    }
    PG_ASSERT_GE(at.ns(), 0, "events run at non-negative times");
    PG_ASSERT_LT(slot, 1u << kSlotBits, "too many pending events");
    PG_ASSERT_LT(next_seq_, uint64_t{1} << (64 - kSlotBits), "sequence numbers exhausted");
    heap_.push_back(MakeKey(at, next_seq_++, slot));
    std::push_heap(heap_.begin(), heap_.end(), Later{});
    return slots_[slot];
  }

  bool empty() const { return heap_.empty(); }
  size_t size() const { return heap_.size(); }
  // The earliest event's time; the queue must not be empty.
  Time PeekTime() const {
    PG_ASSERT(!heap_.empty(), "PeekTime on an empty event queue");
    return Time::FromNanos(TimeOf(heap_.front()));
  }

  // Takes the earliest event off the queue; it stays in its slot (see At) until Release.
  std::pair<Time, Slot> PopSlot() {
    PG_ASSERT(!heap_.empty(), "Pop on an empty event queue");
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    const Key key = heap_.back();
    heap_.pop_back();
    return {Time::FromNanos(TimeOf(key)), SlotOf(key)};
  }
  Payload& At(Slot slot) { return slots_[slot]; }
  void Release(Slot slot) { free_.push_back(slot); }

  // Moves the earliest event into *out and returns its time; the queue must not be empty.
  Time Pop(Payload* out) {
    const auto [at, slot] = PopSlot();
    *out = std::move(slots_[slot]);
    Release(slot);
    return at;
  }

 private:
  // (time, sequence, slot) packed in 128 bits, compared as one integer: time in the high word,
  // then the sequence (40 bits: 10^12 events) and the slot (24 bits: 16M pending events).
  using Key = unsigned __int128;
  static constexpr int kSlotBits = 24;
  static Key MakeKey(Time at, uint64_t seq, Slot slot) {
    return (static_cast<Key>(static_cast<uint64_t>(at.ns())) << 64) | (seq << kSlotBits) | slot;
  }
  static int64_t TimeOf(Key k) { return static_cast<int64_t>(static_cast<uint64_t>(k >> 64)); }
  static Slot SlotOf(Key k) { return static_cast<Slot>(k & ((1u << kSlotBits) - 1)); }
  // std::*_heap build a max-heap; "later" as the less-than puts the earliest on top.
  struct Later {
    bool operator()(Key a, Key b) const { return a > b; }
  };

  std::vector<Key> heap_;
  std::deque<Payload> slots_;
  std::vector<Slot> free_;
  uint64_t next_seq_ = 0;
};

}  // namespace pg::sim
