// Primary failover on meta (PEGASUS.md §1.8): server_state::downgrade_primary_to_inactive, then
// partition_guardian::on_missing_primary proposing CT_UPGRADE_TO_PRIMARY, and meta's acceptance
// rule for the secondary's request.
#include <gtest/gtest.h>

#include <set>

#include "core/meta/partition_table.h"
#include "tests/meta/meta_harness.h"

namespace pg::testing {
namespace {

// Beacons from every server but `silent` (which beacons only at 1 s) up to `until_ms`; meta's
// check timer after each round. Returns every check's outbox.
std::vector<Outbox> RunChecks(MetaFixture& f, NodeId silent, int64_t from_ms, int64_t until_ms) {
  std::vector<Outbox> checks;
  for (int64_t t = from_ms; t <= until_ms; t += 1000) {
    for (NodeId s : f.options().replica_servers) {
      if (s == silent && t > 1000) continue;
      f.Receive(At(t), s, Beacon{.send_time = At(t - 1)});
    }
    checks.push_back(f.Step(At(t) + Millis(1), TimerFired{.timer = TimerId(1)}));
  }
  return checks;
}

TEST(MetaFailover, DeadPrimaryIsDowngradedByMetaWithBallotPlusOne) {
  MetaFixture f(DefaultMetaOptions());
  f.BootReady(At(0));
  const NodeId dead(1);
  std::vector<Outbox> checks = RunChecks(f, dead, 1000, 9000);
  // The check that declares it dead persists a downgrade for each partition it was primary of,
  // and applies none before the disk says durable.
  std::vector<AppendLog> downgrades;
  for (const Outbox& c : checks) {
    for (const AppendLog& a : AppendsOf(c)) downgrades.push_back(a);
  }
  int primaries = 0;
  for (const auto& pc : f.meta().partitions()) primaries += pc.primary == dead;
  ASSERT_EQ(downgrades.size(), static_cast<size_t>(primaries));
  ASSERT_GT(primaries, 0);
  for (const AppendLog& a : downgrades) f.Complete(At(9500), a);
  for (const auto& pc : f.meta().partitions()) {
    EXPECT_NE(pc.primary, dead) << fmt::format("{}", pc.gpid);
    if (pc.last_drops == std::vector<NodeId>{dead}) {
      EXPECT_EQ(pc.ballot, Ballot(2));
      EXPECT_FALSE(pc.primary.has_value());
      EXPECT_EQ(pc.secondaries.size(), 2u) << "the secondaries stay";
    }
  }
}

// Meta declared the primary's node dead and is persisting the downgrade when that node's beacon
// and config sync arrive (a paused meta catching up). The sync must not tell it "you are primary"
// from the configuration being replaced: the beacon just renewed its lease, so it would serve at
// the old ballot beside the next primary
// (scenarios/regressions/pegasus_swarm_seed60_invariant_single_primary.json).
TEST(MetaFailover, ConfigSyncLeavesOutAPartitionWhoseChangeIsInFlight) {
  MetaFixture f(DefaultMetaOptions());
  f.BootReady(At(0));
  const NodeId dead(1);
  std::vector<AppendLog> downgrades;
  for (const Outbox& c : RunChecks(f, dead, 1000, 9000)) {
    for (const AppendLog& a : AppendsOf(c)) downgrades.push_back(a);
  }
  ASSERT_FALSE(downgrades.empty());
  std::set<int> downgrading;
  for (int i = 0; i < 8; ++i) {
    if (f.meta().HasPendingChange(i)) downgrading.insert(i);
  }
  ASSERT_EQ(downgrading.size(), downgrades.size());
  f.Receive(At(9100), dead, Beacon{.send_time = At(9099)});
  ConfigSyncRequest req;
  for (int i = 0; i < 8; ++i) req.stored_replicas.push_back({.gpid = {1, i}});
  Outbox early = f.Receive(At(9101), dead, req);
  const auto early_resps = SentOf<ConfigSyncResponse>(early);
  ASSERT_EQ(early_resps.size(), 1u);
  const ConfigSyncResponse& first = early_resps[0].second;
  EXPECT_TRUE(HasMark(early, "meta.sync_skips_pending_change"));
  std::set<int> listed;
  for (const auto& pc : first.partitions) {
    listed.insert(pc.gpid.partition_index);
    EXPECT_FALSE(downgrading.contains(pc.gpid.partition_index))
        << fmt::format("{} listed while its downgrade is in flight", pc.gpid);
  }
  // Only the partitions whose change concerns it are left out: it is still told of the others.
  for (const auto& pc : f.meta().partitions()) {
    const int i = pc.gpid.partition_index;
    if (IsMember(pc, dead) && !downgrading.contains(i)) {
      EXPECT_TRUE(listed.contains(i)) << fmt::format("{} left out", pc.gpid);
    }
  }
  for (Gpid gpid : first.gc_replicas) {
    EXPECT_FALSE(downgrading.contains(gpid.partition_index))
        << "a replica is not collected for its partition being in flight";
  }
  // Once durable, the next sync tells it the truth: it is no member there (it went to
  // last_drops, so its replica is kept for a quick return, not collected).
  for (const AppendLog& a : downgrades) f.Complete(At(9200), a);
  Outbox later = f.Receive(At(9300), dead, req);
  const auto later_resps = SentOf<ConfigSyncResponse>(later);
  ASSERT_EQ(later_resps.size(), 1u);
  const ConfigSyncResponse& resp = later_resps[0].second;
  EXPECT_FALSE(HasMark(later, "meta.sync_skips_pending_change"));
  for (const auto& pc : resp.partitions) {
    EXPECT_FALSE(downgrading.contains(pc.gpid.partition_index));
    EXPECT_NE(pc.primary, dead);
  }
  for (Gpid gpid : resp.gc_replicas) EXPECT_FALSE(downgrading.contains(gpid.partition_index));
}

// A server back with its replicas failed reports them; the sync that makes meta start
// removing it must not, in the same answer, list it as primary at ballot 1: reordered after the
// next answer (which collects the replica), it would make the server recreate the partition
// empty and serve it (scenarios/regressions/pegasus_swarm_seed1238_invariant_single_primary.json).
TEST(MetaFailover, TheSyncThatStartsRemovingAFailedPrimaryDoesNotListIt) {
  MetaFixture f(DefaultMetaOptions());
  f.BootReady(At(0));
  const NodeId node(1);
  ConfigSyncRequest req;
  for (const auto& pc : f.meta().partitions()) {
    if (IsMember(pc, node)) {
      req.stored_replicas.push_back({.gpid = pc.gpid, .status = PartitionStatus::kError});
      req.missing.push_back({.gpid = pc.gpid, .listed_ballot = pc.ballot});
    }
  }
  Outbox out = f.Receive(At(1), node, req);
  EXPECT_TRUE(HasMark(out, "meta.downgrade_failed_primary"));
  const auto resp = SentOf<ConfigSyncResponse>(out);
  ASSERT_EQ(resp.size(), 1u);
  for (const auto& pc : resp[0].second.partitions) {
    EXPECT_FALSE(f.meta().HasPendingChange(pc.gpid.partition_index))
        << fmt::format("{} listed while meta is removing the node from it", pc.gpid);
    EXPECT_NE(pc.primary, node) << fmt::format("{}", pc.gpid);
  }
}

TEST(MetaFailover, ProposesUpgradeToTheAliveSecondaryWithFewestPrimaries) {
  MetaFixture f(DefaultMetaOptions());
  f.BootReady(At(0));
  const NodeId dead(1);
  for (const Outbox& c : RunChecks(f, dead, 1000, 9000)) {
    for (const AppendLog& a : AppendsOf(c)) f.Complete(At(9500), a);
  }
  std::vector<Outbox> next = RunChecks(f, dead, 10000, 10000);
  std::set<int> proposed;
  for (const auto& [to, p] : SentOf<ConfigProposal>(next[0])) {
    if (p.type != ConfigType::kUpgradeToPrimary) continue;
    const PartitionConfiguration& pc = f.meta().partitions()[p.config.gpid.partition_index];
    EXPECT_FALSE(pc.primary.has_value());
    EXPECT_EQ(p.node, to);
    EXPECT_TRUE(IsSecondary(pc, to)) << "only a secondary holds every committed decree";
    EXPECT_NE(to, dead);
    proposed.insert(p.config.gpid.partition_index);
  }
  int orphaned = 0;
  for (const auto& pc : f.meta().partitions()) orphaned += !pc.primary.has_value();
  EXPECT_EQ(proposed.size(), static_cast<size_t>(orphaned));
}

TEST(MetaFailover, PickNewPrimaryPrefersFewestPrimariesThenLowestId) {
  PartitionConfiguration pc{.gpid = {1, 0}, .ballot = Ballot(2)};
  pc.secondaries = {NodeId(3), NodeId(2), NodeId(4)};
  auto all_alive = [](NodeId) { return true; };
  EXPECT_EQ(PickNewPrimary(pc, all_alive, {}), NodeId(2));
  EXPECT_EQ(PickNewPrimary(pc, all_alive, {{NodeId(2), 2}, {NodeId(3), 1}, {NodeId(4), 1}}),
            NodeId(3));
  EXPECT_EQ(PickNewPrimary(pc, [](NodeId n) { return n == NodeId(4); }, {}), NodeId(4));
  EXPECT_EQ(PickNewPrimary(pc, [](NodeId) { return false; }, {}), std::nullopt);
}

UpdateConfigRequest Upgrade(const PartitionConfiguration& pc, NodeId who) {
  PartitionConfiguration next = pc;
  next.ballot = pc.ballot.next();
  next.primary = who;
  std::erase(next.secondaries, who);
  return {.type = ConfigType::kUpgradeToPrimary, .config = next, .node = who};
}

TEST(MetaFailover, UpgradeToPrimaryOnlyForASecondaryOfAPartitionWithoutPrimary) {
  PartitionConfiguration pc{.gpid = {1, 0}, .ballot = Ballot(1), .primary = NodeId(1)};
  pc.secondaries = {NodeId(2), NodeId(3)};
  // With a primary in place: refused.
  EXPECT_EQ(DecideUpdate(pc, Upgrade(pc, NodeId(2)), NodeId(2)).kind,
            UpdateDecision::Kind::kReject);
  const PartitionConfiguration orphan = DowngradePrimary(pc);
  EXPECT_EQ(orphan.ballot, Ballot(2));
  EXPECT_EQ(orphan.last_drops, std::vector<NodeId>{NodeId(1)});
  // Not a member, or asking on behalf of another: refused.
  EXPECT_EQ(DecideUpdate(orphan, Upgrade(orphan, NodeId(4)), NodeId(4)).error,
            ErrorCode::kInvalidState);
  UpdateConfigRequest proxy = Upgrade(orphan, NodeId(2));
  EXPECT_EQ(DecideUpdate(orphan, proxy, NodeId(3)).kind, UpdateDecision::Kind::kReject);
  // A stale ballot: kInvalidVersion.
  EXPECT_EQ(DecideUpdate(orphan, Upgrade(pc, NodeId(2)), NodeId(2)).error,
            ErrorCode::kInvalidVersion);
  const UpdateDecision ok = DecideUpdate(orphan, Upgrade(orphan, NodeId(2)), NodeId(2));
  ASSERT_EQ(ok.kind, UpdateDecision::Kind::kPersist);
  EXPECT_EQ(ok.config.ballot, Ballot(3));
  EXPECT_EQ(ok.config.primary, NodeId(2));
  EXPECT_EQ(ok.config.secondaries, std::vector<NodeId>{NodeId(3)});
}

TEST(MetaFailover, ReplicaReportingErrorAtConfigSyncIsRemovedLikeADeadOne) {
  MetaFixture f(DefaultMetaOptions());
  f.BootReady(At(0));
  const NodeId node(2);
  ConfigSyncRequest sync;
  int primary_of = -1;
  int secondary_of = -1;
  for (const PartitionConfiguration& pc : f.meta().partitions()) {
    if (pc.primary == node && primary_of < 0) primary_of = pc.gpid.partition_index;
    if (IsSecondary(pc, node) && secondary_of < 0) secondary_of = pc.gpid.partition_index;
  }
  ASSERT_GE(primary_of, 0);
  ASSERT_GE(secondary_of, 0);
  for (int i : {primary_of, secondary_of}) {
    sync.stored_replicas.push_back(ReplicaInfo{.gpid = f.meta().partitions()[i].gpid,
                                               .ballot = Ballot(1),
                                               .status = PartitionStatus::kError});
  }
  Outbox out = f.Receive(At(100), node, sync);
  ASSERT_EQ(AppendsOf(out).size(), 1u) << "the failed primary is downgraded";
  auto proposals = SentOf<ConfigProposal>(out);
  ASSERT_EQ(proposals.size(), 1u);
  EXPECT_EQ(proposals[0].first, *f.meta().partitions()[secondary_of].primary);
  EXPECT_EQ(proposals[0].second.type, ConfigType::kDowngradeToInactive);
  EXPECT_EQ(proposals[0].second.node, node);
  f.Complete(At(101), AppendsOf(out)[0]);
  EXPECT_FALSE(f.meta().partitions()[primary_of].primary.has_value());
  EXPECT_EQ(f.meta().partitions()[primary_of].last_drops, std::vector<NodeId>{node});
}

}  // namespace
}  // namespace pg::testing
