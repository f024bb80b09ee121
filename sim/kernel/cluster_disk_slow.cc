// Time on a node's disk: its appends' completions in one queue, the storage engine's own I/O
// charged to that queue as busy time (DiskLatency::engine_mb_per_s), and a fail-slow disk
// (DiskSlow, cluster_config.h) whose appends complete late, or not until the window ends, while
// its process and network run on; the fault API that opens and ends a window. Nothing here draws
// randomness: a slow window scales or holds the latencies the "disk" stream drew anyway, so a run
// without one draws and traces exactly as before.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "sim/kernel/cluster.h"
#include "sim/kernel/cluster_impl.h"

namespace pg::sim {
namespace {
// A coverage mark the kernel sets itself: no node can see its disk's queue.
constexpr const char* kAppendBehindEngineIo = "disk.append_behind_engine_io";
}  // namespace

Cluster::Impl::Event& Cluster::Impl::AppendCompletion(NodeState& ns, NodeId id, Duration latency) {
  if (ns.disk_slow && ns.disk_slow->slow.stall) {
    effects.Add(ns.disk_slow->fault);  // held: it cannot complete before the window ends
    Event& held = ns.stalled.emplace_back(kernel::NodeState::StalledAppend{latency, Event{}}).event;
    held.kind = kernel::EventKind::kInput;
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
  // Coverage: the engine's I/O held this append back (the knob bit).
  if (ns.engine_busy_until > now + latency) RecordMark(id, kAppendBehindEngineIo);
  // One queue per disk: completions come back in submission order, like a log writer's.
  ns.disk_floor = std::max(ns.disk_floor, now + latency);
  return NewEvent(ns.disk_floor, kernel::EventKind::kInput, id, ns.incarnation);
}

Duration Cluster::Impl::ChargeEngineIo(NodeState& ns) {
  const SimDisk::EngineIo io = ns.disk.TakeEngineIo();
  if (disk_latency.engine_mb_per_s <= 0 || (io.bytes == 0 && io.syncs == 0)) return Duration();
  // bytes / (MB/s) seconds: bytes * 1000 / (MB/s) nanoseconds.
  double cost_ns = static_cast<double>(io.bytes) * 1e3 / disk_latency.engine_mb_per_s +
                   static_cast<double>(io.syncs) * static_cast<double>(disk_latency.sync_mean.ns());
  if (ns.disk_slow && !ns.disk_slow->slow.stall) cost_ns *= ns.disk_slow->slow.factor;
  const Duration cost = Duration::Nanos(std::llround(cost_ns));
  if (cost <= Duration()) return Duration();
  if (ns.disk_slow) effects.Add(ns.disk_slow->fault);
  if (ns.disk_slow && ns.disk_slow->slow.stall) {
    ns.stalled_engine_busy = ns.stalled_engine_busy + cost;
  } else {
    ns.disk_floor = std::max(ns.disk_floor, now) + cost;
    ns.engine_busy_until = ns.disk_floor;
  }
  return cost;
}

void Cluster::Impl::ReleaseStalled(NodeState& ns) {
  // The engine's busy time first, then each held append its own latency after the end: the
  // stalled queue drains in the order it filled, after whatever the disk had in hand before.
  if (ns.stalled_engine_busy > Duration()) {
    ns.disk_floor = std::max(ns.disk_floor, now) + ns.stalled_engine_busy;
    ns.engine_busy_until = ns.disk_floor;
    ns.stalled_engine_busy = Duration();
  }
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
