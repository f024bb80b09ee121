// What each applied fault did (Cluster::fault_effects): every kind of effect is counted on the
// fault that caused it, and agrees with NetworkStats where both count the same thing; coverage
// marks are credited to the fault whose first effect came last (Cluster::mark_faults).
#include <gtest/gtest.h>

#include "sim/kernel/cluster.h"
#include "tests/sim/test_nodes.h"
#include "tests/support/sim_time.h"

namespace pg::sim {
namespace {

using pg::testing::At;
using testing::AddScripted;
using testing::FixedLink;
using testing::Journal;
using testing::Script;
using testing::SendOnBoot;
using testing::Ticker;

// The effects of the fault log's entry whose description starts with `prefix` (the first such).
uint64_t EffectsOf(const Cluster& c, const std::string& prefix) {
  const auto effects = c.fault_effects();
  for (size_t i = 0; i < c.fault_log().size(); ++i) {
    if (c.fault_log()[i].second.starts_with(prefix)) return effects.at(i);
  }
  ADD_FAILURE() << "no fault starting with " << prefix;
  return 0;
}

// Two nodes; node 0 sends `pings` Pings to node 1 on boot, over a fixed 5 ms link.
struct PingPair {
  explicit PingPair(uint64_t pings, LinkConfig link = FixedLink(5))
      : cluster({.seed = 7, .default_link = link}) {
    ids = AddScripted(cluster, &journal, {SendOnBoot(NodeId(1), pings), nullptr});
  }
  Cluster cluster;
  Journal journal;
  std::vector<NodeId> ids;
};

TEST(FaultEffects, APartitionCountsTheMessagesItCutAtSend) {
  PingPair p(3);
  p.cluster.AddPartition({.groups = {{p.ids[0]}, {p.ids[1]}}});  // before the boots send
  p.cluster.Start();
  p.cluster.RunUntil(At(20));
  EXPECT_EQ(EffectsOf(p.cluster, "partition"), 3u);
  EXPECT_EQ(p.cluster.network_stats().dropped_partition, 3u);
}

TEST(FaultEffects, APartitionCountsTheMessagesItCutInFlightAndAHealCountsOnce) {
  PingPair p(4);
  PartitionId id = 0;
  p.cluster.Start();
  p.cluster.Schedule(At(2), "cut", [&](Cluster& c) {
    id = c.AddPartition({.groups = {{p.ids[0]}, {p.ids[1]}}, .one_way = true});
  });
  p.cluster.Schedule(At(10), "heal", [&](Cluster& c) { c.Heal(id); });
  p.cluster.Schedule(At(11), "heal again", [&](Cluster& c) { c.Heal(id); });
  p.cluster.RunUntil(At(20));
  EXPECT_EQ(EffectsOf(p.cluster, "one-way partition"), 4u);  // dropped at delivery (5 ms)
  EXPECT_EQ(EffectsOf(p.cluster, "heal partition 1"), 1u);
  EXPECT_EQ(p.cluster.fault_effects().back(), 0u);  // the second heal was ignored
}

TEST(FaultEffects, TheOldestCuttingPartitionGetsTheMessageAndHealAllCountsPartitions) {
  PingPair p(2);
  p.cluster.AddPartition({.groups = {{p.ids[0]}, {p.ids[1]}}});
  p.cluster.AddPartition({.groups = {{p.ids[1]}, {p.ids[0]}}});
  p.cluster.Start();
  p.cluster.RunUntil(At(20));
  p.cluster.HealAll();
  const auto effects = p.cluster.fault_effects();
  ASSERT_EQ(effects.size(), 3u);
  EXPECT_EQ(effects[0], 2u);
  EXPECT_EQ(effects[1], 0u);
  EXPECT_EQ(effects[2], 2u);  // two partitions healed
}

TEST(FaultEffects, AClogCountsTheMessagesItHeld) {
  PingPair p(5);
  p.cluster.ClogLink(p.ids[0], p.ids[1], Millis(10));
  p.cluster.ClogNode(p.ids[1], Millis(3));  // applied later, so credited while it lasts
  p.cluster.Start();
  p.cluster.RunUntil(At(30));
  // Both cover the link when the boot sends at 0 ms; the later-applied clog is credited.
  EXPECT_EQ(EffectsOf(p.cluster, "clog link"), 0u);
  EXPECT_EQ(EffectsOf(p.cluster, "clog n/1"), 5u);
  EXPECT_EQ(p.cluster.network_stats().held, 5u);
  EXPECT_EQ(p.journal.Of(p.ids[1]).size(), 6u);  // Boot and 5 Pings, released at 10 ms
}

// Node 0 pings node 1 every millisecond for 200 ms.
struct PingStream {
  explicit PingStream(LinkConfig link = FixedLink(1))
      : cluster({.seed = 21, .default_link = link}) {
    ids = AddScripted(cluster, &journal, {Ticker({NodeId(1)}, Millis(1), &seqs), nullptr});
  }
  Cluster cluster;
  Journal journal;
  std::map<std::pair<uint32_t, uint32_t>, uint64_t> seqs;
  std::vector<NodeId> ids;
};

TEST(FaultEffects, ADelayRuleCountsTheMessagesItDelayedAsNetworkStatsDoes) {
  PingStream s;
  s.cluster.AddDelay({.probability = 0.5, .lag_max = Millis(50)});
  s.cluster.Start();
  s.cluster.RunUntil(At(200));
  const uint64_t delayed = s.cluster.network_stats().delayed;
  EXPECT_GT(delayed, 60u);
  EXPECT_LT(delayed, 140u);
  EXPECT_EQ(EffectsOf(s.cluster, "delay: all messages"), delayed);
}

TEST(FaultEffects, OfTwoDelayRulesTheOneWhoseLagAppliedIsCredited) {
  PingStream s;
  s.cluster.AddDelay({.from = NodeId(0), .to = NodeId(1), .lag_max = Duration()});  // lags 0
  s.cluster.AddDelay({.node = NodeId(1), .hold_until = At(100)});
  s.cluster.Start();
  s.cluster.RunUntil(At(200));
  const auto effects = s.cluster.fault_effects();
  ASSERT_EQ(effects.size(), 2u);
  EXPECT_EQ(effects[0], 0u);
  EXPECT_EQ(effects[1], s.cluster.network_stats().delayed);
  EXPECT_GE(effects[1], 99u);  // every ping sent before the hold ends
}

TEST(FaultEffects, ANetworkSpellCountsDropsDuplicatesAndReorders) {
  PingStream s;
  s.cluster.Start();
  s.cluster.RunUntil(At(1));
  LinkConfig lossy = FixedLink(1);
  lossy.drop_probability = 0.3;
  s.cluster.SetDefaultLink(lossy);
  s.cluster.RunUntil(At(100));
  const NetworkStats at_100 = s.cluster.network_stats();
  LinkConfig doubled = FixedLink(1);
  doubled.duplicate_probability = 0.4;
  s.cluster.SetNodeLinks(s.ids[1], doubled);  // the node's setting wins over the default
  s.cluster.RunUntil(At(200));
  const NetworkStats at_200 = s.cluster.network_stats();
  LinkConfig shuffled = FixedLink(1);
  shuffled.reorder_probability = 1;
  s.cluster.SetLink(s.ids[0], s.ids[1], shuffled);  // the link's own wins over both
  s.cluster.RunUntil(At(250));
  EXPECT_GT(at_100.dropped_random, 10u);
  EXPECT_EQ(EffectsOf(s.cluster, "set default link"), at_100.dropped_random);
  EXPECT_EQ(at_200.dropped_random, at_100.dropped_random);
  EXPECT_GT(at_200.duplicated, 10u);
  EXPECT_EQ(EffectsOf(s.cluster, "set links of n/1"), at_200.duplicated);
  // Every ping sent under the last setting left FIFO order: 50 sends, one per millisecond.
  EXPECT_EQ(EffectsOf(s.cluster, "set link n/0->n/1"),
            s.cluster.network_stats().sent - at_200.sent);
}

TEST(FaultEffects, TheScenarioNetworkIsNoFault) {
  LinkConfig lossy = FixedLink(1);
  lossy.drop_probability = 0.5;
  PingStream s(lossy);
  s.cluster.Start();
  s.cluster.RunUntil(At(100));
  EXPECT_GT(s.cluster.network_stats().dropped_random, 0u);
  EXPECT_TRUE(s.cluster.fault_effects().empty());
}

TEST(FaultEffects, NodeFaultsCountOneWhenTheNodeWasAsTheyNeed) {
  PingPair p(0);
  Cluster& c = p.cluster;
  c.Start();
  c.RunUntil(At(1));
  c.Crash(p.ids[1], CrashMode::kMachine);
  c.Pause(p.ids[1]);  // down: ignored
  c.Crash(p.ids[1], CrashMode::kProcess);
  c.Restart(p.ids[1]);
  c.Restart(p.ids[1]);  // up: ignored
  c.Pause(p.ids[0]);
  c.Resume(p.ids[0]);
  c.Resume(p.ids[0]);  // not paused: ignored
  c.JumpClock(p.ids[0], Millis(-5));
  c.SetClockDrift(p.ids[0], 200);
  EXPECT_EQ(c.fault_effects(), (std::vector<uint64_t>{1, 0, 0, 1, 0, 1, 1, 0, 1, 1}));
  EXPECT_TRUE(c.fault_log()[1].second.find("ignored") != std::string::npos);
}

// On boot, appends `n` synced records to "log".
Script AppendOnBoot(int n) {
  return [n](const NodeEnv&, Time, const Input& in, Outbox& out) {
    if (!std::holds_alternative<Boot>(in)) return;
    for (int i = 0; i < n; ++i)
      out.AppendLog({.file = "log", .token = static_cast<uint64_t>(i), .bytes = "x", .sync = true});
  };
}

TEST(FaultEffects, DiskErrorsCountTheOperationsTheyFailedUnderTheSettingInForce) {
  Cluster c({.seed = 3});
  Journal journal;
  const auto ids = AddScripted(c, &journal, {AppendOnBoot(4), AppendOnBoot(3)});
  c.SetNodeDiskFaults(ids[0], IoFaults{.write = 1});
  c.SetDiskFaults({.io_error_probability = 1});  // node 1 only: node 0's window overrides it
  c.Start();
  c.RunUntil(At(50));
  c.SetNodeDiskFaults(ids[0], std::nullopt);
  c.SetNodeDiskFaults(ids[0], std::nullopt);  // no window open
  // Node 1: each append fails its write; Fail is not asked for the sync of a failed write.
  EXPECT_EQ(c.fault_effects(), (std::vector<uint64_t>{4, 3, 1, 0}));
  EXPECT_EQ(c.disk(ids[0]).io_errors() + c.disk(ids[1]).io_errors(), 7u);
}

TEST(FaultEffects, ACorruptionCountsTheBitItFlipped) {
  Cluster c({.seed = 3});
  Journal journal;
  const auto ids = AddScripted(c, &journal, {AppendOnBoot(2)});
  c.Start();
  c.RunUntil(At(50));
  c.CorruptDisk(ids[0], "log", 1);
  c.CorruptDisk(ids[0], "log", 2);  // the file has two bytes
  EXPECT_EQ(c.fault_effects(), (std::vector<uint64_t>{1, 0}));
}

// Emits "m.boot" on boot and "m.timer" at 10 ms (local time), sending a Ping to node 1 at 1 ms.
Script MarksAndPing() {
  return [](const NodeEnv&, Time, const Input& in, Outbox& out) {
    if (std::holds_alternative<Boot>(in)) {
      out.Mark("m.boot");
      out.SetTimer(TimerId(1), Millis(1));
      out.SetTimer(TimerId(2), Millis(10));
    } else if (const auto* t = std::get_if<TimerFired>(&in)) {
      if (t->timer == TimerId(1)) out.Send(NodeId(1), testing::MakePing(0));
      if (t->timer == TimerId(2)) out.Mark("m.timer");
    }
  };
}

TEST(FaultEffects, AMarkIsCreditedToTheFaultWhoseFirstEffectCameLast) {
  Cluster c({.seed = 5, .default_link = FixedLink(1)});
  Journal journal;
  const auto ids = AddScripted(c, &journal, {MarksAndPing(), nullptr});
  c.AddPartition({.groups = {{ids[0]}, {ids[1]}}});  // takes effect at 1 ms, when the Ping goes
  c.Pause(ids[1]);                                   // down (not booted yet): no effect at all
  c.Start();
  c.RunUntil(At(5));
  c.Pause(ids[1]);  // takes effect at 5 ms: the latest onset before node 0's mark at 10 ms
  c.RunUntil(At(20));
  const auto& credited = c.mark_faults();
  ASSERT_EQ(credited.size(), 2u);
  // At boot nothing had taken effect yet; the pause at 5 ms is the latest onset before 10 ms.
  EXPECT_EQ(credited.at("m.boot"), (std::set<FaultIndex>{kNoFault}));
  EXPECT_EQ(credited.at("m.timer"), (std::set<FaultIndex>{2}));
  EXPECT_EQ(c.fault_effects(), (std::vector<uint64_t>{1, 0, 1}));
}

TEST(FaultEffects, AFiredCrashTriggerCountsOnItsArmingAndItsFiring) {
  Cluster c({.seed = 5, .default_link = FixedLink(1)});
  Journal journal;
  const auto ids = AddScripted(c, &journal, {MarksAndPing(), nullptr});
  c.ArmCrashOnMark(ids[0], "m.timer", CrashMode::kProcess, At(100));
  c.ArmCrashOnMark(ids[1], "m.never", CrashMode::kProcess, At(100));
  c.Start();
  c.RunUntil(At(200));
  ASSERT_EQ(c.fault_log().size(), 4u);  // armed, armed, fired, expired
  EXPECT_EQ(c.fault_effects(), (std::vector<uint64_t>{1, 0, 1, 0}));
}

}  // namespace
}  // namespace pg::sim
