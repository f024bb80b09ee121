#pragma once
// The scenario grammar's parser, shared by its two source files: scenario.cc (the document and its
// sections) and scenario_faults.cc (the faults, and the node names they name). Not for use outside
// them.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/result.h"
#include "sim/scenario/json_reader.h"
#include "sim/scenario/scenario.h"

namespace pg::sim::scenario_internal {

using nlohmann::json;

inline constexpr int64_t kMaxDurationMs = 3'600'000;
// Pegasus requires staleness_for_commit <= max_mutation_count_in_prepare_list (110 by default).
inline constexpr int kMaxStalenessForCommit = 110;
// Bounds of the learner-retention knobs: a cache or reserve beyond a run's writes changes nothing.
inline constexpr int kMaxRetainedDecrees = 1'000'000;
inline constexpr int64_t kMinCheckpointIntervalMs = 100;

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
  void ParseCoordServers(const JsonReader& r);
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
  std::optional<FaultAction> ParseCrash(JsonObject& obj);
  std::optional<FaultAction> ParsePartition(JsonObject& obj);
  std::optional<FaultAction> ParsePause(JsonObject& obj);
  std::optional<FaultAction> ParseReset(JsonObject& obj);
  std::optional<FaultAction> ParseOneWay(JsonObject& obj);
  std::optional<FaultAction> ParseClog(JsonObject& obj);
  std::optional<FaultAction> ParseNetworkSpell(JsonObject& obj);
  std::optional<FaultAction> ParseDiskErrors(JsonObject& obj);
  std::optional<FaultAction> ParseDiskSlow(JsonObject& obj);
  std::optional<FaultAction> ParseDelay(JsonObject& obj);
  std::optional<FaultAction> ParseCorruptMessages(JsonObject& obj);
  // The links a rule on messages covers ("delay", "corrupt_messages"): "node", or "from" and "to"
  // (one link, two different nodes), or neither (every link). Nullopt after recording an error.
  struct RuleScope {
    std::optional<std::string> node;
    std::optional<std::string> from;
    std::optional<std::string> to;
  };
  std::optional<RuleScope> ParseRuleScope(const JsonObject& obj, const JsonReader& node_reader,
                                          const JsonReader& from_reader, JsonReader& to_reader);
  std::optional<std::string> NodeName(const JsonReader& r) const;
  // The two ends of one link, both required once either is given: two different nodes.
  std::optional<std::pair<std::string, std::string>> LinkEnds(const JsonReader& from,
                                                              JsonReader& to);
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

}  // namespace pg::sim::scenario_internal
