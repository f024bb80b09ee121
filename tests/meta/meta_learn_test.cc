// Adding secondaries on meta (PEGASUS.md §1.7, §1.8): partition_guardian::on_missing_secondary's
// choice of learner and its wait for a dropped node, and meta's rule for CT_UPGRADE_TO_SECONDARY.
#include <gtest/gtest.h>

#include <set>

#include "core/meta/partition_table.h"
#include "tests/meta/meta_harness.h"

namespace pg::testing {
namespace {

PartitionConfiguration Pair() {
  return PartitionConfiguration{.gpid = Gpid{.app_id = 1, .partition_index = 0},
                                .ballot = Ballot(5),
                                .primary = NodeId(1),
                                .secondaries = {NodeId(2)},
                                .last_drops = {NodeId(3), NodeId(4)},
                                .max_replica_count = 3,
                                .partition_count = 1};
}

TEST(MetaLearn, PickLearnerTakesTheLatestDroppedAliveNodeAtOnce) {
  const auto all_alive = [](NodeId) { return true; };
  EXPECT_EQ(PickLearner(Pair(), Servers(5), all_alive, {}, /*waited_enough=*/false), NodeId(4));
  const auto four_dead = [](NodeId n) { return n != NodeId(4); };
  EXPECT_EQ(PickLearner(Pair(), Servers(5), four_dead, {}, false), NodeId(3));
}

TEST(MetaLearn, PickLearnerTakesANewNodeOnlyAfterTheWaitAndTheLeastLoadedOne) {
  const auto drops_dead = [](NodeId n) { return n != NodeId(3) && n != NodeId(4); };
  EXPECT_EQ(PickLearner(Pair(), Servers(6), drops_dead, {}, /*waited_enough=*/false), std::nullopt);
  const std::map<NodeId, int> load = {{NodeId(5), 3}, {NodeId(6), 1}};
  EXPECT_EQ(PickLearner(Pair(), Servers(6), drops_dead, load, true), NodeId(6));
  EXPECT_EQ(PickLearner(Pair(), Servers(6), drops_dead, {}, true), NodeId(5)) << "ties: lowest id";
  EXPECT_EQ(PickLearner(Pair(), Servers(4), drops_dead, {}, true), std::nullopt)
      << "every alive node is a member";
}

// partition_guardian::on_missing_secondary's "emergency" (no wait for a new learner): a partition
// that never lost a member (a new table's, still filling up), or one with fewer members than a
// write needs; a group of two with drops waits for its dropped node.
TEST(MetaLearn, AMissingSecondaryIsUrgentWithoutDropsOrBelowTheWriteQuorum) {
  constexpr int kMin2pc = 2;
  EXPECT_FALSE(MissingSecondaryIsUrgent(Pair(), kMin2pc)) << "two members and drops: wait";
  PartitionConfiguration lone = Pair();
  lone.secondaries.clear();
  EXPECT_TRUE(MissingSecondaryIsUrgent(lone, kMin2pc)) << "one member cannot commit a write";
  PartitionConfiguration filling = Pair();
  filling.last_drops.clear();
  EXPECT_TRUE(MissingSecondaryIsUrgent(filling, kMin2pc)) << "no drop to wait for";
  PartitionConfiguration single_replica = lone;
  single_replica.max_replica_count = 1;
  EXPECT_FALSE(MissingSecondaryIsUrgent(single_replica, kMin2pc))
      << "a table of one replica writes alone";
}

UpdateConfigRequest UpgradeLearner(NodeId node) {
  PartitionConfiguration next = Pair();
  next.ballot = Ballot(6);
  next.secondaries.push_back(node);
  return {.type = ConfigType::kUpgradeToSecondary, .config = next, .node = node};
}

TEST(MetaLearn, UpgradeToSecondaryAddsTheLearnerAndTakesItOffLastDrops) {
  const UpdateDecision d = DecideUpdate(Pair(), UpgradeLearner(NodeId(4)), NodeId(1));
  ASSERT_EQ(d.kind, UpdateDecision::Kind::kPersist) << d.why;
  EXPECT_EQ(d.config.ballot, Ballot(6));
  EXPECT_EQ(d.config.secondaries, (std::vector<NodeId>{NodeId(2), NodeId(4)}));
  EXPECT_EQ(d.config.last_drops, std::vector<NodeId>{NodeId(3)});
}

TEST(MetaLearn, UpgradeToSecondaryOnlyFromThePrimaryForANonMemberOfAShortGroup) {
  EXPECT_EQ(DecideUpdate(Pair(), UpgradeLearner(NodeId(4)), NodeId(2)).kind,
            UpdateDecision::Kind::kReject)
      << "requested by a secondary";
  UpdateConfigRequest member = UpgradeLearner(NodeId(2));
  EXPECT_EQ(DecideUpdate(Pair(), member, NodeId(1)).kind, UpdateDecision::Kind::kReject);
  PartitionConfiguration full = Pair();
  full.secondaries = {NodeId(2), NodeId(3)};
  UpdateConfigRequest over = UpgradeLearner(NodeId(4));
  over.config.secondaries = {NodeId(2), NodeId(3), NodeId(4)};
  EXPECT_EQ(DecideUpdate(full, over, NodeId(1)).kind, UpdateDecision::Kind::kReject)
      << "the group is full";
  UpdateConfigRequest wrong = UpgradeLearner(NodeId(4));
  wrong.config.secondaries = {NodeId(4)};
  EXPECT_EQ(DecideUpdate(Pair(), wrong, NodeId(1)).kind, UpdateDecision::Kind::kReject)
      << "membership other than current + learner";
}

// Every server beacons at each second but `dead` (silent from 1 s on); meta's check after each.
std::vector<Outbox> Checks(MetaFixture& f, NodeId dead, int64_t from_ms, int64_t until_ms) {
  std::vector<Outbox> checks;
  for (int64_t t = from_ms; t <= until_ms; t += 1000) {
    for (NodeId s : f.options().replica_servers) {
      if (s != dead || t <= 1000) f.Receive(At(t), s, Beacon{.send_time = At(t - 1)});
    }
    checks.push_back(f.Step(At(t) + Millis(1), TimerFired{.timer = TimerId(1)}));
  }
  return checks;
}

TEST(MetaLearn, AShortPartitionGetsANewNodeProposedOnlyAfterTheDelay) {
  MetaServerOptions o = DefaultMetaOptions();
  o.add_secondary_delay = Millis(10000);
  MetaFixture f(o);
  f.BootReady(At(0));
  const NodeId dead(4);
  Checks(f, dead, 1000, 9000);  // declared dead
  // The primaries of the partitions it served as secondary remove it (CT_DOWNGRADE_TO_INACTIVE).
  std::set<int> short_partitions;
  for (const PartitionConfiguration& pc : f.meta().partitions()) {
    if (!IsSecondary(pc, dead)) continue;
    PartitionConfiguration next = pc;
    next.ballot = pc.ballot.next();
    std::erase(next.secondaries, dead);
    Outbox out =
        f.Receive(At(9100), *pc.primary,
                  UpdateConfigRequest{
                      .type = ConfigType::kDowngradeToInactive, .config = next, .node = dead});
    for (const AppendLog& a : AppendsOf(out)) f.Complete(At(9200), a);
    short_partitions.insert(pc.gpid.partition_index);
  }
  ASSERT_FALSE(short_partitions.empty());
  auto proposals = [](const std::vector<Outbox>& checks) {
    std::vector<std::pair<NodeId, ConfigProposal>> v;
    for (const Outbox& c : checks) {
      for (auto& [to, p] : SentOf<ConfigProposal>(c)) {
        if (p.type == ConfigType::kAddSecondary) v.emplace_back(to, p);
      }
    }
    return v;
  };
  EXPECT_TRUE(proposals(Checks(f, dead, 10000, 18000)).empty()) << "waits for the dropped node";
  auto late = proposals(Checks(f, dead, 19000, 21000));
  std::set<int> proposed;
  for (const auto& [to, p] : late) {
    const PartitionConfiguration& pc = f.meta().partitions()[p.config.gpid.partition_index];
    EXPECT_EQ(to, *pc.primary) << "proposed to the primary";
    EXPECT_FALSE(IsMember(pc, p.node));
    EXPECT_NE(p.node, dead);
    proposed.insert(p.config.gpid.partition_index);
  }
  EXPECT_EQ(proposed, short_partitions);
}

// Partition pc's primary forces ballot 2 (meta persists it): past ballot 1, where members no
// longer come from the table's creation.
void BumpToBallot2(MetaFixture& f, const PartitionConfiguration& pc) {
  ForceNextBallot(f, pc);
  ASSERT_EQ(f.meta().partitions()[pc.gpid.partition_index].ballot, Ballot(2));
}

TEST(MetaLearn, AMemberWhoseServerNoLongerHoldsTheReplicaIsRemoved) {
  MetaFixture f(DefaultMetaOptions());
  f.BootReady(At(0));
  const PartitionConfiguration pc = f.meta().partitions()[2];
  BumpToBallot2(f, pc);
  for (int t = 3; t < 6; ++t) {
    for (NodeId s : f.options().replica_servers) f.Receive(At(t), s, Beacon{.send_time = At(t)});
  }
  // The primary's server reports no replica at all, though it held every one (its disk was
  // replaced): each partition it is a member of, at ballot 1 too, goes on without it:
  // where it is primary meta downgrades it (a persisted change each), where it is a secondary
  // meta proposes its removal to the primary.
  ConfigSyncRequest lost;
  size_t primary_of = 0;
  size_t secondary_of = 0;
  for (const PartitionConfiguration& listed : f.meta().partitions()) {
    lost.missing.push_back({.gpid = listed.gpid, .listed_ballot = listed.ballot});
    if (listed.primary == *pc.primary) {
      ++primary_of;
    } else if (IsMember(listed, *pc.primary)) {
      ++secondary_of;
    }
  }
  ASSERT_GE(primary_of, 2u);
  ASSERT_GE(secondary_of, 1u);
  Outbox out = f.Receive(At(6), *pc.primary, lost);
  EXPECT_TRUE(HasMark(out, "meta.member_without_replica"));
  const auto appends = AppendsOf(out);
  ASSERT_EQ(appends.size(), primary_of) << "one downgrade per partition it was primary of";
  EXPECT_EQ(SentOf<ConfigProposal>(out).size(), secondary_of);
  for (const AppendLog& a : appends) f.Complete(At(7), a);
  EXPECT_FALSE(f.meta().partitions()[2].primary.has_value());
  EXPECT_EQ(f.meta().partitions()[2].last_drops.back(), *pc.primary);
}

// A server whose disk was replaced holds nothing and has no record of ever holding anything. A
// server is listed only once its replica exists, so a member that lacks its replica lost it: meta
// removes it, without weighing what it knows of the partition's data, knowledge a meta that
// just restarted or took over does not have yet
// (scenarios/regressions/pegasus_swarm_seed1917_wipe_meta_restart.json).
TEST(MetaLearn, AWipedMemberIsRemovedByAMetaThatKnowsNothingOfTheData) {
  MetaFixture f(DefaultMetaOptions());
  f.BootReady(At(0));  // a restarted meta: nothing collected from any server
  const PartitionConfiguration pc = f.meta().partitions()[2];
  for (NodeId s : f.options().replica_servers) f.Receive(At(1), s, Beacon{.send_time = At(1)});
  // The primary comes back with an empty disk: no replica, and nothing missing yet, as no answer
  // has listed it since. Meta's answer lists it; it reports the listed replica missing, and meta
  // removes it.
  Outbox first = f.Receive(At(3), *pc.primary, ConfigSyncRequest{});
  EXPECT_TRUE(AppendsOf(first).empty());
  const auto resps = SentOf<ConfigSyncResponse>(first);
  ASSERT_EQ(resps.size(), 1u);
  ConfigSyncRequest missing;
  for (const PartitionConfiguration& listed : resps[0].second.partitions) {
    missing.missing.push_back({.gpid = listed.gpid, .listed_ballot = listed.ballot});
  }
  ASSERT_FALSE(missing.missing.empty());
  Outbox second = f.Receive(At(4), *pc.primary, missing);
  EXPECT_TRUE(HasMark(second, "meta.member_without_replica"));
  ASSERT_FALSE(AppendsOf(second).empty()) << "its removal is persisted";
  for (const AppendLog& a : AppendsOf(second)) f.Complete(At(5), a);
  EXPECT_FALSE(IsMember(f.meta().partitions()[2], *pc.primary));
  EXPECT_EQ(f.meta().partitions()[2].last_drops.back(), *pc.primary);
  // Where it was a secondary, its removal is proposed to the primary.
  bool proposed = false;
  for (const auto& [to, p] : SentOf<ConfigProposal>(second)) {
    proposed = proposed || (p.type == ConfigType::kDowngradeToInactive && p.node == *pc.primary);
  }
  EXPECT_TRUE(proposed);
}

}  // namespace
}  // namespace pg::testing
