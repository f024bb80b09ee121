// The network: latency, drop, duplicate, reorder, FIFO links, unknown and down receivers.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "sim/kernel/cluster.h"
#include "tests/sim/test_nodes.h"

namespace pg::sim {
namespace {

using testing::AddScripted;
using testing::DeliveryLog;
using testing::Journal;
using testing::SendOnBoot;

constexpr uint64_t kCount = 4000;

// Node 0 sends kCount Pings to node 1 at time 0 over `link`.
struct Burst {
  explicit Burst(LinkConfig link, uint64_t seed = 7)
      : cluster({.seed = seed, .default_link = link}) {
    ids = AddScripted(cluster, &journal, {SendOnBoot(NodeId(1), kCount), nullptr});
    log.Attach(cluster);
    cluster.Start();
    cluster.RunUntil(Time::Zero() + Seconds(60));
  }
  Cluster cluster;
  Journal journal;
  DeliveryLog log;
  std::vector<NodeId> ids;
};

LinkConfig Link(int64_t min_ms, int64_t mean_ms) {
  LinkConfig c;
  c.latency_min = Millis(min_ms);
  c.latency_mean = Millis(mean_ms);
  return c;
}

TEST(Network, LatencyIsMinPlusExponentialTail) {
  LinkConfig c = Link(2, 5);
  c.reorder_probability = 1.0;  // every message free of the FIFO floor: raw latencies
  Burst b(c);
  ASSERT_EQ(b.log.pings.size(), kCount);
  double sum_ms = 0;
  Time max;
  for (const auto& d : b.log.pings) {
    EXPECT_GE(d.at, Time::Zero() + Millis(2));
    sum_ms += d.at.ms();
    max = std::max(max, d.at);
  }
  const double mean_ms = sum_ms / kCount;
  EXPECT_NEAR(mean_ms, 5.0, 0.25);
  EXPECT_GT(max, Time::Zero() + Millis(12));  // an exponential tail, not a uniform band
}

TEST(Network, ZeroTailMeansFixedLatency) {
  Burst b(Link(3, 3));
  ASSERT_EQ(b.log.pings.size(), kCount);
  for (const auto& d : b.log.pings) EXPECT_EQ(d.at, Time::Zero() + Millis(3));
}

TEST(Network, LinksAreFifoWithoutReorder) {
  Burst b(Link(1, 10));
  const auto seqs = b.journal.PingsFrom(b.ids[1], b.ids[0]);
  ASSERT_EQ(seqs.size(), kCount);
  EXPECT_TRUE(std::is_sorted(seqs.begin(), seqs.end()));
  for (const auto& d : b.log.pings) EXPECT_GE(d.at, Time::Zero() + Millis(1));
}

TEST(Network, BandwidthSerializesMessagesOnTheirLink) {
  // kCount pings sent at once over a 3 ms link with a bandwidth: the i-th is on the wire after
  // i messages' worth of bytes, so deliveries spread over kCount * size / bandwidth.
  LinkConfig c = Link(3, 3);
  const uint64_t size = Encode(Message(Host(Ping{.seq = 1}))).size();
  c.bandwidth_bytes_per_ms = static_cast<double>(size) * 100;  // 100 pings per ms
  Burst b(c);
  ASSERT_EQ(b.log.pings.size(), kCount);
  Time last;
  for (const auto& d : b.log.pings) last = std::max(last, d.at);
  const double expect_ms = 3.0 + static_cast<double>(kCount) / 100;
  EXPECT_NEAR(last.ms(), expect_ms, 0.5);
  const auto seqs = b.journal.PingsFrom(b.ids[1], b.ids[0]);
  EXPECT_TRUE(std::is_sorted(seqs.begin(), seqs.end())) << "still FIFO";
}

TEST(Network, ReorderLetsMessagesOvertake) {
  LinkConfig c = Link(1, 10);
  c.reorder_probability = 0.5;
  Burst b(c);
  const auto seqs = b.journal.PingsFrom(b.ids[1], b.ids[0]);
  ASSERT_EQ(seqs.size(), kCount);
  size_t inversions = 0;
  for (size_t i = 1; i < seqs.size(); ++i) inversions += seqs[i] < seqs[i - 1];
  EXPECT_GT(inversions, kCount / 10);
}

// With straggle_max, a reordered message lags a further uniform [0, straggle_max]; the others
// keep their FIFO order and are not held back behind it.
TEST(Network, ReorderedMessagesStraggleUpToTheBoundWhileTheRestKeepFifo) {
  LinkConfig c = Link(1, 1);  // no tail: a message on time arrives at exactly 1 ms
  c.reorder_probability = 0.1;
  c.straggle_max = Millis(4000);
  Burst b(c);
  ASSERT_EQ(b.log.pings.size(), kCount);
  size_t on_time = 0, late = 0, later_than_2s = 0;
  Time last_on_time;
  for (const auto& d : b.log.pings) {
    EXPECT_GE(d.at, Time::Zero() + Millis(1));
    EXPECT_LE(d.at, Time::Zero() + Millis(4001));
    if (d.at == Time::Zero() + Millis(1)) {
      ++on_time;
      last_on_time = d.at;
    } else {
      ++late;
      later_than_2s += d.at > Time::Zero() + Millis(2001);
    }
  }
  // About 10 % straggle (400 of 4000), about half of them past the middle of the bound.
  EXPECT_NEAR(static_cast<double>(late), kCount * 0.1, 80);
  EXPECT_NEAR(static_cast<double>(later_than_2s), late / 2.0, late / 5.0);
  // Every message that did not straggle arrived at 1 ms: none waited behind a straggler.
  EXPECT_EQ(on_time + late, kCount);
  EXPECT_EQ(last_on_time, Time::Zero() + Millis(1));
}

TEST(Network, WithoutStraggleAReorderedMessageKeepsItsDrawnLatency) {
  LinkConfig c = Link(1, 1);
  c.reorder_probability = 1.0;
  Burst b(c);
  for (const auto& d : b.log.pings) EXPECT_EQ(d.at, Time::Zero() + Millis(1));
}

TEST(Network, DropLosesAboutTheConfiguredShare) {
  LinkConfig c = Link(1, 3);
  c.drop_probability = 0.3;
  Burst b(c);
  const double received = static_cast<double>(b.log.pings.size());
  EXPECT_NEAR(received / kCount, 0.7, 0.03);
  EXPECT_EQ(b.cluster.network_stats().dropped_random + b.log.pings.size(), kCount);
  const auto seqs = b.journal.PingsFrom(b.ids[1], b.ids[0]);
  EXPECT_EQ(std::set<uint64_t>(seqs.begin(), seqs.end()).size(), seqs.size());  // no copies
}

TEST(Network, ASenderThatNeverDuplicatesGetsEachMessageDeliveredOnce) {
  // A Pegasus client's requests (TCP, no request deduplication): duplicates are never drawn for
  // its messages, whatever the link's duplicate_probability.
  LinkConfig c = Link(1, 20);
  c.duplicate_probability = 0.5;
  Cluster cluster({.seed = 7, .default_link = c});
  Journal journal;
  DeliveryLog log;
  const std::vector<NodeId> ids =
      AddScripted(cluster, &journal, {SendOnBoot(NodeId(1), kCount), nullptr});
  cluster.SetNeverDuplicates(ids[0]);
  log.Attach(cluster);
  cluster.Start();
  cluster.RunUntil(Time::Zero() + Seconds(60));
  EXPECT_EQ(log.pings.size(), kCount) << "each ping exactly once";
}

TEST(Network, DuplicateDeliversASecondCopyWithItsOwnLatency) {
  LinkConfig c = Link(1, 20);
  c.duplicate_probability = 0.25;
  c.reorder_probability = 1.0;
  Burst b(c);
  std::map<uint64_t, std::vector<Time>> by_seq;
  for (const auto& d : b.log.pings) by_seq[d.seq].push_back(d.at);
  EXPECT_EQ(by_seq.size(), kCount);  // nothing lost
  size_t doubled = 0;
  size_t different_latency = 0;
  for (const auto& [seq, times] : by_seq) {
    ASSERT_LE(times.size(), 2u);
    if (times.size() == 2) {
      ++doubled;
      different_latency += times[0] != times[1];
    }
  }
  EXPECT_NEAR(static_cast<double>(doubled) / kCount, 0.25, 0.03);
  EXPECT_EQ(b.cluster.network_stats().duplicated, doubled);
  EXPECT_GT(different_latency, doubled * 9 / 10);
}

TEST(Network, PerLinkConfigOverridesTheDefault) {
  Cluster cluster({.seed = 3, .default_link = Link(1, 1)});
  Journal journal;
  DeliveryLog log;
  auto ids =
      AddScripted(cluster, &journal, {SendOnBoot(NodeId(1), 1), SendOnBoot(NodeId(0), 1), nullptr});
  cluster.SetLink(ids[0], ids[1], Link(50, 50));
  log.Attach(cluster);
  cluster.Start();
  cluster.RunUntil(Time::Zero() + Seconds(1));
  ASSERT_EQ(log.pings.size(), 2u);
  EXPECT_EQ(log.pings[0].to, ids[0]);  // 1 -> 0 uses the default 1 ms
  EXPECT_EQ(log.pings[0].at, Time::Zero() + Millis(1));
  EXPECT_EQ(log.pings[1].at, Time::Zero() + Millis(50));
  cluster.SetDefaultLink(Link(7, 7));
  EXPECT_EQ(cluster.fault_log().back().second.rfind("set default link", 0), 0u);
}

TEST(Network, SendToAnUnknownNodeIsDroppedNotAsserted) {
  Cluster cluster({.seed = 3});
  Journal journal;
  AddScripted(cluster, &journal, {SendOnBoot(NodeId(42), 3)});
  cluster.Start();
  cluster.RunUntil(Time::Zero() + Seconds(1));
  EXPECT_EQ(cluster.network_stats().dropped_unknown, 3u);
}

TEST(Network, MessagesToADownNodeAreDroppedOnDelivery) {
  // Up again before the messages arrive: they were sent on the connection of the incarnation that
  // crashed, which broke with it, so the new one never reads them.
  Cluster cluster({.seed = 3, .default_link = Link(5, 5)});
  Journal journal;
  auto ids = AddScripted(cluster, &journal, {SendOnBoot(NodeId(1), 10), nullptr});
  cluster.Start();
  cluster.RunUntil(Time::Zero() + Millis(1));
  cluster.Crash(ids[1], CrashMode::kProcess);
  cluster.RunUntil(Time::Zero() + Millis(4));
  cluster.Restart(ids[1]);
  cluster.RunUntil(Time::Zero() + Seconds(1));
  EXPECT_TRUE(journal.PingsFrom(ids[1], ids[0]).empty());
  EXPECT_EQ(cluster.network_stats().dropped_down, 10u);

  Cluster c2({.seed = 3, .default_link = Link(5, 5)});
  Journal j2;
  auto ids2 = AddScripted(c2, &j2, {SendOnBoot(NodeId(1), 10), nullptr});
  c2.Start();
  c2.RunUntil(Time::Zero() + Millis(1));
  c2.Crash(ids2[1], CrashMode::kProcess);
  c2.RunUntil(Time::Zero() + Seconds(1));
  EXPECT_TRUE(j2.PingsFrom(ids2[1], ids2[0]).empty());
  EXPECT_EQ(c2.network_stats().dropped_down, 10u);
}

// Sent while the receiver is down, a message goes to whichever incarnation is up when it arrives
// (the sender's session connects to it).
TEST(Network, MessagesSentToADownNodeReachItsNextIncarnation) {
  Cluster cluster({.seed = 3, .default_link = Link(5, 5)});
  Journal journal;
  auto ids = AddScripted(cluster, &journal, {SendOnBoot(NodeId(1), 10), nullptr});
  cluster.Start();
  cluster.RunUntil(Time::Zero() + Millis(1));
  cluster.Crash(ids[1], CrashMode::kProcess);
  cluster.Crash(ids[0], CrashMode::kProcess);
  cluster.Restart(ids[0]);  // sends its 10 pings again, at 1 ms, to the node that is down
  cluster.RunUntil(Time::Zero() + Millis(2));
  cluster.Restart(ids[1]);
  cluster.RunUntil(Time::Zero() + Seconds(1));
  EXPECT_EQ(journal.PingsFrom(ids[1], ids[0]).size(), 10u);
  EXPECT_EQ(cluster.network_stats().dropped_down, 10u) << "the first ten, sent to the crashed one";
}

TEST(Network, MessagesFromACrashedSenderStillArrive) {
  Cluster cluster({.seed = 3, .default_link = Link(5, 5)});
  Journal journal;
  auto ids = AddScripted(cluster, &journal, {SendOnBoot(NodeId(1), 10), nullptr});
  cluster.Start();
  cluster.RunUntil(Time::Zero() + Millis(1));
  cluster.Crash(ids[0], CrashMode::kMachine);
  cluster.RunUntil(Time::Zero() + Seconds(1));
  EXPECT_EQ(journal.PingsFrom(ids[1], ids[0]).size(), 10u);
}

}  // namespace
}  // namespace pg::sim
