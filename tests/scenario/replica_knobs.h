#pragma once
// Shared by the tests of the knobs the swarm draws and of those that reach the replica servers
// (staleness_for_commit, the learner-retention knobs, TTLs, scans): a scenario parsed from text,
// the swarm files, and the options every replica server of a built pegasus cluster runs with.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/replica/replica_server.h"
#include "sim/pegasus/pegasus_system.h"
#include "sim/scenario/knobs.h"

namespace pg::sim {

inline Scenario ParseKnobScenario(const std::string& text) {
  auto s = ParseScenario(text, "knobs.json");
  PG_ASSERT(s.ok(), "{}", s.status().ToString());
  return std::move(s).value();
}

// The swarm files the swarm-draw tests resolve seed by seed: a pegasus one, and a register one
// (whose clients have no Pegasus operations, so the pegasus-only knobs must stay unset).
inline Scenario PegasusSwarm() {
  return ParseKnobScenario(R"({"name": "s", "system": "pegasus", "swarm": true})");
}
inline Scenario RegisterSwarm() {
  return ParseKnobScenario(R"({"name": "r", "system": "register", "swarm": true})");
}

// The options of each replica server of a pegasus cluster built from `knobs`.
inline std::vector<ReplicaServerOptions> ReplicaServerOptionsOf(const Knobs& knobs) {
  Cluster cluster({.seed = 1});
  EXPECT_TRUE(BuildPegasusSystem(cluster, knobs).ok());
  cluster.Start();
  std::vector<ReplicaServerOptions> options;
  for (size_t i = 0; i < cluster.node_count(); ++i) {
    const auto* rs = dynamic_cast<const ReplicaServer*>(cluster.node(NodeId(uint32_t(i))));
    if (rs != nullptr) options.push_back(rs->server_options());
  }
  return options;
}

}  // namespace pg::sim
