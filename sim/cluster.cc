#include "sim/cluster.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

#include "core/common/assert.h"
#include "sim/cluster_impl.h"
#include "sim/io_format.h"

namespace pg::sim {

using kernel::AssertContextScope;
using kernel::EventKind;
using kernel::kNoNode;
using kernel::kTraceAction;
using kernel::kTraceClogEnd;
using kernel::kTraceDrop;
using kernel::kTraceFault;
using kernel::kTraceStep;
using kernel::ScheduledAction;

// ---- Impl: building ------------------------------------------------------------------------

Cluster::Impl::Impl(Cluster* owner, ClusterOptions opts)
    : owner(owner),
      options(opts),
      network(opts.default_link),
      net_rng(&Stream("network")),
      disk_rng(&Stream("disk")),
      trace(opts.record_trace) {}

Rng& Cluster::Impl::Stream(const std::string& name) {
  auto it = streams.find(name);
  if (it == streams.end()) {
    it = streams.emplace(name, Xoshiro256::ForkStream(options.seed, name)).first;
  }
  return it->second;
}

NodeId Cluster::Impl::AddNode(std::string name, NodeFactory factory, ClockConfig clock) {
  const NodeId id(static_cast<uint32_t>(nodes.size()));
  if (by_name.count(name) > 0) {
    SetFailure("setup", fmt::format("duplicate node name {:?}", name));
  } else {
    by_name.emplace(name, id);
  }
  auto ns = std::make_unique<NodeState>(clock);
  ns->name = std::move(name);
  ns->factory = std::move(factory);
  ns->rng = &Stream(fmt::format("node/{}", id));
  nodes.push_back(std::move(ns));
  network.AddNode();
  return id;
}

// Builds a new incarnation and schedules its Boot; inputs that beat the Boot wait for it.
void Cluster::Impl::BootNode(NodeId id) {
  NodeState& ns = *nodes[id.value()];
  ns.incarnation++;
  ns.booted = false;
  ns.paused = false;
  const NodeEnv env{.id = id, .name = ns.name, .rng = ns.rng, .disk = &ns.disk};
  {
    AssertContextScope scope(ns.name, ns.clock.Local(now));
    ns.node = ns.factory ? ns.factory(env) : nullptr;
  }
  if (!ns.node) {
    SetFailure("setup", fmt::format("the factory of {} built no node", ns.name));
    return;
  }
  Event e;
  e.node = id;
  e.incarnation = ns.incarnation;
  e.input = Boot{};
  queue.Push(now, std::move(e));
}

// ---- Impl: running ---------------------------------------------------------------------------

// Pops one queue entry; returns true when it was a counted event (not a stale timer or
// completion, and not parked for a paused or not yet booted node).
bool Cluster::Impl::ExecuteNext() {
  const Time at = queue.Pop(&current);
  PG_ASSERT_GE(at, now, "the event queue went back in time");
  now = at;
  in_event = true;
  current_index = events;
  bool counted = true;
  switch (current.kind) {
    case EventKind::kInput:
      counted = DeliverInput(current);
      break;
    case EventKind::kAction:
      RunAction(current.action);
      break;
    case EventKind::kClogEnd:
      ReleaseHeld();
      break;
  }
  in_event = false;
  if (!counted) return false;
  ++events;
  CheckGlobalInvariants();
  return true;
}

bool Cluster::Impl::DeliverInput(Event& e) {
  NodeState& ns = *nodes[e.node.value()];
  const bool is_boot = std::holds_alternative<Boot>(e.input);
  if (const auto* r = std::get_if<Receive>(&e.input)) {
    // The network does not know incarnations: a message reaches whichever process is up.
    if (!ns.node) return DropDelivery(e, "receiver down", &stats.dropped_down);
    if (network.Cuts(r->from, e.node)) {
      return DropDelivery(e, "partitioned", &stats.dropped_partition);
    }
  } else {
    // Timers, completions and Boot die with the incarnation that caused them.
    if (!ns.node || e.incarnation != ns.incarnation) return false;
    if (const auto* t = std::get_if<TimerFired>(&e.input)) {
      auto it = ns.timers.find(t->timer);
      if (it == ns.timers.end() || it->second != e.timer_generation) return false;  // re-armed
    }
    if (e.sync_upto > 0) {
      // The disk finishes the sync whether or not the process is paused.
      ns.disk.MarkSynced(std::get<LogAppended>(e.input).file, e.sync_upto);
      e.sync_upto = 0;
    }
  }
  if (ns.paused || (!ns.booted && !is_boot)) {
    ns.parked.push_back(std::move(e));
    return false;
  }
  if (const auto* t = std::get_if<TimerFired>(&e.input)) ns.timers.erase(t->timer);
  if (std::holds_alternative<Receive>(e.input)) stats.delivered++;
  StepNode(ns, e);
  if (is_boot) {
    ns.booted = true;
    ReleaseParked(ns);
  }
  return true;
}

bool Cluster::Impl::DropDelivery(const Event& e, const char* why, uint64_t* counter) {
  (*counter)++;
  Encoder& enc = trace.Begin(now, e.node.value(), 0, kTraceDrop);
  EncodeInput(enc, e.input);
  trace.End();
  if (trace.recording()) {
    std::string what = fmt::format("drop ({}): ", why);
    AppendInput(&what, e.input);
    trace.AddLine({current_index, now, nodes[e.node.value()]->name, std::move(what)});
  }
  return true;
}

void Cluster::Impl::StepNode(NodeState& ns, const Event& e) {
  outbox.clear();
  {
    AssertContextScope scope(ns.name, ns.clock.Local(now));
    ns.node->Step(ns.clock.Local(now), e.input, outbox);
    ns.node->CheckInvariants();
  }
  const bool record = trace.recording();
  std::string line;
  Encoder& enc = trace.Begin(now, e.node.value(), ns.incarnation, kTraceStep);
  EncodeInput(enc, e.input);
  if (record) {
    AppendInput(&line, e.input);
    line.append(" ->");
  }
  for (Effect& effect : outbox.effects()) {
    EncodeEffect(enc, effect);  // before executing: a Send's message is moved out
    if (record) {
      line.push_back(' ');
      AppendEffect(&line, effect);
    }
    ExecuteEffect(ns, e.node, effect);
  }
  trace.End();
  if (record) trace.AddLine({current_index, now, ns.name, std::move(line)});
  if (observer) observer(current_index, now, e.node, e.input);
}

void Cluster::Impl::ExecuteEffect(NodeState& ns, NodeId id, Effect& effect) {
  switch (effect.index()) {
    case 0: {
      auto& send = std::get<Send>(effect);
      SendMessage(id, send.to, std::move(send.msg));
      break;
    }
    case 1: {
      const auto& set = std::get<SetTimer>(effect);
      ArmTimer(ns, id, set.timer, set.after);
      break;
    }
    case 2:
      ns.timers.erase(std::get<CancelTimer>(effect).timer);
      break;
    case 3:
      StartAppend(ns, id, std::get<AppendLog>(effect));
      break;
    case 4:
      marks.insert(std::move(std::get<Mark>(effect).name));
      break;
    case 5:
      history.push_back({.at = now, .node = id, .op = std::move(std::get<RecordOp>(effect))});
      break;
    default:
      PG_UNREACHABLE("effect index {}", effect.index());
  }
}

void Cluster::Impl::ArmTimer(NodeState& ns, NodeId id, TimerId timer, Duration after) {
  const uint64_t generation = ++timer_generation;
  ns.timers[timer] = generation;  // re-arming makes the earlier firing stale
  Event e;
  e.node = id;
  e.incarnation = ns.incarnation;
  e.timer_generation = generation;
  e.input = TimerFired{timer};
  queue.Push(now + ns.clock.ToGlobal(after), std::move(e));
}

void Cluster::Impl::StartAppend(NodeState& ns, NodeId id, const AppendLog& append) {
  const uint64_t end = ns.disk.Append(append.file, append.bytes);
  Duration latency = disk_rng->Exponential(disk_latency.write_mean);
  if (append.sync) latency += disk_rng->Exponential(disk_latency.sync_mean);
  // One queue per disk: completions come back in submission order, like a log writer's.
  ns.disk_floor = std::max(ns.disk_floor, now + latency);
  Event e;
  e.node = id;
  e.incarnation = ns.incarnation;
  e.sync_upto = append.sync ? end : 0;
  e.input = LogAppended{.file = append.file, .token = append.token};
  queue.Push(ns.disk_floor, std::move(e));
}

// ---- Impl: network -----------------------------------------------------------------------------

void Cluster::Impl::SendMessage(NodeId from, NodeId to, Message msg) {
  stats.sent++;
  if (to.value() >= nodes.size()) {
    stats.dropped_unknown++;
    return;
  }
  if (network.Cuts(from, to)) {
    stats.dropped_partition++;
    return;
  }
  if (network.Clogged(from, to, now)) {
    stats.held++;
    held.push_back({from, to, std::move(msg)});
    return;
  }
  Depart(from, to, std::move(msg));
}

void Cluster::Impl::Depart(NodeId from, NodeId to, Message msg) {
  std::array<Time, 2> at;
  const int copies = network.Transmit(from, to, now, *net_rng, &at);
  if (copies == 0) {
    stats.dropped_random++;
    return;
  }
  for (int i = 0; i < copies; ++i) {
    Event e;
    e.node = to;
    if (i + 1 < copies) {
      stats.duplicated++;
      e.input = Receive{.from = from, .msg = msg};
    } else {
      e.input = Receive{.from = from, .msg = std::move(msg)};
    }
    queue.Push(at[i], std::move(e));
  }
}

// A clog ended: held messages whose sender, receiver and link are all free depart now, in the
// order they were sent. A clog that was extended meanwhile keeps its messages until its own end.
void Cluster::Impl::ReleaseHeld() {
  size_t kept = 0;
  uint64_t released = 0;
  for (size_t i = 0; i < held.size(); ++i) {
    if (network.Clogged(held[i].from, held[i].to, now)) {
      if (kept != i) held[kept] = std::move(held[i]);
      ++kept;
    } else {
      Depart(held[i].from, held[i].to, std::move(held[i].msg));
      ++released;
    }
  }
  held.resize(kept);
  Encoder& enc = trace.Begin(now, kNoNode, 0, kTraceClogEnd);
  enc.Put(released);
  trace.End();
  if (trace.recording()) {
    trace.AddLine({current_index, now, "-", fmt::format("clog ended: {} released", released)});
  }
}

// ---- Impl: host actions, lifecycle, checks ---------------------------------------------------

void Cluster::Impl::RunAction(uint64_t id) {
  auto it = actions.find(id);
  PG_ASSERT(it != actions.end(), "scheduled action {} vanished", id);
  ScheduledAction action = std::move(it->second);
  actions.erase(it);
  Encoder& enc = trace.Begin(now, kNoNode, 0, kTraceAction);
  enc.Put(action.label);
  trace.End();
  if (trace.recording()) trace.AddLine({current_index, now, "-", "action: " + action.label});
  if (action.fn) action.fn(*owner);
}

void Cluster::Impl::ReleaseParked(NodeState& ns) {
  // Re-enqueued at now in arrival order: the sequence numbers keep that order among equal times.
  std::vector<Event> parked = std::move(ns.parked);
  ns.parked.clear();
  for (Event& e : parked) queue.Push(now, std::move(e));
}

void Cluster::Impl::Crash(NodeState& ns, CrashMode mode) {
  ns.node.reset();
  ns.timers.clear();
  ns.parked.clear();
  ns.booted = false;
  ns.paused = false;
  if (mode == CrashMode::kMachine) ns.disk.LoseUnsynced();
}

void Cluster::Impl::CheckGlobalInvariants() {
  for (const auto& [name, check] : invariants) {
    if (failure) return;
    if (std::optional<std::string> violation = check(*owner)) {
      SetFailure("invariant:" + name, std::move(*violation));
      return;
    }
  }
}

void Cluster::Impl::SetFailure(std::string kind, std::string detail) {
  if (failure) return;  // the first failure is the one that matters
  const uint64_t index = in_event ? current_index : (events > 0 ? events - 1 : 0);
  failure =
      Failure{.kind = std::move(kind), .detail = std::move(detail), .event = index, .at = now};
}

void Cluster::Impl::LogFault(std::string description) {
  Encoder& enc = trace.Begin(now, kNoNode, 0, kTraceFault);
  enc.Put(description);
  trace.End();
  if (trace.recording()) {
    trace.AddLine({in_event ? current_index : events, now, "-", "fault: " + description});
  }
  fault_log.emplace_back(now, std::move(description));
}

bool Cluster::Impl::Valid(NodeId id) const { return id.value() < nodes.size(); }

}  // namespace pg::sim
