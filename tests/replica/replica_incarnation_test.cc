// A replica server's incarnation id (core/proto/incarnation.h): meta tells an earlier process's
// late beacons and config syncs from the current one's by it, so two starts must differ even
// within one millisecond of the server's clock (a crash and restart while its clock is frozen).
#include <gtest/gtest.h>

#include "sim/kernel/rng.h"
#include "tests/replica/replica_harness.h"

namespace pg::testing {
namespace {

// The incarnation id of the beacon a server booted at `now` over `disk` with `rng` sends.
uint64_t BootedIncarnation(MapDisk& disk, Rng& rng, Time now) {
  ReplicaServer server(NodeEnv{.id = kS2, .name = "replica/2", .rng = &rng, .disk = &disk},
                       DefaultOptions());
  Outbox out;
  server.Step(now, Boot{}, out);
  auto beacons = Sent<Beacon>(out);
  EXPECT_EQ(beacons.size(), 1u);
  return beacons.empty() ? 0 : beacons[0].second.incarnation;
}

TEST(ReplicaIncarnation, TwoStartsInOneMillisecondGetDifferentIds) {
  const Time now = Time::FromNanos(5'000'000'000);
  MapDisk disk;
  sim::Xoshiro256 first(1);
  sim::Xoshiro256 second(2);
  const uint64_t a = BootedIncarnation(disk, first, now);
  const uint64_t b = BootedIncarnation(disk, second, now);
  EXPECT_NE(a, 0u);
  EXPECT_NE(a, b);
}

TEST(ReplicaIncarnation, ALaterStartGetsALargerId) {
  MapDisk disk;
  sim::Xoshiro256 rng(7);
  const uint64_t a = BootedIncarnation(disk, rng, Time::FromNanos(5'000'000'000));
  const uint64_t b = BootedIncarnation(disk, rng, Time::FromNanos(5'001'000'000));
  EXPECT_LT(a, b);
}

}  // namespace
}  // namespace pg::testing
