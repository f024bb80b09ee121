// What a node's crash does to the messages it sent that have not arrived. A message a delay rule
// holds or lags, a straggler and a message a clog holds all wait in the sender's kernel (a TCP
// send stalled on a retransmission, or waiting for the link): a machine crash (power loss) loses
// them, as the machine that would have sent them is gone. A message already on the wire (its
// ordinary latency, or the rest of its journey once it left the kernel) still arrives, and a
// process crash loses nothing: the kernel keeps a dead process's socket data and still sends it.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "sim/kernel/cluster.h"
#include "sim/kernel/delivery_policy.h"
#include "tests/sim/test_nodes.h"
#include "tests/support/sim_time.h"

namespace pg::sim {
namespace {

using testing::AddScripted;
using testing::DeliveryLog;
using testing::Journal;
using testing::SendOnBoot;

using pg::testing::At;
using testing::FixedLink;

// n/0 sends `count` Pings to n/1 at every boot; links take exactly `latency_ms`.
struct Pair {
  explicit Pair(uint64_t count, std::shared_ptr<DeliveryPolicy> policy = nullptr)
      : cluster({.seed = 7,
                 .default_link = FixedLink(10),
                 .record_trace = true,
                 .delivery_policy = std::move(policy)}) {
    ids = AddScripted(cluster, &journal, {SendOnBoot(NodeId(1), count), nullptr});
    log.Attach(cluster);
  }
  void CrashAt(int64_t ms, CrashMode mode) {
    cluster.Schedule(At(ms), "crash", [this, mode](Cluster& c) { c.Crash(ids[0], mode); });
  }
  size_t Delivered() const { return log.pings.size(); }
  size_t TracedLosses() const {
    return std::count_if(cluster.trace().begin(), cluster.trace().end(), [](const TraceLine& l) {
      return l.what.starts_with("drop (sender lost power): ");
    });
  }
  Cluster cluster;
  Journal journal;
  DeliveryLog log;
  std::vector<NodeId> ids;
};

TEST(PowerLossMessages, AHeldMessageDiesWithItsSendersMachine) {
  Pair p(3);
  p.cluster.AddDelay({.from = p.ids[0], .to = p.ids[1], .hold_until = At(100)});
  p.cluster.Start();
  p.CrashAt(50, CrashMode::kMachine);
  p.cluster.RunUntil(At(300));
  EXPECT_EQ(p.Delivered(), 0u);
  EXPECT_EQ(p.cluster.network_stats().dropped_sender_power, 3u);
  EXPECT_EQ(p.TracedLosses(), 3u);  // at n/1, where and when each would have arrived
}

TEST(PowerLossMessages, AHeldMessageThatLeftTheKernelBeforeThePowerLossArrives) {
  Pair p(3);
  p.cluster.AddDelay({.from = p.ids[0], .to = p.ids[1], .hold_until = At(100)});
  p.cluster.Start();
  p.CrashAt(105, CrashMode::kMachine);  // the hold ended at 100: on the wire until 110
  p.cluster.RunUntil(At(300));
  ASSERT_EQ(p.Delivered(), 3u);
  EXPECT_EQ(p.log.pings[0].at, At(110));
  EXPECT_EQ(p.cluster.network_stats().dropped_sender_power, 0u);
}

TEST(PowerLossMessages, AnOrdinaryMessageInFlightStillArrives) {
  Pair p(3);
  p.cluster.Start();
  p.CrashAt(5, CrashMode::kMachine);  // sent at 0, on the wire until 10
  p.cluster.RunUntil(At(100));
  EXPECT_EQ(p.Delivered(), 3u);
  EXPECT_EQ(p.cluster.network_stats().dropped_sender_power, 0u);
}

TEST(PowerLossMessages, AProcessCrashKeepsHeldMessages) {
  Pair p(3);
  p.cluster.AddDelay({.from = p.ids[0], .to = p.ids[1], .hold_until = At(100)});
  p.cluster.Start();
  p.CrashAt(50, CrashMode::kProcess);
  p.cluster.RunUntil(At(300));
  ASSERT_EQ(p.Delivered(), 3u);
  EXPECT_EQ(p.log.pings[0].at, At(110));
  EXPECT_EQ(p.cluster.network_stats().dropped_sender_power, 0u);
}

// Only a power loss after the send counts: what the restarted machine sends is its own.
TEST(PowerLossMessages, MessagesSentAfterTheRestartAreNotLost) {
  Pair p(3);
  p.cluster.AddDelay({.from = p.ids[0], .to = p.ids[1], .hold_until = At(100)});
  p.cluster.Start();
  p.CrashAt(50, CrashMode::kMachine);
  p.cluster.Schedule(At(60), "restart", [&p](Cluster& c) { c.Restart(p.ids[0]); });
  p.cluster.RunUntil(At(300));
  ASSERT_EQ(p.Delivered(), 3u);  // the second boot's, held until 100 too
  EXPECT_EQ(p.log.pings[0].at, At(110));
  EXPECT_EQ(p.cluster.network_stats().dropped_sender_power, 3u);
}

// A straggler waits in the kernel for its drawn lag, then travels its latency: it is lost when
// the power goes before the lag has passed, and arrives otherwise.
void ExpectStragglersLostIffStillInTheKernel(Pair& p, int64_t crash_ms, uint64_t count) {
  p.cluster.Start();
  p.CrashAt(crash_ms, CrashMode::kMachine);
  p.cluster.RunUntil(At(30000));
  const uint64_t lost = p.cluster.network_stats().dropped_sender_power;
  EXPECT_GT(lost, 0u);
  EXPECT_GT(p.Delivered(), 0u);
  EXPECT_EQ(p.Delivered() + lost, count);
  for (const auto& d : p.log.pings) EXPECT_LE(d.at, At(crash_ms + 10)) << "seq " << d.seq;
}

TEST(PowerLossMessages, AStragglerOfADelayRuleDiesWithItsSendersMachine) {
  Pair p(40);
  p.cluster.AddDelay({.from = p.ids[0], .to = p.ids[1], .lag_max = Millis(10000)});
  // Each waits behind the longest lag drawn before it on its session (session_stall_test.cc),
  // so late in the spread, when only the last few are still waiting.
  ExpectStragglersLostIffStillInTheKernel(p, 9000, 40);
}

TEST(PowerLossMessages, AStragglerOfANetworkSpellDiesWithItsSendersMachine) {
  Pair p(40);
  LinkConfig straggling = FixedLink(10);
  straggling.reorder_probability = 1;
  straggling.straggle_max = Millis(10000);
  p.cluster.SetLink(p.ids[0], p.ids[1], straggling);
  ExpectStragglersLostIffStillInTheKernel(p, 5000, 40);
}

TEST(PowerLossMessages, AMessageAClogHoldsDiesWithItsSendersMachine) {
  Pair p(3);
  p.cluster.ClogLink(p.ids[0], p.ids[1], Millis(100));
  p.cluster.Start();
  p.CrashAt(50, CrashMode::kMachine);
  p.cluster.RunUntil(At(300));
  EXPECT_EQ(p.Delivered(), 0u);
  EXPECT_EQ(p.cluster.network_stats().dropped_sender_power, 3u);
  EXPECT_EQ(p.TracedLosses(), 3u);  // when the clog ended
}

TEST(PowerLossMessages, AProcessCrashKeepsWhatAClogHolds) {
  Pair p(3);
  p.cluster.ClogLink(p.ids[0], p.ids[1], Millis(100));
  p.cluster.Start();
  p.CrashAt(50, CrashMode::kProcess);
  p.cluster.RunUntil(At(300));
  ASSERT_EQ(p.Delivered(), 3u);
  EXPECT_EQ(p.log.pings[0].at, At(110));
}

// Always the first busy link's oldest message.
class FirstLink final : public DeliveryPolicy {
 public:
  size_t Choose(const Cluster&, const DeliveryChoice&) override { return 0; }
};

TEST(PowerLossMessages, UnderADeliveryPolicyTheTickThatPicksAHeldMessageDropsIt) {
  Pair p(3, std::make_shared<FirstLink>());
  p.cluster.AddDelay({.from = p.ids[0], .to = p.ids[1], .hold_until = At(100)});
  p.cluster.Start();
  p.CrashAt(50, CrashMode::kMachine);
  p.cluster.RunUntil(At(300));
  EXPECT_EQ(p.Delivered(), 0u);
  EXPECT_EQ(p.cluster.network_stats().dropped_sender_power, 3u);
}

TEST(PowerLossMessages, UnderADeliveryPolicyAnOrdinaryMessageStillArrives) {
  Pair p(3, std::make_shared<FirstLink>());
  p.cluster.Start();
  p.CrashAt(5, CrashMode::kMachine);
  p.cluster.RunUntil(At(100));
  EXPECT_EQ(p.Delivered(), 3u);
  EXPECT_EQ(p.cluster.network_stats().dropped_sender_power, 0u);
}

}  // namespace
}  // namespace pg::sim
