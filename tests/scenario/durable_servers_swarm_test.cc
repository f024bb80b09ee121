// The swarm's faults on servers that keep state on their disk: crashes, crash loops and disk
// errors reach the coordination servers too, every peer of a quorum (their logs are what the
// leader lock and meta's state rest on), a single server never on a crash mark (it emits none),
// and never a clock fault or a pause (leader-lock expiry is read from their clocks). A quarter of
// the disk-error episodes are a full disk.
#include <gtest/gtest.h>

#include "sim/scenario/knobs.h"

namespace pg::sim {
namespace {

Knobs ThreeMetaSwarm(uint64_t seed) {
  // Several meta servers: the cluster has coordination servers (coord/0, or a drawn quorum).
  auto s = ParseScenario(
      R"({"name": "s", "swarm": true, "duration_ms": 60000, "cluster": {"meta_servers": 3}})",
      "s.json");
  PG_ASSERT(s.ok(), "{}", s.status().ToString());
  return ResolveKnobs(*s, seed);
}

TEST(DurableServersSwarm, TheCoordinationServerCrashesAndItsDiskFailsButItsClockIsLeftAlone) {
  int coord_crashes = 0;
  int quorum_peer_crashes = 0;  // of coord/1 and coord/2, which only a drawn quorum has
  int coord_disk_errors = 0;
  int disk_episodes = 0;
  int full = 0;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    SCOPED_TRACE(seed);
    const Knobs k = ThreeMetaSwarm(seed);
    for (const Fault& f : k.faults) {
      if (const auto* c = std::get_if<CrashFault>(&f.action); c && c->node.starts_with("coord/")) {
        ++coord_crashes;
        quorum_peer_crashes += c->node != "coord/0" ? 1 : 0;
        if (k.coord_servers == 1) {
          EXPECT_FALSE(c->on_mark.has_value()) << "a lone coordination server emits no marks";
        }
      }
      if (const auto* d = std::get_if<DiskErrorsFault>(&f.action)) {
        ++disk_episodes;
        full += d->full ? 1 : 0;
        EXPECT_FALSE(d->lying_sync) << "a lying disk is never drawn";
        if (d->node.starts_with("coord/")) ++coord_disk_errors;
      }
      if (const auto* j = std::get_if<ClockJumpFault>(&f.action)) {
        EXPECT_FALSE(j->node.starts_with("coord/")) << j->node;
      }
      if (const auto* d = std::get_if<ClockDriftFault>(&f.action)) {
        EXPECT_FALSE(d->node.starts_with("coord/")) << d->node;
      }
      if (const auto* p = std::get_if<PauseFault>(&f.action)) {
        EXPECT_FALSE(p->node.starts_with("coord/")) << p->node;
      }
    }
  }
  EXPECT_GT(coord_crashes, 20);
  EXPECT_GT(quorum_peer_crashes, 5);
  EXPECT_GT(coord_disk_errors, 5);
  ASSERT_GT(disk_episodes, 100);
  EXPECT_GT(full, disk_episodes / 8) << full << " of " << disk_episodes;
  EXPECT_LT(full, disk_episodes * 3 / 8) << full << " of " << disk_episodes;
}

}  // namespace
}  // namespace pg::sim
