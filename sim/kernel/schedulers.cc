#include "sim/kernel/schedulers.h"

#include "core/common/assert.h"

namespace pg::sim {

std::shared_ptr<DeliveryPolicy> MakeDeliveryPolicy(const SchedulerConfig& config, uint64_t seed) {
  if (config.kind == "random") return std::make_shared<RandomPolicy>(seed);
  if (config.kind == "pct") return std::make_shared<PctPolicy>(config.depth, config.steps, seed);
  PG_ASSERT(config.kind == "timed", "unknown scheduler kind {}", config.kind);
  return nullptr;
}

RandomPolicy::RandomPolicy(uint64_t seed) : rng_(Xoshiro256::ForkStream(seed, "schedule")) {}

size_t RandomPolicy::Choose(const Cluster&, const DeliveryChoice& choice) {
  return static_cast<size_t>(rng_.Uniform(choice.candidates.size()));
}

PctPolicy::PctPolicy(int depth, int64_t steps, uint64_t seed)
    : depth_(depth), rng_(Xoshiro256::ForkStream(seed, "schedule")) {
  PG_ASSERT_GE(depth, 1);
  PG_ASSERT_GE(steps, 1);
  // Change point i (1..depth-1) lowers to priority i; two that draw the same tick keep the first.
  for (int i = 1; i < depth; ++i) {
    const uint64_t at = 1 + rng_.Uniform(static_cast<uint64_t>(steps));
    change_points_.emplace(at, static_cast<double>(i));
  }
}

double PctPolicy::Priority(const DeliveryCandidate& c) {
  const Link link{c.from.value(), c.to.value()};
  auto it = priority_.find(link);
  if (it == priority_.end()) {
    it = priority_.emplace(link, static_cast<double>(depth_) + rng_.NextDouble()).first;
  }
  return it->second;
}

// Candidates come in link order and new links draw in that order, so ties (probability zero) and
// draws are both deterministic.
size_t PctPolicy::Highest(const DeliveryChoice& choice) {
  size_t best = 0;
  double best_priority = Priority(choice.candidates[0]);
  for (size_t i = 1; i < choice.candidates.size(); ++i) {
    const double p = Priority(choice.candidates[i]);
    if (p > best_priority) {
      best = i;
      best_priority = p;
    }
  }
  return best;
}

size_t PctPolicy::Choose(const Cluster&, const DeliveryChoice& choice) {
  ++step_;
  size_t pick = Highest(choice);
  if (auto it = change_points_.find(step_); it != change_points_.end()) {
    const DeliveryCandidate& c = choice.candidates[pick];
    priority_[{c.from.value(), c.to.value()}] = it->second;
    ++changes_fired_;
    pick = Highest(choice);  // the step goes to whichever link now ranks first
  }
  return pick;
}

}  // namespace pg::sim
