#pragma once
// Meta's load balancer as a pure rule over the partition table (PEGASUS.md §1.13): given the
// table and the alive replica servers it proposes moves; it never changes anything itself.
//
// Pegasus's rule (src/meta/greedy_load_balancer.cpp, app_balance_policy.cpp,
// load_balance_policy.cpp), which this follows:
//  * it runs only when every partition is healthy (the cure phase, partition_guardian, has
//    nothing to do);
//  * first primary balance: a primary moves from a node to one of its own secondaries by a role
//    swap (balance_type::MOVE_PRIMARY: CT_DOWNGRADE_TO_SECONDARY, then CT_UPGRADE_TO_PRIMARY; no
//    data is copied), along a path found in the flow network "A -> B when one of A's primaries
//    has a secondary on B" (ford_fulkerson::find_shortest_path);
//  * only when that yields nothing, copy-secondary balance: a non-primary replica moves from the
//    most to the least loaded node (balance_type::COPY_SECONDARY: CT_ADD_SECONDARY_FOR_LB, then
//    CT_REMOVE), while max - min > 1;
//  * one action list per partition at a time.
// Where pegasim simplifies or differs:
//  * one table (pegasim's meta serves one): counts are over all the partitions handed in, where
//    Pegasus counts per app; no disk tags, so no per-disk choice of which partition to move;
//  * a path is breadth-first (fewest moves) from the most loaded nodes to the least loaded node
//    they reach that is at least two below them, one unit of flow per path; replica copies are
//    chained the same way (Pegasus copies only max -> min directly and gives up when that pair
//    has no candidate partition);
//  * no COPY_PRIMARY: when no role swap can lower the primary spread (the under-loaded node is a
//    member of none of the over-loaded node's primaries), pegasim proposes one kCopySecondary
//    that puts a replica of such a primary's partition on the under-loaded node; the next round
//    then moves the primary there by a role swap. Same data copied as Pegasus's copy_primary,
//    but the node dropped is a secondary, not the old primary;
//  * at most `max_moves` proposals a round (Pegasus has no cap).
// Termination: every chain lowers the sum of squared counts, primary moves never change replica
// counts and copies never change primary counts, and a round with no primary chain is followed
// by one with a chain. That the end is balanced (and not a layout with no improving chain) is
// not proven: tests/meta checks it on random tables and found no counterexample exhaustively
// over all tables of 4 nodes x 5 partitions, 5 x 4 and 6 x 3.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/ids.h"
#include "core/proto/pegasus_types.h"

namespace pg {

struct BalancerOptions {
  // The most proposals one round returns; must be >= 1. A chain of moves (A -> B -> C: only the
  // ends change load) is proposed whole or not at all, and only chains that fit what is left of
  // the budget are searched for. Even 1 reaches balance on every table tried (tests/meta).
  int max_moves = 8;
};

enum class BalanceKind : uint8_t {
  // Swap roles: `from` (the primary) becomes a secondary, `to` (a secondary) the primary.
  kMovePrimary = 0,
  // Copy the replica on `from` (a secondary) to `to` (not a member), then drop it from `from`.
  kCopySecondary = 1,
};
std::string_view BalanceKindName(BalanceKind kind);

struct BalanceProposal {
  Gpid gpid;
  BalanceKind kind = BalanceKind::kMovePrimary;
  NodeId from;
  NodeId to;
  // The configuration's ballot the proposal was computed against: meta discards a proposal whose
  // partition has moved on (Pegasus checks each action against the current configuration).
  Ballot ballot{0};
  bool operator==(const BalanceProposal&) const = default;
};

struct NodeLoad {
  int primaries = 0;
  int replicas = 0;  // primaries + secondaries
  bool operator==(const NodeLoad&) const = default;
};

struct BalanceSummary {
  // Every alive node, those that hold nothing included. Members on dead nodes are not counted.
  std::map<NodeId, NodeLoad> loads;
  // Why the balancer would not run (a partition lacks a primary or a replica, a member is dead,
  // no node is alive), or nullopt.
  std::optional<std::string> unhealthy;
  bool primaries_balanced = false;  // max - min <= 1 over the alive nodes
  bool replicas_balanced = false;   // max - min <= 1 over the alive nodes
  bool balanced() const { return !unhealthy && primaries_balanced && replicas_balanced; }
};

BalanceSummary SummarizeBalance(const std::vector<PartitionConfiguration>& partitions,
                                const std::vector<NodeId>& alive_nodes);

// Why `config` is not healthy for balancing, or nullopt: it must be well formed (ConfigProblem),
// have a primary and max_replica_count members, every one of them in `alive`.
std::optional<std::string> UnhealthyForBalance(const PartitionConfiguration& config,
                                               const std::vector<NodeId>& alive_nodes);

// At most options.max_moves proposals, at most one per partition, each to an alive node, none
// making a node hold two replicas of a partition. Primary moves come first; copies are proposed
// only when no primary move is (see above for the one exception that enables a primary move).
// Empty when unhealthy, when no node is alive, or when balanced. Deterministic: ties go to the
// lower NodeId and partition index.
std::vector<BalanceProposal> ProposeBalance(const std::vector<PartitionConfiguration>& partitions,
                                            const std::vector<NodeId>& alive_nodes,
                                            const BalancerOptions& options);

// The configuration once meta has carried `proposal` out in full, two persisted changes later
// (ballot + 2): kMovePrimary = CT_DOWNGRADE_TO_SECONDARY(from) then CT_UPGRADE_TO_PRIMARY(to);
// kCopySecondary = CT_ADD_SECONDARY_FOR_LB(to), which the primary turns into
// CT_UPGRADE_TO_SECONDARY once the learner has caught up, then CT_REMOVE(from), which goes to
// last_drops. Precondition (asserted): the proposal was computed against `config` (same gpid and
// ballot) and its roles still hold.
PartitionConfiguration ApplyBalanceProposal(const PartitionConfiguration& config,
                                            const BalanceProposal& proposal);

}  // namespace pg
