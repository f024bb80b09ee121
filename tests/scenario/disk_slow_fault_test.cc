// The disk_slow fault: the loader reads exactly one of a factor in (1, 1000] or "stall": true and
// names the file and JSON path of anything else; the nemesis opens the window on the node's disk
// and ends it after the duration; the swarm draws it on durable servers (coordination included),
// a factor in [2, 50] two thirds of the time and a stall otherwise.
#include <gtest/gtest.h>

#include <string>

#include "sim/scenario/knob_tables.h"
#include "sim/scenario/knobs.h"
#include "tests/scenario/nemesis_harness.h"

namespace pg::sim {
namespace {

using nemesis_harness::At;
using nemesis_harness::BuildWith;
using nemesis_harness::Id;
using nemesis_harness::IdleNode;
using nemesis_harness::KnobsFor;
using nemesis_harness::LogHas;
using nemesis_harness::ParseWithFaults;

TEST(DiskSlowFault, LoadsAFactorOrAStall) {
  auto s = ParseWithFaults(R"([
    {"at_ms": 1000, "kind": "disk_slow", "node": "replica/1", "factor": 20, "duration_ms": 5000},
    {"at_ms": 7000, "kind": "disk_slow", "node": "meta/0", "stall": true, "duration_ms": 800}
  ])");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->faults->size(), 2u);
  EXPECT_EQ((*s->faults)[0],
            (Fault{1000, DiskSlowFault{.node = "replica/1", .factor = 20, .duration_ms = 5000}}));
  EXPECT_EQ((*s->faults)[1],
            (Fault{7000, DiskSlowFault{.node = "meta/0", .stall = true, .duration_ms = 800}}));
}

// Each rejection names the file, the fault's JSON path and what was expected.
TEST(DiskSlowFault, RejectsWhatIsNotExactlyOneOfFactorAndStall) {
  const struct {
    const char* fields;
    const char* path;
  } cases[] = {
      {R"("factor": 1)", "$.faults[0].factor"},
      {R"("factor": 1001)", "$.faults[0].factor"},
      {R"("factor": "fast")", "$.faults[0].factor"},
      {R"("stall": false)", "$.faults[0].stall"},
      {R"("factor": 4, "stall": true)", "$.faults[0]"},
      {R"("duration_ms": 100)", "$.faults[0]"},
      {R"("factor": 4, "slow": true)", "$.faults[0].slow"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.fields);
    std::string fault =
        R"([{"at_ms": 1, "kind": "disk_slow", "node": "replica/1", )" + std::string(c.fields);
    if (std::string(c.fields).find("duration_ms") == std::string::npos) {
      fault += R"(, "duration_ms": 100)";
    }
    auto s = ParseWithFaults(fault + "}]", "", "slow.json");
    ASSERT_FALSE(s.ok());
    const std::string prefix = std::string("slow.json: ") + c.path + ": expected ";
    EXPECT_EQ(s.status().message().substr(0, prefix.size()), prefix) << s.status().message();
  }
}

TEST(DiskSlowFault, TheNemesisOpensAndEndsTheWindow) {
  auto c = BuildWith<IdleNode>(KnobsFor(R"([
    {"at_ms": 1000, "kind": "disk_slow", "node": "replica/1", "factor": 7.5, "duration_ms": 2000},
    {"at_ms": 4000, "kind": "disk_slow", "node": "replica/2", "stall": true, "duration_ms": 1000}
  ])"));
  const NodeId r1 = Id(*c, "replica/1");
  const NodeId r2 = Id(*c, "replica/2");
  c->RunUntil(At(1500));
  EXPECT_TRUE(c->has_disk_slow(r1));
  EXPECT_FALSE(c->has_disk_slow(r2));
  c->RunUntil(At(4500));
  EXPECT_FALSE(c->has_disk_slow(r1));
  EXPECT_TRUE(c->has_disk_slow(r2));
  c->RunUntil(At(5500));
  EXPECT_FALSE(c->has_disk_slow(r2));
  EXPECT_TRUE(LogHas(*c, 1000, "disk slow on replica/1: factor 7.5"));
  EXPECT_TRUE(LogHas(*c, 3000, "disk slow on replica/1 end"));
  EXPECT_TRUE(LogHas(*c, 4000, "disk slow on replica/2: stalled"));
  EXPECT_TRUE(LogHas(*c, 5000, "disk slow on replica/2 end"));
}

Knobs SlowDiskSwarm(uint64_t seed) {
  // Several meta servers: the cluster has coordination servers (coord/0, or a drawn quorum).
  auto s = ParseScenario(
      R"({"name": "s", "swarm": true, "duration_ms": 60000, "cluster": {"meta_servers": 3}})",
      "s.json");
  PG_ASSERT(s.ok(), "{}", s.status().ToString());
  return ResolveKnobs(*s, seed);
}

TEST(DiskSlowFault, TheSwarmSlowsDurableServersDisksByAFactorOrAStall) {
  int episodes = 0;
  int stalls = 0;
  int on_coord = 0;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    SCOPED_TRACE(seed);
    const Knobs k = SlowDiskSwarm(seed);
    for (const Fault& f : k.faults) {
      const auto* d = std::get_if<DiskSlowFault>(&f.action);
      if (d == nullptr) continue;
      ++episodes;
      EXPECT_FALSE(d->node.starts_with("client/")) << "only servers keep state on a disk";
      on_coord += d->node.starts_with("coord/") ? 1 : 0;
      if (d->stall) {
        ++stalls;
        EXPECT_FALSE(d->factor.has_value());
      } else {
        ASSERT_TRUE(d->factor.has_value());
        EXPECT_GE(*d->factor, SwarmBounds::kSlowDiskFactor.lo);
        EXPECT_LE(*d->factor, SwarmBounds::kSlowDiskFactor.hi);
      }
      EXPECT_GT(d->duration_ms, 0);
    }
  }
  ASSERT_GT(episodes, 100);
  EXPECT_GT(on_coord, 5);
  EXPECT_GT(stalls, episodes / 5) << stalls << " of " << episodes;
  EXPECT_LT(stalls, episodes / 2) << stalls << " of " << episodes;
}

}  // namespace
}  // namespace pg::sim
