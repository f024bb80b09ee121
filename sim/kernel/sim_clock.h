#pragma once
// One node's clock: local = global + offset + drift_ppm * 1e-6 * global + jumps. Nodes see only
// their local clock (DESIGN.md §2), so skew reaches lease logic with no code in core/ aware of it.
#include "core/common/time.h"
#include "sim/kernel/cluster_config.h"

namespace pg::sim {

class SimClock {
 public:
  explicit SimClock(ClockConfig config);

  // The node's clock reading at global time `global`.
  Time Local(Time global) const;
  // How much global time passes while this clock advances by `local` (a timer's `after`):
  // local / (1 + drift), rounded up so a timer never fires before its local deadline. Jumps do not
  // enter: an armed timer is like a CLOCK_MONOTONIC timer (what Pegasus's timers use), which NTP
  // steps of the wall clock do not move; only the rate (drift) shapes how long it takes.
  Duration ToGlobal(Duration local) const;

  // Steps the clock by `by` (either sign) from now on.
  void Jump(Duration by);
  // Changes the rate from `global_now` on, keeping the reading continuous: the drift accumulated so
  // far under the old rate is folded into the jump term, so changing drift is not also a jump.
  void SetDrift(Time global_now, double drift_ppm);

  double drift_ppm() const { return drift_ppm_; }

 private:
  // Drift beyond +-50% is no clock, and -100% would stop time; scenario values are clamped here.
  static double ClampDrift(double drift_ppm);

  Duration offset_;
  double drift_ppm_ = 0.0;
  // Sum of jumps plus the drift folded in by SetDrift.
  Duration jumps_;
};

}  // namespace pg::sim
