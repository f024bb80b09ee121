// The knobs of what a primary keeps to serve learners (cluster.learn_cache_decrees,
// plog_gc_reserve_decrees, checkpoint_interval_ms): they reach every replica server, the swarm
// draws each small in about half the pegasus seeds, and a written scenario reloads to them.
#include <gtest/gtest.h>

#include "sim/scenario/scenario_writer.h"
#include "tests/scenario/replica_knobs.h"

namespace pg::sim {
namespace {

TEST(RetentionKnobs, DefaultsAndReachEveryReplicaServer) {
  const Knobs k =
      ResolveKnobs(ParseKnobScenario(R"({"name": "t", "cluster": {"storage": "memory"}})"), 1);
  EXPECT_EQ(k.learn_cache_decrees, 40);
  EXPECT_EQ(k.plog_gc_reserve_decrees, 100);
  EXPECT_EQ(k.checkpoint_interval_ms, 10'000);
  const Knobs given = ResolveKnobs(ParseKnobScenario(R"({"name": "t", "cluster": {
      "storage": "memory", "learn_cache_decrees": 0, "plog_gc_reserve_decrees": 3,
      "checkpoint_interval_ms": 700}})"),
                                   1);
  const auto servers = ReplicaServerOptionsOf(given);
  EXPECT_EQ(servers.size(), static_cast<size_t>(given.replica_servers));
  for (const ReplicaServerOptions& o : servers) {
    EXPECT_EQ(o.learn_cache_decrees, 0);
    EXPECT_EQ(o.plog_gc_reserve_decrees, 3);
    EXPECT_EQ(o.checkpoint_interval, Millis(700));
  }
}

TEST(RetentionKnobs, TheSwarmDrawsEachSmallInAboutHalfThePegasusSeeds) {
  const Scenario swarm = PegasusSwarm();
  int small_cache = 0;
  int small_reserve = 0;
  int frequent = 0;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    const Knobs k = ResolveKnobs(swarm, seed);
    if (k.learn_cache_decrees != 40) {
      ++small_cache;
      EXPECT_LE(k.learn_cache_decrees, 8);
    }
    if (k.plog_gc_reserve_decrees != 100) {
      ++small_reserve;
      EXPECT_LE(k.plog_gc_reserve_decrees, 16);
    }
    if (k.checkpoint_interval_ms != 10'000) {
      ++frequent;
      EXPECT_GE(k.checkpoint_interval_ms, 500);
      EXPECT_LE(k.checkpoint_interval_ms, 5000);
    }
    auto back = KnobsFromJson(KnobsToJson(k), "verdict.json:knobs");
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->learn_cache_decrees, k.learn_cache_decrees) << "seed " << seed;
    EXPECT_EQ(back->plog_gc_reserve_decrees, k.plog_gc_reserve_decrees) << "seed " << seed;
    EXPECT_EQ(back->checkpoint_interval_ms, k.checkpoint_interval_ms) << "seed " << seed;
  }
  for (int n : {small_cache, small_reserve, frequent}) {
    EXPECT_GT(n, 70);
    EXPECT_LT(n, 130);
  }
}

TEST(RetentionKnobs, AWrittenScenarioReloadsToTheDrawnValues) {
  const Scenario swarm = PegasusSwarm();
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    const Knobs k = ResolveKnobs(swarm, seed);
    const Knobs back =
        ResolveKnobs(ParseKnobScenario(ScenarioFileJson(k, {.name = "written"}).dump()), seed);
    EXPECT_EQ(back.learn_cache_decrees, k.learn_cache_decrees) << "seed " << seed;
    EXPECT_EQ(back.plog_gc_reserve_decrees, k.plog_gc_reserve_decrees) << "seed " << seed;
    EXPECT_EQ(back.checkpoint_interval_ms, k.checkpoint_interval_ms) << "seed " << seed;
  }
}

TEST(RetentionKnobs, TheRegisterSystemHasNone) {
  const Knobs r = ResolveKnobs(RegisterSwarm(), 3);
  EXPECT_FALSE(KnobsToJson(r)["cluster"].contains("learn_cache_decrees"));
  EXPECT_FALSE(ScenarioFileJson(r, {.name = "w"})["cluster"].contains("checkpoint_interval_ms"));
}

}  // namespace
}  // namespace pg::sim
