#pragma once
// The delivery policies a scenario's "scheduler" section names (docs/scenarios.md):
//  - "timed" (the default): no policy; messages arrive at their drawn delivery times.
//  - "random": at every delivery tick, a uniformly random busy link delivers its oldest message.
//  - "pct": Burckhardt et al.'s PCT (ASPLOS 2010) over links: each link gets a random priority
//    in [depth, depth + 1) when it first carries a message; every tick delivers the oldest message
//    of the highest-priority busy link; at depth - 1 change points, drawn uniformly from ticks
//    1..steps, the link about to deliver drops to priority i (the i-th change point), below every
//    initial priority. A bug that needs d ordering constraints among n links over k ticks is hit
//    with probability at least 1 / (n k^(d-1)) per run.
// Every policy draws only from its own "schedule" stream of the run's seed, so choosing a policy
// shifts no other draw, and a seed gives the same schedule every time.
#include <cstdint>
#include <map>
#include <memory>
#include <utility>

#include "sim/kernel/delivery_policy.h"
#include "sim/kernel/rng.h"
#include "sim/kernel/scheduler_config.h"

namespace pg::sim {

// Null for "timed".
std::shared_ptr<DeliveryPolicy> MakeDeliveryPolicy(const SchedulerConfig& config, uint64_t seed);

class RandomPolicy final : public DeliveryPolicy {
 public:
  explicit RandomPolicy(uint64_t seed);
  size_t Choose(const Cluster& cluster, const DeliveryChoice& choice) override;

 private:
  Xoshiro256 rng_;
};

class PctPolicy final : public DeliveryPolicy {
 public:
  PctPolicy(int depth, int64_t steps, uint64_t seed);
  size_t Choose(const Cluster& cluster, const DeliveryChoice& choice) override;

  // Ticks seen so far, and how many change points have fired (tests read them).
  uint64_t step() const { return step_; }
  int changes_fired() const { return changes_fired_; }

 private:
  using Link = std::pair<uint32_t, uint32_t>;
  double Priority(const DeliveryCandidate& c);
  size_t Highest(const DeliveryChoice& choice);

  int depth_;
  Xoshiro256 rng_;
  std::map<Link, double> priority_;
  // Tick number -> the low priority the link delivering at that tick drops to (1..depth-1).
  std::map<uint64_t, double> change_points_;
  uint64_t step_ = 0;
  int changes_fired_ = 0;
};

}  // namespace pg::sim
