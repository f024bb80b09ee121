// A connection reset (Cluster::ResetLink, ResetNode): both TCP sessions between two nodes break,
// and every message sent on them that has not arrived is lost: in flight, held by a clog or a
// delay rule, or waiting behind a stalled session in its sender's kernel. Other links lose
// nothing, and what is sent after the reset rides new sessions that nothing stalls.
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

// n/0 pings n/1 and n/2, n/1 pings n/0, every 100 ms from boot; links take exactly 10 ms.
struct Triangle {
  Triangle() : cluster({.seed = 11, .default_link = FixedLink(10), .record_trace = true}) {
    const NodeId n0(0), n1(1), n2(2);
    ids = AddScripted(
        cluster, &journal,
        {Ticker({n1, n2}, Millis(100), &seq), Ticker({n0}, Millis(100), &seq), nullptr});
    log.Attach(cluster);
  }
  void ResetAt(int64_t ms, NodeId a, NodeId b) {
    cluster.Schedule(At(ms), "reset", [a, b](Cluster& c) { c.ResetLink(a, b); });
  }
  // The seqs of the Pings delivered on from -> to, in delivery order.
  std::vector<uint64_t> Seqs(NodeId from, NodeId to) const {
    std::vector<uint64_t> out;
    for (const auto& d : log.pings) {
      if (d.from == from && d.to == to) out.push_back(d.seq);
    }
    return out;
  }
  size_t TracedResets() const {
    return std::count_if(cluster.trace().begin(), cluster.trace().end(), [](const TraceLine& l) {
      return l.what.starts_with("drop (connection reset): ");
    });
  }
  Cluster cluster;
  Journal journal;
  DeliveryLog log;
  std::map<std::pair<uint32_t, uint32_t>, uint64_t> seq;
  std::vector<NodeId> ids;
};

using Seqs = std::vector<uint64_t>;

TEST(ConnectionReset, LosesTheLinksUndeliveredMessagesInBothDirectionsAndNoOthers) {
  Triangle t;
  t.cluster.Start();
  t.ResetAt(5, t.ids[0], t.ids[1]);  // the boot's pings are on the wire until 10
  t.cluster.RunUntil(At(150));
  EXPECT_EQ(t.Seqs(t.ids[0], t.ids[1]), Seqs{1});  // seq 0 lost, seq 1 rides a new session
  EXPECT_EQ(t.Seqs(t.ids[1], t.ids[0]), Seqs{1});
  EXPECT_EQ(t.Seqs(t.ids[0], t.ids[2]), (Seqs{0, 1}));  // another link: untouched
  EXPECT_EQ(t.cluster.network_stats().dropped_reset, 2u);
  EXPECT_EQ(t.TracedResets(), 2u);  // where and when each would have arrived
  ASSERT_EQ(t.cluster.fault_log().size(), 1u);
  EXPECT_EQ(t.cluster.fault_log()[0].second, "reset connections of n/0 and n/1");
  EXPECT_EQ(t.cluster.fault_effects().at(0), 2u);  // its effects: the messages lost
}

TEST(ConnectionReset, ADeliveredMessageIsNotTakenBack) {
  Triangle t;
  t.cluster.Start();
  t.ResetAt(50, t.ids[0], t.ids[1]);  // between ticks: nothing in flight
  t.cluster.RunUntil(At(150));
  EXPECT_EQ(t.Seqs(t.ids[0], t.ids[1]), (Seqs{0, 1}));
  EXPECT_EQ(t.cluster.network_stats().dropped_reset, 0u);
  EXPECT_EQ(t.cluster.fault_effects().at(0), 0u);
}

TEST(ConnectionReset, LosesWhatAClogHeldInTheSendersKernel) {
  Triangle t;
  t.cluster.Start();
  t.cluster.ClogLink(t.ids[0], t.ids[1], Millis(60));
  t.ResetAt(5, t.ids[1], t.ids[0]);  // either order names the link
  t.cluster.RunUntil(At(150));
  EXPECT_EQ(t.Seqs(t.ids[0], t.ids[1]), Seqs{1});
  EXPECT_EQ(t.cluster.network_stats().dropped_reset, 2u);  // the held one and n/1's in flight
  EXPECT_EQ(t.cluster.fault_effects().at(1), 2u);
}

TEST(ConnectionReset, LaterMessagesRideNewSessionsThatNothingStalls) {
  Triangle t;
  t.cluster.Start();
  // The boot's ping to n/1 is held until 1000, and stalls its session: the next would wait.
  const DelayId hold =
      t.cluster.AddDelay({.from = t.ids[0], .to = t.ids[1], .hold_until = At(1000)});
  t.cluster.Schedule(At(20), "end", [hold](Cluster& c) { c.EndDelay(hold); });
  t.ResetAt(30, t.ids[0], t.ids[1]);
  t.cluster.RunUntil(At(150));
  ASSERT_EQ(t.Seqs(t.ids[0], t.ids[1]), Seqs{1});
  for (const auto& d : t.log.pings) {
    if (d.from == t.ids[0] && d.to == t.ids[1]) {
      EXPECT_EQ(d.at, At(110));  // not behind the lost one's 1010
    }
  }
  t.cluster.RunUntil(At(1100));
  // The held ping; n/1's boot ping had arrived at 10.
  EXPECT_EQ(t.cluster.network_stats().dropped_reset, 1u);
}

TEST(ConnectionReset, ResetNodeBreaksEveryLinkOfTheNode) {
  Triangle t;
  t.cluster.Start();
  t.cluster.Schedule(At(5), "reset", [&t](Cluster& c) { c.ResetNode(t.ids[0]); });
  t.cluster.RunUntil(At(150));
  EXPECT_EQ(t.Seqs(t.ids[0], t.ids[1]), Seqs{1});
  EXPECT_EQ(t.Seqs(t.ids[0], t.ids[2]), Seqs{1});
  EXPECT_EQ(t.Seqs(t.ids[1], t.ids[0]), Seqs{1});
  EXPECT_EQ(t.cluster.fault_log()[0].second, "reset connections of n/0");
  EXPECT_EQ(t.cluster.fault_effects().at(0), 3u);
}

}  // namespace
}  // namespace pg::sim
