// CT_ASSIGN_PRIMARY after all replicas went down (PEGASUS.md §1.8, DDD), seen from the replica
// meta picked: it asks to become the only member at meta's ballot + 1, refuses when it lacks a
// decree meta knows committed, and reconciles its prepared suffix once meta persisted it.
#include <gtest/gtest.h>

#include "tests/replica/replica_harness.h"

namespace pg::testing {
namespace {

// Decrees 1..3 are written through the whole group; then every server's process crashes and kP,
// the one meta will pick, restarts: it replays its log (committed 2 by the headers, prepared 3)
// and is listed nowhere.
void WriteThenRestartP(Harness& h) {
  h.StartGroup();
  for (uint64_t i = 1; i <= 3; ++i) {
    Outbox p = h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "v" + std::to_string(i), i));
    h.CompleteLogs(kP);
    for (auto& [to, prep] : Sent<PrepareRequest>(p)) {
      h.Deliver(kP, to, prep);
      for (auto& [dest, ack] : Sent<PrepareAck>(h.CompleteLogs(to))) h.Deliver(to, dest, ack);
    }
  }
  ASSERT_EQ(h.View(kP).last_committed, Decree(3));
  h.Build(kP);
  h.Step(kP, Boot{});
  h.Deliver(kMeta, kP, BeaconAck{.send_time = h.now, .is_master = true});
  h.Deliver(kMeta, kP, ConfigSyncResponse{});
  h.CompleteLogs(kP);
  ASSERT_EQ(h.View(kP).status, PartitionStatus::kInactive);
  ASSERT_EQ(h.View(kP).last_prepared, Decree(3));
}

// Meta's configuration: every member dropped, kP last; meta knows `committed`.
PartitionConfiguration Ddd(Decree committed) {
  return PartitionConfiguration{.gpid = kGpid,
                                .ballot = Ballot(6),
                                .last_drops = {kS2, kS3, kP},
                                .last_committed_decree = committed,
                                .partition_count = 1};
}

ConfigProposal Assign(const PartitionConfiguration& pc, NodeId node) {
  return ConfigProposal{.type = ConfigType::kAssignPrimary, .config = pc, .node = node};
}

TEST(ReplicaDdd, AssignPrimaryAsksToBeTheOnlyMemberAtMetasBallotPlusOne) {
  Harness h;
  WriteThenRestartP(h);
  Outbox out = h.Deliver(kMeta, kP, Assign(Ddd(Decree(2)), kP));
  EXPECT_TRUE(HasMark(out, "replica.assign_primary_ddd"));
  auto reqs = Sent<UpdateConfigRequest>(out);
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].first, kMeta);
  EXPECT_EQ(reqs[0].second.type, ConfigType::kAssignPrimary);
  EXPECT_EQ(reqs[0].second.config.ballot, Ballot(7));
  EXPECT_EQ(reqs[0].second.config.primary, kP);
  EXPECT_TRUE(reqs[0].second.config.secondaries.empty());
  EXPECT_EQ(reqs[0].second.config.last_committed_decree, h.View(kP).last_committed)
      << "meta learns the replica's commit point";
  // A proposal for another node, or to a replica that is not a last drop, is ignored.
  EXPECT_TRUE(Sent<UpdateConfigRequest>(h.Deliver(kMeta, kS2, Assign(Ddd(Decree(2)), kP))).empty());
}

TEST(ReplicaDdd, RefusesWhenItLacksADecreeMetaKnowsCommitted) {
  Harness h;
  WriteThenRestartP(h);
  Outbox out = h.Deliver(kMeta, kP, Assign(Ddd(Decree(4)), kP));
  EXPECT_TRUE(Sent<UpdateConfigRequest>(out).empty());
  EXPECT_EQ(h.View(kP).status, PartitionStatus::kInactive);
}

TEST(ReplicaDdd, OnceMetaPersistedItTheNewPrimaryReconcilesAlone) {
  Harness h;
  WriteThenRestartP(h);
  h.Deliver(kMeta, kP, Assign(Ddd(Decree(2)), kP));
  PartitionConfiguration next = Ddd(Decree(2));
  next.ballot = Ballot(7);
  next.primary = kP;
  next.last_drops = {kS2, kS3};
  Outbox became =
      h.Deliver(kMeta, kP, UpdateConfigResponse{.error = ErrorCode::kOk, .config = next});
  EXPECT_EQ(h.View(kP).status, PartitionStatus::kPrimary);
  EXPECT_EQ(h.View(kP).ballot, Ballot(7));
  EXPECT_TRUE(HasMark(became, "replica.replay_prepare_list"));
  EXPECT_TRUE(Sent<PrepareRequest>(became).empty()) << "no secondary to prepare on";
  // Decree 3, prepared before the crash, is committed under ballot 7 once logged again.
  h.CompleteLogs(kP);
  EXPECT_EQ(h.View(kP).last_committed, Decree(3));
  auto read = Sent<ClientResponse>(h.Deliver(kClient, kP, Get("h", "s", 20)));
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].second.error, ErrorCode::kOk);
  EXPECT_EQ(read[0].second.value, std::optional<std::string>("v3"));
}

TEST(ReplicaDdd, ARefusedAssignmentLeavesARestartedReplicaIneligibleForUpgrade) {
  Harness h;
  WriteThenRestartP(h);
  h.Deliver(kMeta, kP, Assign(Ddd(Decree(2)), kP));
  h.Deliver(kMeta, kP,
            UpdateConfigResponse{.error = ErrorCode::kInvalidState, .config = Ddd(Decree(2))});
  EXPECT_EQ(h.View(kP).status, PartitionStatus::kInactive);
  // Not transient: a CT_UPGRADE_TO_PRIMARY naming it as a secondary is still ignored.
  PartitionConfiguration orphan = Ddd(Decree(2));
  orphan.secondaries = {kP};
  orphan.last_drops = {kS2, kS3};
  Outbox out = h.Deliver(
      kMeta, kP,
      ConfigProposal{.type = ConfigType::kUpgradeToPrimary, .config = orphan, .node = kP});
  EXPECT_TRUE(Sent<UpdateConfigRequest>(out).empty());
}

}  // namespace
}  // namespace pg::testing
