// The Cluster's fault API. Each call takes effect at now() and appends one line to fault_log()
// (also folded into the trace hash). Calls a scenario could make wrongly (an unknown node,
// crashing a node that is down, healing a healed partition) are logged as ignored, never asserted.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "sim/kernel/cluster.h"
#include "sim/kernel/cluster_impl.h"

namespace pg::sim {
namespace {
std::string LinkText(const LinkConfig& c) {
  std::string text =
      fmt::format("latency {}..{} drop {} duplicate {} reorder {}", c.latency_min, c.latency_mean,
                  c.drop_probability, c.duplicate_probability, c.reorder_probability);
  // Only when set, so the traces of runs without stragglers keep their hashes.
  if (c.straggle_max > Duration()) text += fmt::format(" straggle {}", c.straggle_max);
  return text;
}
}  // namespace

void Cluster::Crash(NodeId node, CrashMode mode) {
  const char* mode_name = mode == CrashMode::kMachine ? "machine" : "process";
  if (!impl_->Valid(node)) {
    return impl_->LogFault(fmt::format("crash of unknown node {} ignored", node));
  }
  Impl::NodeState& ns = *impl_->nodes[node.value()];
  if (!ns.node) return impl_->LogFault(fmt::format("crash {} ignored: already down", ns.name));
  impl_->LogFault(fmt::format("crash {} ({})", ns.name, mode_name));
  impl_->TookEffect();  // a live process went down
  impl_->Crash(node, mode);
}

void Cluster::Restart(NodeId node) {
  if (!impl_->Valid(node)) {
    return impl_->LogFault(fmt::format("restart of unknown node {} ignored", node));
  }
  Impl::NodeState& ns = *impl_->nodes[node.value()];
  if (ns.node) return impl_->LogFault(fmt::format("restart {} ignored: already up", ns.name));
  impl_->LogFault(fmt::format("restart {}", ns.name));
  impl_->TookEffect();
  impl_->BootNode(node);
}

void Cluster::Pause(NodeId node, PauseClock clock) {
  if (!impl_->Valid(node)) {
    return impl_->LogFault(fmt::format("pause of unknown node {} ignored", node));
  }
  Impl::NodeState& ns = *impl_->nodes[node.value()];
  if (!ns.node || ns.paused) {
    return impl_->LogFault(
        fmt::format("pause {} ignored: {}", ns.name, ns.node ? "already paused" : "down"));
  }
  const bool frozen = clock == PauseClock::kFrozen;
  impl_->LogFault(frozen ? fmt::format("pause and freeze clock of {}", ns.name)
                         : fmt::format("pause {}", ns.name));
  impl_->TookEffect();
  ns.paused = true;
  if (frozen) ns.clock.Freeze(impl_->now);
}

void Cluster::Resume(NodeId node) {
  if (!impl_->Valid(node)) {
    return impl_->LogFault(fmt::format("resume of unknown node {} ignored", node));
  }
  Impl::NodeState& ns = *impl_->nodes[node.value()];
  if (!ns.paused) return impl_->LogFault(fmt::format("resume {} ignored: not paused", ns.name));
  std::string clock;
  if (ns.clock.frozen()) clock = fmt::format(", clock behind by {}", ns.clock.Thaw(impl_->now));
  impl_->LogFault(fmt::format("resume {} ({} waiting inputs{})", ns.name, ns.parked.size(), clock));
  impl_->TookEffect();
  ns.paused = false;
  impl_->ScheduleDrain(ns, node);
}

void Cluster::JumpClock(NodeId node, Duration by) {
  if (!impl_->Valid(node)) {
    return impl_->LogFault(fmt::format("clock jump of unknown node {} ignored", node));
  }
  Impl::NodeState& ns = *impl_->nodes[node.value()];
  impl_->LogFault(fmt::format("jump clock of {} by {}", ns.name, by));
  impl_->TookEffect();
  ns.clock.Jump(by);
}

void Cluster::LeapClock(NodeId node) {
  if (!impl_->Valid(node)) {
    return impl_->LogFault(fmt::format("clock leap of unknown node {} ignored", node));
  }
  Impl::NodeState& ns = *impl_->nodes[node.value()];
  if (ns.clock.frozen() || ns.clock.behind() <= Duration()) {
    return impl_->LogFault(fmt::format("leap clock of {} ignored: {}", ns.name,
                                       ns.clock.frozen() ? "still frozen" : "not behind"));
  }
  const Duration by = ns.clock.Leap();
  impl_->LogFault(fmt::format("leap clock of {} by {}", ns.name, by));
  impl_->TookEffect();
}

void Cluster::SetClockDrift(NodeId node, double drift_ppm) {
  if (!impl_->Valid(node)) {
    return impl_->LogFault(fmt::format("clock drift of unknown node {} ignored", node));
  }
  Impl::NodeState& ns = *impl_->nodes[node.value()];
  ns.clock.SetDrift(impl_->now, drift_ppm);
  impl_->LogFault(fmt::format("set clock drift of {} to {}ppm", ns.name, ns.clock.drift_ppm()));
  impl_->TookEffect();
}

void Cluster::ResetLink(NodeId a, NodeId b) {
  if (!impl_->Valid(a) || !impl_->Valid(b) || a == b) {
    return impl_->LogFault(fmt::format("reset of link {}<->{} ignored", a, b));
  }
  impl_->LogFault(fmt::format("reset connections of {} and {}", name(a), name(b)));
  impl_->ResetLink(a, b);  // its effects: the messages lost, counted where they are dropped
}

void Cluster::ResetNode(NodeId node) {
  if (!impl_->Valid(node)) {
    return impl_->LogFault(fmt::format("reset of unknown node {} ignored", node));
  }
  impl_->LogFault(fmt::format("reset connections of {}", name(node)));
  for (size_t i = 0; i < impl_->nodes.size(); ++i) {
    const NodeId other(static_cast<uint32_t>(i));
    if (other != node) impl_->ResetLink(node, other);
  }
}

PartitionId Cluster::AddPartition(PartitionSpec spec) {
  std::vector<std::string> groups;
  for (const auto& group : spec.groups) {
    std::vector<std::string> names;
    for (NodeId n : group) names.push_back(name(n));
    groups.push_back(fmt::format("[{}]", fmt::join(names, ", ")));
  }
  const PartitionId id = impl_->network.AddPartition(spec);
  impl_->LogFault(fmt::format("{}partition {} {}", spec.one_way ? "one-way " : "", id,
                              fmt::join(groups, " | ")));
  impl_->effects.PartitionAdded(id, impl_->LastFault());  // its effects: the messages it cuts
  return id;
}

void Cluster::Heal(PartitionId id) {
  const bool healed = impl_->network.Heal(id);
  impl_->effects.PartitionHealed(id);
  impl_->LogFault(fmt::format("heal partition {}{}", id, healed ? "" : " ignored: not active"));
  impl_->TookEffect(healed ? 1 : 0);
}

void Cluster::HealAll() {
  impl_->network.HealAll();
  impl_->LogFault("heal all partitions");
  impl_->TookEffect(impl_->effects.AllHealed());
}

void Cluster::ClogNode(NodeId node, Duration for_how_long) {
  if (!impl_->Valid(node) || for_how_long <= Duration()) {
    return impl_->LogFault(fmt::format("clog of node {} for {} ignored", node, for_how_long));
  }
  const Time end = impl_->network.ClogNode(node, impl_->now, for_how_long);
  impl_->LogFault(fmt::format("clog {} for {}", name(node), for_how_long));
  impl_->effects.Clogged(
      {.fault = impl_->LastFault(), .node = node, .end = impl_->now + for_how_long}, impl_->now);
  impl_->NewEvent(end, kernel::EventKind::kClogEnd, NodeId(), 0);
}

void Cluster::ClogLink(NodeId from, NodeId to, Duration for_how_long) {
  if (!impl_->Valid(from) || !impl_->Valid(to) || for_how_long <= Duration()) {
    return impl_->LogFault(
        fmt::format("clog of link {}->{} for {} ignored", from, to, for_how_long));
  }
  const Time end = impl_->network.ClogLink(from, to, impl_->now, for_how_long);
  impl_->LogFault(fmt::format("clog link {}->{} for {}", name(from), name(to), for_how_long));
  impl_->effects.Clogged(
      {.fault = impl_->LastFault(), .from = from, .to = to, .end = impl_->now + for_how_long},
      impl_->now);
  impl_->NewEvent(end, kernel::EventKind::kClogEnd, NodeId(), 0);
}

namespace {

std::string DelayText(const Cluster& c, const DelaySpec& d, Time now) {
  std::string scope = "every link";
  if (d.from && d.to) {
    scope = fmt::format("{}->{}", c.name(*d.from), c.name(*d.to));
  } else if (d.node) {
    scope = c.name(*d.node);
  }
  const char* cls = !d.message_class                             ? "all"
                    : *d.message_class == MessageClass::kControl ? "control"
                                                                 : "data";
  const std::string lag = d.hold_until ? fmt::format("held for {}", *d.hold_until - now)
                                       : fmt::format("up to {} more", d.lag_max);
  return fmt::format("{}: {} messages on {}, chance {}, {}", d.hold_until ? "hold" : "delay", cls,
                     scope, d.probability, lag);
}

}  // namespace

DelayId Cluster::AddDelay(const DelaySpec& spec) {
  for (const auto& id : {spec.node, spec.from, spec.to}) {
    if (id && !impl_->Valid(*id)) {
      impl_->LogFault(fmt::format("delay on unknown node {} ignored", *id));
      return 0;
    }
  }
  impl_->LogFault(DelayText(*this, spec, impl_->now));
  const DelayId id = impl_->network.AddDelay(spec);
  impl_->effects.DelayAdded(id, impl_->LastFault());  // its effects: the messages it delays
  return id;
}

void Cluster::EndDelay(DelayId id) {
  if (!impl_->network.EndDelay(id)) return;  // ignored, or cleared by ClearDelays
  impl_->effects.DelayEnded(id);
  impl_->LogFault(fmt::format("delay {} end", id));
  impl_->TookEffect();
}

void Cluster::ClearDelays() {
  if (!impl_->network.has_delays()) return;  // keeps a run without delays' trace as it was
  impl_->network.ClearDelays();
  impl_->LogFault("delays cleared");
  impl_->TookEffect(impl_->effects.DelaysCleared());
}

void Cluster::SetNeverDuplicates(NodeId node) {
  if (!impl_->Valid(node)) return impl_->LogFault(fmt::format("never-duplicate {} ignored", node));
  impl_->network.SetNeverDuplicates(node);
}

void Cluster::SetLink(NodeId from, NodeId to, LinkConfig config) {
  if (!impl_->Valid(from) || !impl_->Valid(to)) {
    return impl_->LogFault(fmt::format("set link {}->{} ignored: unknown node", from, to));
  }
  impl_->network.SetLink(from, to, config);
  impl_->LogFault(fmt::format("set link {}->{}: {}", name(from), name(to), LinkText(config)));
  impl_->effects.LinkSet(from, to, impl_->LastFault());
}

void Cluster::SetNodeLinks(NodeId node, std::optional<LinkConfig> config) {
  if (!impl_->Valid(node)) {
    return impl_->LogFault(fmt::format("set links of {} ignored: unknown node", node));
  }
  impl_->network.SetNodeLinks(node, config);
  impl_->LogFault(config ? fmt::format("set links of {}: {}", name(node), LinkText(*config))
                         : fmt::format("links of {} follow the default", name(node)));
  impl_->effects.NodeLinksSet(node, config ? std::optional(impl_->LastFault()) : std::nullopt);
}

void Cluster::SetDefaultLink(LinkConfig config) {
  impl_->network.SetDefaultLink(config);
  impl_->LogFault("set default link: " + LinkText(config));
  impl_->effects.DefaultLinkSet(impl_->LastFault());
}

void Cluster::SetDiskLatency(DiskLatency latency) {
  latency.write_mean = std::max(latency.write_mean, Duration());
  latency.sync_mean = std::max(latency.sync_mean, Duration());
  latency.engine_mb_per_s = std::max(latency.engine_mb_per_s, 0.0);
  impl_->disk_latency = latency;
  std::string text =
      fmt::format("set disk latency: write {} sync {}", latency.write_mean, latency.sync_mean);
  if (latency.engine_mb_per_s > 0) text += fmt::format(" engine {} MB/s", latency.engine_mb_per_s);
  impl_->LogFault(std::move(text));
}

void Cluster::SetDiskFaults(DiskFaults faults) {
  faults.io_error_probability = std::clamp(faults.io_error_probability, 0.0, 1.0);
  faults.torn_write_probability = std::clamp(faults.torn_write_probability, 0.0, 1.0);
  const DiskFaults& old = impl_->disk_faults;
  if (faults.io_error_probability == old.io_error_probability &&
      faults.torn_write_probability == old.torn_write_probability) {
    return;
  }
  impl_->CountDiskErrors();  // errors so far belong to the setting they happened under
  impl_->disk_faults = faults;
  for (size_t i = 0; i < impl_->nodes.size(); ++i)
    impl_->ApplyDiskFaults(NodeId(static_cast<uint32_t>(i)));
  impl_->LogFault(fmt::format("set disk faults: io_error {} torn_write {}",
                              faults.io_error_probability, faults.torn_write_probability));
  impl_->effects.GlobalDiskFaults(impl_->LastFault());
}

bool Cluster::has_disk_faults(NodeId node) const {
  return impl_->disk_fault_windows.contains(node);
}

void Cluster::SetNodeDiskFaults(NodeId node, std::optional<IoFaults> faults) {
  if (!impl_->Valid(node)) {
    return impl_->LogFault(fmt::format("disk faults of {} ignored: unknown node", node));
  }
  impl_->CountDiskErrors(node);  // errors so far belong to the setting they happened under
  const bool had_window = has_disk_faults(node);
  if (faults) {
    faults->read = std::clamp(faults->read, 0.0, 1.0);
    faults->write = std::clamp(faults->write, 0.0, 1.0);
    faults->sync = std::clamp(faults->sync, 0.0, 1.0);
    impl_->disk_fault_windows[node] = *faults;
    const char* what = faults->lying_sync ? "lying syncs"
                       : faults->full     ? "disk full"
                                          : "disk errors";
    impl_->LogFault(fmt::format(
        "{} on {}: read {} write {} sync {}{}{}", what, name(node), faults->read, faults->write,
        faults->sync, faults->full ? " full" : "", faults->lying_sync ? " lying_sync" : ""));
    impl_->effects.DiskWindow(node, impl_->LastFault());
  } else {
    impl_->disk_fault_windows.erase(node);
    impl_->LogFault(fmt::format("disk errors on {} end", name(node)));
    impl_->TookEffect(had_window ? 1 : 0);
    impl_->effects.DiskWindow(node, std::nullopt);
  }
  impl_->ApplyDiskFaults(node);
}

void Cluster::CorruptDisk(NodeId node, const std::string& file, uint64_t offset) {
  if (!impl_->Valid(node)) {
    return impl_->LogFault(fmt::format("corrupt disk of {} ignored: unknown node", node));
  }
  const bool flipped = disk(node).CorruptBit(file, offset);
  impl_->LogFault(fmt::format("corrupt disk of {}: {}@{}{}", name(node), file, offset,
                              flipped ? "" : " ignored: no such byte"));
  impl_->TookEffect(flipped ? 1 : 0);  // bits flipped
}

void Cluster::WipeDisk(NodeId node) {
  if (!impl_->Valid(node)) {
    return impl_->LogFault(fmt::format("wipe disk of unknown node {} ignored", node));
  }
  Impl::NodeState& ns = *impl_->nodes[node.value()];
  if (ns.node) {
    impl_->LogFault(fmt::format("wipe disk of {}: crash {} (machine)", ns.name, ns.name));
    impl_->Crash(node, CrashMode::kMachine);
  } else {
    impl_->LogFault(fmt::format("wipe disk of {}", ns.name));
  }
  impl_->TookEffect(ns.disk.Files().size());  // files lost
  ns.disk.Wipe();
}

void Cluster::LogIgnoredFault(const std::string& what, const std::string& why) {
  impl_->LogFault(fmt::format("{} ignored: {}", what, why));
}

}  // namespace pg::sim
