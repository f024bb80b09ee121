// The coordination node of a multi-meta pegasus cluster: named coord/0, last in NodeId order (so
// every other node keeps its id), present only where it is used, and nameable by faults only there.
#include <gtest/gtest.h>

#include "sim/scenario/knobs.h"
#include "sim/scenario/scenario.h"

namespace pg::sim {
namespace {

TEST(CoordNode, OnlyAPegasusClusterWithSeveralMetasHasItLast) {
  Knobs k;
  k.system = "pegasus";
  k.meta_servers = 2;
  k.replica_servers = 1;
  k.clients = 1;
  EXPECT_EQ(NodeNames(k),
            (std::vector<std::string>{"meta/0", "meta/1", "replica/0", "client/0", "coord/0"}));
  k.meta_servers = 1;
  EXPECT_EQ(NodeNames(k), (std::vector<std::string>{"meta/0", "replica/0", "client/0"}));
  k.meta_servers = 3;
  k.system = "register";
  EXPECT_EQ(NodeNames(k).back(), "client/0") << "the register system has no coordination node";
}

TEST(CoordNode, AFaultMayNameItOnlyWhereItExists) {
  auto ok = ParseScenario(
      R"({"name": "x", "cluster": {"meta_servers": 2},
          "faults": [{"at_ms": 1, "kind": "crash", "node": "coord/0", "mode": "process"}]})",
      "x.json");
  EXPECT_TRUE(ok.ok()) << ok.status().ToString();
  auto single = ParseScenario(
      R"({"name": "x", "cluster": {"meta_servers": 1},
          "faults": [{"at_ms": 1, "kind": "crash", "node": "coord/0", "mode": "process"}]})",
      "x.json");
  ASSERT_FALSE(single.ok());
  EXPECT_NE(single.status().message().find("$.faults[0].node"), std::string::npos)
      << single.status().message();
}

TEST(CoordNode, ASwarmThatNamesItDrawsSeveralMetas) {
  auto s = ParseScenario(
      R"({"name": "x", "swarm": true,
          "faults": [{"at_ms": 1, "kind": "crash", "node": "coord/0", "mode": "process"}]})",
      "x.json");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    const Knobs k = ResolveKnobs(*s, seed);
    EXPECT_GE(k.meta_servers, 2) << "seed " << seed;
    EXPECT_EQ(NodeNames(k).back(), "coord/0") << "seed " << seed;
  }
}

}  // namespace
}  // namespace pg::sim
