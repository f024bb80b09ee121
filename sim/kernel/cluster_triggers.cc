// Crashes triggered at protocol points (Cluster::ArmCrashOnMark): the swarm's crash loops use them
// to take a node down again while it recovers (replaying its log, learning, reconciling), a moment
// a crash at a drawn time almost never hits. A trigger is matched against the marks a node emits
// (core's coverage marks), so the core needs no hook for it.
#include <fmt/format.h>

#include "sim/kernel/cluster.h"
#include "sim/kernel/cluster_impl.h"

namespace pg::sim {
namespace {

const char* ModeName(CrashMode mode) { return mode == CrashMode::kMachine ? "machine" : "process"; }

}  // namespace

uint64_t Cluster::ArmCrashOnMark(NodeId node, std::string mark, CrashMode mode, Time until) {
  const uint64_t id = impl_->next_mark_trigger++;
  if (!impl_->Valid(node)) {
    impl_->LogFault(fmt::format("crash trigger {} on unknown node {} ignored", id, node));
    return id;
  }
  impl_->LogFault(fmt::format("crash trigger {} armed: {} ({}) on mark {} until {}", id, name(node),
                              ModeName(mode), mark, until));
  impl_->mark_triggers.emplace(
      id,
      kernel::MarkTrigger{.node = node, .mark = mark, .mode = mode, .armed = impl_->LastFault()});
  Schedule(until, fmt::format("crash trigger {} deadline", id), [id](Cluster& c) {
    auto it = c.impl_->mark_triggers.find(id);
    if (it == c.impl_->mark_triggers.end()) return;  // fired or cancelled
    c.impl_->LogFault(fmt::format("crash trigger {} expired: {} never emitted {}; no crash", id,
                                  c.name(it->second.node), it->second.mark));
    c.impl_->mark_triggers.erase(it);
  });
  return id;
}

void Cluster::CancelCrashTriggers() {
  for (const auto& [id, trigger] : impl_->mark_triggers) {
    impl_->LogFault(fmt::format("crash trigger {} cancelled: {} on mark {}", id, name(trigger.node),
                                trigger.mark));
  }
  impl_->mark_triggers.clear();
}

// The oldest armed trigger waiting for this node's mark fires; one per step is enough, since the
// step ends in a crash.
void Cluster::Impl::MatchMarkTrigger(NodeId id, const std::string& mark) {
  if (fired_trigger) return;
  for (const auto& [trigger_id, trigger] : mark_triggers) {
    if (trigger.node == id && trigger.mark == mark) {
      fired_trigger = trigger_id;
      return;
    }
  }
}

void Cluster::Impl::FireMarkTrigger(NodeId node) {
  NodeState& ns = *nodes[node.value()];
  const uint64_t id = *fired_trigger;
  fired_trigger.reset();
  auto it = mark_triggers.find(id);
  PG_ASSERT(it != mark_triggers.end(), "crash trigger {} fired while not armed", id);
  const kernel::MarkTrigger trigger = it->second;
  mark_triggers.erase(it);
  if (!ns.node) {  // the step itself ended in an Exit
    return LogFault(fmt::format("crash trigger {} fired on {} ({}): ignored, already down", id,
                                ns.name, trigger.mark));
  }
  effects.Add(trigger.armed);  // the arming took effect; the firing below is its crash
  LogFault(fmt::format("crash trigger {} fired: crash {} ({}) on mark {}", id, ns.name,
                       ModeName(trigger.mode), trigger.mark));
  TookEffect();
  Crash(node, trigger.mode);
}

}  // namespace pg::sim
