#include "sim/kernel/trace.h"

#include <cstring>

namespace pg::sim {
namespace {
constexpr uint64_t kMul = 0x9e3779b97f4a7c15ULL;

inline uint64_t Mix(uint64_t h) {
  h ^= h >> 32;
  h *= 0xd6e8feb86659fd93ULL;
  h ^= h >> 32;
  return h;
}
}  // namespace

uint64_t HashBytes(const std::string& bytes, uint64_t seed) {
  const char* p = bytes.data();
  size_t n = bytes.size();
  uint64_t h = seed ^ (n * kMul);
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = FoldWord(h, w);
    p += 8;
    n -= 8;
  }
  uint64_t tail = 0;
  for (size_t i = 0; i < n; ++i)
    tail |= static_cast<uint64_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  h = (h ^ tail) * kMul;
  return Mix(h);
}

void Trace::Begin(Time at, uint32_t node, uint64_t incarnation, uint8_t kind) {
  buf_.clear();
  event_ = FoldWord(FoldWord(FoldWord(static_cast<uint64_t>(at.ns()), node), incarnation), kind);
}

// The event's hash is seeded with the running hash and its words, so the result depends on every
// event and on their order.
void Trace::End() {
  const uint64_t seed = FoldWord(hash_, event_);
  hash_ = buf_.empty() ? Mix(seed) : HashBytes(buf_, seed);
}

}  // namespace pg::sim
