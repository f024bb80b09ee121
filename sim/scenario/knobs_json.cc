// Knobs as JSON: the "knobs" object of a verdict and its parse back (KnobsToJson, KnobsFromJson,
// FaultToJson); the resolution of a scenario into knobs is knobs.cc.
#include <fmt/format.h>

#include "core/common/overloaded.h"
#include "sim/scenario/knobs.h"

namespace pg::sim {
namespace {

using nlohmann::json;

void PutOptional(json& j, const char* key, const auto& value) {
  if (value) j[key] = *value;
}

void PutDiskSlow(json& j, const DiskSlowFault& f) {
  j["node"] = f.node;
  PutOptional(j, "factor", f.factor);
  if (f.stall) j["stall"] = true;
  j["duration_ms"] = f.duration_ms;
}

// A fault's scope: a node, or one link (from, to).
void PutScope(json& j, const auto& fault) {
  PutOptional(j, "node", fault.node);
  PutOptional(j, "from", fault.from);
  PutOptional(j, "to", fault.to);
}

// Every key written, defaults included: a new kind has no earlier verdicts to read as before.
void PutCorruptMessages(json& j, const CorruptMessagesFault& f) {
  PutScope(j, f);
  j["class"] = f.message_class, j["probability"] = f.probability;
  j["bits_max"] = f.bits_max, j["duration_ms"] = f.duration_ms;
}

json ActionToJson(const FaultAction& action) {
  json j = json::object();
  std::visit(
      Overloaded{
          [&](const CrashFault& f) {
            j["node"] = f.node, j["mode"] = f.mode;
            PutOptional(j, "on_mark", f.on_mark);
            PutOptional(j, "within_ms", f.within_ms);
          },
          [&](const RestartFault& f) { j["node"] = f.node; },
          [&](const PauseFault& f) {
            j["node"] = f.node, j["duration_ms"] = f.duration_ms;
            // Only when frozen, so a running pause's label (and trace) reads as it always did.
            if (f.clock != "runs") j["clock"] = f.clock;
            PutOptional(j, "leap_after_ms", f.leap_after_ms);
          },
          [&](const PartitionFault& f) {
            j["groups"] = f.groups;
            PutOptional(j, "duration_ms", f.duration_ms);
          },
          [&](const OneWayFault& f) {
            j["from"] = f.from, j["to"] = f.to;
            PutOptional(j, "duration_ms", f.duration_ms);
          },
          [&](const HealFault&) {},
          [&](const ClogFault& f) {
            PutScope(j, f);
            j["duration_ms"] = f.duration_ms;
          },
          [&](const ClockJumpFault& f) { j["node"] = f.node, j["by_ms"] = f.by_ms; },
          [&](const ClockDriftFault& f) { j["node"] = f.node, j["drift_ppm"] = f.drift_ppm; },
          [&](const NetworkFault& f) {
            PutOptional(j, "drop_probability", f.drop_probability);
            PutOptional(j, "duplicate_probability", f.duplicate_probability);
            PutOptional(j, "reorder_probability", f.reorder_probability);
            PutOptional(j, "straggle_ms", f.straggle_ms);
            PutOptional(j, "node", f.node);
            j["duration_ms"] = f.duration_ms;
          },
          [&](const DiskErrorsFault& f) {
            j["node"] = f.node;
            PutOptional(j, "read_error_probability", f.read_error_probability);
            PutOptional(j, "write_error_probability", f.write_error_probability);
            PutOptional(j, "sync_error_probability", f.sync_error_probability);
            if (f.full) j["full"] = true;
            if (f.lying_sync) j["lying_sync"] = true;
            j["duration_ms"] = f.duration_ms;
          },
          [&](const CorruptFault& f) {
            j["node"] = f.node;
            // Written only when not the default, so earlier verdicts' knobs read back the same.
            if (f.target != "log") j["target"] = f.target;
            if (!f.file_prefix.empty()) j["file_prefix"] = f.file_prefix;
          },
          [&](const WipeFault& f) { j["node"] = f.node; },
          [&](const DiskSlowFault& f) { PutDiskSlow(j, f); },
          [&](const ResetFault& f) { PutScope(j, f); },
          [&](const DelayFault& f) {
            PutScope(j, f);
            j["class"] = f.message_class, j["probability"] = f.probability, j["mode"] = f.mode;
            PutOptional(j, "delay_ms", f.delay_ms);
            j["duration_ms"] = f.duration_ms;
          },
          [&](const CorruptMessagesFault& f) { PutCorruptMessages(j, f); },
      },
      action);
  return j;
}

}  // namespace

json FaultToJson(const Fault& fault) {
  json j = ActionToJson(fault.action);
  j["at_ms"] = fault.at_ms;
  j["kind"] = std::string(FaultKind(fault.action));
  return j;
}

json KnobsToJson(const Knobs& k) {
  json faults = json::array();
  for (const Fault& fault : k.faults) faults.push_back(FaultToJson(fault));
  json mix = json::object();
  for (const auto& [op, weight] : k.mix) mix[op] = weight;
  json j = json{
      {"seed", k.seed},
      {"duration_ms", k.duration_ms},
      {"system", k.system},
      {"swarm", k.swarm},
      {"cluster",
       {{"meta_servers", k.meta_servers},
        {"replica_servers", k.replica_servers},
        {"partitions", k.partitions},
        {"replica_count", k.replica_count},
        {"storage", k.storage},
        {"atomic_idempotent", k.atomic_idempotent}}},
      {"network",
       {{"latency_ms_min", k.latency_ms_min},
        {"latency_ms_mean", k.latency_ms_mean},
        {"drop_probability", k.drop_probability},
        {"duplicate_probability", k.duplicate_probability},
        {"reorder_probability", k.reorder_probability}}},
      {"disk",
       {{"write_latency_ms_mean", k.write_latency_ms_mean},
        {"sync_latency_ms_mean", k.sync_latency_ms_mean},
        {"io_error_probability", k.io_error_probability},
        {"torn_write_probability", k.torn_write_probability}}},
      {"clocks", {{"drift_ppm_max", k.drift_ppm_max}, {"offset_ms_max", k.offset_ms_max}}},
      {"workload",
       {{"clients", k.clients},
        {"hashkeys", k.hashkeys},
        {"sortkeys", k.sortkeys},
        {"ops", k.ops},
        {"timeout_ms", k.timeout_ms},
        {"mix", mix}}},
      {"faults", faults},
  };
  // Drawn by the swarm, so always written where the system has it (absent, a reload would draw it).
  if (k.system == "pegasus") {
    j["cluster"]["staleness_for_commit"] = k.staleness_for_commit;
    j["cluster"]["learn_cache_decrees"] = k.learn_cache_decrees;
    j["cluster"]["plog_gc_reserve_decrees"] = k.plog_gc_reserve_decrees;
    j["cluster"]["checkpoint_interval_ms"] = k.checkpoint_interval_ms;
  }
  // Written only when not the default, so the knobs of every timed run read as they always did.
  if (k.bandwidth_mb_per_s > 0) j["network"]["bandwidth_mb_per_s"] = k.bandwidth_mb_per_s;
  if (k.engine_mb_per_s > 0) j["disk"]["engine_mb_per_s"] = k.engine_mb_per_s;
  if (k.balance) j["cluster"]["balance"] = true;
  if (HasCoordNode(k.system, k.meta_servers) && k.coord_servers != Defaults::kCoordServers) {
    j["cluster"]["coord_servers"] = k.coord_servers;
  }
  if (k.liveness_ms > 0) j["liveness_ms"] = k.liveness_ms;
  if (k.timing != kDefaultTimingSet) j["timing"] = k.timing;
  if (k.key_rotation_ops > 0) j["workload"]["key_rotation_ops"] = k.key_rotation_ops;
  // Drawn by the swarm (0 included), so always written where the system has it.
  if (k.system == "pegasus") j["workload"]["ttl_fraction"] = k.ttl_fraction;
  if (k.ttl_fraction > 0) j["workload"]["ttl_s_max"] = k.ttl_s_max;
  if (!k.bugs.empty()) j["bugs"] = k.bugs.Names();
  if (k.scheduler.kind != SchedulerConfig{}.kind) {
    j["scheduler"] = {{"kind", k.scheduler.kind}};
    if (k.scheduler.kind == "pct") {
      j["scheduler"]["depth"] = k.scheduler.depth;
      j["scheduler"]["steps"] = k.scheduler.steps;
    }
  }
  return j;
}

Result<Knobs> KnobsFromJson(const json& j, std::string_view source) {
  auto scenario = ScenarioFromJson(j, std::string(source), ScenarioForm::kKnobs);
  if (!scenario.ok()) return scenario.status();
  // Keys KnobsToJson writes only when not their default: absent, they are the default, never a
  // draw (a swarm run's knobs replay as they ran, older verdicts too).
  scenario->cluster.balance = scenario->cluster.balance.value_or(false);
  scenario->network.bandwidth_mb_per_s = scenario->network.bandwidth_mb_per_s.value_or(0);
  scenario->disk.engine_mb_per_s = scenario->disk.engine_mb_per_s.value_or(0);
  // Every knob is present, so resolving draws nothing that is used: the knobs come back as given.
  return ResolveKnobs(*scenario, *scenario->seed);
}

}  // namespace pg::sim
