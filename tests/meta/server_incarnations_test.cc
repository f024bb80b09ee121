// ServerIncarnations (core/meta/server_incarnations.h) and meta's use of it: once a newer
// incarnation of a replica server has been heard, an older one's late beacons and config syncs
// are ignored (scenarios/regressions/pegasus_swarm_seed2043_previous_incarnation.json), and the
// ids order a server's starts (core/proto/incarnation.h).
#include "core/meta/server_incarnations.h"

#include <gtest/gtest.h>

#include "core/proto/incarnation.h"
#include "tests/meta/meta_harness.h"

namespace pg::testing {
namespace {

TEST(ServerIncarnations, AnOlderIncarnationIsRefusedOnceANewerOneWasHeard) {
  ServerIncarnations seen;
  const NodeId a(1), b(2);
  EXPECT_TRUE(seen.Admit(a, 11));
  EXPECT_TRUE(seen.Admit(a, 11));
  EXPECT_TRUE(seen.Admit(a, 22)) << "a restart";
  EXPECT_FALSE(seen.Admit(a, 11)) << "the first incarnation's late message";
  EXPECT_TRUE(seen.Admit(a, 22));
  EXPECT_TRUE(seen.Admit(b, 11)) << "per server";
  EXPECT_TRUE(seen.Admit(a, 0)) << "unstamped";
  EXPECT_TRUE(seen.Admit(a, 33));
  EXPECT_FALSE(seen.Admit(a, 22));
  EXPECT_FALSE(seen.Admit(a, 11));
}

// Two restarts in quick succession: the middle incarnation's messages, held in the network, arrive
// after the newest one's; they must not displace it (swarm seeds 1622 and 1782: taken for the
// newer, they made meta ignore the live server for good).
TEST(ServerIncarnations, ALateMiddleIncarnationDoesNotDisplaceTheNewest) {
  ServerIncarnations seen;
  const NodeId a(1);
  EXPECT_TRUE(seen.Admit(a, 11));
  EXPECT_TRUE(seen.Admit(a, 33));
  EXPECT_FALSE(seen.Admit(a, 22)) << "the middle incarnation, late";
  EXPECT_TRUE(seen.Admit(a, 33)) << "the live one stays current";
}

TEST(ServerIncarnations, IdsOrderStartsAndTellOneMillisecondsStartsApart) {
  const Time t = At(5000);
  EXPECT_LT(IncarnationId(t, 0xfffff), IncarnationId(t + Millis(1), 0));
  EXPECT_NE(IncarnationId(t, 2), IncarnationId(t, 4));
  EXPECT_LT(IncarnationId(Time::FromNanos(-Millis(3000).ns()), 7), IncarnationId(t, 7))
      << "a clock set before zero";
  EXPECT_NE(IncarnationId(Time::Zero(), 0), 0u);
}

// A restarted server's first beacon makes its previous incarnation's config sync, arriving after
// it, a message meta ignores: no answer, nothing collected.
TEST(ServerIncarnations, MetaIgnoresAPreviousIncarnationsConfigSync) {
  MetaFixture f(DefaultMetaOptions());
  f.BootReady(At(0));
  const NodeId server = f.options().replica_servers[0];
  f.Receive(At(1), server, Beacon{.send_time = At(1), .incarnation = 11});
  f.Receive(At(2), server, Beacon{.send_time = At(2), .incarnation = 22});
  Outbox old = f.Receive(At(3), server, ConfigSyncRequest{.sync_id = 5, .incarnation = 11});
  EXPECT_TRUE(HasMark(old, "meta.previous_incarnation_message"));
  EXPECT_TRUE(SentOf<ConfigSyncResponse>(old).empty());
  Outbox current = f.Receive(At(4), server, ConfigSyncRequest{.sync_id = 6, .incarnation = 22});
  EXPECT_FALSE(HasMark(current, "meta.previous_incarnation_message"));
  EXPECT_EQ(SentOf<ConfigSyncResponse>(current).size(), 1u);
}

}  // namespace
}  // namespace pg::testing
