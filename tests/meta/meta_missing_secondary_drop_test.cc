// A partition whose primary meta downgraded (its server went silent) keeps a secondary that lacks
// its replica (its index append failed, or it never created it): the server reports it missing,
// meta removes it, and the partition has no member left. The downgraded primary holds every
// committed decree; once it returns, the all-replicas-down rule must make it primary. The removed
// secondary committed nothing alone (there was no primary), so it is filed behind the primary among
// the drops: as the most recent drop that lost its replica it made the rule refuse for good
// (scenarios/regressions/pegasus_swarm_seed6342_missing_secondary_drop.json).
#include <gtest/gtest.h>

#include <set>

#include "tests/meta/held_replica.h"
#include "tests/meta/meta_harness.h"

// Named: the batched build compiles this file with meta_recovery_test.cc, whose file-local
// helpers have the same names.
namespace pg::testing::missing_secondary_drop {
namespace {

constexpr Gpid kPartition{1, 0};

MetaServerOptions TwoReplicas() {
  return {.replica_servers = Servers(3), .partition_count = 1, .replica_count = 2};
}

void BeaconsFrom(MetaFixture& f, int64_t t, const std::set<NodeId>& up) {
  for (NodeId s : up) f.Receive(At(t), s, Beacon{.send_time = At(t - 1)});
}
Outbox GuardianCheckAt(MetaFixture& f, int64_t t) {
  return f.Step(At(t), TimerFired{.timer = TimerId(1)});
}
void CompleteAppends(MetaFixture& f, const Outbox& out, int64_t t) {
  for (const AppendLog& a : AppendsOf(out)) f.Complete(At(t), a);
}

// Node 1 (primary) and node 2 (secondary) fall silent; meta downgrades node 1 and keeps node 2.
void DowngradeThePrimary(MetaFixture& f) {
  f.BootReady(At(0));
  for (int64_t t = 1000; t <= 10000; t += 1000) {
    if (t <= 2000) BeaconsFrom(f, t, {NodeId(1), NodeId(2), NodeId(3)});
    CompleteAppends(f, GuardianCheckAt(f, t), t);
  }
  const PartitionConfiguration& pc = f.meta().partitions()[0];
  ASSERT_FALSE(pc.primary.has_value());
  ASSERT_EQ(pc.secondaries, std::vector<NodeId>{NodeId(2)});
  ASSERT_EQ(pc.last_drops, std::vector<NodeId>{NodeId(1)});
}

// `node` beacons and then sends `req`, echoing the stamp of meta's ack as a server back from its
// death does (DddState::FreshReport).
Outbox SyncAfterBeacon(MetaFixture& f, int64_t t, NodeId node, ConfigSyncRequest req) {
  const auto acks = SentOf<BeaconAck>(f.Receive(At(t), node, Beacon{.send_time = At(t - 1)}));
  EXPECT_EQ(acks.size(), 1u);
  if (!acks.empty()) {
    req.acked_meta_epoch = acks[0].second.meta_epoch;
    req.acked_deaths = acks[0].second.deaths;
  }
  return f.Receive(At(t), node, std::move(req));
}

// Node 2 comes back without the replica it is listed with, and reports it missing.
Outbox ReportMissing(MetaFixture& f, int64_t t) {
  return SyncAfterBeacon(
      f, t, NodeId(2),
      ConfigSyncRequest{
          .missing = {{.gpid = kPartition, .listed_ballot = f.meta().partitions()[0].ballot}}});
}

TEST(MetaMissingSecondaryDrop, ASecondaryRemovedWithoutPrimaryIsFiledBehindTheDowngradedPrimary) {
  MetaFixture f(TwoReplicas());
  DowngradeThePrimary(f);
  Outbox out = ReportMissing(f, 11000);
  EXPECT_TRUE(HasMark(out, "meta.remove_failed_secondary_without_primary"));
  CompleteAppends(f, out, 11001);
  const PartitionConfiguration& pc = f.meta().partitions()[0];
  EXPECT_FALSE(pc.primary.has_value());
  EXPECT_TRUE(pc.secondaries.empty());
  EXPECT_EQ(pc.last_drops, (std::vector<NodeId>{NodeId(2), NodeId(1)}))
      << "the downgraded primary stays the most recent drop";
}

TEST(MetaMissingSecondaryDrop, TheDowngradedPrimaryIsAssignedOnceItReturns) {
  MetaFixture f(TwoReplicas());
  DowngradeThePrimary(f);
  CompleteAppends(f, ReportMissing(f, 11000), 11001);
  // Node 1 returns holding the replica at ballot 1: decree 1 prepared, none committed.
  BeaconsFrom(f, 12000, {NodeId(2)});
  SyncAfterBeacon(f, 12000, NodeId(1), ConfigSyncRequest{.stored_replicas = {Held(1, 0, 1)}});
  Outbox check = GuardianCheckAt(f, 12001);
  EXPECT_TRUE(HasMark(check, "meta.ddd_recover"));
  EXPECT_FALSE(HasMark(check, "meta.ddd_refuse"));
  auto proposals = SentOf<ConfigProposal>(check);
  ASSERT_EQ(proposals.size(), 1u);
  EXPECT_EQ(proposals[0].first, NodeId(1));
  EXPECT_EQ(proposals[0].second.type, ConfigType::kAssignPrimary);
}

}  // namespace
}  // namespace pg::testing::missing_secondary_drop
