// The scenario grammar's faults (DESIGN.md §4, docs/scenarios.md): one parser per "kind", and
// the node names a fault may name (the cluster's, as its sizes are known by then).
#include <fmt/format.h>

#include <set>
#include <variant>

#include "sim/scenario/crash_marks.h"
#include "sim/scenario/input_limits.h"
#include "sim/scenario/json_reader.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/scenario_parser.h"

namespace pg::sim {
namespace {

constexpr std::string_view kCrashModes[] = {"process", "machine"};
constexpr std::string_view kFaultKinds[] = {
    "crash", "restart",    "pause",       "partition", "one_way",         "heal",
    "clog",  "clock_jump", "clock_drift", "network",   "disk_errors",     "corrupt",
    "delay", "wipe",       "reset",       "disk_slow", "corrupt_messages"};
constexpr std::string_view kPauseClocks[] = {"runs", "frozen"};
constexpr std::string_view kCorruptTargets[] = {"log", "sst", "manifest"};
static_assert(std::size(kFaultKinds) == std::variant_size_v<FaultAction>,
              "one kind name per FaultAction alternative, in the variant's order");
constexpr int64_t kMaxStraggleMs = 60'000;  // a minute: longer than any retransmission stall
// A slow disk's factor: above 1 (else it slows nothing), and at most what turns a millisecond
// append into a second's: slower than that is a stall, which the fault has its own form for.
constexpr double kMaxDiskSlowFactor = 1000;
// A clock_drift fault may go further than the drawn drifts: down to a clock at half speed (the
// kernel's own bound), enough to break a lease margin on purpose.
constexpr double kMaxFaultDriftPpm = 5e5;

}  // namespace

namespace scenario_internal {

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
  if (r.present() && r.value()->is_array() && r.value()->size() > InputLimits::kFaults) {
    r.Fail(fmt::format("at most {} faults", InputLimits::kFaults),
           fmt::format("{}", r.value()->size()));
    return;
  }
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
  if (kind == "crash") {
    return ParseCrash(obj);
  } else if (kind == "restart") {
    if (auto name = node()) return RestartFault{.node = *name};
  } else if (kind == "pause") {
    return ParsePause(obj);
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
    auto target = obj.Optional("target").OneOf(kCorruptTargets).value_or("log");
    auto prefix = obj.Optional("file_prefix").NonEmptyString();
    // A log's default is the replica's private logs; RocksDB's files are found by their kind.
    const std::string default_prefix = target == "log" ? "plog." : "";
    if (name && errors_.ok()) {
      return CorruptFault{
          .node = *name, .target = target, .file_prefix = prefix.value_or(default_prefix)};
    }
  } else if (kind == "delay") {
    return ParseDelay(obj);
  } else if (kind == "wipe") {
    if (auto name = node()) return WipeFault{.node = *name};
  } else if (kind == "reset") {
    return ParseReset(obj);
  } else if (kind == "disk_slow") {
    return ParseDiskSlow(obj);
  } else if (kind == "corrupt_messages") {
    return ParseCorruptMessages(obj);
  }
  return std::nullopt;
}

std::optional<FaultAction> ScenarioParser::ParseCrash(JsonObject& obj) {
  auto name = NodeName(obj.Required("node"));
  auto mode = obj.Field("mode").OneOf(kCrashModes).value_or("process");
  JsonReader mark_reader = obj.Optional("on_mark");
  auto mark = mark_reader.NonEmptyString();
  JsonReader within_reader = obj.Optional("within_ms");
  auto within = within_reader.Int(1, kMaxCrashWithinMs);
  if (!name || !errors_.ok()) return std::nullopt;
  if (mark && !IsCrashMark(*mark)) {
    mark_reader.Fail("one of the crash marks " + CrashMarksText());
    return std::nullopt;
  }
  if (within && !mark) {
    within_reader.Fail("within_ms only with on_mark");
    return std::nullopt;
  }
  return CrashFault{.node = *name, .mode = mode, .on_mark = mark, .within_ms = within};
}

std::optional<FaultAction> ScenarioParser::ParsePause(JsonObject& obj) {
  auto name = NodeName(obj.Required("node"));
  auto d = obj.Required("duration_ms").Int(1, kMaxDurationMs);
  auto clock = obj.Optional("clock").OneOf(kPauseClocks).value_or("runs");
  JsonReader leap_reader = obj.Optional("leap_after_ms");
  auto leap = leap_reader.Int(0, kMaxDurationMs);
  if (!name || !d || !errors_.ok()) return std::nullopt;
  if (leap && clock != "frozen") {
    // A running clock never falls behind: there is nothing for the step to bring forward.
    leap_reader.Fail("leap_after_ms only with \"clock\": \"frozen\"");
    return std::nullopt;
  }
  return PauseFault{.node = *name, .duration_ms = *d, .clock = clock, .leap_after_ms = leap};
}

std::optional<std::pair<std::string, std::string>> ScenarioParser::LinkEnds(
    const JsonReader& from_reader, JsonReader& to_reader) {
  // Required readers: an end left out is named as missing.
  auto from = NodeName(JsonReader(errors_, from_reader.value(), from_reader.path(), true));
  auto to = NodeName(JsonReader(errors_, to_reader.value(), to_reader.path(), true));
  if (!from || !to) return std::nullopt;
  if (*from == *to) {
    to_reader.Fail("a node other than \"from\"");
    return std::nullopt;
  }
  return std::pair{*from, *to};
}

// One link ("from" and "to", two different nodes) or every link of "node", as a clog's scope.
std::optional<FaultAction> ScenarioParser::ParseReset(JsonObject& obj) {
  JsonReader node_reader = obj.Optional("node");
  JsonReader from_reader = obj.Optional("from");
  JsonReader to_reader = obj.Optional("to");
  const bool link = from_reader.present() || to_reader.present();
  if (node_reader.present() == link) {
    errors_.Fail(obj.path(), "either \"node\" or both \"from\" and \"to\"",
                 node_reader.present() ? "both" : "neither");
    return std::nullopt;
  }
  if (!link) {
    if (auto node = NodeName(node_reader)) return ResetFault{.node = *node};
    return std::nullopt;
  }
  auto ends = LinkEnds(from_reader, to_reader);
  if (!ends) return std::nullopt;
  return ResetFault{.node = {}, .from = ends->first, .to = ends->second};
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
  auto ends = LinkEnds(from_reader, to_reader);
  if (!ends) return std::nullopt;
  return ClogFault{.node = {}, .from = ends->first, .to = ends->second, .duration_ms = *d};
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
      .full = obj.Optional("full").Bool().value_or(false),
      .lying_sync = obj.Optional("lying_sync").Bool().value_or(false),
      .duration_ms = 0,
  };
  auto d = obj.Required("duration_ms").Int(1, kMaxDurationMs);
  if (!errors_.ok() || !d || !name) return std::nullopt;
  if (!fault.read_error_probability && !fault.write_error_probability &&
      !fault.sync_error_probability && !fault.full && !fault.lying_sync) {
    errors_.Fail(obj.path(),
                 "at least one of read_error_probability, write_error_probability, "
                 "sync_error_probability, full: true, lying_sync: true",
                 "none");
    return std::nullopt;
  }
  fault.duration_ms = *d;
  return fault;
}

std::optional<FaultAction> ScenarioParser::ParseDiskSlow(JsonObject& obj) {
  auto name = NodeName(obj.Required("node"));
  JsonReader factor_reader = obj.Optional("factor");
  auto factor = factor_reader.Double(1, kMaxDiskSlowFactor);
  JsonReader stall_reader = obj.Optional("stall");
  auto stall = stall_reader.Bool();
  auto d = obj.Required("duration_ms").Int(1, kMaxDurationMs);
  if (!errors_.ok() || !d || !name) return std::nullopt;
  if (factor && *factor <= 1) {
    factor_reader.Fail(
        fmt::format("a number in (1, {}]: a factor of 1 slows nothing", kMaxDiskSlowFactor));
    return std::nullopt;
  }
  if (stall && !*stall) {
    stall_reader.Fail("true (or no \"stall\" and a \"factor\")");
    return std::nullopt;
  }
  if (factor.has_value() == stall.has_value()) {
    errors_.Fail(obj.path(), "exactly one of factor (a number in (1, 1000]) and stall: true",
                 factor ? "both" : "neither");
    return std::nullopt;
  }
  return DiskSlowFault{
      .node = *name, .factor = factor, .stall = stall.value_or(false), .duration_ms = *d};
}

}  // namespace scenario_internal

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
  if (auto* f = std::get_if<DiskSlowFault>(&action)) names.push_back(f->node);
  if (auto* f = std::get_if<CorruptFault>(&action)) names.push_back(f->node);
  if (auto* f = std::get_if<WipeFault>(&action)) names.push_back(f->node);
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
  if (auto* f = std::get_if<DelayFault>(&action)) {
    for (const auto* name : {&f->node, &f->from, &f->to}) {
      if (*name) names.push_back(**name);
    }
  }
  if (auto* f = std::get_if<CorruptMessagesFault>(&action)) {
    for (const auto* name : {&f->node, &f->from, &f->to}) {
      if (*name) names.push_back(**name);
    }
  }
  if (auto* f = std::get_if<ClogFault>(&action)) {
    for (const auto* name : {&f->node, &f->from, &f->to}) {
      if (*name) names.push_back(**name);
    }
  }
  if (auto* f = std::get_if<ResetFault>(&action)) {
    for (const auto* name : {&f->node, &f->from, &f->to}) {
      if (*name) names.push_back(**name);
    }
  }
  return names;
}

}  // namespace pg::sim
