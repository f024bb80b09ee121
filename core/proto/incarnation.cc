#include "core/proto/incarnation.h"

#include <algorithm>

namespace pg {

uint64_t IncarnationId(Time start, uint64_t random) {
  constexpr int64_t kBiasMs = int64_t{1} << 40;  // about 35 years before zero
  constexpr int kRandomBits = 20;
  const int64_t ms = std::clamp<int64_t>(start.ns() / 1000000 + kBiasMs, 0, (int64_t{1} << 43) - 1);
  return (static_cast<uint64_t>(ms) << kRandomBits) |
         (random & ((uint64_t{1} << kRandomBits) - 1)) | 1;
}

}  // namespace pg
