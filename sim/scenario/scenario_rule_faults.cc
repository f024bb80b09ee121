// The scenario grammar's rules on messages (docs/scenarios.md): "delay" and "corrupt_messages",
// which cover every link, a node's links or one link, filter by message class and pick each
// message with a probability, for a duration.
#include <fmt/format.h>

#include <limits>

#include "sim/scenario/json_reader.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/scenario_parser.h"

namespace pg::sim {
namespace {

constexpr std::string_view kDelayClasses[] = {"all", "control", "data"};
constexpr std::string_view kDelayModes[] = {"straggle", "hold"};

}  // namespace

namespace scenario_internal {

std::optional<ScenarioParser::RuleScope> ScenarioParser::ParseRuleScope(
    const JsonObject& obj, const JsonReader& node_reader, const JsonReader& from_reader,
    JsonReader& to_reader) {
  RuleScope scope;
  if (node_reader.present() && (from_reader.present() || to_reader.present())) {
    errors_.Fail(obj.path(), "either \"node\" or \"from\" and \"to\", not both", "both");
    return std::nullopt;
  }
  if (from_reader.present() != to_reader.present()) {
    (from_reader.present() ? from_reader : to_reader)
        .Fail("\"from\" and \"to\" together (one link)");
    return std::nullopt;
  }
  if (node_reader.present()) {
    scope.node = NodeName(node_reader);
    if (!scope.node) return std::nullopt;
  } else if (from_reader.present()) {
    scope.from = NodeName(from_reader);
    scope.to = NodeName(to_reader);
    if (!scope.from || !scope.to) return std::nullopt;
    if (*scope.from == *scope.to) {
      to_reader.Fail("a node other than \"from\"");
      return std::nullopt;
    }
  }
  return scope;
}

// Scope as a clog's, except that neither "node" nor "from"/"to" is allowed too (every link).
std::optional<FaultAction> ScenarioParser::ParseDelay(JsonObject& obj) {
  DelayFault fault;
  JsonReader node_reader = obj.Optional("node");
  JsonReader from_reader = obj.Optional("from");
  JsonReader to_reader = obj.Optional("to");
  fault.message_class = obj.Field("class").OneOf(kDelayClasses).value_or("all");
  JsonReader probability = obj.Field("probability");
  fault.probability = probability.Double(0, 1).value_or(1);
  fault.mode = obj.Field("mode").OneOf(kDelayModes).value_or("straggle");
  JsonReader delay = obj.Optional("delay_ms");
  fault.delay_ms = delay.Int(1, kMaxDurationMs);
  auto d = obj.Required("duration_ms").Int(1, kMaxDurationMs);
  if (!errors_.ok() || !d) return std::nullopt;
  auto scope = ParseRuleScope(obj, node_reader, from_reader, to_reader);
  if (!scope) return std::nullopt;
  fault.node = scope->node, fault.from = scope->from, fault.to = scope->to;
  if (probability.present() && fault.probability <= 0) {
    probability.Fail("a number in (0, 1]: a delay that delays nothing");
    return std::nullopt;
  }
  if ((fault.mode == "straggle") != fault.delay_ms.has_value()) {
    // A straggler needs its bound; a held message waits for the end of the duration instead.
    const std::string want = fault.mode == "straggle" ? "delay_ms with mode \"straggle\""
                                                      : "no delay_ms with mode \"hold\"";
    if (delay.present()) {
      delay.Fail(want);
    } else {
      errors_.Fail(obj.path(), want, "none");
    }
    return std::nullopt;
  }
  fault.duration_ms = *d;
  return fault;
}

// A delay's scope and class. The probability is required: damage has no natural default, where a
// delay's is "every message". bits_max bounds the bits one frame flips.
std::optional<FaultAction> ScenarioParser::ParseCorruptMessages(JsonObject& obj) {
  CorruptMessagesFault fault;
  JsonReader node_reader = obj.Optional("node");
  JsonReader from_reader = obj.Optional("from");
  JsonReader to_reader = obj.Optional("to");
  fault.message_class = obj.Field("class").OneOf(kDelayClasses).value_or("all");
  // Any finite number here, so that every miss is reported as the one range that holds: (0, 1].
  JsonReader probability = obj.Optional("probability");
  auto p =
      probability.Double(std::numeric_limits<double>::lowest(), std::numeric_limits<double>::max());
  fault.bits_max =
      obj.Field("bits_max").Int(1, kMaxCorruptBitsMax).value_or(kDefaultCorruptBitsMax);
  auto d = obj.Required("duration_ms").Int(1, kMaxDurationMs);
  if (!errors_.ok() || !d) return std::nullopt;
  auto scope = ParseRuleScope(obj, node_reader, from_reader, to_reader);
  if (!scope) return std::nullopt;
  fault.node = scope->node, fault.from = scope->from, fault.to = scope->to;
  if (!p || *p <= 0 || *p > 1) {
    probability.Fail("a number in (0, 1]");  // absent: "got nothing"
    return std::nullopt;
  }
  fault.probability = *p;
  fault.duration_ms = *d;
  return fault;
}

}  // namespace scenario_internal
}  // namespace pg::sim
