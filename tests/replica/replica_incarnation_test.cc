// What a replica server's config syncs carry for meta to tell a late one from a current one: its
// incarnation id (core/proto/incarnation.h), which must differ between two starts even within one
// millisecond of the server's clock (a crash and restart while its clock is frozen), and the
// newest leader stamp its beacon acks gave it (DddState::FreshReport).
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

// The stamp the server's next config sync (its periodic timer, TimerId(2)) echoes after `ack`.
std::pair<uint64_t, uint64_t> EchoedAfter(Harness& h, const BeaconAck& ack) {
  h.Deliver(kMeta, kS2, ack);
  auto syncs = Sent<ConfigSyncRequest>(h.Fire(kS2, TimerId(2)));
  EXPECT_EQ(syncs.size(), 1u);
  if (syncs.empty()) return {0, 0};
  return {syncs[0].second.acked_meta_epoch, syncs[0].second.acked_deaths};
}

TEST(ReplicaIncarnation, ConfigSyncsEchoTheNewestLeaderStamp) {
  Harness h;
  h.BootEmpty(kS2);
  auto ack = [&](uint64_t epoch, uint64_t deaths, bool is_master = true) {
    return BeaconAck{.send_time = h.now,
                     .is_master = is_master,
                     .leader = kMeta,
                     .meta_epoch = epoch,
                     .deaths = deaths};
  };
  EXPECT_EQ(EchoedAfter(h, ack(9, 3)), std::make_pair(uint64_t{9}, uint64_t{3}));
  // A late ack of the same leader process does not take the count back.
  EXPECT_EQ(EchoedAfter(h, ack(9, 2)), std::make_pair(uint64_t{9}, uint64_t{3}));
  // A follower's ack stamps nothing.
  EXPECT_EQ(EchoedAfter(h, ack(0, 0, false)), std::make_pair(uint64_t{9}, uint64_t{3}));
  // Another leader process counts afresh.
  EXPECT_EQ(EchoedAfter(h, ack(11, 1)), std::make_pair(uint64_t{11}, uint64_t{1}));
}

}  // namespace
}  // namespace pg::testing
