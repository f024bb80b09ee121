#include "core/common/epoch.h"

#include <limits>

namespace pg {

uint32_t EpochSeconds(Time now) {
  const int64_t seconds = now.ns() / 1'000'000'000;
  if (seconds <= 0) return 0;
  if (seconds >= std::numeric_limits<uint32_t>::max()) return std::numeric_limits<uint32_t>::max();
  return static_cast<uint32_t>(seconds);
}

}  // namespace pg
