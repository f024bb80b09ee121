// The scenario grammar (DESIGN.md §4, docs/scenarios.md). Strict by design: a typo in a scenario
// must fail loudly, naming the file, the JSON path, what was expected and what was found, because a
// silently ignored knob makes a test that passes for the wrong reason.
#include "sim/scenario/scenario.h"

#include <fmt/format.h>

#include <fstream>
#include <set>
#include <sstream>

#include "sim/scenario/json_reader.h"
#include "sim/scenario/knobs.h"

namespace pg::sim {
namespace {

using nlohmann::json;

constexpr std::string_view kSystems[] = {"pegasus", "register"};
constexpr std::string_view kStorages[] = {"rocksdb", "memory"};
constexpr std::string_view kVerdicts[] = {"ok", "fail"};
constexpr std::string_view kSchedulers[] = {"timed", "random", "pct"};
constexpr std::string_view kCrashModes[] = {"process", "machine"};
constexpr std::string_view kFaultKinds[] = {"crash",       "restart", "pause",       "partition",
                                            "one_way",     "heal",    "clog",        "clock_jump",
                                            "clock_drift", "network", "disk_errors", "corrupt"};
static_assert(std::size(kFaultKinds) == std::variant_size_v<FaultAction>,
              "one kind name per FaultAction alternative, in the variant's order");
constexpr int64_t kMaxDurationMs = 3'600'000;
constexpr int64_t kMaxStraggleMs = 60'000;  // a minute: longer than any retransmission stall
constexpr double kMaxDriftPpm = 1e5;
// A clock_drift fault may go further than the drawn drifts: down to a clock at half speed (the
// kernel's own bound), enough to break a lease margin on purpose.
constexpr double kMaxFaultDriftPpm = 5e5;
constexpr double kMaxLatencyMs = 60'000;  // a minute per message is already a partition

std::string NodeRange(std::string_view kind, int count) {
  if (count == 1) return fmt::format("{}/0", kind);
  return fmt::format("{}/0..{}/{}", kind, kind, count - 1);
}

// Parses one document in one form; keeps the partially read Scenario so that later checks (node
// names, fault times) see the sizes and the duration read before them.
class ScenarioParser {
 public:
  ScenarioParser(std::string source, ScenarioForm form)
      : errors_(std::move(source)),
        form_(form),
        options_{.all_required = form == ScenarioForm::kKnobs} {}

  Result<Scenario> Parse(const json& root);

 private:
  void ParseHeader(JsonObject& top);
  void ParseCluster(const JsonReader& r);
  void ParseNetwork(const JsonReader& r);
  void ParseDisk(const JsonReader& r);
  void ParseClocks(const JsonReader& r);
  void ParseWorkload(const JsonReader& r);
  void ParseMix(const JsonReader& r);
  void ParseExpect(const JsonReader& r);
  void ParseScheduler(const JsonReader& r);
  void ParseFaults(const JsonReader& r);
  std::optional<Fault> ParseFault(const JsonReader& r);
  std::optional<FaultAction> ParseAction(std::string_view kind, JsonObject& obj);
  std::optional<FaultAction> ParsePartition(JsonObject& obj);
  std::optional<FaultAction> ParseOneWay(JsonObject& obj);
  std::optional<FaultAction> ParseClog(JsonObject& obj);
  std::optional<FaultAction> ParseNetworkSpell(JsonObject& obj);
  std::optional<FaultAction> ParseDiskErrors(JsonObject& obj);
  std::optional<std::string> NodeName(const JsonReader& r) const;
  // A non-empty list of node names; `seen` spans every list of one fault (no node twice).
  std::optional<std::vector<std::string>> NodeList(const JsonReader& r,
                                                   std::set<std::string>& seen) const;
  void PrepareNodeNames();

  JsonErrors errors_;
  ScenarioForm form_;
  JsonObject::Options options_;
  Scenario s_;
  std::set<std::string> node_names_;
  std::string node_names_text_;
  int64_t max_at_ms_ = 0;
};

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
    s_.name = top.Required("name").NonEmptyString().value_or("");
    s_.description = top.Optional("description").String().value_or("");
    s_.seed = top.Optional("seed").Uint64();
  } else {
    s_.seed = top.Required("seed").Uint64();
  }
  s_.duration_ms = top.Field("duration_ms").Int(1, kMaxDurationMs);
  s_.liveness_ms = top.Optional("liveness_ms").Int(0, kMaxDurationMs);
  s_.system = top.Field("system").OneOf(kSystems).value_or(s_.system);
  s_.swarm = top.Field("swarm").Bool().value_or(false);
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
  obj.RejectUnknownKeys();
  if (c.replica_count && c.replica_servers && *c.replica_count > *c.replica_servers) {
    replica_count.Fail(fmt::format("an integer <= replica_servers ({})", *c.replica_servers));
  }
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
  n.bandwidth_mb_per_s = obj.Optional("bandwidth_mb_per_s").Double(0.001, 1e6);
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
      {"coord", HasCoordNode(s_.system, limits.meta_servers) ? 1 : 0}};
  std::vector<std::string> ranges;
  for (const auto& [kind, count] : kinds) {
    if (kind == "coord" && count == 0) continue;  // only a multi-meta pegasus cluster has it
    for (int i = 0; i < count; ++i) node_names_.insert(fmt::format("{}/{}", kind, i));
    ranges.push_back(NodeRange(kind, count));
  }
  node_names_text_ = fmt::format("one of {}", fmt::join(ranges, ", "));
  max_at_ms_ = limits.duration_ms;
}

std::optional<std::string> ScenarioParser::NodeName(const JsonReader& r) const {
  if (!r.present()) {
    if (r.required()) r.Fail(node_names_text_, "nothing");
    return std::nullopt;
  }
  if (!r.value()->is_string() || !node_names_.contains(r.value()->get<std::string>())) {
    r.Fail(node_names_text_);
    return std::nullopt;
  }
  return r.value()->get<std::string>();
}

std::optional<std::vector<std::string>> ScenarioParser::NodeList(
    const JsonReader& r, std::set<std::string>& seen) const {
  auto elements = r.Elements();
  if (!elements) return std::nullopt;
  if (elements->empty()) {
    r.Fail("a non-empty array of node names");
    return std::nullopt;
  }
  std::vector<std::string> names;
  for (const JsonReader& element : *elements) {
    auto name = NodeName(element);
    if (!name) return std::nullopt;
    if (!seen.insert(*name).second) {
      element.Fail("each node at most once across the fault's groups");
      return std::nullopt;
    }
    names.push_back(*name);
  }
  return names;
}

void ScenarioParser::ParseFaults(const JsonReader& r) {
  auto elements = r.Elements();
  if (!elements) return;  // absent: none, or drawn by the swarm
  std::vector<Fault> faults;
  for (const JsonReader& element : *elements) {
    if (auto fault = ParseFault(element)) faults.push_back(std::move(*fault));
  }
  s_.faults = std::move(faults);
}

std::optional<Fault> ScenarioParser::ParseFault(const JsonReader& r) {
  JsonObject obj(r, options_);
  auto at_ms = obj.Required("at_ms").Int(0, max_at_ms_);
  auto kind = obj.Required("kind").OneOf(kFaultKinds);
  std::optional<FaultAction> action;
  if (kind) action = ParseAction(*kind, obj);
  obj.RejectUnknownKeys();
  if (!at_ms || !action || !errors_.ok()) return std::nullopt;
  return Fault{.at_ms = *at_ms, .action = std::move(*action)};
}

std::optional<FaultAction> ScenarioParser::ParseAction(std::string_view kind, JsonObject& obj) {
  auto node = [&] { return NodeName(obj.Required("node")); };
  auto duration = [&] { return obj.Required("duration_ms").Int(1, kMaxDurationMs); };
  if (kind == "crash") {
    auto name = node();
    auto mode = obj.Field("mode").OneOf(kCrashModes).value_or("process");
    if (name) return CrashFault{.node = *name, .mode = mode};
  } else if (kind == "restart") {
    if (auto name = node()) return RestartFault{.node = *name};
  } else if (kind == "pause") {
    auto name = node();
    auto d = duration();
    if (name && d) return PauseFault{.node = *name, .duration_ms = *d};
  } else if (kind == "partition") {
    return ParsePartition(obj);
  } else if (kind == "one_way") {
    return ParseOneWay(obj);
  } else if (kind == "heal") {
    return HealFault{};
  } else if (kind == "clog") {
    return ParseClog(obj);
  } else if (kind == "clock_jump") {
    auto name = node();
    auto by = obj.Required("by_ms").Int(-kMaxDurationMs, kMaxDurationMs);
    if (name && by) return ClockJumpFault{.node = *name, .by_ms = *by};
  } else if (kind == "clock_drift") {
    auto name = node();
    auto ppm = obj.Required("drift_ppm").Double(-kMaxFaultDriftPpm, kMaxFaultDriftPpm);
    if (name && ppm) return ClockDriftFault{.node = *name, .drift_ppm = *ppm};
  } else if (kind == "network") {
    return ParseNetworkSpell(obj);
  } else if (kind == "disk_errors") {
    return ParseDiskErrors(obj);
  } else if (kind == "corrupt") {
    auto name = node();
    auto prefix = obj.Optional("file_prefix").NonEmptyString();
    if (name && errors_.ok())
      return CorruptFault{.node = *name, .file_prefix = prefix.value_or("plog.")};
  }
  return std::nullopt;
}

std::optional<FaultAction> ScenarioParser::ParsePartition(JsonObject& obj) {
  JsonReader groups_reader = obj.Required("groups");
  auto groups = groups_reader.Elements();
  auto d = obj.Optional("duration_ms").Int(1, kMaxDurationMs);
  if (!groups) return std::nullopt;
  if (groups->size() < 2) {
    groups_reader.Fail("an array of at least 2 groups");
    return std::nullopt;
  }
  PartitionFault fault{.groups = {}, .duration_ms = d};
  std::set<std::string> seen;
  for (const JsonReader& group : *groups) {
    auto names = NodeList(group, seen);
    if (!names) return std::nullopt;
    fault.groups.push_back(std::move(*names));
  }
  return fault;
}

std::optional<FaultAction> ScenarioParser::ParseOneWay(JsonObject& obj) {
  std::set<std::string> seen;
  auto from = NodeList(obj.Required("from"), seen);
  auto to = NodeList(obj.Required("to"), seen);
  auto d = obj.Optional("duration_ms").Int(1, kMaxDurationMs);
  if (!from || !to) return std::nullopt;
  return OneWayFault{.from = *from, .to = *to, .duration_ms = d};
}

std::optional<FaultAction> ScenarioParser::ParseClog(JsonObject& obj) {
  JsonReader node_reader = obj.Optional("node");
  JsonReader from_reader = obj.Optional("from");
  JsonReader to_reader = obj.Optional("to");
  auto d = obj.Required("duration_ms").Int(1, kMaxDurationMs);
  const bool link = from_reader.present() || to_reader.present();
  if (node_reader.present() == link) {
    errors_.Fail(obj.path(), "either \"node\" or both \"from\" and \"to\"",
                 node_reader.present() ? "both" : "neither");
    return std::nullopt;
  }
  if (!d) return std::nullopt;
  if (!link) {
    if (auto node = NodeName(node_reader))
      return ClogFault{.node = *node, .from = {}, .to = {}, .duration_ms = *d};
    return std::nullopt;
  }
  auto from = NodeName(JsonReader(errors_, from_reader.value(), from_reader.path(), true));
  auto to = NodeName(JsonReader(errors_, to_reader.value(), to_reader.path(), true));
  if (!from || !to) return std::nullopt;
  if (*from == *to) {
    to_reader.Fail("a node other than \"from\"");
    return std::nullopt;
  }
  return ClogFault{.node = {}, .from = *from, .to = *to, .duration_ms = *d};
}

std::optional<FaultAction> ScenarioParser::ParseNetworkSpell(JsonObject& obj) {
  NetworkFault fault{
      .drop_probability = obj.Optional("drop_probability").Double(0, 1, false),
      .duplicate_probability = obj.Optional("duplicate_probability").Double(0, 1, false),
      .reorder_probability = obj.Optional("reorder_probability").Double(0, 1),
      .straggle_ms = std::nullopt,
      .node = std::nullopt,
      .duration_ms = 0,
  };
  if (JsonReader node_reader = obj.Optional("node"); node_reader.present()) {
    auto node = NodeName(node_reader);
    if (!node) return std::nullopt;
    fault.node = *node;
  }
  JsonReader straggle = obj.Optional("straggle_ms");
  fault.straggle_ms = straggle.Int(1, kMaxStraggleMs);
  auto d = obj.Required("duration_ms").Int(1, kMaxDurationMs);
  if (!errors_.ok() || !d) return std::nullopt;
  if (fault.straggle_ms && fault.reorder_probability.value_or(0) <= 0) {
    // Only a reordered message straggles: without reordering in the same spell it would do nothing.
    straggle.Fail("straggle_ms only with a reorder_probability above 0 in the same fault");
    return std::nullopt;
  }
  if (!fault.drop_probability && !fault.duplicate_probability && !fault.reorder_probability) {
    errors_.Fail(obj.path(),
                 "at least one of drop_probability, duplicate_probability, reorder_probability",
                 "none");
    return std::nullopt;
  }
  fault.duration_ms = *d;
  return fault;
}

std::optional<FaultAction> ScenarioParser::ParseDiskErrors(JsonObject& obj) {
  auto name = NodeName(obj.Required("node"));
  DiskErrorsFault fault{
      .node = name.value_or(""),
      .read_error_probability = obj.Optional("read_error_probability").Double(0, 1),
      .write_error_probability = obj.Optional("write_error_probability").Double(0, 1),
      .sync_error_probability = obj.Optional("sync_error_probability").Double(0, 1),
      .duration_ms = 0,
  };
  auto d = obj.Required("duration_ms").Int(1, kMaxDurationMs);
  if (!errors_.ok() || !d || !name) return std::nullopt;
  if (!fault.read_error_probability && !fault.write_error_probability &&
      !fault.sync_error_probability) {
    errors_.Fail(obj.path(),
                 "at least one of read_error_probability, write_error_probability, "
                 "sync_error_probability",
                 "none");
    return std::nullopt;
  }
  fault.duration_ms = *d;
  return fault;
}

}  // namespace

std::string_view FaultKind(const FaultAction& action) { return kFaultKinds[action.index()]; }

std::vector<std::string> FaultNodes(const FaultAction& action) {
  std::vector<std::string> names;
  auto add = [&names](const auto& list) { names.insert(names.end(), list.begin(), list.end()); };
  if (auto* f = std::get_if<CrashFault>(&action)) names.push_back(f->node);
  if (auto* f = std::get_if<RestartFault>(&action)) names.push_back(f->node);
  if (auto* f = std::get_if<PauseFault>(&action)) names.push_back(f->node);
  if (auto* f = std::get_if<ClockJumpFault>(&action)) names.push_back(f->node);
  if (auto* f = std::get_if<ClockDriftFault>(&action)) names.push_back(f->node);
  if (auto* f = std::get_if<DiskErrorsFault>(&action)) names.push_back(f->node);
  if (auto* f = std::get_if<CorruptFault>(&action)) names.push_back(f->node);
  if (auto* f = std::get_if<NetworkFault>(&action); f != nullptr && f->node) {
    names.push_back(*f->node);
  }
  if (auto* f = std::get_if<PartitionFault>(&action)) {
    for (const auto& group : f->groups) add(group);
  }
  if (auto* f = std::get_if<OneWayFault>(&action)) {
    add(f->from);
    add(f->to);
  }
  if (auto* f = std::get_if<ClogFault>(&action)) {
    for (const auto* name : {&f->node, &f->from, &f->to}) {
      if (*name) names.push_back(**name);
    }
  }
  return names;
}

Result<Scenario> ScenarioFromJson(const json& root, const std::string& source, ScenarioForm form) {
  ScenarioParser parser(source, form);
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
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status(ErrorCode::kNotFound, fmt::format("{}: cannot open the scenario file", path));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseScenario(text.str(), path);
}

}  // namespace pg::sim
