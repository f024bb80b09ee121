#pragma once
// Helpers for the balancer tests: a meta that carries every proposal out at once, and a check of
// one round's proposals against the rules of core/meta/balancer.h.
#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/meta/balancer.h"
#include "core/meta/partition_table.h"

namespace pg::testing {

inline std::vector<NodeId> Nodes(uint32_t from, uint32_t to) {
  std::vector<NodeId> v;
  for (uint32_t i = from; i < to; ++i) v.push_back(NodeId(i));
  return v;
}

// Partition i of the table is at index i (as meta keeps it).
inline void Apply(std::vector<PartitionConfiguration>& table,
                  const std::vector<BalanceProposal>& ps) {
  for (const BalanceProposal& p : ps) {
    PartitionConfiguration& pc = table.at(p.gpid.partition_index);
    pc = ApplyBalanceProposal(pc, p);
  }
}

// Checks one round's proposals against the table they were computed from; returns the problem.
inline std::optional<std::string> RoundProblem(const std::vector<PartitionConfiguration>& table,
                                               const std::vector<NodeId>& alive,
                                               const std::vector<BalanceProposal>& ps,
                                               int max_moves) {
  if (ps.size() > static_cast<size_t>(max_moves)) return "over budget";
  std::set<Gpid> seen;
  for (const BalanceProposal& p : ps) {
    const PartitionConfiguration& pc = table.at(p.gpid.partition_index);
    if (!seen.insert(p.gpid).second) return fmt::format("{} proposed twice", p.gpid);
    if (p.ballot != pc.ballot) return fmt::format("{} ballot {}", p.gpid, p.ballot);
    if (std::find(alive.begin(), alive.end(), p.to) == alive.end()) return "dead target";
    const bool ok = p.kind == BalanceKind::kMovePrimary
                        ? pc.primary == p.from && IsSecondary(pc, p.to)
                        : IsSecondary(pc, p.from) && !IsMember(pc, p.to);
    if (!ok) return fmt::format("{} {} {} -> {}", p.gpid, BalanceKindName(p.kind), p.from, p.to);
  }
  return std::nullopt;
}

}  // namespace pg::testing
