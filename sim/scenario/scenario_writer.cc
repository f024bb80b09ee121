#include "sim/scenario/scenario_writer.h"

namespace pg::sim {
namespace {

using nlohmann::ordered_json;

// FaultToJson's object, with at_ms and kind first so a fault reads like the files people write.
ordered_json FaultFileJson(const Fault& fault) {
  const nlohmann::json j = FaultToJson(fault);
  ordered_json out{{"at_ms", fault.at_ms}, {"kind", std::string(FaultKind(fault.action))}};
  for (const auto& [key, value] : j.items()) {
    if (key != "at_ms" && key != "kind") out[key] = ordered_json(value);
  }
  return out;
}

ordered_json ExpectJson(const ExpectSection& e) {
  ordered_json out{{"verdict", e.verdict}};
  if (e.failure_kind) out["failure_kind"] = *e.failure_kind;
  if (e.verdict == "fail" && !e.every_seed) out["every_seed"] = false;
  if (!e.marks.empty()) out["marks"] = e.marks;
  return out;
}

ordered_json WorkloadJson(const Knobs& k) {
  ordered_json mix = ordered_json::object();
  for (const std::string& op : MixOperations()) {
    auto it = k.mix.find(op);
    if (it != k.mix.end() && it->second > 0) mix[op] = it->second;
  }
  ordered_json w{{"clients", k.clients},
                 {"hashkeys", k.hashkeys},
                 {"sortkeys", k.sortkeys},
                 {"ops", k.ops},
                 {"timeout_ms", k.timeout_ms}};
  if (k.key_rotation_ops > 0) w["key_rotation_ops"] = k.key_rotation_ops;
  // Drawn by the swarm (0 included), so always written where the system has it.
  if (k.system == "pegasus") w["ttl_fraction"] = k.ttl_fraction;
  if (k.ttl_fraction > 0) w["ttl_s_max"] = k.ttl_s_max;
  w["mix"] = mix;
  return w;
}

}  // namespace

ordered_json ScenarioFileJson(const Knobs& k, const ScenarioFileHeader& header) {
  ordered_json out{{"name", header.name}};
  if (!header.description.empty()) out["description"] = header.description;
  out["seed"] = k.seed;
  out["duration_ms"] = k.duration_ms;
  if (k.liveness_ms > 0) out["liveness_ms"] = k.liveness_ms;
  out["system"] = k.system;
  if (k.timing != kDefaultTimingSet) out["timing"] = k.timing;
  out["cluster"] = {{"meta_servers", k.meta_servers},
                    {"replica_servers", k.replica_servers},
                    {"partitions", k.partitions},
                    {"replica_count", k.replica_count},
                    {"storage", k.storage}};
  if (k.balance || (k.swarm && k.system == "pegasus")) out["cluster"]["balance"] = k.balance;
  // Where the cluster has coordination and not one server. Absent, it is 1 even in a swarm file:
  // the faults are written out, and a file with faults draws no quorum.
  if (HasCoordNode(k.system, k.meta_servers) && k.coord_servers != Defaults::kCoordServers) {
    out["cluster"]["coord_servers"] = k.coord_servers;
  }
  // Always written: the swarm draws it, so an absent value would be drawn again on a reload.
  out["cluster"]["atomic_idempotent"] = k.atomic_idempotent;
  if (k.system == "pegasus") {
    out["cluster"]["staleness_for_commit"] = k.staleness_for_commit;
    out["cluster"]["learn_cache_decrees"] = k.learn_cache_decrees;
    out["cluster"]["plog_gc_reserve_decrees"] = k.plog_gc_reserve_decrees;
    out["cluster"]["checkpoint_interval_ms"] = k.checkpoint_interval_ms;
  }
  out["network"] = {{"latency_ms_min", k.latency_ms_min},
                    {"latency_ms_mean", k.latency_ms_mean},
                    {"drop_probability", k.drop_probability},
                    {"duplicate_probability", k.duplicate_probability},
                    {"reorder_probability", k.reorder_probability}};
  // A swarm file draws what it leaves out: the defaults are written too.
  if (k.bandwidth_mb_per_s > 0 || k.swarm) {
    out["network"]["bandwidth_mb_per_s"] = k.bandwidth_mb_per_s;
  }
  out["disk"] = {{"write_latency_ms_mean", k.write_latency_ms_mean},
                 {"sync_latency_ms_mean", k.sync_latency_ms_mean},
                 {"io_error_probability", k.io_error_probability},
                 {"torn_write_probability", k.torn_write_probability}};
  if (k.engine_mb_per_s > 0 || k.swarm) out["disk"]["engine_mb_per_s"] = k.engine_mb_per_s;
  out["clocks"] = {{"drift_ppm_max", k.drift_ppm_max}, {"offset_ms_max", k.offset_ms_max}};
  out["workload"] = WorkloadJson(k);
  ordered_json faults = ordered_json::array();
  for (const Fault& fault : k.faults) faults.push_back(FaultFileJson(fault));
  out["faults"] = std::move(faults);
  out["swarm"] = k.swarm;
  if (!k.bugs.empty()) out["bugs"] = k.bugs.Names();
  if (k.scheduler.kind != SchedulerConfig{}.kind) {
    out["scheduler"] = {{"kind", k.scheduler.kind}};
    if (k.scheduler.kind == "pct") {
      out["scheduler"]["depth"] = k.scheduler.depth;
      out["scheduler"]["steps"] = k.scheduler.steps;
    }
  }
  out["expect"] = ExpectJson(header.expect);
  return out;
}

}  // namespace pg::sim
