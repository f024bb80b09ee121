#include "sim/kernel/sim_clock.h"

#include <algorithm>
#include <cmath>

namespace pg::sim {
namespace {
constexpr double kMaxDriftPpm = 500'000.0;

int64_t DriftNanos(double drift_ppm, Time global) {
  return std::llround(drift_ppm * 1e-6 * static_cast<double>(global.ns()));
}
}  // namespace

SimClock::SimClock(ClockConfig config)
    : offset_(config.offset), drift_ppm_(ClampDrift(config.drift_ppm)) {}

double SimClock::ClampDrift(double drift_ppm) {
  if (!std::isfinite(drift_ppm)) return 0.0;
  return std::clamp(drift_ppm, -kMaxDriftPpm, kMaxDriftPpm);
}

Time SimClock::Local(Time global) const {
  return global + offset_ + Nanos(DriftNanos(drift_ppm_, global)) + jumps_;
}

Duration SimClock::ToGlobal(Duration local) const {
  if (local.ns() <= 0) return Duration();
  if (drift_ppm_ == 0.0) return local;
  const double global = static_cast<double>(local.ns()) / (1.0 + drift_ppm_ * 1e-6);
  return Nanos(static_cast<int64_t>(std::ceil(global)));
}

void SimClock::Jump(Duration by) { jumps_ += by; }

void SimClock::SetDrift(Time global_now, double drift_ppm) {
  const double clamped = ClampDrift(drift_ppm);
  jumps_ += Nanos(DriftNanos(drift_ppm_, global_now) - DriftNanos(clamped, global_now));
  drift_ppm_ = clamped;
}

}  // namespace pg::sim
