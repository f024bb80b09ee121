// A config sync while a change of the asking node's role is being persisted: meta leaves that
// partition out, so a primary declared dead that reconnects (a fresh lease) does not take its role
// up again beside the successor meta is about to install.
#include <gtest/gtest.h>

#include "core/meta/partition_table.h"
#include "tests/meta/meta_harness.h"

namespace pg::testing {
namespace {

TEST(MetaSyncPendingRole, APendingDowngradeOfTheAskersPrimaryIsLeftOut) {
  MetaFixture f(DefaultOptions());
  f.BootReady(At(0));
  const NodeId dead(1);
  std::vector<AppendLog> downgrades;
  for (int64_t t = 1000; t <= 9000 && downgrades.empty(); t += 1000) {
    for (NodeId s : f.options().replica_servers) {
      if (s != dead || t <= 1000) f.Receive(At(t), s, Beacon{.send_time = At(t - 1)});
    }
    downgrades = AppendsOf(f.Step(At(t) + Millis(1), TimerFired{.timer = TimerId(1)}));
  }
  ASSERT_FALSE(downgrades.empty()) << "the primary was never declared dead";
  std::set<Gpid> downgrading;
  std::set<Gpid> member;
  for (const PartitionConfiguration& pc : f.meta().partitions()) {
    if (pc.primary == dead) downgrading.insert(pc.gpid);
    if (IsMember(pc, dead)) member.insert(pc.gpid);
  }
  ASSERT_FALSE(downgrading.empty());
  // Back before the downgrades are durable: it beacons (meta acks it) and syncs.
  f.Receive(At(9100), dead, Beacon{.send_time = At(9100)});
  Outbox sync = f.Receive(At(9101), dead, ConfigSyncRequest{});
  const auto resp = SentOf<ConfigSyncResponse>(sync);
  ASSERT_EQ(resp.size(), 1u);
  std::set<Gpid> listed;
  for (const PartitionConfiguration& pc : resp[0].second.partitions) listed.insert(pc.gpid);
  for (Gpid g : member) {
    EXPECT_EQ(listed.contains(g), !downgrading.contains(g)) << fmt::format("{}", g);
  }
  // Once durable, the next sync tells it the truth: it is no longer primary anywhere.
  for (const AppendLog& a : downgrades) f.Complete(At(9200), a);
  Outbox later = f.Receive(At(9300), dead, ConfigSyncRequest{});
  for (const PartitionConfiguration& pc : SentOf<ConfigSyncResponse>(later)[0].second.partitions) {
    EXPECT_NE(pc.primary, dead) << fmt::format("{}", pc.gpid);
  }
}

}  // namespace
}  // namespace pg::testing
