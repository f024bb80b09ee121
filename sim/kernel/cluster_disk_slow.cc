// A fail-slow disk (DiskSlow, cluster_config.h): the node's appends complete late, or not until
// the window ends, while its process and network run on. What a slow disk does to an append's
// completion, and the fault API that opens and ends a window. Nothing here draws randomness: a
// slow window scales or holds the latencies the "disk" stream drew anyway, so a run without one
// draws and traces exactly as before.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "sim/kernel/cluster.h"
#include "sim/kernel/cluster_impl.h"

namespace pg::sim {

Cluster::Impl::Event& Cluster::Impl::AppendCompletion(NodeState& ns, NodeId id, Duration latency) {
  if (ns.disk_slow && ns.disk_slow->slow.stall) {
    effects.Add(ns.disk_slow->fault);  // held: it cannot complete before the window ends
    Event& held = ns.stalled.emplace_back(kernel::NodeState::StalledAppend{latency, Event{}}).event;
    held.kind = EventKind::kInput;
    held.node = id;
    held.incarnation = ns.incarnation;
    return held;
  }
  if (ns.disk_slow) {
    const auto scaled = static_cast<int64_t>(
        std::llround(static_cast<double>(latency.ns()) * ns.disk_slow->slow.factor));
    const Duration slowed = Duration::Nanos(scaled);
    if (slowed > latency) effects.Add(ns.disk_slow->fault);  // a zero latency stays zero
    latency = slowed;
  }
  // One queue per disk: completions come back in submission order, like a log writer's.
  ns.disk_floor = std::max(ns.disk_floor, now + latency);
  return NewEvent(ns.disk_floor, EventKind::kInput, id, ns.incarnation);
}

void Cluster::Impl::ReleaseStalled(NodeState& ns) {
  // Behind the disk's backlog, each its own latency after the end: the stalled queue drains in
  // the order it filled, after whatever the disk had in hand before the stall.
  for (auto& held : ns.stalled) {
    ns.disk_floor = std::max(ns.disk_floor, now + held.latency);
    queue.Push(ns.disk_floor, std::move(held.event));
  }
  ns.stalled.clear();
}

bool Cluster::has_disk_slow(NodeId node) const {
  return impl_->Valid(node) && impl_->nodes[node.value()]->disk_slow.has_value();
}

void Cluster::SetNodeDiskSlow(NodeId node, std::optional<DiskSlow> slow) {
  if (!impl_->Valid(node)) {
    return impl_->LogFault(fmt::format("disk slow of {} ignored: unknown node", node));
  }
  Impl::NodeState& ns = *impl_->nodes[node.value()];
  if (!slow) {
    const bool had_window = ns.disk_slow.has_value();
    ns.disk_slow.reset();
    impl_->ReleaseStalled(ns);
    impl_->LogFault(fmt::format("disk slow on {} end", ns.name));
    impl_->TookEffect(had_window ? 1 : 0);
    return;
  }
  slow->factor = std::max(slow->factor, 1.0);
  impl_->LogFault(slow->stall ? fmt::format("disk slow on {}: stalled", ns.name)
                              : fmt::format("disk slow on {}: factor {}", ns.name, slow->factor));
  ns.disk_slow = kernel::NodeState::SlowWindow{.slow = *slow, .fault = impl_->LastFault()};
  if (!slow->stall) impl_->ReleaseStalled(ns);  // a stall replaced by a factor is over
}

}  // namespace pg::sim
