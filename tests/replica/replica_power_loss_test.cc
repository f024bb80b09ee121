// A replica server restarted after a power loss, as upstream's replica_stub::initialize: every
// replica's private log is replayed and trusted, a torn tail cut; nothing tells the power loss
// from a process crash. Each append was synced before it counted as logged, so what the loss
// takes is only an append still in flight, which nobody was told of.
#include <gtest/gtest.h>

#include "core/replica/replica_log.h"
#include "tests/replica/replica_harness.h"

namespace pg::testing {
// Named: the batched build compiles this file with siblings that have helpers of the same names.
namespace replica_power_loss_test {

// Commits writes 1 ("v") and 2 ("w") on the group, so that the client has both acknowledged; then
// `id` logs a prepare of decree 3 that is still in flight when its machine loses power: half of
// the append reached the platter. Returns the boot's effects.
Outbox AckTwoThenLosePowerMidAppend(Harness& h, NodeId id) {
  h.StartGroup();
  CommitByHand(h, h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "v", 1)));
  const Outbox second =
      CommitByHand(h, h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "w", 2)));
  EXPECT_EQ(Sent<ClientResponse>(second).size(), 1u) << "write 2 acknowledged";
  const Outbox third = h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "x", 3));
  if (id != kP) ForwardPrepare(h, third, id);
  Server& s = h.server(id);
  EXPECT_EQ(s.pending_logs.size(), 1u) << "decree 3's append, in flight";
  const AppendLog& torn = s.pending_logs.back();
  s.disk.files[torn.file] += torn.bytes.substr(0, torn.bytes.size() / 2);
  h.Build(id);  // the power loss: the append never completes
  return h.Step(id, Boot{});
}

void ExpectReplayedHealthy(Harness& h, NodeId id, const Outbox& boot) {
  EXPECT_TRUE(HasMark(boot, "replica.plog_torn_tail"));
  EXPECT_EQ(h.View(id).status, PartitionStatus::kInactive) << "not failed: its log is trusted";
  EXPECT_EQ(h.View(id).last_prepared, Decree(2)) << "every acknowledged prepare replayed";
  auto sync = Sent<ConfigSyncRequest>(boot);
  ASSERT_EQ(sync.size(), 1u);
  ASSERT_EQ(sync[0].second.stored_replicas.size(), 1u);
  EXPECT_EQ(sync[0].second.stored_replicas[0].status, PartitionStatus::kInactive);
  EXPECT_EQ(sync[0].second.stored_replicas[0].last_prepared_decree, Decree(2));
}

// The primary lost power and restarted before meta's grace expired, still listed: it replays
// decree 2, which it committed and the client saw acknowledged, forces a ballot update and
// commits decree 2 again under the new ballot, so the acknowledged write survives (the bug of
// scenarios/pegasus/primary_power_loss_restart.json was a primary back with an empty log).
TEST(ReplicaPowerLoss, ARestartedPrimaryReplaysItsSyncedLogAndCommitsItsTailAgain) {
  Harness h;
  const Outbox boot = AckTwoThenLosePowerMidAppend(h, kP);
  ExpectReplayedHealthy(h, kP, boot);
  EXPECT_EQ(h.View(kP).last_committed, Decree(1)) << "decree 2's commit was never logged";
  h.Deliver(kMeta, kP, BeaconAck{.send_time = h.now, .is_master = true});
  auto reqs = Sent<UpdateConfigRequest>(
      h.Deliver(kMeta, kP, ConfigSyncResponse{.partitions = {h.Config()}}));
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].second.type, ConfigType::kPrimaryForceUpdateBallot);
  const Outbox became = h.Deliver(
      kMeta, kP, UpdateConfigResponse{.error = ErrorCode::kOk, .config = reqs[0].second.config});
  ASSERT_EQ(h.View(kP).status, PartitionStatus::kPrimary);
  EXPECT_EQ(h.View(kP).ballot, Ballot(2));
  CommitByHand(h, became);
  EXPECT_EQ(h.View(kP).last_committed, Decree(2));
  auto read = Sent<ClientResponse>(h.Deliver(kClient, kP, Get("h", "s")));
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].second.error, ErrorCode::kOk);
  EXPECT_EQ(read[0].second.value, "w");
}

// A secondary that lost power with a prepare in flight comes back with every prepare it acked and
// reports a healthy replica: meta and its primary treat it as after a process crash.
TEST(ReplicaPowerLoss, ARestartedSecondaryKeepsEveryPrepareItAcknowledged) {
  Harness h;
  const Outbox boot = AckTwoThenLosePowerMidAppend(h, kS2);
  ExpectReplayedHealthy(h, kS2, boot);
  EXPECT_TRUE(h.server(kS2).pending_logs.empty()) << "nothing to repair: no failure record";
}

}  // namespace replica_power_loss_test
}  // namespace pg::testing
