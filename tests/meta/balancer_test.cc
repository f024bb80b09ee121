// Step-level rules of meta's load balancer (PEGASUS.md §1.13), each test named after one, and a
// property: from any healthy table, applying the proposals round after round ends balanced.
#include "core/meta/balancer.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <vector>

#include "core/meta/partition_table.h"
#include "tests/meta/balancer_harness.h"
#include "tests/meta/full_layout.h"

namespace pg::testing {
namespace {

PartitionConfiguration BalancerConfig(int index, uint32_t primary,
                                      std::vector<uint32_t> secondaries) {
  PartitionConfiguration pc;
  pc.gpid = Gpid{.app_id = 1, .partition_index = index};
  pc.ballot = Ballot(3);
  pc.primary = NodeId(primary);
  for (uint32_t s : secondaries) pc.secondaries.push_back(NodeId(s));
  pc.max_replica_count = 3;
  return pc;
}

// Every partition on nodes 0, 1, 2 with node 0 primary: as skewed as a table gets.
std::vector<PartitionConfiguration> AllOnNodeZero(int partitions) {
  std::vector<PartitionConfiguration> table;
  for (int i = 0; i < partitions; ++i) table.push_back(BalancerConfig(i, 0, {1, 2}));
  return table;
}

// Rounds until nothing is proposed; -1 when `max_rounds` is not enough.
int RunToQuiet(std::vector<PartitionConfiguration>& table, const std::vector<NodeId>& alive,
               BalancerOptions options, int max_rounds) {
  for (int round = 0; round <= max_rounds; ++round) {
    const auto ps = ProposeBalance(table, alive, options);
    if (ps.empty()) return round;
    EXPECT_EQ(RoundProblem(table, alive, ps, options.max_moves), std::nullopt);
    Apply(table, ps);
  }
  return -1;
}

TEST(Balancer, UnhealthyTableGetsNothing) {
  const auto alive = Nodes(0, 6);
  auto table = AllOnNodeZero(6);
  ASSERT_FALSE(ProposeBalance(table, alive, {}).empty());

  auto no_primary = table;
  no_primary[2].primary.reset();
  EXPECT_TRUE(ProposeBalance(no_primary, alive, {}).empty());
  EXPECT_TRUE(SummarizeBalance(no_primary, alive).unhealthy.has_value());

  auto missing_secondary = table;
  missing_secondary[5].secondaries.pop_back();
  EXPECT_TRUE(ProposeBalance(missing_secondary, alive, {}).empty());

  auto dead_member = table;
  dead_member[0].secondaries[0] = NodeId(9);  // not in `alive`
  EXPECT_TRUE(ProposeBalance(dead_member, alive, {}).empty());
  EXPECT_NE(UnhealthyForBalance(dead_member[0], alive), std::nullopt);

  EXPECT_TRUE(ProposeBalance(table, {}, {}).empty());
  EXPECT_EQ(SummarizeBalance(table, {}).unhealthy, "no alive node");
}

TEST(Balancer, BalancedTableGetsNothing) {
  for (int n : {3, 4, 5, 8}) {
    for (int parts : {1, 5, 8, 32}) {
      const auto table = FullLayout(parts, 3, Nodes(0, n));
      const auto summary = SummarizeBalance(table, Nodes(0, n));
      EXPECT_TRUE(summary.primaries_balanced) << n << "/" << parts;
      EXPECT_EQ(ProposeBalance(table, Nodes(0, n), {}).empty(), summary.balanced())
          << n << "/" << parts;
      // The round-robin layout evens replicas too when the servers divide the partitions (not
      // always otherwise: 5 servers, 8 partitions hold 4,5,6,5,4 replicas).
      if (parts % n == 0) {
        EXPECT_TRUE(summary.balanced()) << n << "/" << parts;
      }
    }
  }
}

TEST(Balancer, SummaryCountsEveryAliveNode) {
  const auto s = SummarizeBalance(AllOnNodeZero(4), Nodes(0, 4));
  EXPECT_EQ(s.loads.at(NodeId(0)), (NodeLoad{.primaries = 4, .replicas = 4}));
  EXPECT_EQ(s.loads.at(NodeId(1)), (NodeLoad{.primaries = 0, .replicas = 4}));
  EXPECT_EQ(s.loads.at(NodeId(3)), (NodeLoad{}));
  EXPECT_FALSE(s.primaries_balanced);
  EXPECT_FALSE(s.replicas_balanced);
}

TEST(Balancer, PrimariesMoveBeforeSecondariesAreCopied) {
  // Both primaries (6,0,0,0,0) and replicas (6,6,6,0,0) are skewed: only role swaps, to the
  // partition's own secondaries, each computed against the current ballot.
  const auto table = AllOnNodeZero(6);
  const auto alive = Nodes(0, 5);
  const auto ps = ProposeBalance(table, alive, {.max_moves = 16});
  ASSERT_FALSE(ps.empty());
  EXPECT_EQ(RoundProblem(table, alive, ps, 16), std::nullopt);
  for (const BalanceProposal& p : ps) {
    EXPECT_EQ(p.kind, BalanceKind::kMovePrimary) << fmt::format("{}", p.gpid);
    EXPECT_EQ(p.from, NodeId(0));
    EXPECT_EQ(p.ballot, Ballot(3));
  }
  // Swaps reach only the members 1 and 2: primaries end 2,2,2,0,0 and no copy was proposed.
  auto next = table;
  Apply(next, ps);
  const auto loads = SummarizeBalance(next, alive).loads;
  for (uint32_t n : {0u, 1u, 2u}) EXPECT_EQ(loads.at(NodeId(n)).primaries, 2) << n;
  for (uint32_t n : {3u, 4u}) EXPECT_EQ(loads.at(NodeId(n)).primaries, 0) << n;
}

TEST(Balancer, CopiesSecondariesOnlyWhenPrimariesAreBalanced) {
  // Three partitions on nodes 0..2 and two empty alive nodes: primaries 1,1,1,0,0 are
  // balanced, replicas 3,3,3,0,0 are not.
  const auto table = FullLayout(3, 3, Nodes(0, 3));
  const auto alive = Nodes(0, 5);
  const auto ps = ProposeBalance(table, alive, {});
  ASSERT_FALSE(ps.empty());
  EXPECT_EQ(RoundProblem(table, alive, ps, BalancerOptions{}.max_moves), std::nullopt);
  for (const BalanceProposal& p : ps) {
    EXPECT_EQ(p.kind, BalanceKind::kCopySecondary);
    EXPECT_TRUE(p.to == NodeId(3) || p.to == NodeId(4)) << p.to.value();
    EXPECT_NE(table[p.gpid.partition_index].primary, p.from) << "a primary is never copied";
  }
}

TEST(Balancer, NeverTargetsADeadNodeNorAMember) {
  // Node 5 is dead and holds nothing; nodes 3, 4 are alive and empty.
  const auto alive = std::vector<NodeId>{NodeId(4), NodeId(0), NodeId(3), NodeId(1), NodeId(2)};
  auto table = AllOnNodeZero(10);
  for (int round = 0; round < 60; ++round) {
    const auto ps = ProposeBalance(table, alive, {.max_moves = 3});
    if (ps.empty()) break;
    ASSERT_EQ(RoundProblem(table, alive, ps, 3), std::nullopt) << "round " << round;
    for (const BalanceProposal& p : ps) EXPECT_NE(p.to, NodeId(5));
    Apply(table, ps);
    for (const auto& pc : table) ASSERT_EQ(ConfigProblem(pc), std::nullopt);
  }
  EXPECT_TRUE(SummarizeBalance(table, alive).balanced());
}

TEST(Balancer, OneProposalPerPartitionAndBudgetKept) {
  const auto alive = Nodes(0, 8);
  const auto table = AllOnNodeZero(32);
  for (int budget : {1, 2, 5, 64}) {
    const auto ps = ProposeBalance(table, alive, {.max_moves = budget});
    EXPECT_LE(ps.size(), static_cast<size_t>(budget));
    EXPECT_FALSE(ps.empty());
    EXPECT_EQ(RoundProblem(table, alive, ps, budget), std::nullopt);
  }
}

TEST(Balancer, CopyEnablesAPrimaryMoveNoSwapCanMake) {
  // Primaries 2,2,2,0; node 3 holds nothing, so no role swap can reach it. Pegasus would
  // copy_primary; pegasim copies a secondary of node 0's primary there, then swaps roles.
  std::vector<PartitionConfiguration> table;
  for (int i = 0; i < 6; ++i) {
    table.push_back(BalancerConfig(
        i, i % 3, {static_cast<uint32_t>((i + 1) % 3), static_cast<uint32_t>((i + 2) % 3)}));
  }
  const auto alive = Nodes(0, 4);
  auto ps = ProposeBalance(table, alive, {});
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0].kind, BalanceKind::kCopySecondary);
  EXPECT_EQ(ps[0].to, NodeId(3));
  EXPECT_EQ(table[ps[0].gpid.partition_index].primary, NodeId(0));
  Apply(table, ps);
  ps = ProposeBalance(table, alive, {});
  ASSERT_FALSE(ps.empty());
  EXPECT_EQ(ps[0].kind, BalanceKind::kMovePrimary);
  EXPECT_EQ(ps[0].to, NodeId(3));
}

TEST(Balancer, ProposalIsDeterministic) {
  const auto table = AllOnNodeZero(16);
  const auto a = ProposeBalance(table, Nodes(0, 6), {});
  const auto b =
      ProposeBalance(table, {NodeId(5), NodeId(3), NodeId(1), NodeId(0), NodeId(2), NodeId(4)}, {});
  EXPECT_EQ(a, b);
}

TEST(Balancer, ApplyingAProposalBumpsTheBallotTwiceAndRecordsTheDrop) {
  const auto pc = BalancerConfig(0, 0, {1, 2});
  const auto moved = ApplyBalanceProposal(pc, {.gpid = pc.gpid,
                                               .kind = BalanceKind::kMovePrimary,
                                               .from = NodeId(0),
                                               .to = NodeId(2),
                                               .ballot = pc.ballot});
  EXPECT_EQ(moved.primary, NodeId(2));
  EXPECT_EQ(moved.secondaries, (std::vector<NodeId>{NodeId(1), NodeId(0)}));
  EXPECT_EQ(moved.ballot, Ballot(5));
  const auto copied = ApplyBalanceProposal(pc, {.gpid = pc.gpid,
                                                .kind = BalanceKind::kCopySecondary,
                                                .from = NodeId(1),
                                                .to = NodeId(7),
                                                .ballot = pc.ballot});
  EXPECT_EQ(copied.primary, NodeId(0));
  EXPECT_EQ(copied.secondaries, (std::vector<NodeId>{NodeId(2), NodeId(7)}));
  EXPECT_EQ(copied.last_drops, (std::vector<NodeId>{NodeId(1)}));
}

TEST(Balancer, ConvergesFromSkewedLayouts) {
  for (uint32_t n : {4u, 5u, 6u, 8u}) {
    for (int parts : {1, 7, 16, 32}) {
      for (int budget : {1, 3, 8}) {
        auto table = AllOnNodeZero(parts);
        const int rounds = RunToQuiet(table, Nodes(0, n), {.max_moves = budget}, 10 * parts + 10);
        EXPECT_GE(rounds, 0) << n << " nodes, " << parts << " partitions, budget " << budget;
        EXPECT_TRUE(SummarizeBalance(table, Nodes(0, n)).balanced())
            << n << " nodes, " << parts << " partitions, budget " << budget;
      }
    }
  }
}

}  // namespace
}  // namespace pg::testing
