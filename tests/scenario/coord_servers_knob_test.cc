// The coord_servers knob: a multi-meta pegasus cluster's coordination service is one server
// (coord/0) or a quorum of 3 or 5 peers (coord/0..coord/N-1, last in NodeId order); the loader
// takes only those sizes and only where the cluster has coordination; the swarm draws a quorum in
// half its multi-meta runs, on a stream of its own, and its faults then reach every peer.
#include <gtest/gtest.h>

#include <set>

#include "sim/scenario/knobs.h"
#include "tests/scenario/replica_knobs.h"

namespace pg::sim {
namespace {

Result<Scenario> ParseCoordScenario(const std::string& cluster, const std::string& faults = "[]",
                                    const std::string& extra = "") {
  return ParseScenario(
      R"({"name": "c", "cluster": )" + cluster + R"(, "faults": )" + faults + extra + "}",
      "c.json");
}

// The error's message, or "" when it loaded.
std::string CoordLoadError(const Result<Scenario>& s) {
  return s.ok() ? "" : std::string(s.status().message());
}

TEST(CoordServersKnob, AQuorumIsNamedCoordZeroToNLast) {
  Knobs k;
  k.system = "pegasus";
  k.meta_servers = 2;
  k.replica_servers = 1;
  k.clients = 1;
  k.coord_servers = 3;
  EXPECT_EQ(NodeNames(k), (std::vector<std::string>{"meta/0", "meta/1", "replica/0", "client/0",
                                                    "coord/0", "coord/1", "coord/2"}));
  k.meta_servers = 1;
  EXPECT_EQ(NodeNames(k).back(), "client/0") << "no coordination without several metas";
}

TEST(CoordServersKnob, TheLoaderTakesOneThreeOrFiveWhereThereIsCoordination) {
  for (int n : {1, 3, 5}) {
    auto s =
        ParseCoordScenario(R"({"meta_servers": 2, "coord_servers": )" + std::to_string(n) + "}");
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(ResolveKnobs(*s, 1).coord_servers, n);
  }
  auto absent = ParseCoordScenario(R"({"meta_servers": 2})");
  ASSERT_TRUE(absent.ok());
  EXPECT_EQ(ResolveKnobs(*absent, 1).coord_servers, 1);
  for (const char* bad : {"2", "4", "0", "7", "\"3\"", "3.0"}) {
    const std::string error = CoordLoadError(
        ParseCoordScenario(std::string(R"({"meta_servers": 3, "coord_servers": )") + bad + "}"));
    EXPECT_NE(error.find("c.json: $.cluster.coord_servers: expected"), std::string::npos)
        << bad << ": " << error;
  }
  EXPECT_NE(CoordLoadError(ParseCoordScenario(R"({"meta_servers": 3, "coord_servers": 2})"))
                .find("one of 1, 3, 5"),
            std::string::npos);
}

TEST(CoordServersKnob, TheLoaderRejectsItWithoutCoordination) {
  const std::string kPath =
      "$.cluster.coord_servers: expected absent unless the cluster has a "
      "coordination service";
  // One meta, given or by default; the register system.
  for (const std::string cluster :
       {R"({"meta_servers": 1, "coord_servers": 3})", R"({"coord_servers": 3})",
        R"({"meta_servers": 1, "coord_servers": 1})"}) {
    EXPECT_NE(CoordLoadError(ParseCoordScenario(cluster)).find(kPath), std::string::npos)
        << cluster;
  }
  const std::string error = CoordLoadError(ParseCoordScenario(
      R"({"meta_servers": 2, "coord_servers": 3})", "[]", R"(, "system": "register")"));
  EXPECT_NE(error.find(kPath), std::string::npos) << error;
}

TEST(CoordServersKnob, FaultsMayNameEveryPeerAndNoMore) {
  const std::string crash = R"([{"at_ms": 1, "kind": "crash", "node": "coord/2"}])";
  EXPECT_TRUE(ParseCoordScenario(R"({"meta_servers": 2, "coord_servers": 3})", crash).ok());
  EXPECT_TRUE(ParseCoordScenario(R"({"meta_servers": 2, "coord_servers": 5})",
                                 R"([{"at_ms": 1, "kind": "restart", "node": "coord/4"}])")
                  .ok());
  const std::string one = CoordLoadError(ParseCoordScenario(R"({"meta_servers": 2})", crash));
  EXPECT_NE(one.find("$.faults[0].node: expected one of meta/0..meta/1"), std::string::npos) << one;
  const std::string three = CoordLoadError(ParseCoordScenario(
      R"({"meta_servers": 2, "coord_servers": 3})",
      R"([{"at_ms": 1, "kind": "partition", "groups": [["coord/0"], ["coord/3"]]}])"));
  EXPECT_NE(three.find("coord/0..coord/2"), std::string::npos) << three;
}

TEST(CoordServersKnob, KnobsWriteItOnlyWhenAQuorumAndReadItBack) {
  auto s = ParseCoordScenario(R"({"meta_servers": 3, "coord_servers": 3})",
                              R"([{"at_ms": 5, "kind": "crash", "node": "coord/1"}])");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const Knobs k = ResolveKnobs(*s, 4);
  const nlohmann::json j = KnobsToJson(k);
  EXPECT_EQ(j["cluster"]["coord_servers"], 3);
  auto back = KnobsFromJson(j, "verdict.json:knobs");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, k);
  // One server (the default) is not written, so every earlier verdict reads as it did.
  auto single = ParseCoordScenario(R"({"meta_servers": 3})");
  ASSERT_TRUE(single.ok());
  EXPECT_FALSE(KnobsToJson(ResolveKnobs(*single, 4))["cluster"].contains("coord_servers"));
}

// The swarm draws a quorum in about half its multi-meta runs, never without coordination, and
// a run that draws one server draws every other knob as before the knob existed: as a file that
// says coord_servers 1. A run that draws a quorum keeps the cluster, network and workload drawn
// before its faults; its faults name the new peers too.
TEST(CoordServersKnob, TheSwarmDrawsAQuorumOnAStreamOfItsOwn) {
  const Scenario swarm = PegasusSwarm();
  Scenario one = swarm;
  int multi_meta = 0;
  int quorums = 0;
  std::set<std::string> coord_targets;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    SCOPED_TRACE(seed);
    const Knobs k = ResolveKnobs(swarm, seed);
    one.cluster.coord_servers = k.meta_servers > 1 ? std::optional<int>(1) : std::nullopt;
    Knobs as_one = ResolveKnobs(one, seed);
    if (k.meta_servers == 1) {
      EXPECT_EQ(k.coord_servers, 1);
      EXPECT_EQ(k, as_one);
      continue;
    }
    ++multi_meta;
    ASSERT_TRUE(k.coord_servers == 1 || k.coord_servers == 3) << k.coord_servers;
    if (k.coord_servers == 1) {
      EXPECT_EQ(k, as_one);
      continue;
    }
    ++quorums;
    // The knobs drawn before the faults are the same; the faults, and the draws after them on
    // the same stream, move (as a new cluster shape must).
    EXPECT_EQ(k.duration_ms, as_one.duration_ms);
    EXPECT_EQ(k.timing, as_one.timing);
    EXPECT_EQ(k.meta_servers, as_one.meta_servers);
    EXPECT_EQ(k.replica_servers, as_one.replica_servers);
    EXPECT_EQ(k.partitions, as_one.partitions);
    EXPECT_EQ(k.storage, as_one.storage);
    EXPECT_EQ(k.latency_ms_mean, as_one.latency_ms_mean);
    EXPECT_EQ(k.clients, as_one.clients);
    EXPECT_EQ(k.ops, as_one.ops);
    for (const Fault& f : k.faults) {
      for (const std::string& node : FaultNodes(f.action)) {
        if (node.starts_with("coord/")) coord_targets.insert(node);
      }
    }
  }
  ASSERT_GT(multi_meta, 150);
  EXPECT_GT(quorums, multi_meta / 3);
  EXPECT_LT(quorums, multi_meta * 2 / 3);
  EXPECT_EQ(coord_targets, (std::set<std::string>{"coord/0", "coord/1", "coord/2"}));
}

TEST(CoordServersKnob, ASwarmWithItsFaultsWrittenOutDrawsNoQuorum) {
  auto s = ParseScenario(R"({"name": "s", "swarm": true, "cluster": {"meta_servers": 3},
                             "faults": [{"at_ms": 1, "kind": "crash", "node": "coord/0"}]})",
                         "s.json");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  for (uint64_t seed = 1; seed <= 30; ++seed) EXPECT_EQ(ResolveKnobs(*s, seed).coord_servers, 1);
}

TEST(CoordServersKnob, ASwarmThatAsksForAQuorumDrawsSeveralMetas) {
  auto s =
      ParseScenario(R"({"name": "s", "swarm": true, "cluster": {"coord_servers": 5}})", "s.json");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    const Knobs k = ResolveKnobs(*s, seed);
    EXPECT_GE(k.meta_servers, 2) << "seed " << seed;
    EXPECT_EQ(k.coord_servers, 5) << "seed " << seed;
    EXPECT_EQ(NodeNames(k).back(), "coord/4") << "seed " << seed;
  }
}

}  // namespace
}  // namespace pg::sim
