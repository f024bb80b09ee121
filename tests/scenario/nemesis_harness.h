#pragma once
// Tests of fault kinds over stand-in nodes: a scenario whose faults are given as JSON, a cluster
// whose every node is one test node type with the nemesis scheduled on it, and the fault log read
// by time.
#include <memory>
#include <string>
#include <vector>

#include "core/common/assert.h"
#include "sim/kernel/cluster.h"
#include "sim/scenario/knobs.h"
#include "sim/scenario/nemesis.h"
#include "sim/scenario/scenario.h"

namespace pg::sim::nemesis_harness {

// A 10 s scenario with two clients, `extra` (",\"key\": ..." members) and these faults, read as
// the file `path` (the name its errors give).
inline Result<Scenario> ParseWithFaults(const std::string& faults_json,
                                        const std::string& extra = "",
                                        const std::string& path = "nemesis.json") {
  return ParseScenario(R"({"name": "n", "duration_ms": 10000, "workload": {"clients": 2})" + extra +
                           R"(, "faults": )" + faults_json + "}",
                       path);
}

inline Knobs KnobsFor(const std::string& faults_json, const std::string& extra = "") {
  auto s = ParseWithFaults(faults_json, extra);
  PG_ASSERT(s.ok(), "{}", s.status().ToString());
  return ResolveKnobs(*s, 1);
}

// A node that does nothing: the faults under test act on the network and the nodes' lives.
class IdleNode final : public Node {
 public:
  void Step(Time, const Input&, Outbox&) override {}
  void CheckInvariants() const override {}
};

struct BuildOptions {
  bool with_meta = true;
  bool record_trace = false;
};

// Every node of the knobs (the meta servers only with_meta) is a NodeT; faults scheduled.
template <class NodeT>
std::unique_ptr<Cluster> BuildWith(const Knobs& k, BuildOptions o = {}) {
  auto c = std::make_unique<Cluster>(ClusterOptions{
      .seed = k.seed, .default_link = LinkConfigFromKnobs(k), .record_trace = o.record_trace});
  for (const std::string& name : NodeNames(k)) {
    if (!o.with_meta && name.starts_with("meta/")) continue;
    c->AddNode(name, [](const NodeEnv&) { return std::make_unique<NodeT>(); });
  }
  c->Start();
  ScheduleFaults(*c, k);
  return c;
}

inline Time At(int64_t ms) { return Time::Zero() + Millis(ms); }

inline NodeId Id(const Cluster& c, const std::string& name) { return *c.FindNode(name); }

// The fault-log lines at exactly `ms`.
inline std::vector<std::string> LogAt(const Cluster& c, int64_t ms) {
  std::vector<std::string> out;
  for (const auto& [at, what] : c.fault_log()) {
    if (at == At(ms)) out.push_back(what);
  }
  return out;
}

inline bool LogHas(const Cluster& c, int64_t ms, const std::string& part) {
  for (const std::string& line : LogAt(c, ms)) {
    if (line.find(part) != std::string::npos) return true;
  }
  return false;
}

}  // namespace pg::sim::nemesis_harness
