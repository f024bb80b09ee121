// The knob cluster.staleness_for_commit: the primary's bounded 2PC pipeline (Pegasus's
// staleness_for_commit), drawn small by the swarm in half of the pegasus seeds so that writes
// wait in the write queue and gather into batches; written wherever the system has it.
#include <gtest/gtest.h>

#include "sim/scenario/scenario_writer.h"
#include "tests/scenario/replica_knobs.h"

namespace pg::sim {
namespace {

TEST(StalenessKnob, DefaultsToPegasusTwentyAndReachesEveryReplicaServer) {
  const Knobs k =
      ResolveKnobs(ParseKnobScenario(R"({"name": "t", "cluster": {"storage": "memory"}})"), 1);
  EXPECT_EQ(k.staleness_for_commit, 20);
  const Knobs three = ResolveKnobs(
      ParseKnobScenario(
          R"({"name": "t", "cluster": {"storage": "memory", "staleness_for_commit": 3}})"),
      1);
  const auto servers = ReplicaServerOptionsOf(three);
  EXPECT_EQ(servers.size(), static_cast<size_t>(three.replica_servers));
  for (const ReplicaServerOptions& o : servers) EXPECT_EQ(o.staleness_for_commit, 3);
}

TEST(StalenessKnob, TheSwarmDrawsASmallPipelineInHalfThePegasusSeeds) {
  const Scenario swarm = PegasusSwarm();
  const Scenario reg = RegisterSwarm();
  int small = 0;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    const Knobs k = ResolveKnobs(swarm, seed);
    if (k.staleness_for_commit != 20) {
      ++small;
      EXPECT_GE(k.staleness_for_commit, 2);
      EXPECT_LE(k.staleness_for_commit, 4);
    }
    auto back = KnobsFromJson(KnobsToJson(k), "verdict.json:knobs");
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->staleness_for_commit, k.staleness_for_commit) << "seed " << seed;
    const Knobs r = ResolveKnobs(reg, seed);
    EXPECT_EQ(r.staleness_for_commit, 20);
    EXPECT_FALSE(KnobsToJson(r)["cluster"].contains("staleness_for_commit"));
  }
  EXPECT_GT(small, 70);
  EXPECT_LT(small, 130);
}

TEST(StalenessKnob, AWrittenScenarioReloadsToTheDrawnValue) {
  const Scenario swarm = PegasusSwarm();
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    const Knobs k = ResolveKnobs(swarm, seed);
    const auto file = ScenarioFileJson(k, {.name = "written"});
    EXPECT_EQ(file["cluster"]["staleness_for_commit"], k.staleness_for_commit);
    const Knobs back = ResolveKnobs(ParseKnobScenario(file.dump()), seed);
    EXPECT_EQ(back.staleness_for_commit, k.staleness_for_commit) << "seed " << seed;
  }
}

}  // namespace
}  // namespace pg::sim
