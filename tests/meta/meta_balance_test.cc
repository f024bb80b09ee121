// The balancer carried out by meta (meta_balance.cc, PEGASUS.md §1.13): move primary as
// CT_DOWNGRADE_TO_SECONDARY then CT_UPGRADE_TO_PRIMARY, copy secondary as CT_ADD_SECONDARY_FOR_LB
// (the learner may join as an extra member) then CT_REMOVE, each change persisted before the
// next step; the guardian leaves a partition alone while a plan owns it, and a plan is abandoned
// when its partition changes otherwise, a node dies or a step does not land in time.
#include <gtest/gtest.h>

#include "core/meta/partition_table.h"
#include "tests/meta/meta_harness.h"

namespace pg::testing {
namespace {

PartitionConfiguration Config(int index, int partitions, NodeId primary,
                              std::vector<NodeId> secondaries, int replicas) {
  return PartitionConfiguration{.gpid = Gpid{.app_id = 1, .partition_index = index},
                                .ballot = Ballot(1),
                                .primary = primary,
                                .secondaries = std::move(secondaries),
                                .max_replica_count = replicas,
                                .partition_count = partitions};
}

// A meta booted over a meta.log that already holds `table` (every entry at ballot 1).
std::unique_ptr<MetaFixture> BootOver(const std::vector<PartitionConfiguration>& table, int servers,
                                      bool balance = true) {
  MetaServerOptions o{.replica_servers = Servers(servers),
                      .partition_count = static_cast<int>(table.size()),
                      .replica_count = table.front().max_replica_count,
                      .balance = balance};
  auto f = std::make_unique<MetaFixture>(o);
  for (const PartitionConfiguration& pc : table) {
    f->disk().files[kMetaLogFile] += EncodeMetaLogRecord(pc);
  }
  f->Rebuild();
  f->BootCreating(At(0));
  return f;
}

// Every server beacons, then meta's check timer fires; returns the check's effects.
Outbox Check(MetaFixture& f, int64_t ms, std::vector<NodeId> silent = {}) {
  for (NodeId s : f.options().replica_servers) {
    if (std::find(silent.begin(), silent.end(), s) == silent.end()) {
      f.Receive(At(ms), s, Beacon{.send_time = At(ms)});
    }
  }
  return f.Step(At(ms) + Millis(1), TimerFired{.timer = TimerId(1)});
}

// The replica's request, answered by meta, completed on disk; returns the completion's effects.
Outbox Request(MetaFixture& f, int64_t ms, NodeId from, ConfigType type, NodeId node,
               const PartitionConfiguration& next) {
  Outbox out =
      f.Receive(At(ms), from, UpdateConfigRequest{.type = type, .config = next, .node = node});
  const auto appends = AppendsOf(out);
  EXPECT_EQ(appends.size(), 1u) << "meta persists the change";
  if (appends.empty()) return {};
  EXPECT_TRUE(SentOf<UpdateConfigResponse>(out).empty()) << "answered only once durable";
  return f.Complete(At(ms + 1), appends[0]);
}

std::vector<std::pair<NodeId, ConfigProposal>> Proposals(const Outbox& out, ConfigType type) {
  std::vector<std::pair<NodeId, ConfigProposal>> v;
  for (auto& [to, p] : SentOf<ConfigProposal>(out)) {
    if (p.type == type) v.emplace_back(to, p);
  }
  return v;
}

// Three partitions on three servers, all primaries on server 1.
std::vector<PartitionConfiguration> PrimariesOnOne() {
  std::vector<PartitionConfiguration> t;
  for (int i = 0; i < 3; ++i) t.push_back(Config(i, 3, NodeId(1), {NodeId(2), NodeId(3)}, 3));
  return t;
}

TEST(MetaBalance, OffByDefaultAndOnlyWhenEveryPartitionIsHealthy) {
  auto off = BootOver(PrimariesOnOne(), 3, /*balance=*/false);
  Outbox quiet = Check(*off, 1000);
  EXPECT_TRUE(Proposals(quiet, ConfigType::kDowngradeToSecondary).empty());
  // On, but one partition is short of a member: nothing is proposed.
  std::vector<PartitionConfiguration> t = PrimariesOnOne();
  t[2].secondaries = {NodeId(2)};
  auto unhealthy = BootOver(t, 3);
  Outbox out = Check(*unhealthy, 1000);
  EXPECT_FALSE(HasMark(out, "balance.move_primary"));
  EXPECT_TRUE(Proposals(out, ConfigType::kDowngradeToSecondary).empty());
}

TEST(MetaBalance, MovePrimaryIsADowngradeThenAnUpgradeOfTheChosenSecondary) {
  auto f = BootOver(PrimariesOnOne(), 3);
  Outbox round = Check(*f, 1000);
  EXPECT_TRUE(HasMark(round, "balance.move_primary"));
  const auto downs = Proposals(round, ConfigType::kDowngradeToSecondary);
  ASSERT_EQ(downs.size(), 2u) << "3 primaries on one of 3 nodes: two move";
  const int i = downs[0].second.config.gpid.partition_index;
  EXPECT_EQ(downs[0].first, NodeId(1)) << "proposed to the primary itself";
  EXPECT_EQ(downs[0].second.node, NodeId(1));
  const BalanceProposal plan = *f->meta().BalanceInFlight(i);
  EXPECT_EQ(plan.kind, BalanceKind::kMovePrimary);
  // Re-sent at the next check while it has not landed.
  EXPECT_EQ(Proposals(Check(*f, 2000), ConfigType::kDowngradeToSecondary).size(), 2u);
  // The primary asks to step down; once durable meta proposes the upgrade at once.
  PartitionConfiguration down = f->meta().partitions()[i];
  down.ballot = Ballot(2);
  down.primary.reset();
  down.secondaries.push_back(NodeId(1));
  Outbox landed = Request(*f, 2100, NodeId(1), ConfigType::kDowngradeToSecondary, NodeId(1), down);
  EXPECT_EQ(f->meta().partitions()[i].secondaries, down.secondaries);
  EXPECT_TRUE(f->meta().partitions()[i].last_drops.empty()) << "a role swap drops nobody";
  auto ups = Proposals(landed, ConfigType::kUpgradeToPrimary);
  ASSERT_EQ(ups.size(), 1u);
  EXPECT_EQ(ups[0].first, plan.to);
  EXPECT_EQ(ups[0].second.node, plan.to);
  // The guardian does not pick a primary of its own for the partition meanwhile.
  for (int t = 3000; t <= 5000; t += 1000) {
    for (auto& [to, p] : Proposals(Check(*f, t), ConfigType::kUpgradeToPrimary)) {
      if (p.config.gpid.partition_index == i) {
        EXPECT_EQ(to, plan.to);
      }
    }
  }
  PartitionConfiguration up = f->meta().partitions()[i];
  up.ballot = Ballot(3);
  up.primary = plan.to;
  std::erase(up.secondaries, plan.to);
  Outbox done = Request(*f, 5100, plan.to, ConfigType::kUpgradeToPrimary, plan.to, up);
  EXPECT_TRUE(HasMark(done, "balance.move_primary_done"));
  EXPECT_FALSE(f->meta().BalanceInFlight(i).has_value());
  EXPECT_EQ(f->meta().partitions()[i].primary, plan.to);
}

// Three servers, replica count 2: server 1 holds three replicas, server 3 one.
std::vector<PartitionConfiguration> ReplicasOnOne() {
  return {Config(0, 3, NodeId(1), {NodeId(2)}, 2), Config(1, 3, NodeId(2), {NodeId(1)}, 2),
          Config(2, 3, NodeId(3), {NodeId(1)}, 2)};
}

TEST(MetaBalance, CopySecondaryAddsALearnerAsAnExtraMemberThenRemovesTheSource) {
  auto f = BootOver(ReplicasOnOne(), 3);
  Outbox round = Check(*f, 1000);
  EXPECT_TRUE(HasMark(round, "balance.copy_secondary"));
  const auto adds = Proposals(round, ConfigType::kAddSecondaryForLb);
  ASSERT_EQ(adds.size(), 1u);
  const int i = adds[0].second.config.gpid.partition_index;
  ASSERT_EQ(i, 1) << "the only partition with a secondary on 1 and no replica on 3";
  EXPECT_EQ(adds[0].first, NodeId(2)) << "proposed to the primary";
  EXPECT_EQ(adds[0].second.node, NodeId(3));
  // Re-sent at the next check while it has not landed (the proposal may have been lost).
  Outbox again = Check(*f, 1050);
  EXPECT_FALSE(HasMark(again, "balance.abandon"));
  const auto resent = Proposals(again, ConfigType::kAddSecondaryForLb);
  ASSERT_EQ(resent.size(), 1u);
  EXPECT_EQ(resent[0].first, NodeId(2));
  EXPECT_EQ(resent[0].second.node, NodeId(3));
  // The learner is not collected at config sync while it learns.
  Outbox sync = f->Receive(At(1100), NodeId(3),
                           ConfigSyncRequest{.stored_replicas = {ReplicaInfo{
                                                 .gpid = Gpid{.app_id = 1, .partition_index = 1},
                                                 .status = PartitionStatus::kPotentialSecondary}}});
  auto sync_resp = SentOf<ConfigSyncResponse>(sync);
  ASSERT_EQ(sync_resp.size(), 1u);
  EXPECT_TRUE(sync_resp[0].second.gc_replicas.empty());
  // Caught up, the learner joins: three members in a group of replica count 2.
  PartitionConfiguration joined = f->meta().partitions()[1];
  joined.ballot = Ballot(2);
  joined.secondaries = {NodeId(1), NodeId(3)};
  Outbox landed = Request(*f, 1200, NodeId(2), ConfigType::kUpgradeToSecondary, NodeId(3), joined);
  EXPECT_EQ(f->meta().partitions()[1].secondaries, joined.secondaries);
  auto removes = Proposals(landed, ConfigType::kRemove);
  ASSERT_EQ(removes.size(), 1u);
  EXPECT_EQ(removes[0].first, NodeId(2));
  EXPECT_EQ(removes[0].second.node, NodeId(1));
  // The guardian does not treat the extra member as redundant while the plan owns it.
  Outbox check = Check(*f, 2000);
  EXPECT_FALSE(HasMark(check, "meta.propose_remove_redundant_secondary"));
  const auto removes_again = Proposals(check, ConfigType::kRemove);
  ASSERT_EQ(removes_again.size(), 1u) << "the removal is re-sent until it lands";
  EXPECT_EQ(removes_again[0].first, NodeId(2));
  EXPECT_EQ(removes_again[0].second.node, NodeId(1));
  PartitionConfiguration removed = joined;
  removed.ballot = Ballot(3);
  removed.secondaries = {NodeId(3)};
  Outbox done = Request(*f, 2100, NodeId(2), ConfigType::kRemove, NodeId(1), removed);
  EXPECT_TRUE(HasMark(done, "balance.remove_after_copy"));
  EXPECT_TRUE(HasMark(done, "balance.copy_secondary_done"));
  EXPECT_EQ(f->meta().partitions()[1].last_drops, std::vector<NodeId>{NodeId(1)});
  const BalanceSummary s = SummarizeBalance(f->meta().partitions(), Servers(3));
  EXPECT_TRUE(s.balanced());
}

TEST(MetaBalance, AnExtraMemberIsRefusedWithoutTheBalancersCopy) {
  auto f = BootOver(ReplicasOnOne(), 3, /*balance=*/false);
  PartitionConfiguration joined = f->meta().partitions()[1];
  joined.ballot = Ballot(2);
  joined.secondaries = {NodeId(1), NodeId(3)};
  Outbox out =
      f->Receive(At(1000), NodeId(2),
                 UpdateConfigRequest{
                     .type = ConfigType::kUpgradeToSecondary, .config = joined, .node = NodeId(3)});
  EXPECT_TRUE(AppendsOf(out).empty());
  auto resp = SentOf<UpdateConfigResponse>(out);
  ASSERT_EQ(resp.size(), 1u);
  EXPECT_NE(resp[0].second.error, ErrorCode::kOk);
}

TEST(MetaBalance, APlanIsAbandonedWhenItsTargetDiesAndTheGuardianTakesOver) {
  auto f = BootOver(PrimariesOnOne(), 3);
  const auto downs = Proposals(Check(*f, 1000), ConfigType::kDowngradeToSecondary);
  ASSERT_FALSE(downs.empty());
  const int i = downs[0].second.config.gpid.partition_index;
  const BalanceProposal plan = *f->meta().BalanceInFlight(i);
  PartitionConfiguration down = f->meta().partitions()[i];
  down.ballot = Ballot(2);
  down.primary.reset();
  down.secondaries.push_back(NodeId(1));
  Request(*f, 1100, NodeId(1), ConfigType::kDowngradeToSecondary, NodeId(1), down);
  // The chosen secondary goes silent until meta declares it dead (grace 7 s).
  bool abandoned = false;
  std::vector<std::pair<NodeId, ConfigProposal>> cures;
  for (int t = 2000; t <= 12000; t += 1000) {
    Outbox out = Check(*f, t, {plan.to});
    abandoned = abandoned || HasMark(out, "balance.abandon");
    for (auto& up : Proposals(out, ConfigType::kUpgradeToPrimary)) {
      if (up.second.config.gpid.partition_index == i) cures.push_back(up);
    }
  }
  EXPECT_TRUE(abandoned);
  EXPECT_FALSE(f->meta().BalanceInFlight(i).has_value());
  ASSERT_FALSE(cures.empty());
  EXPECT_NE(cures.back().first, plan.to) << "the guardian picks an alive secondary";
}

TEST(MetaBalance, APlanIsAbandonedWhenThePartitionChangesOtherwise) {
  auto f = BootOver(ReplicasOnOne(), 3);
  ASSERT_EQ(Proposals(Check(*f, 1000), ConfigType::kAddSecondaryForLb).size(), 1u);
  ASSERT_TRUE(f->meta().BalanceInFlight(1).has_value());
  // The primary removes its secondary for a failure of its own (CT_DOWNGRADE_TO_INACTIVE).
  PartitionConfiguration next = f->meta().partitions()[1];
  next.ballot = Ballot(2);
  next.secondaries.clear();
  Outbox out = Request(*f, 1100, NodeId(2), ConfigType::kDowngradeToInactive, NodeId(1), next);
  EXPECT_TRUE(HasMark(out, "balance.abandon"));
  EXPECT_FALSE(f->meta().BalanceInFlight(1).has_value());
}

TEST(MetaBalance, ACopyLeftWithAnExtraMemberLosesItsMostLoadedSecondary) {
  std::vector<PartitionConfiguration> t = ReplicasOnOne();
  auto f = BootOver(t, 3);
  ASSERT_EQ(Proposals(Check(*f, 1000), ConfigType::kAddSecondaryForLb).size(), 1u);
  PartitionConfiguration joined = f->meta().partitions()[1];
  joined.ballot = Ballot(2);
  joined.secondaries = {NodeId(1), NodeId(3)};
  Request(*f, 1200, NodeId(2), ConfigType::kUpgradeToSecondary, NodeId(3), joined);
  // The primary never asks for the removal: the step times out, the plan is abandoned, and the
  // guardian removes the secondary on the most loaded node (server 1: three replicas).
  bool abandoned = false;
  std::vector<std::pair<NodeId, ConfigProposal>> removes;
  for (int ms = 2000; ms <= 40000; ms += 1000) {
    Outbox out = Check(*f, ms);
    abandoned = abandoned || HasMark(out, "balance.abandon");
    if (abandoned) {
      for (auto& r : Proposals(out, ConfigType::kRemove)) removes.push_back(r);
    }
  }
  EXPECT_TRUE(abandoned);
  ASSERT_FALSE(removes.empty());
  EXPECT_EQ(removes.back().first, NodeId(2));
  EXPECT_EQ(removes.back().second.node, NodeId(1));
}

// What the replicas would ask for on each of the balancer's proposals, answered at once.
std::optional<std::pair<NodeId, UpdateConfigRequest>> ReplicaAnswer(NodeId to,
                                                                    const ConfigProposal& p) {
  PartitionConfiguration next = p.config;
  next.ballot = p.config.ballot.next();
  ConfigType type = p.type;
  NodeId from = to;
  switch (p.type) {
    case ConfigType::kDowngradeToSecondary:
      next.primary.reset();
      next.secondaries.push_back(p.node);
      break;
    case ConfigType::kUpgradeToPrimary:
      next.primary = p.node;
      std::erase(next.secondaries, p.node);
      break;
    case ConfigType::kAddSecondaryForLb:
      type = ConfigType::kUpgradeToSecondary;  // the learner caught up at once
      next.secondaries.push_back(p.node);
      break;
    case ConfigType::kRemove:
      std::erase(next.secondaries, p.node);
      break;
    default:
      return std::nullopt;
  }
  return std::pair{from, UpdateConfigRequest{.type = type, .config = next, .node = p.node}};
}

TEST(MetaBalance, RoundsOfProposalsCarriedOutReachABalancedTable) {
  // Eight partitions of three replicas on servers 1-3; server 4 joins empty.
  std::vector<PartitionConfiguration> t;
  for (int i = 0; i < 8; ++i) {
    t.push_back(
        Config(i, 8, NodeId(1 + i % 3), {NodeId(1 + (i + 1) % 3), NodeId(1 + (i + 2) % 3)}, 3));
  }
  auto f = BootOver(t, 4);
  int moves = 0;
  int copies = 0;
  for (int ms = 1000;
       ms <= 60000 && !SummarizeBalance(f->meta().partitions(), Servers(4)).balanced();
       ms += 1000) {
    std::vector<std::pair<NodeId, ConfigProposal>> todo = SentOf<ConfigProposal>(Check(*f, ms));
    // Each landed step sends the plan's next one at once; answer those too.
    while (!todo.empty()) {
      auto [to, p] = todo.front();
      todo.erase(todo.begin());
      moves += p.type == ConfigType::kDowngradeToSecondary ? 1 : 0;
      copies += p.type == ConfigType::kAddSecondaryForLb ? 1 : 0;
      const int i = p.config.gpid.partition_index;
      if (p.config.ballot != f->meta().partitions()[i].ballot || f->meta().HasPendingChange(i)) {
        continue;  // a re-sent proposal that has already been acted on
      }
      auto answer = ReplicaAnswer(to, p);
      ASSERT_TRUE(answer.has_value()) << ConfigTypeName(p.type);
      Outbox out = f->Receive(At(ms + 10), answer->first, answer->second);
      for (const AppendLog& a : AppendsOf(out)) {
        for (auto& next : SentOf<ConfigProposal>(f->Complete(At(ms + 20), a))) {
          todo.push_back(next);
        }
      }
    }
  }
  const BalanceSummary s = SummarizeBalance(f->meta().partitions(), Servers(4));
  EXPECT_TRUE(s.balanced());
  EXPECT_EQ(s.loads.at(NodeId(4)).primaries, 2);
  EXPECT_EQ(s.loads.at(NodeId(4)).replicas, 6);
  EXPECT_GT(moves, 0);
  EXPECT_GT(copies, 0);
  for (int i = 0; i < 8; ++i) EXPECT_FALSE(f->meta().BalanceInFlight(i).has_value());
}

TEST(MetaBalance, DecideUpdateDowngradeToSecondaryOnlyByThePrimaryItself) {
  const PartitionConfiguration pc = Config(0, 1, NodeId(1), {NodeId(2), NodeId(3)}, 3);
  PartitionConfiguration next = pc;
  next.ballot = Ballot(2);
  next.primary.reset();
  next.secondaries.push_back(NodeId(1));
  const UpdateConfigRequest req{
      .type = ConfigType::kDowngradeToSecondary, .config = next, .node = NodeId(1)};
  const UpdateDecision ok = DecideUpdate(pc, req, NodeId(1));
  ASSERT_EQ(ok.kind, UpdateDecision::Kind::kPersist) << ok.why;
  EXPECT_FALSE(ok.config.primary.has_value());
  EXPECT_EQ(ok.config.secondaries, next.secondaries);
  EXPECT_EQ(DecideUpdate(pc, req, NodeId(2)).kind, UpdateDecision::Kind::kReject)
      << "asked by a secondary";
  UpdateConfigRequest dropped = req;
  dropped.config.secondaries = {NodeId(2), NodeId(3)};
  EXPECT_EQ(DecideUpdate(pc, dropped, NodeId(1)).kind, UpdateDecision::Kind::kReject)
      << "the old primary must stay a member";
}

TEST(MetaBalance, DecideUpdateRemoveDropsTheSecondaryToLastDrops) {
  const PartitionConfiguration pc = Config(0, 1, NodeId(1), {NodeId(2), NodeId(3), NodeId(4)}, 3);
  PartitionConfiguration next = pc;
  next.ballot = Ballot(2);
  next.secondaries = {NodeId(3), NodeId(4)};
  const UpdateDecision d = DecideUpdate(
      pc, UpdateConfigRequest{.type = ConfigType::kRemove, .config = next, .node = NodeId(2)},
      NodeId(1));
  ASSERT_EQ(d.kind, UpdateDecision::Kind::kPersist) << d.why;
  EXPECT_EQ(d.config.last_drops, std::vector<NodeId>{NodeId(2)});
}

}  // namespace
}  // namespace pg::testing
