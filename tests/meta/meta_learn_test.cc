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
  // The primary's server reports no replica at all, though it held every one (it dropped them
  // after a power loss): each partition it is a member of, at ballot 1 too, goes on without it:
  // where it is primary meta downgrades it (a persisted change each), where it is a secondary
  // meta proposes its removal to the primary.
  ConfigSyncRequest lost;
  for (int i = 0; i < 8; ++i) lost.ever_held.push_back({1, i});
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
  EXPECT_FALSE(HasMark(out, "meta.member_never_created"));
  const auto appends = AppendsOf(out);
  ASSERT_EQ(appends.size(), primary_of) << "one downgrade per partition it was primary of";
  EXPECT_EQ(SentOf<ConfigProposal>(out).size(), secondary_of);
  for (const AppendLog& a : appends) f.Complete(At(7), a);
  EXPECT_FALSE(f.meta().partitions()[2].primary.has_value());
  EXPECT_EQ(f.meta().partitions()[2].last_drops.back(), *pc.primary);
}

// A server whose disk was replaced says it never held anything. Once a replica of the partition
// is known to hold data, meta does not take its word: it is not told to create the replica
// empty, and once it reports the listed replica missing it is removed
// (scenarios/pegasus/disk_wipe_primary_within_grace.json).
TEST(MetaLearn, AWipedMemberOfAPartitionWithDataIsRemovedNotToldToCreate) {
  MetaFixture f(DefaultMetaOptions());
  f.BootReady(At(0));
  const PartitionConfiguration pc = f.meta().partitions()[2];
  for (NodeId s : f.options().replica_servers) f.Receive(At(1), s, Beacon{.send_time = At(1)});
  const NodeId holder = pc.secondaries[0];
  // A secondary reports the replica with a prepared decree: the partition holds data.
  ConfigSyncRequest held{.stored_replicas = {ReplicaInfo{.gpid = pc.gpid,
                                                         .ballot = pc.ballot,
                                                         .status = PartitionStatus::kSecondary,
                                                         .last_committed_decree = Decree(0),
                                                         .last_prepared_decree = Decree(1)}},
                         .ever_held = {pc.gpid}};
  f.Receive(At(2), holder, held);
  // The primary comes back with an empty disk: no replica, none ever held, none missing.
  Outbox first = f.Receive(At(3), *pc.primary, ConfigSyncRequest{});
  EXPECT_TRUE(HasMark(first, "meta.member_lost_everything"));
  EXPECT_FALSE(HasMark(first, "meta.member_never_created"));
  const auto resps = SentOf<ConfigSyncResponse>(first);
  ASSERT_EQ(resps.size(), 1u);
  const std::vector<Gpid>& create = resps[0].second.create_empty;
  EXPECT_EQ(std::count(create.begin(), create.end(), pc.gpid), 0) << "not told to create it";
  // Listed at ballot 1, it reports the replica missing: then meta removes it.
  ConfigSyncRequest missing{.missing = {{.gpid = pc.gpid, .listed_ballot = pc.ballot}}};
  Outbox second = f.Receive(At(4), *pc.primary, missing);
  EXPECT_TRUE(HasMark(second, "meta.member_without_replica"));
  const auto appends = AppendsOf(second);
  ASSERT_FALSE(appends.empty());
  for (const AppendLog& a : appends) f.Complete(At(5), a);
  EXPECT_FALSE(IsMember(f.meta().partitions()[2], *pc.primary));
}

// A new table: no replica holds data yet, so members without one are told to create it.
TEST(MetaLearn, ANewTablesMembersAreToldToCreateTheirReplicas) {
  MetaFixture f(DefaultMetaOptions());
  f.BootReady(At(0));
  const PartitionConfiguration pc = f.meta().partitions()[2];
  f.Receive(At(1), *pc.primary, Beacon{.send_time = At(1)});
  Outbox out = f.Receive(At(2), *pc.primary, ConfigSyncRequest{});
  const auto resps = SentOf<ConfigSyncResponse>(out);
  ASSERT_EQ(resps.size(), 1u);
  const std::vector<Gpid>& create = resps[0].second.create_empty;
  EXPECT_EQ(std::count(create.begin(), create.end(), pc.gpid), 1);
  EXPECT_TRUE(AppendsOf(out).empty());
}

// A member cut off from meta since the table was created never created its replica. It never
// acked a prepare, so nothing was committed there: it is kept, and the answer lists the partition
// so that it creates the replica (empty, as at ballot 1), rather than being removed as one that
// lost it, which could leave every member of the partition removed so
// (scenarios/regressions/pegasus_swarm_seed1325_never_created_members.json).
TEST(MetaLearn, AMemberThatNeverHeldTheReplicaIsKeptAndToldToCreateIt) {
  MetaFixture f(DefaultMetaOptions());
  f.BootReady(At(0));
  const PartitionConfiguration pc = f.meta().partitions()[2];
  BumpToBallot2(f, pc);
  const NodeId member = pc.secondaries[0];
  for (NodeId s : f.options().replica_servers) f.Receive(At(3), s, Beacon{.send_time = At(3)});
  Outbox out = f.Receive(At(4), member, ConfigSyncRequest{});
  EXPECT_TRUE(HasMark(out, "meta.member_never_created"));
  EXPECT_FALSE(HasMark(out, "meta.member_without_replica"));
  EXPECT_TRUE(AppendsOf(out).empty()) << "no removal persisted";
  const auto resps = SentOf<ConfigSyncResponse>(out);
  ASSERT_EQ(resps.size(), 1u);
  const ConfigSyncResponse resp = resps[0].second;
  bool listed = false;
  for (const PartitionConfiguration& p : resp.partitions) listed = listed || p.gpid == pc.gpid;
  EXPECT_TRUE(listed);
  EXPECT_TRUE(IsMember(f.meta().partitions()[2], member));
}

}  // namespace
}  // namespace pg::testing
