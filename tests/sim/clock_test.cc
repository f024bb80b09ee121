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

TEST(SimClock, AFrozenClockStandsStillThenRunsBehindUntilTheLeap) {
  SimClock c({.offset = Millis(7), .drift_ppm = 0});
  c.Freeze(At(1000));
  EXPECT_TRUE(c.frozen());
  EXPECT_EQ(c.Local(At(3000)), At(1007));  // it reads the time it stopped at
  EXPECT_EQ(c.Thaw(At(3000)), Millis(2000));
  EXPECT_EQ(c.Local(At(3000)), At(1007));  // continuous: it runs on from there
  EXPECT_EQ(c.Local(At(4000)), At(2007));  // behind by the pause
  EXPECT_EQ(c.behind(), Millis(2000));
  EXPECT_EQ(c.Leap(), Millis(2000));
  EXPECT_EQ(c.Local(At(4000)), At(4007));  // where it would read had it never stopped
  EXPECT_EQ(c.Leap(), Duration());         // nothing left to bring forward
}

TEST(SimClock, FreezesAddUpAndDriftScalesWhatTheyLose) {
  SimClock c({.offset = Duration(), .drift_ppm = 1000});
  c.Freeze(At(1000));
  c.SetDrift(At(1500), 0);  // while frozen: the reading stays that of the stop
  EXPECT_EQ(c.Local(At(2000)), At(1001));
  EXPECT_EQ(c.Thaw(At(2000)), Millis(1000));
  c.Freeze(At(3000));
  EXPECT_EQ(c.Thaw(At(3500)), Millis(1500));
  EXPECT_EQ(c.Local(At(4000)), At(2501));
  EXPECT_EQ(c.Leap(), Millis(1500));
  EXPECT_EQ(c.Local(At(4000)), At(4001));
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

// The skew bound a history's TTLs declare (ServingClockSkewMs): the farthest the node's clock
// read from global time at any of its steps, a jump included, not its reading between steps.
TEST(Clock, MaxClockSkewIsTheFarthestReadingAtAStep) {
  TimerRig r({.offset = Millis(40), .drift_ppm = 0});
  r.cluster.Schedule(At(30), "jump", [&](Cluster& c) { c.JumpClock(r.id, Millis(-500)); });
  r.cluster.RunUntil(At(20));
  EXPECT_EQ(r.cluster.MaxClockSkew(r.id), Millis(40));  // the boot step, at offset 40 ms
  r.cluster.RunUntil(Time::Zero() + Seconds(1));
  ASSERT_EQ(r.journal.seen.size(), 2u);
  EXPECT_EQ(r.cluster.MaxClockSkew(r.id), Millis(460));  // the timer's step: 40 - 500 ms
}

TEST(Clock, SetClockDriftChangesTheRateOfLaterTimers) {
  TimerRig r({});
  r.cluster.Schedule(At(1), "drift", [&](Cluster& c) { c.SetClockDrift(r.id, 250'000); });
  r.cluster.RunUntil(Time::Zero() + Seconds(1));
  ASSERT_EQ(r.journal.seen.size(), 2u);
  EXPECT_EQ(r.global[1], At(100));  // armed at drift 0: its global deadline stays
  EXPECT_EQ(r.cluster.LocalTime(r.id), Time::Zero() + Seconds(1) + Micros(249'750));
}

TEST(Clock, AFrozenPauseResumesAtThePausedAtTimeAndTheLeapRestoresIt) {
  TimerRig r({.offset = Millis(3), .drift_ppm = 0});
  r.cluster.Schedule(At(200), "pause", [&](Cluster& c) { c.Pause(r.id, PauseClock::kFrozen); });
  r.cluster.Schedule(At(2200), "resume", [&](Cluster& c) { c.Resume(r.id); });
  r.cluster.Schedule(At(3000), "leap", [&](Cluster& c) { c.LeapClock(r.id); });
  r.cluster.RunUntil(At(1000));
  EXPECT_EQ(r.cluster.LocalTime(r.id), At(203));  // frozen while paused
  r.cluster.RunUntil(At(2200));
  EXPECT_EQ(r.cluster.LocalTime(r.id), At(203));  // resumed: reads the paused-at time
  r.cluster.RunUntil(At(2900));
  EXPECT_EQ(r.cluster.LocalTime(r.id), At(903));  // runs, 2 s behind
  r.cluster.RunUntil(At(3500));
  EXPECT_EQ(r.cluster.LocalTime(r.id), At(3503));  // the leap brought it to the right time
  const auto& log = r.cluster.fault_log();
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0].second, "pause and freeze clock of n");
  EXPECT_EQ(log[1].second, "resume n (0 waiting inputs, clock behind by 2000.000ms)");
  EXPECT_EQ(log[2].second, "leap clock of n by 2000.000ms");
  EXPECT_EQ(r.cluster.fault_effects(), (std::vector<uint64_t>{1, 1, 1}));
}

TEST(Clock, ARunningPauseLeavesTheClockAloneAndItsLeapIsIgnored) {
  TimerRig r({});
  r.cluster.Schedule(At(200), "pause", [&](Cluster& c) { c.Pause(r.id); });
  r.cluster.Schedule(At(2200), "resume", [&](Cluster& c) { c.Resume(r.id); });
  r.cluster.Schedule(At(2300), "leap", [&](Cluster& c) { c.LeapClock(r.id); });
  r.cluster.RunUntil(At(2400));
  EXPECT_EQ(r.cluster.LocalTime(r.id), At(2400));
  EXPECT_EQ(r.cluster.fault_log().at(0).second, "pause n");
  EXPECT_EQ(r.cluster.fault_log().at(2).second, "leap clock of n ignored: not behind");
  EXPECT_EQ(r.cluster.fault_effects().at(2), 0u);
}

TEST(Clock, ACrashEndsTheFreezeAndTheClockStaysBehindUntilTheLeap) {
  TimerRig r({});
  r.cluster.Schedule(At(200), "pause", [&](Cluster& c) { c.Pause(r.id, PauseClock::kFrozen); });
  r.cluster.Schedule(At(700), "crash", [&](Cluster& c) { c.Crash(r.id, CrashMode::kProcess); });
  r.cluster.RunUntil(At(1000));
  EXPECT_EQ(r.cluster.LocalTime(r.id), At(500));
  r.cluster.LeapClock(r.id);
  EXPECT_EQ(r.cluster.LocalTime(r.id), At(1000));
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
