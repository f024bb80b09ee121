#include "sim/kernel/corrupt_rules.h"

#include <algorithm>

namespace pg::sim {
namespace {

bool CorruptRuleCovers(const CorruptSpec& r, NodeId from, NodeId to, MessageClass cls) {
  if (r.message_class && *r.message_class != cls) return false;
  if (r.from && r.to) return *r.from == from && *r.to == to;
  if (r.node) return *r.node == from || *r.node == to;
  return true;
}

}  // namespace

CorruptId CorruptRules::Add(const CorruptSpec& spec) {
  const CorruptId id = next_++;
  rules_.emplace(id, spec);
  return id;
}

bool CorruptRules::End(CorruptId id) { return rules_.erase(id) > 0; }

size_t CorruptRules::Clear() {
  const size_t n = rules_.size();
  rules_.clear();
  return n;
}

std::optional<CorruptRules::Hit> CorruptRules::Draw(NodeId from, NodeId to, MessageClass cls,
                                                    Rng& rng) const {
  std::optional<Hit> hit;
  for (const auto& [id, r] : rules_) {
    if (!CorruptRuleCovers(r, from, to, cls) || !rng.Chance(r.probability)) continue;
    if (!hit) hit = Hit{.rule = id, .bits = 0};
  }
  if (!hit) return std::nullopt;
  const uint32_t bits_max = std::max<uint32_t>(rules_.at(hit->rule).bits_max, 1);
  hit->bits = 1 + static_cast<uint32_t>(rng.Uniform(bits_max));
  return hit;
}

}  // namespace pg::sim
