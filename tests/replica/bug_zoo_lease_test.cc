// The bug zoo's lease switches (core/common/bugs.h): each test shows the behaviour the guard in
// ReplicaServer::OnBeaconAck prevents, absent with the switch off and present with it on.
#include <gtest/gtest.h>

#include "tests/replica/replica_harness.h"

namespace pg::testing {
namespace {

constexpr NodeId kSecondMeta{20};
constexpr NodeId kLeaseServer{1};
// ReplicaServer's own timer id (private there): the lease check.
constexpr TimerId kServerLeaseTimer{3};

ReplicaServerOptions WithBug(std::optional<Bug> bug) {
  ReplicaServerOptions o = DefaultOptions();
  o.meta_servers = {kMeta, kSecondMeta};
  if (bug) o.bugs.Enable(*bug);
  return o;
}

// Whether the server's lease has lapsed by `t` (its lease check runs then).
bool Lapses(Harness& h, Time t) {
  h.now = t;
  return HasMark(h.Fire(kLeaseServer, kServerLeaseTimer), "replica_server.lease_lapsed");
}

// lease_from_follower_meta (Pegasus #239, #247; rDSN #213): the leader granted a lease at
// `granted`; a follower's later ack must not stretch it past granted + lease (5 s).
bool FollowerAckExtendsLease(std::optional<Bug> bug) {
  Harness h(WithBug(bug));
  h.Build(kLeaseServer);
  h.Step(kLeaseServer, Boot{});
  const Time granted = h.now;
  h.Deliver(kMeta, kLeaseServer,
            BeaconAck{.send_time = granted, .is_master = true, .leader = kMeta});
  h.now = granted + Millis(4000);
  h.Deliver(kSecondMeta, kLeaseServer,
            BeaconAck{.send_time = h.now, .is_master = false, .leader = kMeta});
  return !Lapses(h, granted + Millis(5001));
}

TEST(BugZooLease, FollowerMetaAckRenewsTheLeaseOnlyWithTheSwitch) {
  EXPECT_FALSE(FollowerAckExtendsLease(std::nullopt))
      << "the guard (rDSN #213) let a follower renew";
  EXPECT_TRUE(FollowerAckExtendsLease(Bug::kLeaseFromFollowerMeta))
      << "the switch did not take the guard away";
}

// A follower's ack alone (no leader ever answered) connects the server only with the switch.
TEST(BugZooLease, FollowerMetaAckAloneConnectsOnlyWithTheSwitch) {
  for (bool on : {false, true}) {
    Harness h(WithBug(on ? std::optional(Bug::kLeaseFromFollowerMeta) : std::nullopt));
    h.Build(kLeaseServer);
    h.Step(kLeaseServer, Boot{});
    const Outbox out =
        h.Deliver(kMeta, kLeaseServer, BeaconAck{.send_time = h.now, .is_master = false});
    EXPECT_EQ(HasMark(out, "replica_server.connected"), on) << "switch " << on;
  }
}

// lease_from_ack_time (PEGASUS.md §1.9): a beacon sent at `sent` whose ack arrives 3 s late.
// Meta's grace (7 s) runs from the beacon's receipt (~`sent`); the lease must end by sent + 5 s,
// not run to arrival + 5 s = sent + 8 s, past the grace.
TEST(BugZooLease, LateAckStretchesTheLeaseOnlyWithTheSwitch) {
  for (bool on : {false, true}) {
    Harness h(WithBug(on ? std::optional(Bug::kLeaseFromAckTime) : std::nullopt));
    h.Build(kLeaseServer);
    h.Step(kLeaseServer, Boot{});
    const Time sent = h.now;
    h.now = sent + Millis(3000);
    h.Deliver(kMeta, kLeaseServer,
              BeaconAck{.send_time = sent, .is_master = true, .leader = kMeta});
    EXPECT_EQ(Lapses(h, sent + Millis(5001)), !on) << "switch " << on;
    if (on) {
      EXPECT_FALSE(Lapses(h, sent + Millis(7001)))
          << "with the switch the lease outlives meta's grace";
    }
  }
}

}  // namespace
}  // namespace pg::testing
