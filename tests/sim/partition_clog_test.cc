// Partitions (symmetric, one-way, heal) and clogs (node, link).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "sim/kernel/cluster.h"
#include "tests/sim/test_nodes.h"
#include "tests/support/sim_time.h"

namespace pg::sim {
namespace {

using testing::AddScripted;
using testing::DeliveryLog;
using testing::Journal;
using testing::Ticker;

using pg::testing::At;

// Three nodes, each sending a Ping to both others every millisecond over a fixed 1 ms link.
struct Mesh {
  Mesh() : cluster({.seed = 11, .default_link = FixedLink()}) {
    std::vector<testing::Script> scripts;
    for (uint32_t i = 0; i < 3; ++i) {
      std::vector<NodeId> peers;
      for (uint32_t j = 0; j < 3; ++j) {
        if (j != i) peers.push_back(NodeId(j));
      }
      scripts.push_back(Ticker(peers, Millis(1), &seqs));
    }
    ids = AddScripted(cluster, &journal, scripts);
    log.Attach(cluster);
    cluster.Start();
  }
  static LinkConfig FixedLink() {
    LinkConfig c;
    c.latency_min = Millis(1);
    c.latency_mean = Millis(1);
    return c;
  }
  // Deliveries from -> to with delivery time in [from_t, to_t).
  size_t Count(NodeId from, NodeId to, Time from_t, Time to_t) const {
    return std::count_if(log.pings.begin(), log.pings.end(), [&](const auto& d) {
      return d.from == from && d.to == to && d.at >= from_t && d.at < to_t;
    });
  }
  Cluster cluster;
  Journal journal;
  DeliveryLog log;
  std::map<std::pair<uint32_t, uint32_t>, uint64_t> seqs;
  std::vector<NodeId> ids;
};

TEST(Partition, SymmetricCutsBothWaysUntilHealed) {
  Mesh m;
  auto& c = m.cluster;
  PartitionId p = 0;
  c.Schedule(At(10), "cut", [&](Cluster& cl) {
    p = cl.AddPartition({.groups = {{m.ids[0]}, {m.ids[1]}}, .one_way = false});
  });
  c.Schedule(At(30), "heal", [&](Cluster& cl) { cl.Heal(p); });
  c.RunUntil(At(50));
  // In flight at 10 ms (sent at 9.x) are dropped at delivery; sent just before 30 ms were dropped
  // at send time, so nothing arrives until one latency after the heal.
  EXPECT_EQ(m.Count(m.ids[0], m.ids[1], At(10), At(31)), 0u);
  EXPECT_EQ(m.Count(m.ids[1], m.ids[0], At(10), At(31)), 0u);
  EXPECT_GT(m.Count(m.ids[0], m.ids[1], At(0), At(10)), 5u);
  EXPECT_GT(m.Count(m.ids[0], m.ids[1], At(31), At(50)), 15u);
  // A node in no group is unaffected.
  EXPECT_EQ(m.Count(m.ids[0], m.ids[2], At(10), At(30)), 20u);
  EXPECT_EQ(m.Count(m.ids[2], m.ids[1], At(10), At(30)), 20u);
  EXPECT_GT(c.network_stats().dropped_partition, 30u);
}

TEST(Partition, OneWayCutsOnlyFromFirstGroupToSecond) {
  Mesh m;
  auto& c = m.cluster;
  c.Schedule(At(10), "cut", [&](Cluster& cl) {
    cl.AddPartition({.groups = {{m.ids[0]}, {m.ids[1], m.ids[2]}}, .one_way = true});
    EXPECT_TRUE(cl.Partitioned(m.ids[0], m.ids[1]));
    EXPECT_FALSE(cl.Partitioned(m.ids[1], m.ids[0]));
    EXPECT_FALSE(cl.Partitioned(m.ids[1], m.ids[2]));
  });
  c.Schedule(At(30), "heal", [](Cluster& cl) { cl.HealAll(); });
  c.RunUntil(At(50));
  EXPECT_EQ(m.Count(m.ids[0], m.ids[1], At(10), At(31)), 0u);
  EXPECT_EQ(m.Count(m.ids[0], m.ids[2], At(10), At(31)), 0u);
  EXPECT_EQ(m.Count(m.ids[1], m.ids[0], At(10), At(30)), 20u);
  EXPECT_EQ(m.Count(m.ids[1], m.ids[2], At(10), At(30)), 20u);
  EXPECT_GT(m.Count(m.ids[0], m.ids[1], At(31), At(50)), 15u);
}

TEST(Partition, HealOfAnUnknownPartitionIsLoggedNotAsserted) {
  Cluster c({.seed = 1});
  c.Heal(77);
  ASSERT_EQ(c.fault_log().size(), 1u);
  EXPECT_EQ(c.fault_log()[0].second, "heal partition 77 ignored: not active");
}

TEST(Partition, FaultLogNamesTheGroups) {
  Mesh m;
  m.cluster.AddPartition({.groups = {{m.ids[0]}, {m.ids[1], m.ids[2]}}, .one_way = false});
  EXPECT_EQ(m.cluster.fault_log().back().second, "partition 1 [n/0] | [n/1, n/2]");
}

TEST(Clog, NodeClogHoldsMessagesFromAndToItUntilItEnds) {
  Mesh m;
  auto& c = m.cluster;
  c.Schedule(At(10), "clog", [&](Cluster& cl) { cl.ClogNode(m.ids[0], Millis(20)); });
  c.RunUntil(At(60));
  // Sent during [10, 30) from or to node 0: held, then all depart at 30 and arrive at 31, together
  // with the one sent at 30 (the clog has ended by then).
  EXPECT_EQ(m.Count(m.ids[0], m.ids[1], At(12), At(31)), 0u);
  EXPECT_EQ(m.Count(m.ids[1], m.ids[0], At(12), At(31)), 0u);
  EXPECT_EQ(m.Count(m.ids[0], m.ids[1], At(31), At(32)), 21u);
  EXPECT_EQ(m.Count(m.ids[1], m.ids[2], At(12), At(30)), 18u);  // others unaffected
  EXPECT_EQ(c.network_stats().held, 80u);
  // Nothing was lost, and order held.
  for (NodeId to : {m.ids[1], m.ids[2]}) {
    const auto seqs = m.journal.PingsFrom(to, m.ids[0]);
    EXPECT_TRUE(std::is_sorted(seqs.begin(), seqs.end()));
    EXPECT_EQ(seqs.size(), seqs.back() + 1);
  }
}

TEST(Clog, LinkClogHoldsOnlyThatDirection) {
  Mesh m;
  auto& c = m.cluster;
  c.Schedule(At(10), "clog", [&](Cluster& cl) { cl.ClogLink(m.ids[0], m.ids[1], Millis(20)); });
  c.RunUntil(At(60));
  EXPECT_EQ(m.Count(m.ids[0], m.ids[1], At(12), At(31)), 0u);
  EXPECT_EQ(m.Count(m.ids[0], m.ids[1], At(31), At(32)), 21u);
  EXPECT_EQ(m.Count(m.ids[1], m.ids[0], At(12), At(31)), 19u);
  EXPECT_EQ(m.Count(m.ids[0], m.ids[2], At(12), At(31)), 19u);
}

TEST(Clog, ExtendedClogKeepsMessagesUntilTheLaterEnd) {
  Mesh m;
  auto& c = m.cluster;
  c.Schedule(At(10), "clog", [&](Cluster& cl) { cl.ClogNode(m.ids[0], Millis(10)); });
  c.Schedule(At(15), "clog more", [&](Cluster& cl) { cl.ClogNode(m.ids[0], Millis(20)); });
  c.RunUntil(At(60));
  EXPECT_EQ(m.Count(m.ids[0], m.ids[1], At(12), At(36)), 0u);
  EXPECT_EQ(m.Count(m.ids[0], m.ids[1], At(36), At(37)), 26u);  // sent at 10..35
}

}  // namespace
}  // namespace pg::sim
