#include "core/meta/balancer.h"

#include <algorithm>
#include <deque>
#include <set>
#include <tuple>

#include "core/common/assert.h"
#include "core/meta/partition_table.h"

namespace pg {

std::string_view BalanceKindName(BalanceKind kind) {
  switch (kind) {
    case BalanceKind::kMovePrimary:
      return "move_primary";
    case BalanceKind::kCopySecondary:
      return "copy_secondary";
  }
  return "unknown";
}

std::optional<std::string> UnhealthyForBalance(const PartitionConfiguration& config,
                                               const std::vector<NodeId>& alive_nodes) {
  if (auto problem = ConfigProblem(config)) return problem;
  if (!config.primary) return "no primary";
  const size_t members = config.secondaries.size() + 1;
  if (members != static_cast<size_t>(config.max_replica_count)) {
    return fmt::format("{} members, want {}", members, config.max_replica_count);
  }
  auto alive = [&](NodeId n) {
    return std::find(alive_nodes.begin(), alive_nodes.end(), n) != alive_nodes.end();
  };
  if (!alive(*config.primary)) return fmt::format("primary {} is not alive", *config.primary);
  for (NodeId s : config.secondaries) {
    if (!alive(s)) return fmt::format("secondary {} is not alive", s);
  }
  return std::nullopt;
}

namespace {

using Counts = std::map<NodeId, int>;

int Spread(const Counts& counts) {
  if (counts.empty()) return 0;
  auto [lo, hi] =
      std::minmax_element(counts.begin(), counts.end(),
                          [](const auto& a, const auto& b) { return a.second < b.second; });
  return hi->second - lo->second;
}

// edges[a][b] = the lowest partition index that can carry one unit of load from a to b.
using Edges = std::map<NodeId, std::map<NodeId, size_t>>;

struct Move {
  NodeId from;
  NodeId to;
  size_t partition = 0;
};

// Breadth-first from every node at `level` (in NodeId order) to the least loaded node it
// reaches at level - 2 or below in at most `max_len` moves (ties: fewer moves, then lower
// NodeId), along a shortest path.
// On a shortest chain every partition is distinct (two edges over one partition would make a
// shortcut), and every inner node gives one unit and takes one, so only the two ends change.
std::vector<Move> ChainFrom(const Edges& edges, const Counts& counts, int level, int max_len) {
  std::map<NodeId, Move> reached_by;  // node -> the edge it was first reached over
  std::map<NodeId, int> distance;
  std::deque<NodeId> queue;
  for (const auto& [node, count] : counts) {
    if (count == level) queue.push_back(node), distance[node] = 0;
  }
  std::optional<std::tuple<int, int, NodeId>> best;  // (count, distance, node)
  for (; !queue.empty(); queue.pop_front()) {
    const NodeId at = queue.front();
    const auto key = std::make_tuple(counts.at(at), distance.at(at), at);
    if (counts.at(at) <= level - 2 && distance.at(at) <= max_len && (!best || key < *best)) {
      best = key;
    }
    auto out = edges.find(at);
    if (out == edges.end()) continue;
    for (const auto& [to, partition] : out->second) {
      if (!distance.emplace(to, distance.at(at) + 1).second) continue;
      reached_by[to] = Move{.from = at, .to = to, .partition = partition};
      queue.push_back(to);
    }
  }
  if (!best) return {};
  std::vector<Move> chain;
  for (NodeId n = std::get<2>(*best); reached_by.contains(n); n = reached_by.at(n).from) {
    chain.push_back(reached_by.at(n));
  }
  std::reverse(chain.begin(), chain.end());
  PG_ASSERT_EQ(chain.size(), static_cast<size_t>(std::get<1>(*best)), "broken BFS tree");
  PG_ASSERT(!chain.empty(), "a source at level {} is its own target", level);
  return chain;
}

// The first chain of at most `max_len` moves found, trying the most loaded nodes first.
std::vector<Move> FindChain(const Edges& edges, const Counts& counts, int max_len) {
  // Counts cover the alive nodes, and a round runs only with one alive (SummarizeBalance).
  PG_ASSERT(!counts.empty(), "no node to balance");
  PG_ASSERT_GE(max_len, 1, "no budget left for a chain");
  std::set<int, std::greater<>> levels;
  for (const auto& [node, count] : counts) levels.insert(count);
  const int lowest = *levels.rbegin();
  for (int level : levels) {
    if (level - lowest < 2) break;
    if (auto chain = ChainFrom(edges, counts, level, max_len); !chain.empty()) return chain;
  }
  return {};
}

// One round's scratch view: the table as the proposals so far will leave it.
struct Round {
  std::vector<PartitionConfiguration> table;
  std::vector<bool> busy;  // partitions with a proposal this round: one action list each
  std::set<NodeId> alive;
  size_t max_moves = 0;
  std::vector<BalanceProposal> out;
};

Counts CountsOf(const Round& r, bool primaries_only) {
  Counts counts;
  for (NodeId n : r.alive) counts[n] = 0;
  for (const PartitionConfiguration& pc : r.table) {
    // A round starts healthy (every member alive) and its proposals keep it so.
    PG_ASSERT(pc.primary && r.alive.contains(*pc.primary), "{} has no alive primary", pc.gpid);
    counts.at(*pc.primary)++;
    if (primaries_only) continue;
    for (NodeId s : pc.secondaries) counts.at(s)++;
  }
  return counts;
}

// A -> B when a free partition has its primary on A and a secondary on B (a role swap).
Edges PrimaryEdges(const Round& r) {
  PG_ASSERT_EQ(r.busy.size(), r.table.size());
  Edges edges;
  for (size_t i = 0; i < r.table.size(); ++i) {
    if (r.busy[i]) continue;
    for (NodeId s : r.table[i].secondaries) edges[*r.table[i].primary].emplace(s, i);
  }
  return edges;
}

// A -> B when a free partition has a secondary on A and no replica on B (a copy).
Edges CopyEdges(const Round& r) {
  PG_ASSERT_EQ(r.busy.size(), r.table.size());
  Edges edges;
  for (size_t i = 0; i < r.table.size(); ++i) {
    if (r.busy[i]) continue;
    for (NodeId s : r.table[i].secondaries) {
      for (NodeId to : r.alive) {
        if (!IsMember(r.table[i], to)) edges[s].emplace(to, i);
      }
    }
  }
  return edges;
}

void Propose(Round& r, BalanceKind kind, const Move& move) {
  PG_ASSERT(!r.busy[move.partition], "partition {} proposed twice", r.table[move.partition].gpid);
  PG_ASSERT(r.alive.contains(move.to), "target {} is not alive", move.to);
  PartitionConfiguration& pc = r.table[move.partition];
  BalanceProposal p{
      .gpid = pc.gpid, .kind = kind, .from = move.from, .to = move.to, .ballot = pc.ballot};
  pc = ApplyBalanceProposal(pc, p);
  r.busy[move.partition] = true;
  r.out.push_back(p);
}

// Proposes whole chains while one fits in the budget and the spread is above one.
void RunChains(Round& r, BalanceKind kind) {
  const bool primaries = kind == BalanceKind::kMovePrimary;
  while (r.out.size() < r.max_moves) {
    const Counts counts = CountsOf(r, primaries);
    if (Spread(counts) <= 1) return;
    const int budget = static_cast<int>(r.max_moves - r.out.size());
    const auto chain = FindChain(primaries ? PrimaryEdges(r) : CopyEdges(r), counts, budget);
    if (chain.empty()) return;
    PG_ASSERT_LE(chain.size(), static_cast<size_t>(budget), "chain over budget");
    for (const Move& m : chain) Propose(r, kind, m);
  }
}

// No role swap lowers the primary spread: the least loaded node M is a member of none of the
// most loaded node X's primaries. Copy a secondary of one of them to M (Pegasus would
// copy_primary); the next round swaps roles X -> M. The secondary dropped is the one on the
// node with the most replicas, so that replica balance suffers least.
void EnablePrimaryMove(Round& r) {
  const Counts primaries = CountsOf(r, true);
  const Counts replicas = CountsOf(r, false);
  auto by_count = [](const auto& a, const auto& b) { return a.second < b.second; };
  const NodeId x = std::max_element(primaries.begin(), primaries.end(), by_count)->first;
  const NodeId m = std::min_element(primaries.begin(), primaries.end(), by_count)->first;
  PG_ASSERT_GE(primaries.at(x) - primaries.at(m), 2, "primaries are balanced");
  std::optional<Move> best;
  for (size_t i = 0; i < r.table.size(); ++i) {
    const PartitionConfiguration& pc = r.table[i];
    if (r.busy[i] || pc.primary != x || IsMember(pc, m)) continue;
    for (NodeId s : pc.secondaries) {
      if (!best || replicas.at(s) > replicas.at(best->from)) {
        best = Move{.from = s, .to = m, .partition = i};
      }
    }
  }
  PG_ASSERT(best.has_value(), "node {} has {} primaries, none movable to {}", x, primaries.at(x),
            m);
  Propose(r, BalanceKind::kCopySecondary, *best);
}

}  // namespace

BalanceSummary SummarizeBalance(const std::vector<PartitionConfiguration>& partitions,
                                const std::vector<NodeId>& alive_nodes) {
  BalanceSummary summary;
  for (NodeId n : alive_nodes) summary.loads[n] = NodeLoad{};
  if (alive_nodes.empty()) summary.unhealthy = "no alive node";
  for (const PartitionConfiguration& pc : partitions) {
    if (auto why = UnhealthyForBalance(pc, alive_nodes); why && !summary.unhealthy) {
      summary.unhealthy = fmt::format("partition {}: {}", pc.gpid, *why);
    }
    if (pc.primary && summary.loads.contains(*pc.primary)) {
      summary.loads[*pc.primary].primaries++;
      summary.loads[*pc.primary].replicas++;
    }
    for (NodeId s : pc.secondaries) {
      if (summary.loads.contains(s)) summary.loads[s].replicas++;
    }
  }
  Counts primaries, replicas;
  for (const auto& [node, load] : summary.loads) {
    primaries[node] = load.primaries;
    replicas[node] = load.replicas;
  }
  summary.primaries_balanced = Spread(primaries) <= 1;
  summary.replicas_balanced = Spread(replicas) <= 1;
  // Every alive node is listed, and nothing else: members on dead nodes are not counted.
  PG_ASSERT_LE(summary.loads.size(), alive_nodes.size());
  PG_ASSERT(!alive_nodes.empty() || summary.unhealthy, "no alive node, yet healthy");
  return summary;
}

std::vector<BalanceProposal> ProposeBalance(const std::vector<PartitionConfiguration>& partitions,
                                            const std::vector<NodeId>& alive_nodes,
                                            const BalancerOptions& options) {
  PG_ASSERT_GE(options.max_moves, 1, "a round must be allowed one move");
  const BalanceSummary summary = SummarizeBalance(partitions, alive_nodes);
  if (summary.unhealthy || summary.balanced()) return {};
  Round r{.table = partitions,
          .busy = std::vector<bool>(partitions.size(), false),
          .alive = std::set<NodeId>(alive_nodes.begin(), alive_nodes.end()),
          .max_moves = static_cast<size_t>(options.max_moves)};
  if (!summary.primaries_balanced) {
    RunChains(r, BalanceKind::kMovePrimary);
    if (r.out.empty()) EnablePrimaryMove(r);
    return std::move(r.out);
  }
  RunChains(r, BalanceKind::kCopySecondary);
  PG_ASSERT_LE(r.out.size(), r.max_moves, "over budget");
  return std::move(r.out);
}

PartitionConfiguration ApplyBalanceProposal(const PartitionConfiguration& config,
                                            const BalanceProposal& proposal) {
  PG_ASSERT_EQ(config.gpid, proposal.gpid, "proposal for another partition");
  PG_ASSERT_EQ(config.ballot, proposal.ballot, "stale proposal for {}", config.gpid);
  PartitionConfiguration next = config;
  next.ballot = Ballot(config.ballot.value() + 2);
  switch (proposal.kind) {
    case BalanceKind::kMovePrimary:
      PG_ASSERT(config.primary == proposal.from, "{}: {} is not the primary", config.gpid,
                proposal.from);
      PG_ASSERT(IsSecondary(config, proposal.to), "{}: {} is not a secondary", config.gpid,
                proposal.to);
      // CT_DOWNGRADE_TO_SECONDARY appends the old primary; CT_UPGRADE_TO_PRIMARY takes `to` out.
      std::erase(next.secondaries, proposal.to);
      next.secondaries.push_back(proposal.from);
      next.primary = proposal.to;
      break;
    case BalanceKind::kCopySecondary:
      PG_ASSERT(IsSecondary(config, proposal.from), "{}: {} is not a secondary", config.gpid,
                proposal.from);
      PG_ASSERT(!IsMember(config, proposal.to), "{}: {} is already a member", config.gpid,
                proposal.to);
      next.secondaries.push_back(proposal.to);
      std::erase(next.secondaries, proposal.from);
      next.last_drops.push_back(proposal.from);
      if (next.last_drops.size() > kMaxLastDrops) next.last_drops.erase(next.last_drops.begin());
      break;
  }
  PG_ASSERT(!ConfigProblem(next), "{}", *ConfigProblem(next));
  return next;
}

}  // namespace pg
