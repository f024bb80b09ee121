#include "sim/scenario/nemesis.h"

#include <fmt/format.h>

#include <memory>
#include <optional>

#include "core/common/log.h"
#include "core/common/overloaded.h"
#include "sim/scenario/crash_marks.h"
#include "sim/scenario/rot.h"

namespace pg::sim {
namespace {

using Action = std::function<void(Cluster&)>;

Time AtMs(int64_t ms) { return Time::Zero() + Millis(ms); }
// A scenario's fractional milliseconds as whole microseconds, truncated.
Duration FromMs(double ms) { return Micros(static_cast<int64_t>(ms * 1000)); }

// What the scheduled actions of one run share.
// Per node, the window of one kind in force: a later window replaces an earlier one, and a
// window's end ends only itself (not the one that replaced it).
class NodeWindows {
 public:
  uint64_t Open(NodeId node) {
    current_[node] = next_;
    return next_++;
  }
  // Whether `window` was still the one in force on `node`, which it then no longer is.
  bool Close(NodeId node, uint64_t window) {
    auto it = current_.find(node);
    if (it == current_.end() || it->second != window) return false;
    current_.erase(it);
    return true;
  }

 private:
  std::map<NodeId, uint64_t> current_;
  uint64_t next_ = 0;
};

struct NemesisState {
  LinkConfig base_link;
  // Running network spells per scope (nullopt: every link; a node: the links from and to it), in
  // start order. A scope's newest spell is in force there, a node's over the network-wide one.
  std::map<std::optional<NodeId>, std::vector<std::pair<uint64_t, LinkConfig>>> spells;
  uint64_t next_spell = 0;
  // Per node, the token of the pause in force: a resume ends only its own pause, not a later one
  // (pause, crash, restart, pause again: the first pause's resume must not end the second).
  std::map<NodeId, uint64_t> pause_token;
  uint64_t next_pause = 0;
  NodeWindows disk_errors;
  NodeWindows disk_slow;
};
using StatePtr = std::shared_ptr<NemesisState>;

std::optional<NodeId> Find(const Cluster& cluster, const std::string& name) {
  std::optional<NodeId> id = cluster.FindNode(name);
  if (!id) PG_LOG(kWarn, "nemesis: no node named {} in this cluster; fault skipped", name);
  return id;
}

// All of `names`, or nullopt (logged) when one is missing.
std::optional<std::vector<NodeId>> FindAll(const Cluster& cluster,
                                           const std::vector<std::string>& names) {
  std::vector<NodeId> ids;
  for (const std::string& name : names) {
    auto id = Find(cluster, name);
    if (!id) return std::nullopt;
    ids.push_back(*id);
  }
  return ids;
}

Action PauseAction(const PauseFault& f, StatePtr state) {
  return [f, state](Cluster& c) {
    auto id = Find(c, f.node);
    if (!id) return;
    const bool effective = c.is_up(*id) && !c.is_paused(*id);
    const bool frozen = f.clock == "frozen";
    c.Pause(*id, frozen ? PauseClock::kFrozen : PauseClock::kRuns);  // logs "ignored" itself
    if (!effective) return;
    const uint64_t token = state->next_pause++;
    state->pause_token[*id] = token;
    c.Schedule(c.now() + Millis(f.duration_ms), "resume " + f.node,
               [id, token, state, frozen, leap_ms = f.leap_after_ms](Cluster& c) {
                 auto it = state->pause_token.find(*id);
                 if (it == state->pause_token.end() || it->second != token) return;  // not ours
                 state->pause_token.erase(it);
                 c.Resume(*id);  // ignored when a crash or the heal ended the pause first
                 if (!frozen) return;
                 // The clock is behind however the pause ended; the NTP step comes regardless.
                 const int64_t after =
                     leap_ms ? *leap_ms
                             : static_cast<int64_t>(
                                   c.stream("clock_leap")
                                       .Uniform(static_cast<uint64_t>(kDefaultLeapMaxMs) + 1));
                 c.Schedule(c.now() + Millis(after), "leap clock " + c.name(*id),
                            [id](Cluster& c) { c.LeapClock(*id); });
               });
  };
}

Action ResetAction(const ResetFault& f) {
  return [f](Cluster& c) {
    if (f.node) {
      if (auto id = Find(c, *f.node)) c.ResetNode(*id);
      return;
    }
    auto from = Find(c, f.from.value_or(""));
    auto to = Find(c, f.to.value_or(""));
    if (from && to) c.ResetLink(*from, *to);
  };
}

// Groups are resolved to NodeIds when the fault fires; one_way drops only groups[0] -> groups[1].
Action PartitionAction(bool one_way, std::vector<std::vector<std::string>> groups,
                       std::optional<int64_t> duration_ms, std::string what) {
  return [groups = std::move(groups), one_way, duration_ms, what = std::move(what)](Cluster& c) {
    PartitionSpec spec{.groups = {}, .one_way = one_way};
    for (const auto& group : groups) {
      auto ids = FindAll(c, group);
      if (!ids) return;
      spec.groups.push_back(std::move(*ids));
    }
    const PartitionId id = c.AddPartition(std::move(spec));
    if (!duration_ms) return;  // until a "heal"
    c.Schedule(c.now() + Millis(*duration_ms), "heal " + what,
               [id](Cluster& c) { c.Heal(id); });  // logged as ignored if a heal came first
  };
}

Action ClogAction(const ClogFault& f) {
  return [f](Cluster& c) {
    if (f.node) {
      if (auto id = Find(c, *f.node)) c.ClogNode(*id, Millis(f.duration_ms));
      return;
    }
    auto from = Find(c, f.from.value_or(""));
    auto to = Find(c, f.to.value_or(""));
    if (from && to) c.ClogLink(*from, *to, Millis(f.duration_ms));
  };
}

// Puts the scope's newest running spell in force, or, when none runs, what the scope follows
// without one: the scenario's network for every link, the network-wide setting for a node's.
void ApplyNewestSpell(Cluster& c, const NemesisState& state, std::optional<NodeId> scope) {
  auto it = state.spells.find(scope);
  const LinkConfig* newest =
      it == state.spells.end() || it->second.empty() ? nullptr : &it->second.back().second;
  if (!scope) return c.SetDefaultLink(newest ? *newest : state.base_link);
  c.SetNodeLinks(*scope, newest ? std::optional(*newest) : std::nullopt);
}

Action SpellAction(const NetworkFault& f, StatePtr state) {
  return [f, state](Cluster& c) {
    LinkConfig link = state->base_link;
    link.drop_probability = f.drop_probability.value_or(link.drop_probability);
    link.duplicate_probability = f.duplicate_probability.value_or(link.duplicate_probability);
    link.reorder_probability = f.reorder_probability.value_or(link.reorder_probability);
    if (f.straggle_ms) link.straggle_max = Millis(*f.straggle_ms);
    std::optional<NodeId> scope;
    if (f.node) {
      scope = Find(c, *f.node);
      if (!scope) return;
    }
    const uint64_t spell = state->next_spell++;
    state->spells[scope].emplace_back(spell, link);
    ApplyNewestSpell(c, *state, scope);
    c.Schedule(
        c.now() + Millis(f.duration_ms), "network spell ends", [scope, spell, state](Cluster& c) {
          std::erase_if(state->spells[scope], [spell](const auto& s) { return s.first == spell; });
          ApplyNewestSpell(c, *state, scope);
        });
  };
}

Action DiskErrorsAction(const DiskErrorsFault& f, StatePtr state) {
  return [f, state](Cluster& c) {
    auto id = Find(c, f.node);
    if (!id) return;
    const uint64_t window = state->disk_errors.Open(*id);
    c.SetNodeDiskFaults(*id, IoFaults{.read = f.read_error_probability.value_or(0),
                                      .write = f.write_error_probability.value_or(0),
                                      .sync = f.sync_error_probability.value_or(0),
                                      .full = f.full,
                                      .lying_sync = f.lying_sync});
    c.Schedule(c.now() + Millis(f.duration_ms), "disk errors end",
               [node = *id, window, state](Cluster& c) {
                 if (state->disk_errors.Close(node, window))
                   c.SetNodeDiskFaults(node, std::nullopt);
               });
  };
}

Action DiskSlowAction(const DiskSlowFault& f, StatePtr state) {
  return [f, state](Cluster& c) {
    auto id = Find(c, f.node);
    if (!id) return;
    const uint64_t window = state->disk_slow.Open(*id);
    c.SetNodeDiskSlow(*id, DiskSlow{.factor = f.factor.value_or(1), .stall = f.stall});
    c.Schedule(c.now() + Millis(f.duration_ms), "disk slow ends",
               [node = *id, window, state](Cluster& c) {
                 if (state->disk_slow.Close(node, window)) c.SetNodeDiskSlow(node, std::nullopt);
               });
  };
}

Action CorruptAction(const CorruptFault& f) {
  return [f](Cluster& c) {
    auto id = Find(c, f.node);
    if (!id) return;
    if (!RotFiles(c, *id, f, c.stream("corrupt"))) {
      c.LogIgnoredFault(fmt::format("corrupt {} {}{}*", f.node,
                                    f.target == "log" ? "" : f.target + " ", f.file_prefix),
                        f.target == "log" ? "no such log with a record followed by an intact one"
                                          : "no such file with a block or record to flip");
    }
  };
}

// A message rule's scope (node, or from and to, or every link) and class, resolved into `spec`;
// false when a node it names does not exist.
template <class RuleFault, class RuleSpec>
bool ResolveRuleScope(Cluster& c, const RuleFault& f, RuleSpec& spec) {
  for (auto [name, slot] : {std::pair{&f.node, &spec.node}, std::pair{&f.from, &spec.from},
                            std::pair{&f.to, &spec.to}}) {
    if (!*name) continue;
    *slot = Find(c, **name);
    if (!*slot) return false;
  }
  if (f.message_class != "all") {
    spec.message_class =
        f.message_class == "control" ? MessageClass::kControl : MessageClass::kData;
  }
  return true;
}

// A delay rule (DelayFault) in force for the duration; a held message departs at its end.
Action DelayAction(const DelayFault& f) {
  return [f](Cluster& c) {
    DelaySpec spec{.probability = f.probability, .lag_max = Millis(f.delay_ms.value_or(0))};
    if (!ResolveRuleScope(c, f, spec)) return;
    const Time end = c.now() + Millis(f.duration_ms);
    if (f.mode == "hold") spec.hold_until = end;
    const DelayId id = c.AddDelay(spec);
    c.Schedule(end, "delay ends", [id](Cluster& c) { c.EndDelay(id); });
  };
}

// A corruption rule (CorruptMessagesFault) in force for the duration; frames it damaged before
// its end arrive damaged after it.
Action CorruptMessagesAction(const CorruptMessagesFault& f) {
  return [f](Cluster& c) {
    CorruptSpec spec{.probability = f.probability, .bits_max = static_cast<uint32_t>(f.bits_max)};
    if (!ResolveRuleScope(c, f, spec)) return;
    const CorruptId id = c.AddCorruption(spec);
    if (id == 0) return;  // logged as ignored
    c.Schedule(c.now() + Millis(f.duration_ms), "corrupt frames end",
               [id](Cluster& c) { c.EndCorruption(id); });
  };
}

Action MakeAction(const Fault& fault, const StatePtr& state, const std::string& label) {
  auto on_node = [](std::string node, auto apply) -> Action {
    return [node = std::move(node), apply](Cluster& c) {
      if (auto id = Find(c, node)) apply(c, *id);
    };
  };
  return std::visit(
      Overloaded{
          [&](const CrashFault& f) {
            const CrashMode mode = f.mode == "machine" ? CrashMode::kMachine : CrashMode::kProcess;
            if (!f.on_mark) {
              return on_node(f.node, [mode](Cluster& c, NodeId id) { c.Crash(id, mode); });
            }
            // A trigger, armed whether the node is up or not: a node down now may come back
            // within the window and emit the mark while it recovers.
            const Duration within = Millis(f.within_ms.value_or(kDefaultCrashWithinMs));
            return on_node(f.node, [mode, within, mark = *f.on_mark](Cluster& c, NodeId id) {
              c.ArmCrashOnMark(id, mark, mode, c.now() + within);
            });
          },
          [&](const RestartFault& f) {
            return on_node(f.node, [](Cluster& c, NodeId id) { c.Restart(id); });
          },
          [&](const PauseFault& f) { return PauseAction(f, state); },
          [&](const PartitionFault& f) {
            return PartitionAction(/*one_way=*/false, f.groups, f.duration_ms, label);
          },
          [&](const OneWayFault& f) {
            return PartitionAction(/*one_way=*/true, {f.from, f.to}, f.duration_ms, label);
          },
          [&](const HealFault&) { return Action([](Cluster& c) { c.HealAll(); }); },
          [&](const ClogFault& f) { return ClogAction(f); },
          [&](const ClockJumpFault& f) {
            const Duration by = Millis(f.by_ms);
            return on_node(f.node, [by](Cluster& c, NodeId id) { c.JumpClock(id, by); });
          },
          [&](const ClockDriftFault& f) {
            const double ppm = f.drift_ppm;
            return on_node(f.node, [ppm](Cluster& c, NodeId id) { c.SetClockDrift(id, ppm); });
          },
          [&](const NetworkFault& f) { return SpellAction(f, state); },
          [&](const DiskErrorsFault& f) { return DiskErrorsAction(f, state); },
          [&](const CorruptFault& f) { return CorruptAction(f); },
          [&](const WipeFault& f) -> Action {
            return [f](Cluster& c) {
              if (auto id = Find(c, f.node)) c.WipeDisk(*id);
            };
          },
          [&](const DelayFault& f) { return DelayAction(f); },
          [&](const ResetFault& f) { return ResetAction(f); },
          [&](const DiskSlowFault& f) { return DiskSlowAction(f, state); },
          [&](const CorruptMessagesFault& f) { return CorruptMessagesAction(f); },
      },
      fault.action);
}

}  // namespace

LinkConfig LinkConfigFromKnobs(const Knobs& knobs) {
  return {.latency_min = FromMs(knobs.latency_ms_min),
          .latency_mean = FromMs(knobs.latency_ms_mean),
          .drop_probability = knobs.drop_probability,
          .duplicate_probability = knobs.duplicate_probability,
          .reorder_probability = knobs.reorder_probability,
          .bandwidth_bytes_per_ms = knobs.bandwidth_mb_per_s * 1000};
}

DiskLatency DiskLatencyFromKnobs(const Knobs& knobs) {
  return {.write_mean = FromMs(knobs.write_latency_ms_mean),
          .sync_mean = FromMs(knobs.sync_latency_ms_mean),
          .engine_mb_per_s = knobs.engine_mb_per_s};
}

std::string FaultLabel(const Fault& fault) {
  nlohmann::json fields = FaultToJson(fault);
  fields.erase("at_ms");
  fields.erase("kind");
  return fmt::format("{} {}", FaultKind(fault.action), fields.dump());
}

void ScheduleFaults(Cluster& cluster, const Knobs& knobs) {
  auto state = std::make_shared<NemesisState>();
  state->base_link = LinkConfigFromKnobs(knobs);
  for (const Fault& fault : knobs.faults) {
    std::string label = FaultLabel(fault);
    Action action = MakeAction(fault, state, label);
    cluster.Schedule(AtMs(fault.at_ms), std::move(label), std::move(action));
  }
}

}  // namespace pg::sim
