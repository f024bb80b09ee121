// The Cluster's public surface for building, running, checking and observing; the work is done in
// cluster.cc and cluster_network.cc (events) and cluster_faults.cc (faults).
#include <fmt/format.h>

#include "sim/kernel/cluster.h"
#include "sim/kernel/cluster_impl.h"

namespace pg::sim {

Cluster::Cluster(ClusterOptions options) : impl_(std::make_unique<Impl>(this, options)) {}
Cluster::~Cluster() {
  // Nodes go first, while the rest of the cluster is whole: closing a node's engines may still
  // read its clock (LocalTime) or touch its disk.
  for (auto& ns : impl_->nodes) ns->node.reset();
}

NodeId Cluster::AddNode(std::string name, NodeFactory factory, ClockConfig clock) {
  return impl_->AddNode(std::move(name), std::move(factory), clock);
}

void Cluster::Start() {
  if (impl_->options.delivery_policy && !impl_->policy_attached) {
    impl_->policy_attached = true;
    impl_->options.delivery_policy->Attach(*this);
  }
  for (size_t i = 0; i < impl_->nodes.size(); ++i) {
    const Impl::NodeState& ns = *impl_->nodes[i];
    if (ns.incarnation == 0 && !ns.node) impl_->BootNode(NodeId(static_cast<uint32_t>(i)));
  }
}

bool Cluster::Step() {
  while (!impl_->failure && !impl_->Halted() && !impl_->queue.empty()) {
    if (impl_->ExecuteNext()) return !impl_->failure;
  }
  return false;
}

// A failed run stays at the time of its failure, so now() and the verdict's sim time agree.
void Cluster::RunUntil(Time t) {
  while (!impl_->failure && !impl_->Halted() && !impl_->queue.empty() &&
         impl_->queue.PeekTime() <= t) {
    impl_->ExecuteNext();
  }
  if (!impl_->failure && !impl_->Halted() && t > impl_->now) impl_->now = t;
}

Time Cluster::now() const { return impl_->now; }
std::optional<NodeId> Cluster::stepped_node() const { return impl_->stepped; }
uint64_t Cluster::events() const { return impl_->events; }

void Cluster::Schedule(Time at, std::string label, std::function<void(Cluster&)> action) {
  const uint64_t id = impl_->next_action++;
  impl_->actions.emplace(id, kernel::ScheduledAction{std::move(label), std::move(action)});
  // An action asked for the past runs now: time never goes back.
  impl_->NewEvent(std::max(at, impl_->now), kernel::EventKind::kAction, NodeId(), 0).action = id;
}

void Cluster::AddInvariant(std::string name, Invariant check) {
  impl_->invariants.emplace_back(std::move(name), std::move(check));
}

void Cluster::SetLivenessCondition(LivenessCondition condition) {
  impl_->liveness = std::move(condition);
}

const Cluster::LivenessCondition& Cluster::liveness_condition() const { return impl_->liveness; }

const std::optional<Failure>& Cluster::failure() const { return impl_->failure; }

void Cluster::Fail(std::string kind, std::string detail) {
  impl_->SetFailure(std::move(kind), std::move(detail));
}

size_t Cluster::node_count() const { return impl_->nodes.size(); }

const std::string& Cluster::name(NodeId node) const {
  static const std::string kUnknown = "?";
  return impl_->Valid(node) ? impl_->nodes[node.value()]->name : kUnknown;
}

std::optional<NodeId> Cluster::FindNode(const std::string& name) const {
  auto it = impl_->by_name.find(name);
  if (it == impl_->by_name.end()) return std::nullopt;
  return it->second;
}

bool Cluster::is_up(NodeId node) const {
  return impl_->Valid(node) && impl_->nodes[node.value()]->node != nullptr;
}

bool Cluster::is_paused(NodeId node) const {
  return impl_->Valid(node) && impl_->nodes[node.value()]->paused;
}

Time Cluster::SessionsStalledUntil() const { return impl_->network.LatestStallFloor(); }

Time Cluster::LocalTime(NodeId node) const {
  if (!impl_->Valid(node)) return impl_->now;
  return impl_->nodes[node.value()]->clock.Local(impl_->now);
}

Duration Cluster::MaxClockSkew(NodeId node) const {
  return impl_->Valid(node) ? impl_->nodes[node.value()]->max_skew : Duration();
}

const Node* Cluster::node(NodeId node) const {
  return impl_->Valid(node) ? impl_->nodes[node.value()]->node.get() : nullptr;
}

Node* Cluster::mutable_node(NodeId node) {
  return impl_->Valid(node) ? impl_->nodes[node.value()]->node.get() : nullptr;
}

uint64_t Cluster::trace_hash() const { return impl_->trace.hash(); }
const std::vector<TraceLine>& Cluster::trace() const { return impl_->trace.lines(); }
const std::vector<RecordedOp>& Cluster::history() const { return impl_->history; }
const std::set<std::string>& Cluster::marks() const { return impl_->marks; }

const std::vector<std::pair<Time, std::string>>& Cluster::fault_log() const {
  return impl_->fault_log;
}

std::vector<uint64_t> Cluster::fault_effects() const {
  // Errors a disk failed outside any event (a test calling Restart directly) are counted now.
  impl_->CountDiskErrors();
  return impl_->effects.counts();
}

const std::map<std::string, std::set<FaultIndex>>& Cluster::mark_faults() const {
  return impl_->effects.mark_faults();
}

Rng& Cluster::stream(const std::string& name) { return impl_->Stream(name); }

void Cluster::SetEventObserver(EventObserver observer) { impl_->observer = std::move(observer); }
void Cluster::AddEventObserver(EventObserver observer) {
  impl_->more_observers.push_back(std::move(observer));
}
void Cluster::SetExitObserver(ExitObserver observer) { impl_->exit_observer = std::move(observer); }

SimDisk& Cluster::disk(NodeId node) {
  PG_ASSERT(impl_->Valid(node), "disk({}) of a cluster with {} nodes", node, impl_->nodes.size());
  return impl_->nodes[node.value()]->disk;
}

const SimDisk& Cluster::disk(NodeId node) const {
  PG_ASSERT(impl_->Valid(node), "disk({}) of a cluster with {} nodes", node, impl_->nodes.size());
  return impl_->nodes[node.value()]->disk;
}

uint64_t Cluster::disk_generation(NodeId node) const {
  PG_ASSERT(impl_->Valid(node), "disk_generation({}) of a cluster with {} nodes", node,
            impl_->nodes.size());
  return impl_->nodes[node.value()]->disk.generation();
}

uint64_t Cluster::incarnation(NodeId node) const {
  return impl_->Valid(node) ? impl_->nodes[node.value()]->incarnation : 0;
}

bool Cluster::Partitioned(NodeId from, NodeId to) const {
  return impl_->Valid(from) && impl_->Valid(to) && impl_->network.Cuts(from, to);
}

const NetworkStats& Cluster::network_stats() const { return impl_->stats; }
size_t Cluster::pending_events() const { return impl_->queue.size(); }

}  // namespace pg::sim
