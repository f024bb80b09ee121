// The replica server's side of config sync under delays: only the answer to its latest sync is
// taken (query_configuration_by_node keeps one call outstanding), and a listed replica it lacks
// or holds failed is reported at once with the ballot it was listed at.
#include <gtest/gtest.h>

#include "tests/replica/replica_harness.h"

namespace pg::testing {
namespace {

// The server's latest config sync request in `out`.
std::optional<ConfigSyncRequest> SyncIn(const Outbox& out) {
  auto syncs = Sent<ConfigSyncRequest>(out);
  if (syncs.empty()) return std::nullopt;
  return syncs.back().second;
}

// An answer held in the network past the server's next sync answers a request the server has
// given up: it lists the server as primary of a configuration meta may have replaced since
// (scenarios/regressions/pegasus_swarm_seed2652_superseded_sync_reply.json).
TEST(ReplicaSyncReply, AnAnswerToASupersededSyncIsDropped) {
  Harness h;
  h.Build(kP);
  h.Step(kP, Boot{});
  auto first = SyncIn(h.Deliver(kMeta, kP, BeaconAck{.send_time = h.now, .is_master = true}));
  ASSERT_TRUE(first.has_value());
  h.now += Millis(5000);
  h.Deliver(kMeta, kP, BeaconAck{.send_time = h.now, .is_master = true});
  auto second = SyncIn(h.Fire(kP, TimerId(2)));  // the server's periodic config sync timer
  ASSERT_TRUE(second.has_value());
  ASSERT_NE(first->sync_id, second->sync_id);
  // The server holds the replica, empty and inactive (created for a learner).
  h.Deliver(kS2, kP,
            AddLearnerRequest{.config = {.gpid = kGpid, .ballot = Ballot(1), .primary = kS2},
                              .partition_count = 1});
  h.CompleteLogs(kP);
  ASSERT_EQ(h.View(kP).status, PartitionStatus::kInactive);

  Outbox stale = h.Deliver(
      kMeta, kP, ConfigSyncResponse{.partitions = {h.Config()}, .sync_id = first->sync_id});
  EXPECT_TRUE(HasMark(stale, "replica_server.superseded_sync_reply"));
  EXPECT_EQ(h.View(kP).status, PartitionStatus::kInactive) << "a role taken up from a stale answer";

  Outbox current = h.Deliver(
      kMeta, kP, ConfigSyncResponse{.partitions = {h.Config()}, .sync_id = second->sync_id});
  EXPECT_FALSE(HasMark(current, "replica_server.superseded_sync_reply"));
  h.CompleteLogs(kP);
  EXPECT_EQ(h.View(kP).status, PartitionStatus::kPrimary);
  // Answered: a second copy of the answer (a network duplicate) is not taken either.
  Outbox again = h.Deliver(
      kMeta, kP, ConfigSyncResponse{.partitions = {h.Config()}, .sync_id = second->sync_id});
  EXPECT_TRUE(HasMark(again, "replica_server.superseded_sync_reply"));
}

// A replica that failed (PS_ERROR) is reported with the ballot meta's answer listed it at, at
// once, and only once per ballot: meta takes a report only about its configuration in force.
TEST(ReplicaSyncReply, AFailedListedReplicaIsReportedAtOnceWithTheListedBallot) {
  Harness h;
  h.StartGroup({kS2});
  h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "v", 1));
  h.FailOldestAppend(kP);
  ASSERT_EQ(h.View(kP).status, PartitionStatus::kError);

  PartitionConfiguration listed = h.Config({kS2});
  listed.ballot = Ballot(3);
  Outbox out = h.Deliver(kMeta, kP, ConfigSyncResponse{.partitions = {listed}});
  EXPECT_TRUE(HasMark(out, "replica_server.report_missing"));
  auto report = SyncIn(out);
  ASSERT_TRUE(report.has_value());
  ASSERT_EQ(report->missing.size(), 1u);
  EXPECT_EQ(report->missing[0].gpid, kGpid);
  EXPECT_EQ(report->missing[0].listed_ballot, Ballot(3));
  // The same listing again asks for nothing more.
  Outbox same = h.Deliver(kMeta, kP, ConfigSyncResponse{.partitions = {listed}});
  EXPECT_FALSE(SyncIn(same).has_value());
}

}  // namespace
}  // namespace pg::testing
