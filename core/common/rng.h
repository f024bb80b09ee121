#pragma once
// The randomness the host hands the core. Core code never seeds or creates generators: every draw
// comes through an Rng& so that a run is a function of its seed (DESIGN.md §2).
#include <cstdint>

#include "core/common/time.h"

namespace pg {

class Rng {
 public:
  virtual ~Rng() = default;
  // 64 uniformly distributed bits.
  virtual uint64_t NextU64() = 0;

  // Uniform in [0, n); n > 0. Lemire's multiply-shift, unbiased by rejection.
  uint64_t Uniform(uint64_t n);
  // Uniform in [lo, hi], inclusive.
  int64_t UniformRange(int64_t lo, int64_t hi);
  // Uniform in [0, 1) with 53 bits.
  double NextDouble();
  // True with probability p (p <= 0: never, p >= 1: always, without drawing in either case).
  bool Chance(double p);
  // Exponentially distributed with the given mean (>= 0).
  Duration Exponential(Duration mean);
};

}  // namespace pg
