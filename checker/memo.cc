#include "checker/memo.h"

#include <algorithm>

namespace pg::checker {

Memo::Memo() : slots_(1024) {}

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
  return s.len == n && std::equal(key, key + n, arena_.begin() + static_cast<ptrdiff_t>(s.offset));
}

bool Memo::Insert(const uint32_t* key, size_t n) {
  const uint64_t h = Hash(key, n);
  const uint32_t h32 = static_cast<uint32_t>(h);
  size_t mask = slots_.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    Slot& s = slots_[i];
    if (s.len == kEmpty) {
      s.offset = arena_.size();
      s.len = static_cast<uint32_t>(n);
      s.hash = h32;
      arena_.insert(arena_.end(), key, key + n);
      if (++size_ * 2 > slots_.size()) Grow();
      return true;
    }
    if (s.hash == h32 && Equal(s, key, n)) return false;
  }
}

void Memo::Grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.size() * 2, Slot{});
  const size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.len == kEmpty) continue;
    const uint64_t h = Hash(arena_.data() + s.offset, s.len);
    size_t i = h & mask;
    while (slots_[i].len != kEmpty) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

}  // namespace pg::checker
