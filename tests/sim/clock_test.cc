// Per-node clocks: offset, drift, jumps, and timers measured on the local clock.
#include <gtest/gtest.h>

#include "sim/kernel/cluster.h"
#include "sim/kernel/sim_clock.h"
#include "tests/sim/test_nodes.h"
#include "tests/support/sim_time.h"

namespace pg::sim {
namespace {

using testing::Journal;
using testing::Scripted;

using pg::testing::At;

TEST(SimClock, LocalIsGlobalPlusOffsetPlusDriftPlusJumps) {
  SimClock c({.offset = Millis(5), .drift_ppm = 100});
  EXPECT_EQ(c.Local(Time::Zero()), At(5));
  EXPECT_EQ(c.Local(Time::Zero() + Seconds(10)), Time::Zero() + Seconds(10) + Millis(5 + 1));
  c.Jump(Millis(-3));
  EXPECT_EQ(c.Local(Time::Zero()), At(2));
}

TEST(SimClock, ToGlobalDividesByTheRateAndNeverFiresEarly) {
  SimClock fast({.offset = Duration(), .drift_ppm = 100'000});  // 10% fast
  const Duration g = fast.ToGlobal(Millis(110));
  EXPECT_NEAR(static_cast<double>(g.ns()), 100e6, 1.0);
  const Time start = At(1000);
  EXPECT_GE(fast.Local(start + g) - fast.Local(start), Millis(110) - Nanos(1));
  SimClock slow({.offset = Duration(), .drift_ppm = -100'000});
  EXPECT_NEAR(static_cast<double>(slow.ToGlobal(Millis(90)).ns()), 100e6, 1.0);
  EXPECT_EQ(slow.ToGlobal(Millis(-5)), Duration());
}

TEST(SimClock, ChangingDriftKeepsTheReadingContinuous) {
  SimClock c({.offset = Duration(), .drift_ppm = 1000});
  const Time t = Time::Zero() + Seconds(100);
  const Time before = c.Local(t);
  c.SetDrift(t, -2000);
  EXPECT_EQ(c.Local(t), before);
  EXPECT_EQ(c.Local(t + Seconds(1)) - c.Local(t), Seconds(1) - Millis(2));
}

TEST(SimClock, AbsurdDriftIsClampedNotAsserted) {
  SimClock c({.offset = Duration(), .drift_ppm = -5e6});
  EXPECT_GT(c.ToGlobal(Millis(1)), Duration());
  EXPECT_GT(c.Local(At(10)), c.Local(At(0)));
}

// A node that records its clock at Boot and at each timer, and arms timer 1 for 100 ms at Boot.
struct TimerRig {
  explicit TimerRig(ClockConfig clock) : cluster({.seed = 5}) {
    id = cluster.AddNode("n",
                         Scripted(&journal,
                                  [](const NodeEnv&, Time, const Input& in, Outbox& out) {
                                    if (std::holds_alternative<Boot>(in)) {
                                      out.SetTimer(TimerId(1), Millis(100));
                                    }
                                  }),
                         clock);
    cluster.SetEventObserver(
        [this](uint64_t, Time at, NodeId, const Input& in) { global.push_back(at); });
    cluster.Start();
  }
  Cluster cluster;
  Journal journal;
  NodeId id;
  std::vector<Time> global;  // global time of each step
};

TEST(Clock, NodeSeesItsOffsetAndDrift) {
  TimerRig r({.offset = Millis(250), .drift_ppm = 1000});
  r.cluster.RunUntil(Time::Zero() + Seconds(10));
  ASSERT_EQ(r.journal.seen.size(), 2u);
  EXPECT_EQ(r.journal.seen[0].local, At(250));
  // The timer fires after 100 ms local: local reads 350 ms, global is 100 / 1.001 ms.
  EXPECT_GE(r.journal.seen[1].local, At(350));
  EXPECT_LE(r.journal.seen[1].local, At(350) + Nanos(1));
  EXPECT_NEAR(r.global[1].ns(), 100e6 / 1.001, 1.0);
  EXPECT_EQ(r.cluster.LocalTime(r.id), Time::Zero() + Seconds(10) + Millis(250) + Millis(10));
}

TEST(Clock, JumpMovesLocalTimeButNotArmedTimers) {
  TimerRig r({});
  r.cluster.Schedule(At(30), "jump", [&](Cluster& c) { c.JumpClock(r.id, Seconds(5)); });
  r.cluster.RunUntil(Time::Zero() + Seconds(1));
  ASSERT_EQ(r.journal.seen.size(), 2u);
  EXPECT_EQ(r.global[1], At(100));  // a monotonic timer: the wall-clock step does not move it
  EXPECT_EQ(r.journal.seen[1].local, At(5100));
  EXPECT_EQ(r.cluster.fault_log().at(0).second, "jump clock of n by 5000.000ms");
}

TEST(Clock, BackwardJumpIsSeenByTheNode) {
  TimerRig r({.offset = Seconds(1), .drift_ppm = 0});
  r.cluster.Schedule(At(30), "jump", [&](Cluster& c) { c.JumpClock(r.id, Millis(-500)); });
  r.cluster.RunUntil(Time::Zero() + Seconds(1));
  ASSERT_EQ(r.journal.seen.size(), 2u);
  EXPECT_EQ(r.journal.seen[1].local, At(600));  // 1000 + 100 - 500
  EXPECT_EQ(r.global[1], At(100));
}

TEST(Clock, SetClockDriftChangesTheRateOfLaterTimers) {
  TimerRig r({});
  r.cluster.Schedule(At(1), "drift", [&](Cluster& c) { c.SetClockDrift(r.id, 250'000); });
  r.cluster.RunUntil(Time::Zero() + Seconds(1));
  ASSERT_EQ(r.journal.seen.size(), 2u);
  EXPECT_EQ(r.global[1], At(100));  // armed at drift 0: its global deadline stays
  EXPECT_EQ(r.cluster.LocalTime(r.id), Time::Zero() + Seconds(1) + Micros(249'750));
}

TEST(Clock, ReArmingATimerCancelsTheEarlierFiringAndCancelStopsIt) {
  Cluster cluster({.seed = 5});
  Journal journal;
  cluster.AddNode("n", Scripted(&journal, [](const NodeEnv&, Time, const Input& in, Outbox& out) {
                    if (!std::holds_alternative<Boot>(in)) return;
                    out.SetTimer(TimerId(1), Millis(10));
                    out.SetTimer(TimerId(1), Millis(30));  // re-arm: fires once, at 30
                    out.SetTimer(TimerId(2), Millis(20));
                    out.CancelTimer(TimerId(2));
                    out.SetTimer(TimerId(3), Millis(5));
                  }));
  std::vector<std::pair<Time, uint64_t>> fired;
  cluster.SetEventObserver([&](uint64_t, Time at, NodeId, const Input& in) {
    if (const auto* t = std::get_if<TimerFired>(&in)) fired.emplace_back(at, t->timer.value());
  });
  cluster.Start();
  cluster.RunUntil(Time::Zero() + Seconds(1));
  EXPECT_EQ(fired, (std::vector<std::pair<Time, uint64_t>>{{At(5), 3}, {At(30), 1}}));
}

}  // namespace
}  // namespace pg::sim
