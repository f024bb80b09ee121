#include "checker/memo.h"

#include <algorithm>

#include "checker/assert.h"

namespace pg::checker {

Memo::Memo(size_t set_words) : set_words_(set_words), slots_(1024) { CheckSlotCount(); }

void Memo::CheckSlotCount() const {
  // Probing masks with size - 1, and a half-full table always has an empty slot to stop at.
  CK_ASSERT(!slots_.empty() && (slots_.size() & (slots_.size() - 1)) == 0, "{} slots",
            slots_.size());
  CK_ASSERT_LE(size_ * 2, slots_.size(), "more than half full");
}

uint64_t Memo::Hash(const uint32_t* key, size_t n) {
  uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
  for (size_t i = 0; i < n; ++i) {
    h = (h ^ key[i]) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  h ^= h >> 29;
  h *= 0xc4ceb9fe1a85ec53ull;
  return h ^ (h >> 32);
}

bool Memo::Equal(const Slot& s, const uint32_t* key, size_t n) const {
  CK_ASSERT_LE(s.offset + s.len, arena_.size(), "a slot past the arena");
  return s.len == n && std::equal(key, key + n, arena_.begin() + static_cast<ptrdiff_t>(s.offset));
}

uint64_t Memo::AddSet(uint64_t next, const uint64_t* set) {
  const uint64_t at = sets_.size();
  sets_.push_back(next);
  sets_.insert(sets_.end(), set, set + set_words_);
  ++configurations_;
  return at;
}

bool Memo::Dominated(Slot& s, const uint64_t* set) {
  for (uint64_t at = s.sets; at != kNone; at = sets_[at]) {
    CK_ASSERT_LE(at + 1 + set_words_, sets_.size(), "a set past the arena");
    const uint64_t* seen = sets_.data() + at + 1;
    bool subset = true;
    for (size_t w = 0; w < set_words_ && subset; ++w) subset = (seen[w] & ~set[w]) == 0;
    if (subset) return true;
  }
  s.sets = AddSet(s.sets, set);
  return false;
}

bool Memo::Insert(const uint32_t* key, size_t n, const uint64_t* set) {
  CK_ASSERT(set != nullptr || set_words_ == 0, "a memo of {}-word sets given none", set_words_);
  // The length is stored in 32 bits, with kEmpty marking a free slot.
  CK_ASSERT_LT(n, size_t{kEmpty}, "a key of {} words", n);
  const uint64_t h = Hash(key, n);
  const uint32_t h32 = static_cast<uint32_t>(h);
  size_t mask = slots_.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    Slot& s = slots_[i];
    if (s.len == kEmpty) {
      s.offset = arena_.size();
      s.len = static_cast<uint32_t>(n);
      s.hash = h32;
      s.sets = AddSet(kNone, set);
      arena_.insert(arena_.end(), key, key + n);
      if (++size_ * 2 > slots_.size()) Grow();
      CK_ASSERT_LE(size_ * 2, slots_.size(), "the table did not grow");
      return true;
    }
    if (s.hash == h32 && Equal(s, key, n)) return !Dominated(s, set);
  }
}

void Memo::Grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.size() * 2, Slot{});
  const size_t mask = slots_.size() - 1;
  size_t moved = 0, words = 0;
  for (const Slot& s : old) {
    if (s.len == kEmpty) continue;
    // Every key is rehashed here anyway: check that each slot still stands for its key.
    CK_ASSERT_LE(s.offset + s.len, arena_.size(), "a slot past the arena");
    const uint64_t h = Hash(arena_.data() + s.offset, s.len);
    CK_ASSERT_EQ(static_cast<uint32_t>(h), s.hash, "a slot's hash is not its key's");
    size_t i = h & mask;
    while (slots_[i].len != kEmpty) i = (i + 1) & mask;
    slots_[i] = s;
    ++moved;
    words += s.len;
  }
  // Keys are only ever appended, one per entry, so the arena is exactly the entries' keys.
  CK_ASSERT_EQ(moved, size_, "entries lost or invented by the move");
  CK_ASSERT_EQ(words, arena_.size(), "arena words that belong to no entry");
  CheckSlotCount();
}

}  // namespace pg::checker
