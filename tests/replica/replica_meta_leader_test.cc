// The replica server's side of meta failover: only the leader's beacon acks renew the lease
// (XiaoMi/rdsn PR #213); a non-leader's ack sends the beacons to the leader it names, and
// unanswered beacons move them to the next meta.
#include <gtest/gtest.h>

#include "tests/replica/replica_harness.h"

namespace pg::testing {
namespace {

constexpr NodeId kMeta2{20};
constexpr NodeId kMeta3{21};
constexpr NodeId kServer{1};
// ReplicaServer's own timer ids (private there): the beacon and the lease check.
constexpr TimerId kBeaconTimer{1};
constexpr TimerId kLeaseTimer{3};

Harness TwoMetaHarness() {
  ReplicaServerOptions o = DefaultOptions();
  o.meta_servers = {kMeta, kMeta2, kMeta3};
  return Harness(o);
}

NodeId BeaconTarget(const Outbox& out) {
  auto beacons = Sent<Beacon>(out);
  EXPECT_EQ(beacons.size(), 1u);
  return beacons.empty() ? NodeId(999) : beacons[0].first;
}

TEST(ReplicaMetaLeader, ANonLeaderAckRenewsNoLeaseAndPointsAtTheLeader) {
  Harness h = TwoMetaHarness();
  h.Build(kServer);
  EXPECT_EQ(BeaconTarget(h.Step(kServer, Boot{})), kMeta);
  Outbox out = h.Deliver(kMeta, kServer,
                         BeaconAck{.send_time = h.now, .is_master = false, .leader = kMeta3});
  EXPECT_FALSE(HasMark(out, "replica_server.connected"));
  EXPECT_TRUE(Sent<ConfigSyncRequest>(out).empty()) << "no lease, so no sync";
  // The next beacon goes to the leader named; its ack does renew the lease.
  h.now = h.now + Millis(1000);
  EXPECT_EQ(BeaconTarget(h.Fire(kServer, kBeaconTimer)), kMeta3);
  out = h.Deliver(kMeta3, kServer,
                  BeaconAck{.send_time = h.now, .is_master = true, .leader = kMeta3});
  EXPECT_TRUE(HasMark(out, "replica_server.connected"));
  auto syncs = Sent<ConfigSyncRequest>(out);
  ASSERT_EQ(syncs.size(), 1u);
  EXPECT_EQ(syncs[0].first, kMeta3) << "config sync goes to the leader";
}

TEST(ReplicaMetaLeader, ANonLeaderAckDoesNotExtendALeaseTheLeaderGranted) {
  Harness h = TwoMetaHarness();
  h.Build(kServer);
  h.Step(kServer, Boot{});
  const Time granted = h.now;
  h.Deliver(kMeta, kServer, BeaconAck{.send_time = granted, .is_master = true, .leader = kMeta});
  // A deposed leader's later ack (is_master = false) must not move the lease on.
  h.now = h.now + Millis(4000);
  Outbox out = h.Deliver(kMeta, kServer,
                         BeaconAck{.send_time = h.now, .is_master = false, .leader = kMeta2});
  h.now = granted + Millis(5001);  // past the default lease of 5 s from the leader's grant
  out = h.Fire(kServer, kLeaseTimer);
  EXPECT_TRUE(HasMark(out, "replica_server.lease_lapsed"));
}

TEST(ReplicaMetaLeader, UnansweredBeaconsMoveToTheNextMeta) {
  Harness h = TwoMetaHarness();
  h.Build(kServer);
  EXPECT_EQ(BeaconTarget(h.Step(kServer, Boot{})), kMeta);
  EXPECT_EQ(BeaconTarget(h.Fire(kServer, kBeaconTimer)), kMeta);
  EXPECT_EQ(BeaconTarget(h.Fire(kServer, kBeaconTimer)), kMeta);
  EXPECT_EQ(BeaconTarget(h.Fire(kServer, kBeaconTimer)), kMeta2) << "three beacons went unanswered";
  // An ack from the meta beaconed keeps the beacons there.
  h.Deliver(kMeta2, kServer, BeaconAck{.send_time = h.now, .is_master = true, .leader = kMeta2});
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(BeaconTarget(h.Fire(kServer, kBeaconTimer)), kMeta2);
    h.Deliver(kMeta2, kServer, BeaconAck{.send_time = h.now, .is_master = true, .leader = kMeta2});
  }
}

}  // namespace
}  // namespace pg::testing
