#pragma once
// Bounded exhaustive exploration of delivery interleavings (stateless model checking).
//
// A run's only nondeterminism left to explore is which in-flight message is delivered at each
// delivery tick (sim/kernel/delivery_policy.h); every other draw is fixed by the seed. A CHOICE
// POINT is a tick with two or more busy links. The explorer runs the scenario again and again from
// the start, each time forcing a prefix of choices and taking the first candidate after it, and
// walks the tree of choice sequences depth first, up to `max_choices` choice points per run (later
// ticks take the first candidate and do not branch).
//
// State hashing: at each choice point beyond the forced prefix the state is hashed; a state seen
// before ends the run there (its subtree is explored from where it was first seen). A node's state
// is identified by the sequence of inputs it has stepped since it was built (nodes are
// deterministic, so equal sequences mean equal states), with its incarnation; the global state adds
// every in-flight message, the faults applied and the history's length. Timing is abstracted away:
// two interleavings that hand every node the same inputs in the same order are one state. (Bounding
// and caching together may cut a state first seen deep with little budget left: "exhausted" means
// exhausted within the bound.)
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/driver/runner.h"

namespace pg::sim {

struct ChoicePoint {
  uint32_t chosen = 0;
  uint32_t options = 0;
};

// Forces `prefix`, then takes candidate 0; records every choice point up to max_choices.
class ExhaustivePolicy final : public DeliveryPolicy {
 public:
  // `visited` may be null (no state hashing, e.g. a replay).
  ExhaustivePolicy(std::vector<uint32_t> prefix, size_t max_choices, std::set<uint64_t>* visited);
  void Attach(Cluster& cluster) override;
  size_t Choose(const Cluster& cluster, const DeliveryChoice& choice) override;
  bool halted() const override { return halted_; }

  const std::vector<ChoicePoint>& points() const { return points_; }
  // True when a forced choice was out of range (the scenario is not the one the prefix came from).
  bool diverged() const { return diverged_; }

 private:
  uint64_t StateDigest(const Cluster& cluster, uint64_t in_flight_digest) const;

  std::vector<uint32_t> prefix_;
  size_t max_choices_;
  std::set<uint64_t>* visited_;
  std::vector<ChoicePoint> points_;
  // Per node: incarnation and the digest of the inputs stepped since that incarnation was built.
  std::vector<std::pair<uint64_t, uint64_t>> node_digest_;
  bool halted_ = false;
  bool diverged_ = false;
};

struct ExhaustiveOptions {
  size_t max_choices = 10;  // choice points explored per run
  uint64_t max_runs = 100'000;
  bool state_hashing = true;
  SystemBuilder system_override;  // tests plant bugs through it
};

struct ExhaustiveResult {
  uint64_t runs = 0;
  uint64_t pruned_runs = 0;  // runs ended early at a visited state
  uint64_t states = 0;       // distinct states hashed at choice points
  size_t deepest = 0;        // most choice points one run had (capped at max_choices)
  bool exhausted = false;    // every choice sequence within the bound was explored
  // The first violation: its failure and the choices that replay it (ReplayChoices).
  std::optional<Failure> failure;
  std::vector<uint32_t> failing_choices;
};

ExhaustiveResult ExploreExhaustive(const Knobs& knobs, const ExhaustiveOptions& options);

// Re-runs one choice sequence (no pruning), e.g. a violation ExploreExhaustive reported.
RunOutcome ReplayChoices(const Knobs& knobs, const std::vector<uint32_t>& choices,
                         const SystemBuilder& system_override = {});

}  // namespace pg::sim
