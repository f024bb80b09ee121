#pragma once
// One node's clock: local = global + offset + drift_ppm * 1e-6 * global + jumps. Nodes see only
// their local clock (DESIGN.md §2), so skew reaches lease logic with no code in core/ aware of it.
#include <optional>

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

  // A VM pause with its clock stopped: from `global_now` the reading stands still until Thaw,
  // which lets it run again from the reading it stopped at, so the clock is then behind by the
  // time it stood still (what a paused virtual machine's guest clock does).
  void Freeze(Time global_now);
  // Ends a Freeze (no-op when not frozen); returns how far behind the clock now is, in all.
  Duration Thaw(Time global_now);
  // The NTP step after a freeze: jumps forward by what the freezes put the clock behind, to where
  // it would read had it never stopped; returns that amount (0 when it was not behind).
  Duration Leap();

  bool frozen() const { return frozen_at_.has_value(); }
  // How far the freezes since the last Leap put the clock behind (thawed freezes only).
  Duration behind() const { return behind_; }
  double drift_ppm() const { return drift_ppm_; }

 private:
  // Drift beyond +-50% is no clock, and -100% would stop time; scenario values are clamped here.
  static double ClampDrift(double drift_ppm);

  Duration offset_;
  double drift_ppm_ = 0.0;
  // Sum of jumps plus the drift folded in by SetDrift, minus the time frozen clocks stood still.
  Duration jumps_;
  std::optional<Time> frozen_at_;  // global time of the Freeze in force
  // Invariant: behind_ >= 0; the part of jumps_ that Thaw took off and Leap has not given back.
  Duration behind_;
};

}  // namespace pg::sim
