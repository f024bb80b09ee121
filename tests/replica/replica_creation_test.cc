// Where a replica server creates a replica from meta's config sync answer: a new table's ballot-1
// members, and a member of a later ballot that never held the replica (it has been a member
// since ballot 1 and never acked a prepare, so the partition never committed anything). A
// server that held the replica before never recreates it empty: joining again needs learning.
#include <gtest/gtest.h>

#include "tests/replica/replica_harness.h"

namespace pg::testing {
namespace {

constexpr NodeId kS{2};

PartitionConfiguration AtBallot2(const Harness& h) {
  PartitionConfiguration pc = h.Config();
  pc.ballot = Ballot(2);
  pc.primary.reset();
  pc.last_drops = {NodeId(1)};
  return pc;
}

Outbox Connect(Harness& h, NodeId id) {
  h.Build(id);
  const Outbox boot = h.Step(id, Boot{});
  h.Deliver(kMeta, id, BeaconAck{.send_time = h.now, .is_master = true});
  return boot;
}

TEST(ReplicaCreation, AMemberMetaLetsCreateTheReplicaCreatesItEmpty) {
  Harness h;
  const Outbox boot = Connect(h, kS);
  const auto syncs = Sent<ConfigSyncRequest>(boot);
  ASSERT_FALSE(syncs.empty());
  EXPECT_TRUE(syncs[0].second.ever_held.empty());
  Outbox out = h.Deliver(kMeta, kS,
                         ConfigSyncResponse{.partitions = {AtBallot2(h)}, .create_empty = {kGpid}});
  EXPECT_TRUE(HasMark(out, "replica_server.replica_created"));
  h.CompleteLogs(kS);
  EXPECT_EQ(h.View(kS).status, PartitionStatus::kSecondary);
  EXPECT_EQ(h.View(kS).ballot, Ballot(2));
  EXPECT_EQ(h.View(kS).last_committed, Decree(0));
}

// A server whose disk was replaced never held anything by its own account; it creates nothing
// meta does not let it create, at ballot 1 too, and reports the listed replica missing.
TEST(ReplicaCreation, AMemberMetaDoesNotLetCreateReportsTheReplicaMissing) {
  for (const Ballot ballot : {Ballot(1), Ballot(2)}) {
    Harness h;
    Connect(h, kS);
    PartitionConfiguration pc = AtBallot2(h);
    pc.ballot = ballot;
    Outbox out = h.Deliver(kMeta, kS, ConfigSyncResponse{.partitions = {pc}});
    EXPECT_FALSE(HasMark(out, "replica_server.replica_created"));
    EXPECT_TRUE(h.node(kS).Views(h.now).empty());
    EXPECT_TRUE(HasMark(out, "replica_server.report_missing"));
    const auto syncs = Sent<ConfigSyncRequest>(out);
    ASSERT_EQ(syncs.size(), 1u);
    ASSERT_EQ(syncs[0].second.missing.size(), 1u);
    EXPECT_EQ(syncs[0].second.missing[0].listed_ballot, ballot);
  }
}

TEST(ReplicaCreation, AServerThatHeldTheReplicaBeforeDoesNotRecreateItAtALaterBallot) {
  Harness h;
  h.BootWith(kS, h.Config());
  ASSERT_EQ(h.View(kS).status, PartitionStatus::kSecondary);
  // Meta collects it, then lists the server again at ballot 2 (a stale answer, say).
  h.Deliver(kMeta, kS, ConfigSyncResponse{.gc_replicas = {kGpid}});
  h.CompleteLogs(kS);
  ASSERT_TRUE(h.node(kS).Views(h.now).empty());
  Outbox out = h.Deliver(kMeta, kS, ConfigSyncResponse{.partitions = {AtBallot2(h)}});
  EXPECT_FALSE(HasMark(out, "replica_server.replica_created"));
  EXPECT_TRUE(h.node(kS).Views(h.now).empty());
  // It says so at config sync, from its durable index, across a restart too.
  Connect(h, kS);
  const Outbox again = h.Step(kS, TimerFired{.timer = TimerId(2)});
  const auto syncs = Sent<ConfigSyncRequest>(again);
  ASSERT_FALSE(syncs.empty());
  EXPECT_EQ(syncs[0].second.ever_held, std::vector<Gpid>{kGpid});
}

}  // namespace
}  // namespace pg::testing
