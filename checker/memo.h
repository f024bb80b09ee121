#pragma once
// The search's memo of explored configurations: an open-addressing set of word strings kept in
// one arena, so its memory is known exactly (the budget's memory cap) and no per-entry
// allocation slows the search. Only membership is asked, never iteration order.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace pg::checker {

class Memo {
 public:
  Memo();
  // Adds key[0..n); returns false when it was already present.
  bool Insert(const uint32_t* key, size_t n);
  size_t size() const { return size_; }
  size_t bytes() const {
    return arena_.capacity() * sizeof(uint32_t) + slots_.capacity() * sizeof(Slot);
  }

 private:
  struct Slot {
    uint64_t offset = 0;
    uint32_t len = kEmpty;
    uint32_t hash = 0;
  };
  static constexpr uint32_t kEmpty = 0xffffffffu;

  static uint64_t Hash(const uint32_t* key, size_t n);
  bool Equal(const Slot& s, const uint32_t* key, size_t n) const;
  void Grow();
  // O(1): the slot count is a power of two and at most half of it is used.
  void CheckSlotCount() const;

  std::vector<uint32_t> arena_;
  std::vector<Slot> slots_;  // size is a power of two; at most half full
  size_t size_ = 0;
};

}  // namespace pg::checker
