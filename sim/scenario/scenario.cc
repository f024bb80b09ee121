// The scenario grammar (DESIGN.md §4, docs/scenarios.md). Strict by design: a typo in a scenario
// must fail loudly, naming the file, the JSON path, what was expected and what was found, because a
// silently ignored knob makes a test that passes for the wrong reason.
#include "sim/scenario/scenario.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "sim/scenario/input_limits.h"
#include "sim/scenario/json_reader.h"
#include "sim/scenario/knob_tables.h"
#include "sim/scenario/scenario_parser.h"
#include "sim/scenario/timing_sets.h"

namespace pg::sim {
namespace scenario_internal {
namespace {

constexpr std::string_view kSystems[] = {"pegasus", "register"};
constexpr std::string_view kStorages[] = {"rocksdb", "memory"};
constexpr std::string_view kVerdicts[] = {"ok", "fail"};
constexpr std::string_view kSchedulers[] = {"timed", "random", "pct"};
constexpr double kMaxDriftPpm = 1e5;
constexpr double kMaxLatencyMs = 60'000;  // a minute per message is already a partition

bool IsSafeFileName(std::string_view name) {
  if (name.empty() || name.front() == '.' || name.size() > 200) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

std::string NodeRange(std::string_view kind, int count) {
  if (count == 1) return fmt::format("{}/0", kind);
  return fmt::format("{}/0..{}/{}", kind, kind, count - 1);
}

}  // namespace

Result<Scenario> ScenarioParser::Parse(const json& root) {
  JsonObject top(JsonReader(errors_, &root, "$", true), options_);
  ParseHeader(top);
  ParseCluster(top.Field("cluster"));
  ParseNetwork(top.Field("network"));
  ParseDisk(top.Field("disk"));
  ParseClocks(top.Field("clocks"));
  ParseWorkload(top.Field("workload"));
  if (form_ == ScenarioForm::kScenario) ParseExpect(top.Optional("expect"));
  // Optional in both forms: knobs of the timed default leave it out, so older verdicts replay.
  ParseScheduler(top.Optional("scheduler"));
  PrepareNodeNames();
  ParseFaults(top.Field("faults"));
  top.RejectUnknownKeys();
  if (!errors_.ok()) return errors_.status();
  return std::move(s_);
}

void ScenarioParser::ParseHeader(JsonObject& top) {
  if (form_ == ScenarioForm::kScenario) {
    JsonReader name = top.Required("name");
    s_.name = name.NonEmptyString().value_or("");
    // The name becomes a file name (out/NAME-SEED/, a shrunk NAME_seed..json): it must stay one.
    if (!s_.name.empty() && !IsSafeFileName(s_.name)) {
      name.Fail("a name of letters, digits, '_', '-' and '.', not starting with '.'");
    }
    s_.description = top.Optional("description").String().value_or("");
    s_.seed = top.Optional("seed").Uint64();
  } else {
    s_.seed = top.Required("seed").Uint64();
  }
  s_.duration_ms = top.Field("duration_ms").Int(1, kMaxDurationMs);
  s_.liveness_ms = top.Optional("liveness_ms").Int(0, kMaxDurationMs);
  s_.system = top.Field("system").OneOf(kSystems).value_or(s_.system);
  s_.swarm = top.Field("swarm").Bool().value_or(false);
  // Optional in both forms: knobs of the default set leave it out, so every other verdict reads as
  // before.
  JsonReader timing = top.Optional("timing");
  s_.timing = timing.OneOf(TimingSetNames());
  if (s_.timing && s_.system != "pegasus") {
    timing.Fail("no timing unless system is \"pegasus\" (the register system has no lease)");
  }
  // Optional in both forms: knobs without bugs leave it out, so every other verdict reads as
  // before.
  if (auto bugs = top.Optional("bugs").Elements()) {
    for (const JsonReader& bug : *bugs) {
      const std::optional<std::string> name = bug.String();
      if (!name) continue;
      if (const std::optional<Bug> known = BugByName(*name)) {
        s_.bugs.Enable(*known);
      } else {
        bug.Fail("a bug-zoo switch name (pegasim hunt --list names them)", *name);
      }
    }
    if (!s_.bugs.empty() && s_.system != "pegasus") {
      top.Optional("bugs").Fail("no bugs unless system is \"pegasus\" (they live in its core)");
    }
  }
}

void ScenarioParser::ParseCluster(const JsonReader& r) {
  JsonObject obj(r, options_);
  ClusterSection& c = s_.cluster;
  c.meta_servers = obj.Field("meta_servers").Int32(1, 5);
  c.replica_servers = obj.Field("replica_servers").Int32(1, 16);
  c.partitions = obj.Field("partitions").Int32(1, 64);
  JsonReader replica_count = obj.Field("replica_count");
  c.replica_count = replica_count.Int32(1, 5);
  c.storage = obj.Field("storage").OneOf(kStorages);
  c.balance = obj.Optional("balance").Bool();
  JsonReader atomic_idempotent = obj.Optional("atomic_idempotent");
  c.atomic_idempotent = atomic_idempotent.Bool();
  if (c.atomic_idempotent.value_or(false) && s_.system != "pegasus") {
    atomic_idempotent.Fail(
        "false unless system is \"pegasus\" (the register system has no atomic "
        "writes)");
  }
  JsonReader staleness = obj.Optional("staleness_for_commit");
  c.staleness_for_commit = staleness.Int32(1, kMaxStalenessForCommit);
  if (c.staleness_for_commit && s_.system != "pegasus") {
    staleness.Fail("absent unless system is \"pegasus\" (the register system has no 2PC)");
  }
  JsonReader learn_cache = obj.Optional("learn_cache_decrees");
  c.learn_cache_decrees = learn_cache.Int32(0, kMaxRetainedDecrees);
  JsonReader gc_reserve = obj.Optional("plog_gc_reserve_decrees");
  c.plog_gc_reserve_decrees = gc_reserve.Int32(0, kMaxRetainedDecrees);
  JsonReader checkpoint = obj.Optional("checkpoint_interval_ms");
  c.checkpoint_interval_ms = checkpoint.Int(kMinCheckpointIntervalMs, kMaxDurationMs);
  for (JsonReader* r : {&learn_cache, &gc_reserve, &checkpoint}) {
    if (r->present() && s_.system != "pegasus") {
      r->Fail("absent unless system is \"pegasus\" (the register system has no learners)");
    }
  }
  ParseCoordServers(obj.Optional("coord_servers"));
  obj.RejectUnknownKeys();
  if (c.replica_count && c.replica_servers && *c.replica_count > *c.replica_servers) {
    replica_count.Fail(fmt::format("an integer <= replica_servers ({})", *c.replica_servers));
  }
}

// Only a cluster with a coordination service may size it: a pegasus one with several metas (a
// swarm file that leaves meta_servers out then draws at least two). Never a silent default.
void ScenarioParser::ParseCoordServers(const JsonReader& r) {
  if (!r.present()) return;
  const std::optional<int> n = r.Int32(1, 5);
  if (!n) return;
  if (std::find(std::begin(kCoordServerCounts), std::end(kCoordServerCounts), *n) ==
      std::end(kCoordServerCounts)) {
    return r.Fail("one of 1, 3, 5 (one coordination server, or a quorum of 3 or 5)",
                  std::to_string(*n));
  }
  const std::optional<int>& metas = s_.cluster.meta_servers;
  const bool may_have_coord = s_.system == "pegasus" && (metas ? *metas > 1 : s_.swarm);
  if (!may_have_coord) {
    return r.Fail(
        "absent unless the cluster has a coordination service (system \"pegasus\" with "
        "meta_servers >= 2)");
  }
  s_.cluster.coord_servers = n;
}

void ScenarioParser::ParseNetwork(const JsonReader& r) {
  JsonObject obj(r, options_);
  NetworkSection& n = s_.network;
  n.latency_ms_min = obj.Field("latency_ms_min").Double(0, kMaxLatencyMs);
  JsonReader mean = obj.Field("latency_ms_mean");
  n.latency_ms_mean = mean.Double(0, kMaxLatencyMs);
  n.drop_probability = obj.Field("drop_probability").Double(0, 1, false);
  n.duplicate_probability = obj.Field("duplicate_probability").Double(0, 1, false);
  n.reorder_probability = obj.Field("reorder_probability").Double(0, 1);
  n.bandwidth_mb_per_s = obj.Optional("bandwidth_mb_per_s").Double(0, 1e6);
  obj.RejectUnknownKeys();
  if (n.latency_ms_min && n.latency_ms_mean && *n.latency_ms_mean < *n.latency_ms_min) {
    mean.Fail(fmt::format("a number >= latency_ms_min ({})", *n.latency_ms_min));
  }
}

void ScenarioParser::ParseDisk(const JsonReader& r) {
  JsonObject obj(r, options_);
  s_.disk.write_latency_ms_mean = obj.Field("write_latency_ms_mean").Double(0, kMaxLatencyMs);
  s_.disk.sync_latency_ms_mean = obj.Field("sync_latency_ms_mean").Double(0, kMaxLatencyMs);
  s_.disk.io_error_probability = obj.Field("io_error_probability").Double(0, 1, false);
  s_.disk.torn_write_probability = obj.Field("torn_write_probability").Double(0, 1);
  s_.disk.engine_mb_per_s = obj.Optional("engine_mb_per_s").Double(0, 1e6);
  obj.RejectUnknownKeys();
}

void ScenarioParser::ParseClocks(const JsonReader& r) {
  JsonObject obj(r, options_);
  s_.clocks.drift_ppm_max = obj.Field("drift_ppm_max").Double(0, kMaxDriftPpm);
  s_.clocks.offset_ms_max = obj.Field("offset_ms_max").Double(0, kMaxDurationMs);
  obj.RejectUnknownKeys();
}

void ScenarioParser::ParseWorkload(const JsonReader& r) {
  JsonObject obj(r, options_);
  WorkloadSection& w = s_.workload;
  w.clients = obj.Field("clients").Int32(1, 256);
  w.hashkeys = obj.Field("hashkeys").Int32(1, 100'000);
  w.sortkeys = obj.Field("sortkeys").Int32(1, 1000);
  w.ops = obj.Field("ops").Int32(0, 10'000'000);
  w.timeout_ms = obj.Field("timeout_ms").Int(1, kMaxDurationMs);
  // Optional even in a verdict's knobs: written only when not 0, as verdicts always read.
  w.key_rotation_ops = obj.Optional("key_rotation_ops").Int32(0, 10'000'000);
  const JsonReader ttl_fraction = obj.Optional("ttl_fraction");
  const JsonReader ttl_s_max = obj.Optional("ttl_s_max");
  w.ttl_fraction = ttl_fraction.Double(0, 1);
  w.ttl_s_max = ttl_s_max.Int32(1, 86'400);
  // Never a silent default: a TTL the run would not write is an error, not ignored.
  if (w.ttl_fraction && s_.system != "pegasus") {
    ttl_fraction.Fail("no ttl_fraction unless system is \"pegasus\" (its client writes TTLs)");
  }
  if (w.ttl_s_max && !s_.swarm && w.ttl_fraction.value_or(0) <= 0) {
    ttl_s_max.Fail("ttl_s_max only with a ttl_fraction above 0 (or a swarm that draws one)");
  }
  ParseMix(obj.Field("mix"));
  obj.RejectUnknownKeys();
}

// A mix names only the operations it wants; an operation it leaves out has weight 0.
void ScenarioParser::ParseMix(const JsonReader& r) {
  JsonObject obj(r, options_);
  if (!r.present()) return;
  std::map<std::string, double> mix;
  double total = 0;
  for (const std::string& op : MixOperations()) {
    if (auto weight = obj.Field(op).Double(0, 1e9)) {
      mix[op] = *weight;
      total += *weight;
    }
  }
  obj.RejectUnknownKeys();
  // The register system serves get and set only: any other operation would be silently never
  // issued, so a mix that asks for one is an error rather than a quieter workload. (A verdict's
  // knobs carry every operation's weight, drawn or default, whatever the system: not checked.)
  for (const auto& [op, weight] : mix) {
    if (form_ == ScenarioForm::kScenario && weight > 0 && !SystemSupports(s_.system, op)) {
      obj.Field(op).Fail(
          fmt::format("an operation the \"{}\" system serves (get, set), or weight 0", s_.system));
    }
  }
  if (errors_.ok() && total <= 0) r.Fail("at least one positive weight");
  s_.workload.mix = std::move(mix);
}

void ScenarioParser::ParseExpect(const JsonReader& r) {
  JsonObject obj(r, options_);
  ExpectSection& e = s_.expect;
  e.verdict = obj.Optional("verdict").OneOf(kVerdicts).value_or(e.verdict);
  JsonReader failure_kind = obj.Optional("failure_kind");
  e.failure_kind = failure_kind.NonEmptyString();
  if (e.failure_kind && e.verdict != "fail")
    failure_kind.Fail("no failure_kind unless verdict is \"fail\"");
  JsonReader every_seed = obj.Optional("every_seed");
  e.every_seed = every_seed.Bool().value_or(true);
  if (every_seed.present() && e.verdict != "fail")
    every_seed.Fail("no every_seed unless verdict is \"fail\"");
  if (auto marks = obj.Optional("marks").Elements()) {
    for (const JsonReader& mark : *marks) {
      if (auto name = mark.NonEmptyString()) e.marks.push_back(*name);
    }
  }
  obj.RejectUnknownKeys();
}

void ScenarioParser::ParseScheduler(const JsonReader& r) {
  JsonObject obj(r);
  if (!r.present()) return;
  SchedulerSection& sc = s_.scheduler;
  sc.kind = obj.Required("kind").OneOf(kSchedulers);
  JsonReader depth = obj.Optional("depth");
  JsonReader steps = obj.Optional("steps");
  sc.depth = depth.Int32(1, 10);
  sc.steps = steps.Int(1, 100'000'000);
  obj.RejectUnknownKeys();
  if (!sc.kind || *sc.kind == "pct") return;
  if (depth.present()) depth.Fail("no depth unless kind is \"pct\"");
  if (steps.present()) steps.Fail("no steps unless kind is \"pct\"");
}

void ScenarioParser::PrepareNodeNames() {
  const ScenarioLimits limits = LimitsOf(s_);
  const std::pair<std::string_view, int> kinds[] = {
      {"meta", limits.meta_servers},
      {"replica", limits.replica_servers},
      {"client", limits.clients},
      {"coord", HasCoordNode(s_.system, limits.meta_servers) ? limits.coord_servers : 0}};
  std::vector<std::string> ranges;
  for (const auto& [kind, count] : kinds) {
    if (kind == "coord" && count == 0) continue;  // only a multi-meta pegasus cluster has it
    for (int i = 0; i < count; ++i) node_names_.insert(fmt::format("{}/{}", kind, i));
    ranges.push_back(NodeRange(kind, count));
  }
  node_names_text_ = fmt::format("one of {}", fmt::join(ranges, ", "));
  max_at_ms_ = limits.duration_ms;
}

}  // namespace scenario_internal

ScenarioLimits LimitsOf(const Scenario& s) {
  using B = SwarmBounds;
  using D = Defaults;
  const ClusterSection& c = s.cluster;
  if (s.swarm) {
    return {.meta_servers = c.meta_servers.value_or(B::kMetaServers.hi),
            .coord_servers = c.coord_servers.value_or(D::kCoordServers),
            .replica_servers = c.replica_servers.value_or(B::kReplicaServers.hi),
            .clients = s.workload.clients.value_or(B::kClients.hi),
            .duration_ms = s.duration_ms.value_or(B::kDurationMs.hi)};
  }
  return {.meta_servers = c.meta_servers.value_or(D::kMetaServers),
          .coord_servers = c.coord_servers.value_or(D::kCoordServers),
          .replica_servers =
              c.replica_servers.value_or(std::max(D::kReplicaServers, c.replica_count.value_or(0))),
          .clients = s.workload.clients.value_or(D::kClients),
          .duration_ms = s.duration_ms.value_or(D::kDurationMs)};
}

Result<Scenario> ScenarioFromJson(const nlohmann::json& root, const std::string& source,
                                  ScenarioForm form) {
  scenario_internal::ScenarioParser parser(source, form);
  auto scenario = parser.Parse(root);
  if (scenario.ok()) scenario->path = source;
  return scenario;
}

Result<Scenario> ParseScenario(const std::string& text, const std::string& path) {
  auto root = ParseJsonText(text, path);
  if (!root.ok()) return root.status();
  return ScenarioFromJson(*root, path, ScenarioForm::kScenario);
}

Result<Scenario> LoadScenario(const std::string& path) {
  auto text = ReadInputFile(path, InputLimits::kScenarioBytes, "scenario file");
  if (!text.ok()) return text.status();
  return ParseScenario(*text, path);
}

}  // namespace pg::sim
