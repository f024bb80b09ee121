// The network's delay rules (DelaySpec): which messages they cover, how long they lag or hold
// them, and the session stall a delayed message leaves behind it.
#include <gtest/gtest.h>

#include "sim/kernel/network.h"
#include "sim/kernel/rng.h"
#include "tests/support/sim_time.h"

namespace pg::sim {
namespace {

constexpr NodeId kA(0), kB(1), kC(2);

Network ThreeNodes() {
  LinkConfig fixed;
  fixed.latency_min = Millis(1);
  fixed.latency_mean = Millis(1);  // no tail: every latency is 1 ms
  Network n(fixed);
  for (int i = 0; i < 3; ++i) n.AddNode();
  return n;
}

using pg::testing::At;

TEST(DelayRule, NoRuleDrawsNothing) {
  Network n = ThreeNodes();
  Xoshiro256 rng(1);
  Xoshiro256 untouched(1);
  EXPECT_FALSE(n.has_delays());
  EXPECT_EQ(n.DrawDelay(kA, kB, MessageClass::kControl, At(0), rng), Duration());
  EXPECT_EQ(rng.NextU64(), untouched.NextU64());
}

TEST(DelayRule, CoversItsClassAndScopeOnly) {
  Network n = ThreeNodes();
  Xoshiro256 rng(1);
  n.AddDelay({.node = kA, .message_class = MessageClass::kControl, .hold_until = At(5000)});
  EXPECT_EQ(n.DrawDelay(kA, kB, MessageClass::kControl, At(1000), rng), Millis(4000));
  EXPECT_EQ(n.DrawDelay(kC, kA, MessageClass::kControl, At(1000), rng), Millis(4000));
  EXPECT_EQ(n.DrawDelay(kA, kB, MessageClass::kData, At(1000), rng), Duration());
  EXPECT_EQ(n.DrawDelay(kB, kC, MessageClass::kControl, At(1000), rng), Duration());
}

TEST(DelayRule, ALinkRuleCoversOneDirection) {
  Network n = ThreeNodes();
  Xoshiro256 rng(1);
  n.AddDelay({.from = kA, .to = kB, .hold_until = At(3000)});
  EXPECT_EQ(n.DrawDelay(kA, kB, MessageClass::kData, At(0), rng), Millis(3000));
  EXPECT_EQ(n.DrawDelay(kB, kA, MessageClass::kData, At(0), rng), Duration());
}

TEST(DelayRule, StragglersLagUniformlyWithinTheBoundAndEndWithTheRule) {
  Network n = ThreeNodes();
  Xoshiro256 rng(3);
  const DelayId id = n.AddDelay({.lag_max = Millis(12000)});
  Duration longest;
  Duration shortest = Millis(12001);
  for (int i = 0; i < 2000; ++i) {
    const Duration lag = n.DrawDelay(kA, kB, MessageClass::kData, At(0), rng);
    EXPECT_LE(lag, Millis(12000));
    longest = std::max(longest, lag);
    shortest = std::min(shortest, lag);
  }
  EXPECT_GT(longest, Millis(11000));
  EXPECT_LT(shortest, Millis(1000));
  EXPECT_TRUE(n.EndDelay(id));
  EXPECT_FALSE(n.EndDelay(id));
  EXPECT_EQ(n.DrawDelay(kA, kB, MessageClass::kData, At(0), rng), Duration());
}

TEST(DelayRule, ProbabilityPicksSomeMessages) {
  Network n = ThreeNodes();
  Xoshiro256 rng(5);
  n.AddDelay({.probability = 0.25, .hold_until = At(100)});
  int delayed = 0;
  for (int i = 0; i < 4000; ++i)
    delayed += n.DrawDelay(kA, kB, MessageClass::kData, At(0), rng) > Duration();
  EXPECT_NEAR(delayed, 1000, 150);
}

// A stall holds back its own session on its own link, and nothing else (the kernel asks
// StallFloor of every departing message; session_stall_test.cc runs it end to end).
TEST(DelayRule, AStallFloorsItsSessionOnItsLinkOnly) {
  Network n = ThreeNodes();
  n.Stall(kA, kB, RpcSession::kRequests, At(5000));
  EXPECT_EQ(n.StallFloor(kA, kB, RpcSession::kRequests), At(5000));
  EXPECT_EQ(n.StallFloor(kA, kB, RpcSession::kReplies), Time());
  EXPECT_EQ(n.StallFloor(kB, kA, RpcSession::kRequests), Time());
  EXPECT_EQ(n.StallFloor(kA, kC, RpcSession::kRequests), Time());
  n.Stall(kA, kB, RpcSession::kRequests, At(3000));  // an earlier one never lowers it
  EXPECT_EQ(n.StallFloor(kA, kB, RpcSession::kRequests), At(5000));
}

// The liveness condition waits for the latest stall of any session (pegasus_liveness.cc): a
// connection stalled behind a straggler holds what is sent on it after the heal too.
TEST(DelayRule, TheLatestStallFloorIsTheLatestOfEverySession) {
  Network n = ThreeNodes();
  EXPECT_EQ(n.LatestStallFloor(), Time());
  n.Stall(kA, kB, RpcSession::kRequests, At(5000));
  n.Stall(kC, kA, RpcSession::kReplies, At(9000));
  n.Stall(kB, kC, RpcSession::kRequests, At(7000));
  EXPECT_EQ(n.LatestStallFloor(), At(9000));
  n.CloseSessions(kC);
  EXPECT_EQ(n.LatestStallFloor(), At(5000));
}

TEST(DelayRule, ClosingANodesSessionsLiftsTheirStallsBothWays) {
  Network n = ThreeNodes();
  n.Stall(kA, kB, RpcSession::kRequests, At(5000));
  n.Stall(kB, kA, RpcSession::kReplies, At(5000));
  n.Stall(kB, kC, RpcSession::kRequests, At(5000));
  n.CloseSessions(kA);
  EXPECT_EQ(n.StallFloor(kA, kB, RpcSession::kRequests), Time());
  EXPECT_EQ(n.StallFloor(kB, kA, RpcSession::kReplies), Time());
  EXPECT_EQ(n.StallFloor(kB, kC, RpcSession::kRequests), At(5000));
}

}  // namespace
}  // namespace pg::sim
