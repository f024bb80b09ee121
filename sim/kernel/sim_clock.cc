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
  // A frozen clock reads what it read when it stopped (a paused node steps at no later instant
  // than that, but the assertion context and the RocksDB clock may ask).
  if (frozen_at_) global = std::min(global, *frozen_at_);
  return global + offset_ + Nanos(DriftNanos(drift_ppm_, global)) + jumps_;
}

Duration SimClock::ToGlobal(Duration local) const {
  if (local.ns() <= 0) return Duration();
  if (drift_ppm_ == 0.0) return local;
  const double global = static_cast<double>(local.ns()) / (1.0 + drift_ppm_ * 1e-6);
  return Nanos(static_cast<int64_t>(std::ceil(global)));
}

void SimClock::Jump(Duration by) { jumps_ += by; }

void SimClock::Freeze(Time global_now) {
  if (!frozen_at_) frozen_at_ = global_now;
}

Duration SimClock::Thaw(Time global_now) {
  if (!frozen_at_) return behind_;
  const Time stopped = *frozen_at_;
  const Time reading = Local(stopped);
  frozen_at_.reset();
  // Runs on from the reading it stopped at: what it would read now, minus what it reads.
  const Duration lost = Local(global_now) - reading;
  jumps_ += Duration() - lost;
  behind_ += lost;
  return behind_;
}

Duration SimClock::Leap() {
  const Duration by = behind_;
  jumps_ += by;
  behind_ = Duration();
  return by;
}

void SimClock::SetDrift(Time global_now, double drift_ppm) {
  const double clamped = ClampDrift(drift_ppm);
  // A frozen clock's reading is that of the instant it stopped; keep that one.
  const Time at = frozen_at_ ? std::min(global_now, *frozen_at_) : global_now;
  jumps_ += Nanos(DriftNanos(drift_ppm_, at) - DriftNanos(clamped, at));
  drift_ppm_ = clamped;
}

}  // namespace pg::sim
