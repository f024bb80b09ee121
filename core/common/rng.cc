#include "core/common/rng.h"

#include <cmath>

#include "core/common/assert.h"

namespace pg {

uint64_t Rng::Uniform(uint64_t n) {
  PG_ASSERT(n > 0, "Uniform(0)");
  // Lemire, "Fast Random Integer Generation in an Interval" (2019).
  unsigned __int128 m = static_cast<unsigned __int128>(NextU64()) * n;
  auto low = static_cast<uint64_t>(m);
  if (low < n) {
    const uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<unsigned __int128>(NextU64()) * n;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

int64_t Rng::UniformRange(int64_t lo, int64_t hi) {
  PG_ASSERT_LE(lo, hi);
  return lo + static_cast<int64_t>(Uniform(static_cast<uint64_t>(hi - lo) + 1));
}

double Rng::NextDouble() { return static_cast<double>(NextU64() >> 11) * 0x1.0p-53; }

bool Rng::Chance(double p) {
  if (p <= 0.0) return false;
  if (p >= 1.0) return true;
  return NextDouble() < p;
}

Duration Rng::Exponential(Duration mean) {
  PG_ASSERT_GE(mean.ns(), 0);
  if (mean.ns() == 0) return Duration();
  // 1 - u is in (0, 1], so the log is finite.
  const double u = 1.0 - NextDouble();
  return Nanos(static_cast<int64_t>(-std::log(u) * static_cast<double>(mean.ns())));
}

}  // namespace pg
