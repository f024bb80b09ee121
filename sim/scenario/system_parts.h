#pragma once
// Pieces every system builder uses: a node that does nothing, and per-node clocks drawn from the
// knobs.
#include "core/node/node.h"
#include "sim/kernel/cluster.h"
#include "sim/scenario/knobs.h"

namespace pg::sim {

// Stands in for a role a system does not use yet (the register system has no meta server; the
// pegasus system has one leader and no election yet), so fault schedules naming it stay valid.
class IdleNode final : public Node {
 public:
  void Step(Time, const Input&, Outbox&) override {}
  void CheckInvariants() const override {}
};

// Offset uniform in [-offset_ms_max, offset_ms_max], drift uniform in [-drift_ppm_max, +max].
ClockConfig DrawClock(const Knobs& knobs, Rng& rng);

}  // namespace pg::sim
