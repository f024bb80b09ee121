// The bound a shrink of a liveness failure keeps (Shrinker::Try): no candidate lets a delayed
// message reach further into the liveness phase than liveness_ms / 3, or than the original run
// did. Without it, cutting duration_ms under a long straggle can make "slow to repair" look like
// a repair that never came, and the shrunk file reproduce another failure than the run's.
#include <gtest/gtest.h>

#include "sim/driver/straggler_tail.h"

namespace pg::sim {
namespace {

Knobs WithStraggle(int64_t at_ms, int64_t duration_ms, int64_t delay_ms) {
  Knobs k;
  k.duration_ms = 100000;
  k.liveness_ms = 30000;
  k.faults.push_back(Fault{
      .at_ms = at_ms,
      .action = DelayFault{.mode = "straggle", .delay_ms = delay_ms, .duration_ms = duration_ms}});
  return k;
}

TEST(StragglerTail, IsTheLatestArrivalPastTheHeal) {
  EXPECT_EQ(StragglerTailMs(Knobs{}), 0);
  EXPECT_EQ(StragglerTailMs(WithStraggle(50000, 10000, 20000)), 0);  // arrives by 80 s
  EXPECT_EQ(StragglerTailMs(WithStraggle(90000, 5000, 8000)), 3000);
  // The heal at duration_ms ends the rule: its last lagged message departs then.
  EXPECT_EQ(StragglerTailMs(WithStraggle(95000, 60000, 8000)), 8000);
  Knobs hold = WithStraggle(95000, 4000, 8000);
  std::get<DelayFault>(hold.faults[0].action).mode = "hold";
  EXPECT_EQ(StragglerTailMs(hold), 0);
}

TEST(StragglerTail, ACandidateKeepsTheSwarmsBoundOrTheOriginals) {
  const Knobs within = WithStraggle(90000, 5000, 13000);  // tail 8 s of a 10 s bound
  Knobs cut = within;
  cut.duration_ms = 91000;  // the same straggle now arrives 13 s into the phase
  EXPECT_TRUE(KeepsStragglerTail(within, within));
  EXPECT_FALSE(KeepsStragglerTail(cut, within));
  const Knobs beyond = WithStraggle(90000, 5000, 30000);  // a hand-written 25 s tail
  EXPECT_TRUE(KeepsStragglerTail(beyond, beyond));
  Knobs longer = beyond;
  longer.duration_ms = 95000;
  EXPECT_FALSE(KeepsStragglerTail(longer, beyond));
  Knobs no_phase = cut;
  no_phase.liveness_ms = 0;
  EXPECT_TRUE(KeepsStragglerTail(no_phase, within));
}

}  // namespace
}  // namespace pg::sim
