#pragma once
// One memory cap for many searches: each search charges what its memo and saved states hold
// now, and the searches of a check (of every check, when the caller shares one account, as the
// CLI does for the whole process) stay under the cap together. A search that finds the total
// over the cap ends unknown ("memory cap"); searches run at once can make which one that is
// depend on timing, which only ever gives unknown, never another verdict.
#include <atomic>
#include <cstddef>

namespace pg::checker {

class MemoryAccount {
 public:
  explicit MemoryAccount(size_t cap_bytes) : cap_(cap_bytes) {}
  MemoryAccount(const MemoryAccount&) = delete;
  MemoryAccount& operator=(const MemoryAccount&) = delete;

  // Moves one holder's charge from *charged to `now` bytes (*charged becomes `now`); whether
  // every holder's charge together is within the cap.
  bool Charge(size_t* charged, size_t now) {
    const size_t before = *charged;
    *charged = now;
    size_t total = 0;
    if (now >= before) {
      total = used_.fetch_add(now - before, std::memory_order_relaxed) + (now - before);
    } else {
      total = used_.fetch_sub(before - now, std::memory_order_relaxed) - (before - now);
    }
    return total <= cap_;
  }

  size_t cap() const { return cap_; }
  size_t used() const { return used_.load(std::memory_order_relaxed); }

 private:
  const size_t cap_;
  std::atomic<size_t> used_{0};
};

}  // namespace pg::checker
