// The pegasus system end to end: the steady scenario on a few seeds gives an ok verdict with
// operations recorded, the checker run, and the global invariants registered and live.
#include <gtest/gtest.h>

#include "core/replica/replica_server.h"
#include "sim/driver/runner.h"
#include "sim/pegasus/pegasus_system.h"

namespace pg::sim {
namespace {

Scenario LoadPegasus(const std::string& name) {
  Result<Scenario> s = LoadScenario(std::string(PG_SOURCE_DIR "/scenarios/pegasus/") + name);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return *s;
}

TEST(PegasusSystem, SteadyScenarioIsGreenEndToEnd) {
  const Scenario s = LoadPegasus("steady.json");
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    const RunOutcome o = RunKnobs(ResolveKnobs(s, seed), {});
    ASSERT_FALSE(o.failed()) << "seed " << seed << ": " << o.failure->kind << ": "
                             << o.failure->detail;
    EXPECT_TRUE(CheckExpectation(s, o).met);
    EXPECT_GT(o.operations, 1000u) << "seed " << seed;
    EXPECT_EQ(o.CheckerJson()["verdict"], "ok");
    EXPECT_GT(o.CheckerJson()["partitions"].size(), 0u);
  }
}

TEST(PegasusSystem, GlobalInvariantsAreRegisteredAndChecked) {
  const Scenario s = LoadPegasus("steady.json");
  Knobs knobs = ResolveKnobs(s, 1);
  knobs.duration_ms = 3000;
  knobs.ops = 50;
  // A system that also plants an always-failing invariant: the run must stop on it, proving
  // invariants run after events; and the real ones must be registered (names in the failure
  // would otherwise be absent). The pegasus invariants must not fail a short clean run.
  const RunOutcome clean = RunKnobs(knobs, {});
  ASSERT_FALSE(clean.failed()) << clean.failure->kind << ": " << clean.failure->detail;
  const RunOutcome planted = RunKnobs(knobs, {.system_override = [](Cluster& c, const Knobs& k) {
                                        Status st = BuildPegasusSystem(c, k);
                                        c.AddInvariant("planted", [](const Cluster& cl) {
                                          return cl.now() > Time::Zero() + Millis(1000)
                                                     ? std::optional<std::string>("boom")
                                                     : std::nullopt;
                                        });
                                        return st;
                                      }});
  ASSERT_TRUE(planted.failed());
  EXPECT_EQ(planted.failure->kind, "invariant:planted");
}

}  // namespace
}  // namespace pg::sim

namespace pg::sim {
namespace {

// The views the global invariants read are live: after a few seconds every partition has one
// serving primary and every replica has committed something.
TEST(PegasusSystem, InvariantInputsAreLive) {
  const Scenario s = LoadPegasus("steady.json");
  Cluster cluster({.seed = 5});
  ASSERT_TRUE(BuildPegasusSystem(cluster, ResolveKnobs(s, 5)).ok());
  cluster.Start();
  cluster.RunUntil(Time::Zero() + Millis(10000));
  ASSERT_FALSE(cluster.failure().has_value()) << cluster.failure()->detail;
  std::map<Gpid, int> primaries;
  std::map<Gpid, int> replicas;
  for (size_t i = 0; i < cluster.node_count(); ++i) {
    const NodeId id(static_cast<uint32_t>(i));
    const auto* server = dynamic_cast<const ReplicaServer*>(cluster.node(id));
    if (server == nullptr) continue;
    for (const auto& v : server->Views(cluster.LocalTime(id))) {
      replicas[v.gpid]++;
      primaries[v.gpid] += v.serving_as_primary;
      EXPECT_GT(v.last_committed, Decree(0)) << cluster.name(id) << " " << v.gpid.partition_index;
      EXPECT_TRUE(server->CommittedDigest(v.gpid, v.last_committed).has_value());
    }
  }
  EXPECT_EQ(replicas.size(), 8u);
  for (const auto& [gpid, n] : replicas) {
    EXPECT_EQ(n, 3) << gpid.partition_index;
    EXPECT_EQ(primaries[gpid], 1) << gpid.partition_index;
  }
}

}  // namespace
}  // namespace pg::sim
