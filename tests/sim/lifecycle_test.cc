// Node lifecycle: crash, restart, pause, resume.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "sim/kernel/cluster.h"
#include "tests/sim/test_nodes.h"
#include "tests/support/sim_time.h"

namespace pg::sim {
namespace {

using testing::AddScripted;
using testing::Journal;
using testing::Scripted;
using testing::Ticker;

using pg::testing::At;

using testing::FixedLink;

// Steps of one node with their global time, via the observer.
struct Steps {
  struct Step {
    Time at;
    Input input;
  };
  std::vector<Step> of;
  void Attach(Cluster& c, NodeId node) {
    c.SetEventObserver([this, node](uint64_t, Time at, NodeId n, const Input& in) {
      if (n == node) of.push_back({at, in});
    });
  }
  std::vector<uint64_t> PingSeqs() const {
    std::vector<uint64_t> out;
    for (const auto& s : of) {
      if (const auto* r = std::get_if<Receive>(&s.input))
        out.push_back(Unhost<Ping>(r->msg).value().seq);
    }
    return out;
  }
};

TEST(Lifecycle, CrashDeletesTheNodeAndItsTimersDie) {
  Cluster cluster({.seed = 2});
  Journal journal;
  int boots = 0;
  const NodeId n = cluster.AddNode(
      "n", Scripted(&journal, [&boots](const NodeEnv&, Time, const Input& in, Outbox& out) {
        // Only the first incarnation arms a timer; none may fire later.
        if (std::holds_alternative<Boot>(in) && boots++ == 0) {
          out.SetTimer(TimerId(1), Millis(10));
        }
      }));
  cluster.Start();
  cluster.Schedule(At(5), "crash", [n](Cluster& c) { c.Crash(n, CrashMode::kProcess); });
  cluster.Schedule(At(6), "restart", [n](Cluster& c) { c.Restart(n); });
  cluster.RunUntil(Time::Zero() + Seconds(1));
  ASSERT_EQ(journal.seen.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<Boot>(journal.seen[0].input));
  EXPECT_TRUE(std::holds_alternative<Boot>(journal.seen[1].input));
  EXPECT_EQ(cluster.incarnation(n), 2u);
}

TEST(Lifecycle, CrashedNodeIsDownUntilRestart) {
  Cluster cluster({.seed = 2});
  Journal journal;
  const NodeId n = cluster.AddNode("replica/1", Scripted(&journal));
  cluster.Start();
  EXPECT_EQ(cluster.incarnation(n), 1u);
  cluster.Crash(n, CrashMode::kMachine);
  EXPECT_FALSE(cluster.is_up(n));
  EXPECT_EQ(cluster.node(n), nullptr);
  cluster.Crash(n, CrashMode::kMachine);  // already down: logged, ignored
  cluster.Restart(n);
  EXPECT_TRUE(cluster.is_up(n));
  cluster.Restart(n);  // already up: logged, ignored
  std::vector<std::string> log;
  for (const auto& [at, what] : cluster.fault_log()) log.push_back(what);
  EXPECT_EQ(log, (std::vector<std::string>{
                     "crash replica/1 (machine)", "crash replica/1 ignored: already down",
                     "restart replica/1", "restart replica/1 ignored: already up"}));
  EXPECT_EQ(cluster.incarnation(n), 2u);
}

// A wiped disk: a node that is up loses power first; a down one just gets an empty disk. Either
// way the restart boots on nothing, and the fault counts the files it took.
TEST(Lifecycle, AWipeTakesTheMachineDownAndLeavesAnEmptyDisk) {
  Cluster cluster({.seed = 2});
  Journal journal;
  const NodeId n = cluster.AddNode("replica/1", Scripted(&journal));
  cluster.Start();
  cluster.disk(n).Append("a.log", "synced");
  cluster.disk(n).MarkSynced("a.log", 6);
  cluster.disk(n).Append("b.log", "x");
  cluster.WipeDisk(n);
  EXPECT_FALSE(cluster.is_up(n));
  EXPECT_TRUE(cluster.disk(n).Files().empty()) << "synced bytes too";
  cluster.WipeDisk(n);  // down already: only the (empty) disk is replaced
  cluster.Restart(n);
  EXPECT_TRUE(cluster.is_up(n));
  EXPECT_TRUE(cluster.disk(n).Files().empty());
  std::vector<std::string> log;
  for (const auto& [at, what] : cluster.fault_log()) log.push_back(what);
  EXPECT_EQ(log, (std::vector<std::string>{"wipe disk of replica/1: crash replica/1 (machine)",
                                           "wipe disk of replica/1", "restart replica/1"}));
  EXPECT_EQ(cluster.fault_effects(), (std::vector<uint64_t>{2, 0, 1}));
}

TEST(Lifecycle, ExitTakesTheProcessDownAfterTheStepsOtherEffects) {
  Cluster cluster({.seed = 2, .default_link = FixedLink(1)});
  Journal journal;
  int boots = 0;
  auto ids = AddScripted(cluster, &journal,
                         {[&boots](const NodeEnv&, Time, const Input& in, Outbox& out) {
                            if (!std::holds_alternative<Boot>(in)) return;
                            if (boots++ > 0) return;  // the restarted incarnation stays up
                            // An exit is a process crash: this append, issued and not completed,
                            // goes with the process.
                            out.AppendLog({.file = "f", .token = 1, .bytes = "abc", .sync = false});
                            out.Send(NodeId(1), Host(Ping{.seq = 7}));
                            out.Exit("log failed");
                          },
                          nullptr});
  Steps steps;
  steps.Attach(cluster, ids[1]);
  cluster.Start();
  cluster.RunUntil(At(10));
  EXPECT_EQ(steps.PingSeqs(), (std::vector<uint64_t>{7}));  // sent before the exit
  EXPECT_FALSE(cluster.is_up(ids[0]));                      // nothing restarts it by itself
  std::vector<std::string> log;
  for (const auto& [at, what] : cluster.fault_log()) log.push_back(what);
  EXPECT_EQ(log, (std::vector<std::string>{"exit n/0: log failed"}));
  cluster.Restart(ids[0]);
  EXPECT_TRUE(cluster.is_up(ids[0]));
  EXPECT_EQ(cluster.disk(ids[0]).ReadFile("f").value(), "") << "the append was in flight";
  EXPECT_EQ(cluster.incarnation(ids[0]), 2u);
}

// The exit hook (used by the liveness phase's heal, sim/driver/runner.cc) is told when the disk
// drew the error a fail-stop handled: when the append was issued, not when it completed.
TEST(Lifecycle, AnExitOnAFailedAppendReportsWhenTheDiskDrewTheError) {
  Cluster cluster({.seed = 2, .default_link = FixedLink(1)});
  cluster.SetDiskFaults({.io_error_probability = 1});
  cluster.SetDiskLatency({.write_mean = Millis(50), .sync_mean = Millis(50)});
  Journal journal;
  auto ids = AddScripted(cluster, &journal,
                         {[](const NodeEnv&, Time, const Input& in, Outbox& out) {
                            if (std::holds_alternative<Boot>(in))
                              out.SetTimer(TimerId(1), Millis(3));
                            if (std::holds_alternative<TimerFired>(in)) {
                              out.AppendLog({.file = "f", .token = 1, .bytes = "a", .sync = true});
                            }
                            if (std::holds_alternative<LogFailed>(in)) out.Exit("log failed");
                          },
                          [](const NodeEnv&, Time, const Input& in, Outbox& out) {
                            if (std::holds_alternative<Boot>(in)) out.Exit("nothing to read");
                          }});
  std::vector<Cluster::NodeExit> exits;
  std::vector<Time> exited_at;
  cluster.SetExitObserver([&](Cluster& c, const Cluster::NodeExit& exit) {
    EXPECT_FALSE(c.is_up(exit.node)) << "told once the node is down";
    exits.push_back(exit);
    exited_at.push_back(c.now());
  });
  cluster.Start();
  cluster.RunUntil(At(1000));
  ASSERT_EQ(exits.size(), 2u);
  EXPECT_EQ(exits[0].node, ids[1]);
  EXPECT_EQ(exits[0].reason, "nothing to read");
  EXPECT_EQ(exits[0].io_error_drawn_at, std::nullopt) << "no LogFailed in that step";
  EXPECT_EQ(exits[1].node, ids[0]);
  EXPECT_EQ(exits[1].reason, "log failed");
  EXPECT_EQ(exits[1].io_error_drawn_at, At(3));
  EXPECT_GT(exited_at[1], At(3)) << "the error reached the node after the disk's latency";
}

TEST(Lifecycle, RestartDeliversBootBeforeAnyMessageToTheNewIncarnation) {
  Cluster cluster({.seed = 2, .default_link = FixedLink(5)});
  Journal journal;
  auto ids = AddScripted(cluster, &journal, {testing::SendOnBoot(NodeId(1), 10), nullptr});
  Steps steps;
  steps.Attach(cluster, ids[1]);
  cluster.Start();
  // Node 1 goes down at 1 ms (the first Pings, due at 5 ms, die with its connection) and node 0
  // restarts, sending its Pings again while node 1 is down; those reach whichever incarnation is
  // up at 6 ms. Node 1's restart runs before them (scheduled earlier); its Boot is scheduled
  // after them, yet the Pings must wait for it.
  cluster.Schedule(At(1), "down", [&](Cluster& c) {
    c.Crash(ids[1], CrashMode::kProcess);
    c.Crash(ids[0], CrashMode::kProcess);
    c.Restart(ids[0]);
  });
  cluster.Schedule(At(6), "up", [&](Cluster& c) { c.Restart(ids[1]); });
  cluster.RunUntil(Time::Zero() + Seconds(1));
  ASSERT_EQ(steps.of.size(), 12u);
  EXPECT_TRUE(std::holds_alternative<Boot>(steps.of[0].input));
  EXPECT_TRUE(std::holds_alternative<Boot>(steps.of[1].input));
  EXPECT_EQ(steps.of[1].at, At(6));
  EXPECT_EQ(steps.PingSeqs(), (std::vector<uint64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(cluster.incarnation(ids[1]), 2u);
}

// Node 0 sends node 1 a Ping every ms; node 1 arms a 20 ms timer at Boot.
struct PauseRig {
  PauseRig() : cluster({.seed = 3, .default_link = FixedLink(1)}) {
    ids = AddScripted(cluster, &journal,
                      {Ticker({NodeId(1)}, Millis(1), &seqs),
                       [](const NodeEnv&, Time, const Input& in, Outbox& out) {
                         if (std::holds_alternative<Boot>(in)) out.SetTimer(TimerId(9), Millis(20));
                       }});
    steps.Attach(cluster, ids[1]);
    cluster.Start();
  }
  Cluster cluster;
  Journal journal;
  Steps steps;
  std::map<std::pair<uint32_t, uint32_t>, uint64_t> seqs;
  std::vector<NodeId> ids;
};

TEST(Lifecycle, PausedNodeGetsItsInputsOnResumeInArrivalOrder) {
  PauseRig r;
  r.cluster.Schedule(At(10), "pause", [&](Cluster& c) {
    c.Pause(r.ids[1]);
    EXPECT_TRUE(c.is_paused(r.ids[1]));
  });
  r.cluster.Schedule(At(50), "resume", [&](Cluster& c) { c.Resume(r.ids[1]); });
  r.cluster.RunUntil(At(80));
  Time timer_at;
  size_t timer_index = 0;
  for (size_t i = 0; i < r.steps.of.size(); ++i) {
    const auto& s = r.steps.of[i];
    EXPECT_FALSE(s.at > At(10) && s.at < At(50)) << "stepped while paused at " << s.at.ns();
    if (std::holds_alternative<TimerFired>(s.input)) {
      timer_at = s.at;
      timer_index = i;
    }
  }
  EXPECT_EQ(timer_at, At(50));  // due at 20, fired late
  // It came due at 20 ms, after the Ping that arrived at 19 ms (seq 18) and, having been scheduled
  // long before it, ahead of the Ping that arrived at 20 ms too (seq 19).
  const auto& before = std::get<Receive>(r.steps.of[timer_index - 1].input);
  EXPECT_EQ(Unhost<Ping>(before.msg).value().seq, 18u);
  const auto& after = std::get<Receive>(r.steps.of[timer_index + 1].input);
  EXPECT_EQ(Unhost<Ping>(after.msg).value().seq, 19u);
  const auto seqs = r.steps.PingSeqs();
  ASSERT_EQ(seqs.size(), 80u);  // sent at 0..79, arrived at 1..80: none lost
  for (size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], i);
}

TEST(Lifecycle, CrashWhilePausedDiscardsWaitingInputs) {
  PauseRig r;
  const NodeId n = r.ids[1];
  r.cluster.Schedule(At(10), "pause", [n](Cluster& c) { c.Pause(n); });
  r.cluster.Schedule(At(20), "crash", [n](Cluster& c) { c.Crash(n, CrashMode::kProcess); });
  r.cluster.Schedule(At(30), "restart", [n](Cluster& c) { c.Restart(n); });
  r.cluster.RunUntil(At(40));
  EXPECT_FALSE(r.cluster.is_paused(n));
  const auto seqs = r.steps.PingSeqs();
  // Arrived at 1..9 before the pause; 10..19 waited and died with the crash; 20..29 found the
  // node down; from 30 on (sent at 29) the new incarnation gets them, after its Boot.
  std::vector<uint64_t> expected;
  for (uint64_t s = 0; s <= 8; ++s) expected.push_back(s);
  for (uint64_t s = 29; s <= 39; ++s) expected.push_back(s);
  EXPECT_EQ(seqs, expected);
  EXPECT_EQ(r.cluster.network_stats().dropped_down, 10u);
}

TEST(Lifecycle, PauseOfADownNodeAndResumeOfARunningOneAreIgnored) {
  Cluster cluster({.seed = 2});
  Journal journal;
  const NodeId n = cluster.AddNode("n", Scripted(&journal));
  cluster.Pause(n);
  cluster.Start();
  cluster.Resume(n);
  cluster.Pause(NodeId(5));
  EXPECT_FALSE(cluster.is_paused(n));
  ASSERT_EQ(cluster.fault_log().size(), 3u);
  EXPECT_EQ(cluster.fault_log()[0].second, "pause n ignored: down");
  EXPECT_EQ(cluster.fault_log()[1].second, "resume n ignored: not paused");
  EXPECT_EQ(cluster.fault_log()[2].second, "pause of unknown node 5 ignored");
}

}  // namespace
}  // namespace pg::sim
