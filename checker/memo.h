#pragma once
// The search's memo of explored configurations: an open-addressing map from word strings kept
// in one arena, so its memory is known exactly (the budget's memory cap) and no per-entry
// allocation slows the search. Only membership is asked, never iteration order.
//
// A configuration is a key (the state and the operations that must be linearized, done so far)
// and a set of optional operations already linearized (unknown outcome: they may take effect
// or never). With equal keys, a configuration whose optional set contains another's is
// dominated by it: whatever the larger one can still do, the smaller one can too, by never
// linearizing the extra optional operations. So the memo keeps, per key, the optional sets
// seen, and refuses a configuration that contains one of them (docs/checker.md, "Dominance").
#include <cstddef>
#include <cstdint>
#include <vector>

namespace pg::checker {

class Memo {
 public:
  // set_words: the width of every optional set given to Insert (64 operations per word).
  explicit Memo(size_t set_words = 0);
  // Adds the configuration (key[0..n), set[0..set_words)); returns false when a configuration
  // with an equal key and a subset of `set` is present already.
  bool Insert(const uint32_t* key, size_t n, const uint64_t* set = nullptr);
  size_t size() const { return configurations_; }
  size_t bytes() const {
    return arena_.capacity() * sizeof(uint32_t) + slots_.capacity() * sizeof(Slot) +
           sets_.capacity() * sizeof(uint64_t);
  }

 private:
  struct Slot {
    uint64_t offset = 0;
    uint32_t len = kEmpty;
    uint32_t hash = 0;
    uint64_t sets = kNone;  // the first of the key's optional sets in sets_
  };
  static constexpr uint32_t kEmpty = 0xffffffffu;
  static constexpr uint64_t kNone = ~uint64_t{0};

  static uint64_t Hash(const uint32_t* key, size_t n);
  bool Equal(const Slot& s, const uint32_t* key, size_t n) const;
  // True when one of the slot's sets is a subset of `set`; otherwise adds `set` to the slot.
  bool Dominated(Slot& s, const uint64_t* set);
  uint64_t AddSet(uint64_t next, const uint64_t* set);
  void Grow();
  // O(1): the slot count is a power of two and at most half of it is used.
  void CheckSlotCount() const;

  const size_t set_words_;
  std::vector<uint32_t> arena_;
  std::vector<Slot> slots_;  // size is a power of two; at most half full
  // Per set: the offset of the next set of the same key (kNone ends), then set_words_ words.
  std::vector<uint64_t> sets_;
  size_t size_ = 0;  // keys
  size_t configurations_ = 0;
};

}  // namespace pg::checker
