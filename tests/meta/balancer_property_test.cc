// Property of meta's load balancer: from any healthy table (4..8 alive nodes, 1..32 partitions,
// three replicas), carrying out every round's proposals ends balanced within a bounded number of
// rounds, and no round breaks a configuration or the balancer's own rules.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <vector>

#include "core/meta/balancer.h"
#include "core/meta/partition_table.h"
#include "tests/meta/balancer_harness.h"

namespace pg::testing {
namespace {

struct World {
  std::vector<NodeId> alive;  // in no particular order
  std::vector<PartitionConfiguration> table;
  int max_moves = 1;
};

// A random healthy table. Members are drawn from the first `hot` alive nodes only, so layouts
// range from already even to "three nodes hold everything, the rest just joined".
World GenWorld() {
  World w;
  const auto n = *rc::gen::inRange<uint32_t>(4, 9);
  const auto first_id = *rc::gen::inRange<uint32_t>(0, 5);  // ids need not start at 0
  w.alive = Nodes(first_id, first_id + n);
  const auto order = *rc::gen::inRange<uint32_t>(0, n);
  std::rotate(w.alive.begin(), w.alive.begin() + order, w.alive.end());
  const auto hot = *rc::gen::inRange<uint32_t>(3, n + 1);
  const auto partitions = *rc::gen::inRange(1, 33);
  for (int i = 0; i < partitions; ++i) {
    std::vector<NodeId> pool(w.alive.begin(), w.alive.begin() + hot);
    PartitionConfiguration pc;
    pc.gpid = Gpid{.app_id = 2, .partition_index = i};
    pc.ballot = Ballot(*rc::gen::inRange<int64_t>(1, 100));
    pc.max_replica_count = 3;
    pc.partition_count = partitions;
    for (int j = 0; j < 3; ++j) {
      const auto k = *rc::gen::inRange<size_t>(0, pool.size());
      if (j == 0) {
        pc.primary = pool[k];
      } else {
        pc.secondaries.push_back(pool[k]);
      }
      pool.erase(pool.begin() + static_cast<std::ptrdiff_t>(k));
    }
    w.table.push_back(std::move(pc));
  }
  w.max_moves = *rc::gen::inRange(1, 17);
  return w;
}

RC_GTEST_PROP(BalancerProperty, ProposalsEndBalancedWithinBoundedRounds, ()) {
  World w = GenWorld();
  const BalancerOptions options{.max_moves = w.max_moves};
  const int partitions = static_cast<int>(w.table.size());
  // Each chain lowers the sum of squared counts; a primary phase round with no chain copies once
  // and the next one has a chain. Observed: at most 3.3 rounds a partition (max_moves = 1, 200k
  // random tables of up to 12 nodes and 64 partitions), so 10 a partition is a loose bound.
  const int max_rounds = 10 * partitions + 10;
  int rounds = 0;
  for (; rounds <= max_rounds; ++rounds) {
    const auto before = SummarizeBalance(w.table, w.alive);
    RC_ASSERT(!before.unhealthy.has_value());
    const auto ps = ProposeBalance(w.table, w.alive, options);
    if (ps.empty()) break;
    const auto problem = RoundProblem(w.table, w.alive, ps, w.max_moves);
    RC_ASSERT(problem == std::nullopt);
    // Primaries first: while they are uneven a round swaps roles, or makes one enabling copy.
    if (!before.primaries_balanced) {
      const bool all_moves = std::all_of(ps.begin(), ps.end(), [](const BalanceProposal& p) {
        return p.kind == BalanceKind::kMovePrimary;
      });
      RC_ASSERT(all_moves || ps.size() == 1u);
    } else {
      for (const BalanceProposal& p : ps) RC_ASSERT(p.kind == BalanceKind::kCopySecondary);
    }
    Apply(w.table, ps);
    for (const PartitionConfiguration& pc : w.table) RC_ASSERT(!ConfigProblem(pc).has_value());
  }
  RC_ASSERT(rounds <= max_rounds);
  RC_ASSERT(SummarizeBalance(w.table, w.alive).balanced());
}

}  // namespace
}  // namespace pg::testing
