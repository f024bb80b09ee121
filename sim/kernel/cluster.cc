#include "sim/kernel/cluster.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>
#include <variant>

#include "core/common/assert.h"
#include "core/common/overloaded.h"
#include "sim/kernel/cluster_impl.h"
#include "sim/kernel/io_format.h"

namespace pg::sim {

using kernel::AssertContextScope;
using kernel::EventKind;
using kernel::kConnectionReset;
using kernel::kNoNode;
using kernel::kTraceAction;
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
  ApplyDiskFaults(id);
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
  NewEvent(now, EventKind::kInput, id, ns.incarnation).input.emplace<Boot>();
}

// ---- Impl: running ---------------------------------------------------------------------------

Cluster::Impl::Event& Cluster::Impl::NewEvent(Time at, EventKind kind, NodeId node,
                                              uint64_t incarnation) {
  Event& e = queue.Emplace(at);
  e.kind = kind;
  e.node = node;
  e.incarnation = incarnation;
  e.timer_generation = 0;
  e.sync_upto = 0;
  e.issued = Time();
  e.action = 0;
  e.msg_digest = 0;
  e.leaves_sender = Time();
  e.sender_power_losses = 0;
  e.receiver_incarnation = 0;
  e.connection = 0;
  e.frame.reset();
  return e;
}

// Pops one queue entry and executes it in its slot; returns true when it was a counted event
// (not a stale timer or completion, and not parked for a paused or not yet booted node).
bool Cluster::Impl::ExecuteNext() {
  const auto [at, slot] = queue.PopSlot();
  PG_ASSERT_GE(at, now, "the event queue went back in time");
  now = at;
  in_event = true;
  current_index = events;
  stepped.reset();
  Event& e = queue.At(slot);  // stays put while the event schedules others (a deque slab)
  bool counted = true;
  switch (e.kind) {
    case EventKind::kInput:
      counted = DeliverInput(e);
      break;
    case EventKind::kAction:
      RunAction(e.action);
      break;
    case EventKind::kClogEnd:
      ReleaseHeld();
      break;
    case EventKind::kDrain:
      counted = Drain(e);
      break;
    case EventKind::kDeliveryTick:
      counted = DeliveryTick();
      break;
  }
  queue.Release(slot);
  in_event = false;
  if (DiskErrorsPossible()) CountDiskErrors();  // node steps and faults alike reach disks
  if (!counted) return false;
  ++events;
  CheckGlobalInvariants();
  return true;
}

bool Cluster::Impl::DeliverInput(Event& e) {
  NodeState& ns = *nodes[e.node.value()];
  if (Stale(ns, e)) return false;
  if (std::holds_alternative<Receive>(e.input) && LostWithSender(e)) {
    return DropDelivery(e, "sender lost power", &stats.dropped_sender_power);
  }
  if (std::holds_alternative<Receive>(e.input) && !ns.node) {
    return DropDelivery(e, "receiver down", &stats.dropped_down);
  }
  if (std::holds_alternative<Receive>(e.input)) {
    if (const char* why = ConnectionGone(e)) {
      const bool reset = why == kConnectionReset;
      if (reset) {
        const NodeId from = std::get<Receive>(e.input).from;
        effects.Add(effects.ResetFault(from, e.node, e.connection));
      }
      return DropDelivery(e, why, reset ? &stats.dropped_reset : &stats.dropped_down);
    }
  }
  if (const auto* appended = std::get_if<LogAppended>(&e.input)) {
    // The disk finished the append whether or not the process is paused: a crash keeps it now.
    PG_ASSERT(!ns.appends_in_flight.empty() && ns.appends_in_flight.front().file == appended->file,
              "log completions come back in submission order");
    ns.appends_in_flight.pop_front();
  }
  if (e.sync_upto > 0) {
    // The disk finishes the sync whether or not the process is paused.
    ns.disk.MarkSynced(std::get<LogAppended>(e.input).file, e.sync_upto);
    e.sync_upto = 0;
  }
  if (MustPark(ns, e)) {
    const NodeId id = e.node;
    Park(ns, std::move(e));
    ScheduleDrain(ns, id);
    return false;
  }
  return Deliver(ns, e);
}

// Timers, completions and Boot die with the incarnation that caused them; a timer's firing is
// stale once it was re-armed or cancelled. Messages are never stale: the network does not know
// incarnations and delivers to whichever process is up.
bool Cluster::Impl::Stale(const NodeState& ns, const Event& e) const {
  if (std::holds_alternative<Receive>(e.input)) return false;
  if (!ns.node || e.incarnation != ns.incarnation) return true;
  if (const auto* t = std::get_if<TimerFired>(&e.input)) {
    auto it = ns.timers.find(t->timer);
    return it == ns.timers.end() || it->second != e.timer_generation;
  }
  return false;
}

bool Cluster::Impl::MustPark(const NodeState& ns, const Event& e) const {
  if (ns.paused) return true;
  if (std::holds_alternative<Boot>(e.input)) return false;
  return !ns.booted || !ns.parked.empty();
}

void Cluster::Impl::Park(NodeState& ns, Event&& e) {
  if (std::holds_alternative<Boot>(e.input)) {
    ns.parked.push_front(std::move(e));
  } else {
    ns.parked.push_back(std::move(e));
  }
}

// Schedules the next kDrain at now when the node can take its oldest parked input.
void Cluster::Impl::ScheduleDrain(NodeState& ns, NodeId id) {
  if (ns.drain_scheduled || !ns.node || ns.paused || ns.parked.empty()) return;
  if (!ns.booted && !std::holds_alternative<Boot>(ns.parked.front().input)) return;
  ns.drain_scheduled = true;
  NewEvent(now, EventKind::kDrain, id, ns.incarnation);
}

// Delivers the oldest parked input that is still live; parked timers that came due fire late.
bool Cluster::Impl::Drain(const Event& drain) {
  const NodeId id = drain.node;
  NodeState& ns = *nodes[id.value()];
  if (drain.incarnation != ns.incarnation) return false;  // a drain of a crashed incarnation
  ns.drain_scheduled = false;
  bool counted = false;
  while (!counted && !ns.paused && !ns.parked.empty()) {
    if (!ns.booted && !std::holds_alternative<Boot>(ns.parked.front().input)) break;
    Event e = std::move(ns.parked.front());
    ns.parked.pop_front();
    if (Stale(ns, e)) continue;
    counted = Deliver(ns, e);
  }
  ScheduleDrain(ns, id);
  return counted;
}

// Steps the node with the input, unless a partition now cuts the message's link: no message is
// ever stepped across an active partition.
bool Cluster::Impl::Deliver(NodeState& ns, const Event& e) {
  if (const auto* r = std::get_if<Receive>(&e.input)) {
    if (const PartitionId cut = network.CutBy(r->from, e.node)) {
      effects.Add(effects.PartitionFault(cut));
      return DropDelivery(e, "partitioned", &stats.dropped_partition);
    }
    if (e.frame) return DeliverFrame(ns, e);
    stats.delivered++;
  }
  if (const auto* t = std::get_if<TimerFired>(&e.input)) ns.timers.erase(t->timer);
  const bool is_boot = std::holds_alternative<Boot>(e.input);
  if (is_boot) ns.booted = true;
  StepNode(ns, e);
  // Inputs that arrived before the Boot (unless the boot ended in an Exit).
  if (is_boot && ns.node) ScheduleDrain(ns, e.node);
  return true;
}

// A message the sender's kernel still held (delayed, straggling: leaves_sender is after its send
// time) when the sender's machine lost power died with the machine. The first power loss after the
// send decides: one at or after leaves_sender found the message already on the wire. A process
// crash is no loss: the kernel keeps a dead process's socket data and still sends it.
bool Cluster::Impl::LostWithSender(const Event& e) const {
  const NodeId from = std::get<Receive>(e.input).from;
  if (!Valid(from)) return false;
  const std::vector<Time>& losses = nodes[from.value()]->power_losses;
  return e.sender_power_losses < losses.size() && losses[e.sender_power_losses] < e.leaves_sender;
}

// A message sent to an incarnation of its receiver that crashed since: that incarnation's
// connections broke with it (a TCP peer's crash resets the connection), and what they carried is
// lost; the restarted process never reads it. Only a message sent while the receiver was down
// (no connection yet) goes to whichever incarnation is up when it arrives.
// A reset (ResetLink) likewise breaks the link's sessions, in both directions, with all they carry.
const char* Cluster::Impl::ConnectionGone(const Event& e) const {
  const NodeState& ns = *nodes[e.node.value()];
  if (e.receiver_incarnation != 0 && e.receiver_incarnation != ns.incarnation) {
    return "receiver restarted since it was sent";
  }
  const NodeId from = std::get<Receive>(e.input).from;
  if (Valid(from) && e.connection != network.Connection(from, e.node)) return kConnectionReset;
  return nullptr;
}

bool Cluster::Impl::DropDelivery(const Event& e, const char* why, uint64_t* counter) {
  (*counter)++;
  trace.Begin(now, e.node.value(), 0, kTraceDrop);
  TraceInput(trace, e.input, e.msg_digest);
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
  stepped = e.node;
  {
    const Time local = ns.clock.Local(now);
    const Duration skew = local >= now ? local - now : now - local;
    if (skew > ns.max_skew) ns.max_skew = skew;
    AssertContextScope scope(ns.name, local);
    ns.node->Step(local, e.input, outbox);
    ns.node->CheckInvariants();
  }
  const Duration engine_busy = ChargeEngineIo(ns);
  const bool record = trace.recording();
  std::string line;
  trace.Begin(now, e.node.value(), ns.incarnation, kTraceStep);
  TraceInput(trace, e.input, e.msg_digest);
  if (record) {
    AppendInput(&line, e.input);
    if (engine_busy > Duration())
      line.append(fmt::format(" (engine I/O: disk busy {})", engine_busy));
    line.append(" ->");
  }
  for (Effect& effect : outbox.effects()) {
    const auto* send = std::get_if<Send>(&effect);
    const uint64_t digest = send != nullptr ? trace.Digest(send->msg) : 0;
    TraceEffect(trace, effect, digest);  // before executing: a Send's message is moved out
    if (record) {
      line.push_back(' ');
      AppendEffect(&line, effect);
    }
    ExecuteEffect(ns, e.node, effect, digest);
  }
  trace.End();
  if (record) trace.AddLine({current_index, now, ns.name, std::move(line)});
  if (observer) observer(current_index, now, e.node, e.input);
  for (const EventObserver& more : more_observers) more(current_index, now, e.node, e.input);
  if (exit_reason) {
    LogFault(fmt::format("exit {}: {}", ns.name, *exit_reason));
    TookEffect();  // the node took itself down
    Cluster::NodeExit exit{.node = e.node, .reason = std::move(*exit_reason)};
    if (std::holds_alternative<LogFailed>(e.input)) exit.io_error_drawn_at = e.issued;
    exit_reason.reset();
    Crash(e.node, CrashMode::kProcess);
    if (exit_observer) exit_observer(*owner, exit);
  }
  if (fired_trigger) FireMarkTrigger(e.node);
}

void Cluster::Impl::ExecuteEffect(NodeState& ns, NodeId id, Effect& effect, uint64_t msg_digest) {
  // One overload per effect kind: a new kind fails to compile here until it is handled.
  std::visit(
      Overloaded{
          [&](Send& send) { SendMessage(id, send.to, msg_digest, std::move(send.msg)); },
          [&](const SetTimer& set) { ArmTimer(ns, id, set.timer, set.after); },
          [&](const CancelTimer& cancel) { ns.timers.erase(cancel.timer); },
          [&](const AppendLog& append) { StartAppend(ns, id, append); },
          [&](Mark& mark) { RecordMark(id, std::move(mark.name)); },
          [&](RecordOp& op) { history.push_back({.at = now, .node = id, .op = std::move(op)}); },
          // Taken down once the step's effects are done (StepNode).
          [&](Exit& exit) {
            if (!exit_reason) exit_reason = std::move(exit.reason);
          },
      },
      effect);
}

void Cluster::Impl::RecordMark(NodeId id, std::string name) {
  if (!mark_triggers.empty()) MatchMarkTrigger(id, name);
  // An I/O error of this very step may be what led here: count it first.
  CountDiskErrors(id);
  effects.OnMark(name);
  marks.insert(std::move(name));
}

void Cluster::Impl::ArmTimer(NodeState& ns, NodeId id, TimerId timer, Duration after) {
  const uint64_t generation = ++timer_generation;
  ns.timers[timer] = generation;  // re-arming makes the earlier firing stale
  Event& e = NewEvent(now + ns.clock.ToGlobal(after), EventKind::kInput, id, ns.incarnation);
  e.timer_generation = generation;
  e.input.emplace<TimerFired>(TimerFired{timer});
}

void Cluster::Impl::StartAppend(NodeState& ns, NodeId id, const AppendLog& append) {
  // Drawn before the latency, and only when errors are on: fault-free runs keep their draws.
  Status failed = ns.disk.Fail(IoKind::kWrite, append.file);
  // A failed write puts nothing on the disk (see DiskFaults), so it needs no sync either.
  const uint64_t end = failed.ok() ? ns.disk.Append(append.file, append.bytes) : 0;
  if (failed.ok() && append.sync) failed = ns.disk.Fail(IoKind::kSync, append.file);
  Duration latency = disk_rng->Exponential(disk_latency.write_mean);
  if (append.sync) latency += disk_rng->Exponential(disk_latency.sync_mean);
  Event& e = AppendCompletion(ns, id, latency);
  e.issued = now;
  if (!failed.ok()) {
    e.input.emplace<LogFailed>(
        LogFailed{.file = append.file, .token = append.token, .status = std::move(failed)});
    return;
  }
  e.sync_upto = append.sync ? end : 0;
  ns.appends_in_flight.push_back({.file = append.file, .start = end - append.bytes.size()});
  e.input.emplace<LogAppended>(LogAppended{.file = append.file, .token = append.token});
}

void Cluster::Impl::ApplyDiskFaults(NodeId id) {
  const double p = disk_faults.io_error_probability;
  IoFaults faults{.read = p, .write = p, .sync = p};
  if (auto it = disk_fault_windows.find(id); it != disk_fault_windows.end()) faults = it->second;
  nodes[id.value()]->disk.SetFaults(faults, disk_rng);
}

// ---- Impl: host actions, lifecycle, checks ---------------------------------------------------

void Cluster::Impl::RunAction(uint64_t id) {
  auto it = actions.find(id);
  PG_ASSERT(it != actions.end(), "scheduled action {} vanished", id);
  ScheduledAction action = std::move(it->second);
  actions.erase(it);
  trace.Begin(now, kNoNode, 0, kTraceAction);
  trace.bytes().Put(action.label);
  trace.End();
  if (trace.recording()) trace.AddLine({current_index, now, "-", "action: " + action.label});
  if (action.fn) action.fn(*owner);
}

void Cluster::Impl::Crash(NodeId id, CrashMode mode) {
  NodeState& ns = *nodes[id.value()];
  network.CloseSessions(id);
  ns.node.reset();
  ns.timers.clear();
  ns.parked.clear();
  ns.drain_scheduled = false;
  ns.booted = false;
  ns.paused = false;
  // The pause ends with the process; a frozen clock runs again, behind, until its leap.
  ns.clock.Thaw(now);
  // An append is the process's until it completes: Pegasus's mutation log gathers writes in a
  // user-space buffer and hands them to the disk in batches, so a killed process loses what had
  // not been written yet. Newest first, so each cut leaves the file as it was before that append.
  for (auto it = ns.appends_in_flight.rbegin(); it != ns.appends_in_flight.rend(); ++it) {
    ns.disk.Truncate(it->file, it->start);
  }
  ns.appends_in_flight.clear();
  ns.stalled.clear();  // their completions die with the process, as the queued ones do
  if (mode == CrashMode::kMachine) {
    const auto cuts = ns.disk.LoseUnsynced(*disk_rng, disk_faults.torn_write_probability);
    if (trace.recording()) TracePowerLoss(ns, cuts);
    // Messages its kernel still held die too; they are dropped where they would have arrived or
    // departed (LostWithSender, ReleaseHeld).
    ns.power_losses.push_back(now);
  }
}

void Cluster::Impl::TracePowerLoss(const NodeState& ns,
                                   const std::vector<SimDisk::PowerLossOutcome>& cuts) {
  for (const auto& c : cuts) {
    std::string what;
    switch (c.cut) {
      case SimDisk::PowerLossCut::kSynced:
        what = "cut to its synced length";
        break;
      case SimDisk::PowerLossCut::kTorn:
        what = "torn inside its first unsynced append";
        break;
      case SimDisk::PowerLossCut::kWhole:
        what = "whole unsynced appends survived";
        break;
      case SimDisk::PowerLossCut::kPages:
        what = fmt::format("pages written back out of order ({} bytes read as zeros)", c.zeroed);
        break;
    }
    trace.AddLine({in_event ? current_index : events, now, ns.name,
                   fmt::format("power loss: {} {}: kept {} of {} unsynced bytes", c.file, what,
                               c.kept, c.unsynced)});
  }
}

void Cluster::Impl::CountDiskErrors() {
  for (size_t i = 0; i < nodes.size(); ++i) CountDiskErrors(NodeId(static_cast<uint32_t>(i)));
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
  trace.Begin(now, kNoNode, 0, kTraceFault);
  trace.bytes().Put(description);
  trace.End();
  if (trace.recording()) {
    trace.AddLine({in_event ? current_index : events, now, "-", "fault: " + description});
  }
  fault_log.emplace_back(now, std::move(description));
  effects.Logged(fault_log.size() - 1);
}

bool Cluster::Impl::Valid(NodeId id) const { return id.value() < nodes.size(); }

}  // namespace pg::sim
