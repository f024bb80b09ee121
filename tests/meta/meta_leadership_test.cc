// Meta failover at step level (core/meta/meta_leadership.cc, coord_table.h): one leader, elected
// through the coordination service's lock; the table persisted there before it is applied or
// answered; forwards from the others; a deposed leader that can neither act nor write; a new
// leader that gives every worker a full grace.
#include <gtest/gtest.h>

#include "core/meta/meta_log.h"
#include "core/meta/partition_table.h"
#include "tests/meta/meta_leadership_harness.h"

namespace pg::testing {
namespace {

// The configuration a partition's znode holds.
std::optional<PartitionConfiguration> Stored(const CoordServer& coord, int partition) {
  const Znode* z = coord.store().Find(PartitionZnodePath(partition));
  if (z == nullptr) return std::nullopt;
  MetaLogReplay r = ReadMetaLog(z->data);
  EXPECT_EQ(r.records.size(), 1u);
  return r.records.empty() ? std::nullopt : std::optional(r.records[0]);
}

NodeId ElectOne(LeadershipFixture& f, Time until = At(3000)) {
  f.BootAll(At(0));
  f.Run(At(50), until);
  const std::vector<NodeId> leaders = f.Leaders(until);
  EXPECT_EQ(leaders.size(), 1u);
  return leaders.empty() ? NodeId(999) : leaders[0];
}

// A change meta accepts for `pc`, and who asks for it: a new partition's first primary (the first
// worker), or the removal of a secondary (its primary).
struct Change {
  NodeId from;
  UpdateConfigRequest req;
};
Change NextChange(const PartitionConfiguration& pc) {
  PartitionConfiguration next = pc;
  next.ballot = pc.ballot.next();
  if (IsNewPartition(pc)) {
    const NodeId first = LeadershipWorkers()[0];
    next.primary = first;
    return {first, {.type = ConfigType::kAssignPrimary, .config = next, .node = first}};
  }
  const NodeId victim = pc.secondaries.at(0);
  std::erase(next.secondaries, victim);
  return {*pc.primary, {.type = ConfigType::kDowngradeToInactive, .config = next, .node = victim}};
}

TEST(MetaLeadership, OnlyTheLockHolderLeadsAndNobodyBeforeIt) {
  LeadershipFixture f(3);
  f.BootAll(At(0));
  // Booted, sessions open, no lock yet: nobody serves, a query is forwarded.
  EXPECT_TRUE(f.Leaders(At(0)).empty());
  Outbox q = f.Receive(NodeId(0), At(0), NodeId(30), QueryConfigRequest{.app_name = "temp"});
  ASSERT_EQ(SentOf<QueryConfigResponse>(q).size(), 1u);
  EXPECT_EQ(SentOf<QueryConfigResponse>(q)[0].second.error, ErrorCode::kForwardToOthers);

  f.Run(At(50), At(3000));
  const std::vector<NodeId> leaders = f.Leaders(At(3000));
  ASSERT_EQ(leaders.size(), 1u);
  const Znode* lock = f.coord().store().Find(kMetaLeaderPath);
  ASSERT_NE(lock, nullptr);
  EXPECT_EQ(lock->data, std::to_string(leaders[0].value()));
  EXPECT_NE(lock->ephemeral_owner, kNoCoordSession);
  for (uint32_t i = 0; i < 3; ++i) {
    if (NodeId(i) != leaders[0]) {
      EXPECT_FALSE(f.meta(NodeId(i)).ready());
    }
  }
  // The table was created in the coordination service, not in any meta.log.
  for (int p = 0; p < 2; ++p) {
    ASSERT_TRUE(Stored(f.coord(), p).has_value());
    EXPECT_EQ(Stored(f.coord(), p)->ballot, f.meta(leaders[0]).partitions()[p].ballot);
  }
  EXPECT_TRUE(f.Marked("meta.leader_elected"));
  EXPECT_FALSE(f.Marked("meta.leader_change")) << "the first leader found no table";
}

TEST(MetaLeadership, AConfigurationIsInTheCoordStoreBeforeItIsAppliedOrAnswered) {
  LeadershipFixture f(3);
  const NodeId leader = ElectOne(f);
  const PartitionConfiguration pc = f.meta(leader).partitions()[0];
  const auto [asker, req] = NextChange(pc);
  f.TakeOthers();
  Outbox out = f.Receive(leader, At(3001), asker, req);
  EXPECT_TRUE(SentOf<UpdateConfigResponse>(out).empty());
  const auto sets = SentOf<CoordSet>(out);
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets[0].first, kCoordNode);
  EXPECT_EQ(sets[0].second.path, PartitionZnodePath(0));
  EXPECT_EQ(f.meta(leader).partitions()[0].ballot, pc.ballot) << "applied before durable";
  EXPECT_EQ(Stored(f.coord(), 0)->ballot, pc.ballot);

  f.Pump(At(3001));
  EXPECT_EQ(Stored(f.coord(), 0)->ballot, req.config.ballot);
  const PartitionConfiguration applied = f.meta(leader).partitions()[0];
  EXPECT_EQ(applied.ballot, req.config.ballot);
  EXPECT_EQ(applied.primary, req.config.primary);
  EXPECT_EQ(applied.secondaries, req.config.secondaries);
  EXPECT_EQ(*Stored(f.coord(), 0), applied);
  int answers = 0;
  for (const auto& m : f.TakeOthers()) {
    if (const auto* r = std::get_if<UpdateConfigResponse>(&m.msg)) {
      EXPECT_EQ(m.to, asker);
      EXPECT_EQ(r->error, ErrorCode::kOk);
      EXPECT_EQ(r->config, applied);
      ++answers;
    }
  }
  EXPECT_EQ(answers, 1);
}

TEST(MetaLeadership, AFollowerForwardsEverythingAndRenewsNoLease) {
  LeadershipFixture f(3);
  const NodeId leader = ElectOne(f);
  const NodeId follower(leader == NodeId(0) ? 1 : 0);
  const Time now = At(3001);
  Outbox q = f.Receive(follower, now, NodeId(30), QueryConfigRequest{.app_name = "temp"});
  const auto qr = SentOf<QueryConfigResponse>(q);
  ASSERT_EQ(qr.size(), 1u);
  EXPECT_EQ(qr[0].second.error, ErrorCode::kForwardToOthers);
  EXPECT_EQ(qr[0].second.leader, leader);
  EXPECT_TRUE(qr[0].second.partitions.empty());

  Outbox b = f.Receive(follower, now, NodeId(20), Beacon{.send_time = now});
  const auto acks = SentOf<BeaconAck>(b);
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_FALSE(acks[0].second.is_master);
  EXPECT_EQ(acks[0].second.leader, leader);
  Outbox lb = f.Receive(leader, now, NodeId(20), Beacon{.send_time = now});
  ASSERT_EQ(SentOf<BeaconAck>(lb).size(), 1u);
  EXPECT_TRUE(SentOf<BeaconAck>(lb)[0].second.is_master);

  Outbox s = f.Receive(follower, now, NodeId(20), ConfigSyncRequest{});
  ASSERT_EQ(SentOf<ConfigSyncResponse>(s).size(), 1u);
  EXPECT_EQ(SentOf<ConfigSyncResponse>(s)[0].second.error, ErrorCode::kForwardToOthers);
  EXPECT_TRUE(SentOf<ConfigSyncResponse>(s)[0].second.partitions.empty());

  const PartitionConfiguration pc = f.meta(leader).partitions()[0];
  const auto [asker, req] = NextChange(pc);
  Outbox u = f.Receive(follower, now, asker, req);
  EXPECT_TRUE(SentOf<UpdateConfigResponse>(u).empty());
  EXPECT_TRUE(SentOf<CoordSet>(u).empty()) << "a follower writes nothing";
}

TEST(MetaLeadership, ALeaderCutFromCoordStopsBeforeAnotherTakesOver) {
  LeadershipFixture f(3);
  const NodeId old = ElectOne(f);
  f.ClearMarks();
  f.Cut(old);
  std::optional<Time> stopped;
  std::optional<Time> taken;
  for (Time t = At(3050); t <= At(9000); t = t + Millis(50)) {
    f.Advance(t);
    const std::vector<NodeId> leaders = f.Leaders(t);
    ASSERT_LE(leaders.size(), 1u) << "two leaders at " << fmt::format("{}", t);
    if (!stopped && !f.meta(old).IsLeader(t)) stopped = t;
    if (!taken && !leaders.empty() && leaders[0] != old) taken = t;
  }
  ASSERT_TRUE(stopped.has_value());
  ASSERT_TRUE(taken.has_value());
  EXPECT_LT(*stopped, *taken);
  EXPECT_TRUE(f.Marked("meta.step_down"));
  EXPECT_TRUE(f.Marked("meta.leader_change")) << "the new leader read the old one's table";
  // The deposed meta answers as a follower now, and renews no lease.
  Outbox b = f.Receive(old, At(9001), NodeId(20), Beacon{.send_time = At(9001)});
  ASSERT_EQ(SentOf<BeaconAck>(b).size(), 1u);
  EXPECT_FALSE(SentOf<BeaconAck>(b)[0].second.is_master);
  EXPECT_FALSE(f.meta(old).ready());
}

TEST(MetaLeadership, ADeposedLeadersWriteFailsAndItStepsDown) {
  LeadershipFixture f(3);
  const NodeId old = ElectOne(f);
  // The old leader is cut off with a configuration change on its way to the coord store.
  f.Cut(old);
  const PartitionConfiguration pc = f.meta(old).partitions()[1];
  const auto [asker, req] = NextChange(pc);
  Outbox out = f.Receive(old, At(3001), asker, req);
  const auto sets = SentOf<CoordSet>(out);
  ASSERT_EQ(sets.size(), 1u);
  f.Pump(At(3001));  // lost: the cut
  // Another meta takes over while the old one is cut off.
  NodeId next = old;
  Time now = At(3050);
  for (; now <= At(9000) && next == old; now = now + Millis(50)) {
    f.Advance(now);
    if (!f.Leaders(now).empty()) next = f.Leaders(now)[0];
  }
  ASSERT_NE(next, old);
  // The stale write arrives now, with the old session and the version it read: refused.
  Outbox late = f.Receive(kCoordNode, now + Millis(1), old, sets[0].second);
  const auto refused = SentOf<CoordSetResponse>(late);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_NE(refused[0].second.error, ErrorCode::kOk);
  EXPECT_EQ(Stored(f.coord(), 1)->ballot, pc.ballot);
  EXPECT_EQ(f.meta(next).partitions()[1], pc);
  // Even in the new leader's own session, a write against the version the old leader read fails
  // once the new leader wrote: the compare-and-set.
  const PartitionConfiguration npc = f.meta(next).partitions()[1];
  const Change again = NextChange(npc);
  f.Receive(next, now + Millis(2), again.from, again.req);
  f.Pump(now + Millis(2));
  ASSERT_EQ(Stored(f.coord(), 1)->ballot, npc.ballot.next());
  CoordSet stale = sets[0].second;
  stale.session = f.coord().store().Find(kMetaLeaderPath)->ephemeral_owner;
  Outbox cas = f.Receive(kCoordNode, now + Millis(3), next, stale);
  ASSERT_EQ(SentOf<CoordSetResponse>(cas).size(), 1u);
  EXPECT_EQ(SentOf<CoordSetResponse>(cas)[0].second.error, ErrorCode::kInvalidVersion);
  // The old leader hears its write failed (or its session ended) and is no leader.
  f.Heal(old);
  const Time end = now + Millis(2000);
  f.Run(now + Millis(50), end);
  EXPECT_FALSE(f.meta(old).IsLeader(end));
  EXPECT_EQ(f.Leaders(end), std::vector<NodeId>{next});
}

TEST(MetaLeadership, ANewLeaderWaitsAFullGraceBeforeDeclaringAWorkerDead) {
  MetaServerOptions o = CoordMetaOptions();
  o.grace = Millis(7000);
  LeadershipFixture f(2, o);
  const NodeId old = ElectOne(f);
  const NodeId next(old == NodeId(0) ? 1 : 0);
  // Workers beacon the old leader, which then crashes; they beacon nobody afterwards.
  for (NodeId w : LeadershipWorkers()) f.Receive(old, At(3000), w, Beacon{.send_time = At(3000)});
  f.Crash(old);
  std::optional<Time> takeover;
  for (Time t = At(3050); t <= At(20000); t = t + Millis(50)) {
    f.Advance(t);
    if (!takeover && f.meta(next).IsLeader(t)) takeover = t;
    if (!takeover) continue;
    for (NodeId w : LeadershipWorkers()) {
      if (t < *takeover + Millis(7000)) {
        ASSERT_TRUE(f.meta(next).IsWorkerAlive(w))
            << fmt::format("{} dead at {}, taken over at {}", w, t, *takeover);
      }
    }
  }
  ASSERT_TRUE(takeover.has_value());
  for (NodeId w : LeadershipWorkers()) EXPECT_FALSE(f.meta(next).IsWorkerAlive(w));
  EXPECT_TRUE(f.Marked("meta.worker_dead"));
}

}  // namespace
}  // namespace pg::testing
