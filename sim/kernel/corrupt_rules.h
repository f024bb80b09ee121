#pragma once
// The corruption rules in force (CorruptSpec, cluster_config.h): which message departing now is
// damaged, by which rule, and how many bits it flips. Kept apart from the Network's delivery
// rules: a rule decides only whether a frame is damaged, never when or whether it arrives.
#include <cstdint>
#include <map>
#include <optional>

#include "core/common/rng.h"
#include "sim/kernel/cluster_config.h"

namespace pg::sim {

class CorruptRules {
 public:
  CorruptId Add(const CorruptSpec& spec);
  // False when `id` is not in force.
  bool End(CorruptId id);
  // How many were in force.
  size_t Clear();
  bool empty() const { return rules_.empty(); }

  struct Hit {
    CorruptId rule = 0;
    uint32_t bits = 0;  // in [1, the rule's bits_max]
  };
  // Whether a message of class `cls` departing `from` for `to` is damaged. Every rule that covers
  // it draws its chance from `rng`, in the order the rules were added (so one rule's draws do not
  // depend on another's outcome); the earliest that hits damages it and draws its bit count.
  std::optional<Hit> Draw(NodeId from, NodeId to, MessageClass cls, Rng& rng) const;

 private:
  std::map<CorruptId, CorruptSpec> rules_;
  CorruptId next_ = 1;
};

}  // namespace pg::sim
