// Corrupted messages (Cluster::AddCorruption): a message a rule picks travels as a damaged frame
// and its receiver's check drops it before the node sees it, traced and counted; a rule covers
// its scope and class only; its draws come from a stream of their own, so a run keeps its other
// draws; and a run is a function of its seed.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "sim/kernel/cluster.h"
#include "tests/sim/test_nodes.h"
#include "tests/support/sim_time.h"

namespace pg::sim {
namespace {

using testing::AddScripted;
using testing::DeliveryLog;
using testing::FixedLink;
using testing::Journal;
using testing::Ticker;

using pg::testing::At;

// n/0 pings n/1 and n/2, n/1 pings n/0, every 100 ms from boot.
struct Pingers {
  explicit Pingers(uint64_t seed, LinkConfig link = FixedLink(10))
      : cluster({.seed = seed, .default_link = link, .record_trace = true}) {
    ids = AddScripted(cluster, &journal,
                      {Ticker({NodeId(1), NodeId(2)}, Millis(100), &seq),
                       Ticker({NodeId(0)}, Millis(100), &seq), nullptr});
    log.Attach(cluster);
  }
  void Corrupt(int64_t from_ms, int64_t to_ms, CorruptSpec spec) {
    cluster.Schedule(At(from_ms), "corrupt", [this, spec, to_ms](Cluster& c) {
      const CorruptId id = c.AddCorruption(spec);
      c.Schedule(At(to_ms), "end", [id](Cluster& c2) { c2.EndCorruption(id); });
    });
  }
  size_t Delivered(NodeId from, NodeId to) const {
    return std::count_if(log.pings.begin(), log.pings.end(),
                         [&](const auto& d) { return d.from == from && d.to == to; });
  }
  std::vector<Time> Arrivals(NodeId from, NodeId to) const {
    std::vector<Time> out;
    for (const auto& d : log.pings) {
      if (d.from == from && d.to == to) out.push_back(d.at);
    }
    return out;
  }
  size_t TracedCorruptDrops() const {
    return std::count_if(cluster.trace().begin(), cluster.trace().end(), [](const TraceLine& l) {
      return l.what.starts_with("drop (corrupt frame: crc mismatch, ");
    });
  }
  Cluster cluster;
  Journal journal;
  DeliveryLog log;
  std::map<std::pair<uint32_t, uint32_t>, uint64_t> seq;
  std::vector<NodeId> ids;
};

constexpr NodeId kP0(0), kP1(1), kP2(2);

TEST(CorruptFrames, ADamagedFrameIsDroppedByTheChecksumTracedAndCounted) {
  Pingers p(1);
  p.cluster.Start();
  p.Corrupt(50, 1050, {.probability = 1, .bits_max = 3});  // every message, 10 ticks' worth
  p.cluster.RunUntil(At(2000));
  const NetworkStats& s = p.cluster.network_stats();
  EXPECT_EQ(s.corrupted, 30u);  // ticks at 100..1000 ms, three pings each
  EXPECT_EQ(s.dropped_corrupt, s.corrupted);
  EXPECT_EQ(p.TracedCorruptDrops(), s.corrupted);
  EXPECT_EQ(p.Delivered(kP0, kP1), 10u);  // boot's, and those sent from 1100 to 1900 ms
  ASSERT_EQ(p.cluster.fault_log().size(), 2u);
  EXPECT_EQ(p.cluster.fault_log()[0].second,
            "corrupt frames: all messages on every link, chance 1, 1..3 bits");
  EXPECT_EQ(p.cluster.fault_log()[1].second, "corrupt frames 1 end");
  EXPECT_EQ(p.cluster.fault_effects().at(0), 30u);  // its effects: the frames it damaged
  // The journal holds what the nodes saw: not one Ping sent while the rule was in force.
  for (const auto& d : p.log.pings) {
    EXPECT_TRUE(d.at < At(60) || d.at > At(1050))
        << "a damaged ping arrived at " << d.at.ns() << " ns";
  }
}

TEST(CorruptFrames, ALinkRuleDamagesThatLinkOnly) {
  Pingers p(1);
  p.Corrupt(0, 5000, {.from = kP0, .to = kP1, .probability = 1});  // before the boots' pings
  p.cluster.Start();
  p.cluster.RunUntil(At(950));
  EXPECT_EQ(p.Delivered(kP0, kP1), 0u);
  EXPECT_EQ(p.Delivered(kP0, kP2), 10u);  // boot's and ticks to 900 ms
  EXPECT_EQ(p.Delivered(kP1, kP0), 10u);  // the reverse direction too
  EXPECT_EQ(p.cluster.network_stats().corrupted, 10u);
  EXPECT_EQ(p.TracedCorruptDrops(), 10u);
}

TEST(CorruptFrames, ANodeRuleCoversItsLinksAndAClassRuleItsClass) {
  Pingers node_rule(1);
  node_rule.Corrupt(0, 5000, {.node = kP2, .probability = 1});
  node_rule.cluster.Start();
  node_rule.cluster.RunUntil(At(950));
  EXPECT_EQ(node_rule.Delivered(kP0, kP2), 0u);
  EXPECT_EQ(node_rule.Delivered(kP0, kP1), 10u);

  Pingers control_rule(1);  // a hosted Ping is data: a control rule damages none
  control_rule.Corrupt(0, 5000, {.message_class = MessageClass::kControl, .probability = 1});
  control_rule.cluster.Start();
  control_rule.cluster.RunUntil(At(950));
  EXPECT_EQ(control_rule.cluster.network_stats().corrupted, 0u);
  EXPECT_EQ(control_rule.Delivered(kP0, kP1), 10u);
}

TEST(CorruptFrames, ClearingEndsEveryRuleAndAnEndedRuleDamagesNothing) {
  Pingers p(1);
  p.cluster.Schedule(At(0), "rules", [](Cluster& c) {
    c.AddCorruption({.node = kP0, .probability = 1});  // n/0 is on every link
    c.AddCorruption({.node = kP1, .probability = 1});
  });
  p.cluster.Schedule(At(450), "clear", [](Cluster& c) { c.ClearCorruptions(); });
  p.cluster.Start();
  p.cluster.RunUntil(At(1000));
  EXPECT_EQ(p.cluster.fault_log().back().second, "frame corruption cleared");
  EXPECT_EQ(p.cluster.fault_effects().back(), 2u);      // the two rules it ended
  EXPECT_EQ(p.cluster.network_stats().corrupted, 15u);  // boot and ticks to 400 ms
  EXPECT_EQ(p.Delivered(kP0, kP1), 5u);                 // 500..900 ms
}

// The rules draw from their own stream: with random latencies, the links a rule does not cover
// deliver exactly when they do without it, and the damaged link loses some messages, not all.
TEST(CorruptFrames, ARuleShiftsNoOtherDrawOfTheRun) {
  LinkConfig random_latency = FixedLink(1);
  random_latency.latency_mean = Millis(20);
  Pingers plain(9, random_latency);
  Pingers damaged(9, random_latency);
  plain.cluster.Start();
  damaged.cluster.Start();
  damaged.Corrupt(0, 10000, {.from = kP0, .to = kP1, .probability = 0.5, .bits_max = 8});
  plain.cluster.RunUntil(At(5000));
  damaged.cluster.RunUntil(At(5000));
  EXPECT_EQ(damaged.Arrivals(kP0, kP2), plain.Arrivals(kP0, kP2));
  EXPECT_EQ(damaged.Arrivals(kP1, kP0), plain.Arrivals(kP1, kP0));
  EXPECT_GT(damaged.Delivered(kP0, kP1), 10u);
  EXPECT_LT(damaged.Delivered(kP0, kP1), plain.Delivered(kP0, kP1) - 10);
  EXPECT_EQ(damaged.cluster.network_stats().dropped_corrupt,
            plain.Delivered(kP0, kP1) - damaged.Delivered(kP0, kP1));
  EXPECT_NE(damaged.cluster.trace_hash(), plain.cluster.trace_hash());
}

TEST(CorruptFrames, TheSameSeedGivesTheSameTrace) {
  auto run = [](uint64_t seed) {
    LinkConfig link = FixedLink(1);
    link.latency_mean = Millis(20);
    Pingers p(seed, link);
    p.cluster.Start();
    p.Corrupt(100, 3000, {.probability = 0.3, .bits_max = 5});
    p.cluster.RunUntil(At(4000));
    return std::pair{p.cluster.trace_hash(), p.cluster.network_stats().corrupted};
  };
  const auto a = run(4);
  EXPECT_GT(a.second, 0u);
  EXPECT_EQ(run(4), a);
  EXPECT_NE(run(5).first, a.first);
}

}  // namespace
}  // namespace pg::sim
