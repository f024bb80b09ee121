// A server whose replica failed for a power loss takes no add-learner for that partition until
// meta has acknowledged the failure (swarm seed 1622, shrunk:
// scenarios/regressions/pegasus_swarm_seed1622_learner_while_failed.json).
#include <gtest/gtest.h>

#include "core/replica/replica_log.h"
#include "tests/replica/replica_harness.h"

namespace pg::testing {
namespace {

// kS2 loses power (its replica fails at load), then crashes again as a process: the replica is
// gone from memory, its failure is in the index. Returns once kS2 holds a lease again.
void FailByPowerLossThenRestart(Harness& h) {
  h.StartGroup();
  h.server(kS2).disk.files.erase(std::string(kBootSentinelFile));
  h.Build(kS2);
  h.Step(kS2, Boot{});
  h.CompleteLogs(kS2);
  h.Build(kS2);
  h.Step(kS2, Boot{});
  ASSERT_TRUE(h.node(kS2).Views(h.now).empty());
  h.Deliver(kMeta, kS2, BeaconAck{.send_time = h.now, .is_master = true});
}

AddLearnerRequest AddLearner(uint64_t signature) {
  return AddLearnerRequest{.config = {.gpid = kGpid,
                                      .ballot = Ballot(1),
                                      .primary = kP,
                                      .status = PartitionStatus::kPotentialSecondary,
                                      .learner_signature = signature},
                           .partition_count = 1};
}

// The add-learner is a straggler of an earlier round while meta still lists kS2 at the ballot its
// failed replica held: a learner made now would erase the failure record and take that listing
// as its own, a member without the data.
TEST(ReplicaFailedLearner, AnAddLearnerWaitsUntilMetaHasAcknowledgedTheFailure) {
  Harness h;
  FailByPowerLossThenRestart(h);
  Outbox refused = h.Deliver(kP, kS2, AddLearner(1));
  EXPECT_TRUE(HasMark(refused, "replica_server.learner_refused_while_failed"));
  EXPECT_FALSE(HasMark(refused, "replica_server.replica_created"));
  EXPECT_TRUE(h.node(kS2).Views(h.now).empty());
  // Meta's answer still lists kS2: the failure stays on record and the sync reports it.
  h.Deliver(kMeta, kS2, ConfigSyncResponse{.partitions = {h.Config()}});
  EXPECT_TRUE(
      HasMark(h.Deliver(kP, kS2, AddLearner(2)), "replica_server.learner_refused_while_failed"));
  // Meta dropped kS2 from the partition and, answering the sync that reported the failure at
  // the listed ballot, collects the failed replica: now it may learn.
  h.Deliver(kMeta, kS2, ConfigSyncResponse{.gc_replicas = {kGpid}});
  Outbox created = h.Deliver(kP, kS2, AddLearner(3));
  EXPECT_FALSE(HasMark(created, "replica_server.learner_refused_while_failed"));
  EXPECT_TRUE(HasMark(created, "replica_server.replica_created"));
}

// Meta started the partition over as new (one drop that lost its replica: RenewPartition) and
// proposes kS2 as its first primary while kS2's failure is still unacknowledged: creating the
// replica now would erase the failure record just as a learner would, so the proposal waits.
TEST(ReplicaFailedLearner, AFirstPrimaryProposalWaitsUntilMetaHasAcknowledgedTheFailure) {
  Harness h;
  FailByPowerLossThenRestart(h);
  const ConfigProposal proposal = Harness::FirstPrimaryProposal(h.Config(), kS2);
  Outbox refused = h.Deliver(kMeta, kS2, proposal);
  EXPECT_TRUE(HasMark(refused, "replica_server.first_primary_refused_while_failed"));
  EXPECT_FALSE(HasMark(refused, "replica_server.replica_created"));
  EXPECT_TRUE(Sent<UpdateConfigRequest>(h.CompleteLogs(kS2)).empty());
  EXPECT_TRUE(h.node(kS2).Views(h.now).empty());
  h.Deliver(kMeta, kS2, ConfigSyncResponse{.gc_replicas = {kGpid}});
  Outbox created = h.Deliver(kMeta, kS2, proposal);
  EXPECT_FALSE(HasMark(created, "replica_server.first_primary_refused_while_failed"));
  EXPECT_TRUE(HasMark(created, "replica_server.replica_created"));
}

}  // namespace
}  // namespace pg::testing
