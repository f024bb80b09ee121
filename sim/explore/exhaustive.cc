#include "sim/explore/exhaustive.h"

#include <memory>

#include "core/proto/codec.h"
#include "sim/kernel/trace.h"

namespace pg::sim {
namespace {

// One input as a word of a node's input-sequence digest. Times are left out on purpose (see the
// header): the explorer identifies states up to timing.
uint64_t InputWord(const Input& input) {
  std::string bytes;
  Encoder enc(&bytes);
  enc.Put(static_cast<uint64_t>(input.index()));
  if (const auto* r = std::get_if<Receive>(&input)) {
    enc.Put(static_cast<uint64_t>(r->from.value()));
    enc.Put(r->msg);
  } else if (const auto* t = std::get_if<TimerFired>(&input)) {
    enc.Put(static_cast<uint64_t>(t->timer.value()));
  } else if (const auto* a = std::get_if<LogAppended>(&input)) {
    enc.Put(a->file);
    enc.Put(a->token);
  } else if (const auto* f = std::get_if<LogFailed>(&input)) {
    enc.Put(f->file);
    enc.Put(f->token);
  }
  return HashBytes(bytes, 0);
}

}  // namespace

ExhaustivePolicy::ExhaustivePolicy(std::vector<uint32_t> prefix, size_t max_choices,
                                   std::set<uint64_t>* visited)
    : prefix_(std::move(prefix)), max_choices_(max_choices), visited_(visited) {}

void ExhaustivePolicy::Attach(Cluster& cluster) {
  node_digest_.assign(cluster.node_count(), {0, 0});
  cluster.SetEventObserver([this, &cluster](uint64_t, Time, NodeId node, const Input& input) {
    auto& [incarnation, digest] = node_digest_[node.value()];
    const uint64_t now_incarnation = cluster.incarnation(node);
    if (incarnation != now_incarnation) {
      incarnation = now_incarnation;
      digest = 0;
    }
    digest = FoldWord(digest, InputWord(input));
  });
}

uint64_t ExhaustivePolicy::StateDigest(const Cluster& cluster, uint64_t in_flight_digest) const {
  uint64_t h = FoldWord(in_flight_digest, cluster.fault_log().size());
  h = FoldWord(h, cluster.history().size());
  for (size_t i = 0; i < node_digest_.size(); ++i) {
    const NodeId id(static_cast<uint32_t>(i));
    h = FoldWord(h, cluster.is_up(id) ? cluster.incarnation(id) : 0);
    h = FoldWord(h, node_digest_[i].first == cluster.incarnation(id) ? node_digest_[i].second : 0);
  }
  return h;
}

size_t ExhaustivePolicy::Choose(const Cluster& cluster, const DeliveryChoice& choice) {
  const size_t options = choice.candidates.size();
  if (options < 2 || points_.size() >= max_choices_) return 0;
  const size_t index = points_.size();
  if (index >= prefix_.size() && visited_ != nullptr &&
      !visited_->insert(StateDigest(cluster, choice.in_flight_digest)).second) {
    halted_ = true;
    return 0;
  }
  uint32_t pick = index < prefix_.size() ? prefix_[index] : 0;
  if (pick >= options) {
    diverged_ = true;
    pick = 0;
  }
  points_.push_back({pick, static_cast<uint32_t>(options)});
  return pick;
}

ExhaustiveResult ExploreExhaustive(const Knobs& knobs, const ExhaustiveOptions& options) {
  ExhaustiveResult result;
  std::set<uint64_t> visited;
  std::vector<uint32_t> prefix;
  while (result.runs < options.max_runs) {
    auto policy = std::make_shared<ExhaustivePolicy>(prefix, options.max_choices,
                                                     options.state_hashing ? &visited : nullptr);
    RunOptions run{.checker_timeout_s = 10,
                   .system_override = options.system_override,
                   .delivery_policy = policy};
    const RunOutcome outcome = RunKnobs(knobs, run);
    ++result.runs;
    if (policy->halted()) ++result.pruned_runs;
    std::vector<ChoicePoint> points = policy->points();
    result.deepest = std::max(result.deepest, points.size());
    if (outcome.failed()) {
      result.failure = outcome.failure;
      for (const ChoicePoint& p : points) result.failing_choices.push_back(p.chosen);
      break;
    }
    // Depth-first backtracking: the deepest choice point with an untried option.
    while (!points.empty() && points.back().chosen + 1 >= points.back().options) points.pop_back();
    if (points.empty()) {
      result.exhausted = true;
      break;
    }
    prefix.clear();
    for (const ChoicePoint& p : points) prefix.push_back(p.chosen);
    ++prefix.back();
  }
  result.states = visited.size();
  return result;
}

RunOutcome ReplayChoices(const Knobs& knobs, const std::vector<uint32_t>& choices,
                         const SystemBuilder& system_override) {
  auto policy = std::make_shared<ExhaustivePolicy>(choices, choices.size(), nullptr);
  return RunKnobs(
      knobs,
      {.checker_timeout_s = 10, .system_override = system_override, .delivery_policy = policy});
}

}  // namespace pg::sim
