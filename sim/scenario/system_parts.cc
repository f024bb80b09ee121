#include "sim/scenario/system_parts.h"

namespace pg::sim {

ClockConfig DrawClock(const Knobs& knobs, Rng& rng) {
  ClockConfig clock;
  const auto offset_max_us = static_cast<int64_t>(knobs.offset_ms_max * 1000);
  clock.offset = Micros(rng.UniformRange(-offset_max_us, offset_max_us));
  clock.drift_ppm = (rng.NextDouble() * 2 - 1) * knobs.drift_ppm_max;
  return clock;
}

}  // namespace pg::sim
