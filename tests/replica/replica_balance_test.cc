// The balancer's changes seen from the replicas (PEGASUS.md §1.13): a primary steps down on
// CT_DOWNGRADE_TO_SECONDARY (2PC paused, then a secondary whose prepare list the new primary's
// reconciliation overwrites), CT_ADD_SECONDARY_FOR_LB adds a learner past the replica count, and
// CT_REMOVE drops a secondary as a failure's removal does.
#include <gtest/gtest.h>

#include <set>

#include "tests/replica/replica_harness.h"

namespace pg::testing {
namespace {

ConfigProposal Proposal(ConfigType type, const PartitionConfiguration& pc, NodeId node) {
  return ConfigProposal{.type = type, .config = pc, .node = node};
}

// The configuration meta persists for kP's step down from h.Config() (ballot 2).
PartitionConfiguration SteppedDown(const Harness& h) {
  PartitionConfiguration pc = h.Config();
  pc.ballot = Ballot(2);
  pc.primary.reset();
  pc.secondaries = {kS2, kS3, kP};
  return pc;
}

TEST(ReplicaBalance, DowngradeToSecondaryAsksMetaThenTheOldPrimaryServesAsASecondary) {
  Harness h;
  h.StartGroup();
  // A write kP prepared and did not commit: it reached kS2 only.
  Outbox w = h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "v1", 1));
  h.CompleteLogs(kP);
  for (auto& [to, prep] : Sent<PrepareRequest>(w)) {
    if (to == kS2) h.Deliver(kP, kS2, prep);
  }
  h.CompleteLogs(kS2);
  // Only the primary named, at its ballot, steps down.
  EXPECT_TRUE(
      Sent<UpdateConfigRequest>(
          h.Deliver(kMeta, kS2, Proposal(ConfigType::kDowngradeToSecondary, h.Config(), kS2)))
          .empty());
  Outbox out = h.Deliver(kMeta, kP, Proposal(ConfigType::kDowngradeToSecondary, h.Config(), kP));
  EXPECT_TRUE(HasMark(out, "replica.downgrade_to_secondary"));
  auto reqs = Sent<UpdateConfigRequest>(out);
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].first, kMeta);
  EXPECT_EQ(reqs[0].second.type, ConfigType::kDowngradeToSecondary);
  EXPECT_EQ(reqs[0].second.config.ballot, Ballot(2));
  EXPECT_FALSE(reqs[0].second.config.primary.has_value());
  EXPECT_EQ(reqs[0].second.config.secondaries, SteppedDown(h).secondaries);
  EXPECT_EQ(h.View(kP).status, PartitionStatus::kInactive) << "2PC stops while meta decides";
  auto refused =
      Sent<ClientResponse>(h.Deliver(kClient, kP, Write(OpKind::kSet, "x", "s", "v", 7)));
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_NE(refused[0].second.error, ErrorCode::kOk);
  // Meta persisted it: kP is a secondary of ballot 2; the uncommitted write gets no reply.
  Outbox adopted =
      h.Deliver(kMeta, kP, UpdateConfigResponse{.error = ErrorCode::kOk, .config = SteppedDown(h)});
  EXPECT_EQ(h.View(kP).status, PartitionStatus::kSecondary);
  EXPECT_EQ(h.View(kP).ballot, Ballot(2));
  EXPECT_TRUE(Sent<ClientResponse>(adopted).empty());
  // Meta proposes kS2; as primary of ballot 3 it re-prepares decree 1 on kS3 and on kP.
  h.Deliver(kMeta, kS2, Proposal(ConfigType::kUpgradeToPrimary, SteppedDown(h), kS2));
  PartitionConfiguration up = SteppedDown(h);
  up.ballot = Ballot(3);
  up.primary = kS2;
  up.secondaries = {kS3, kP};
  Outbox became =
      h.Deliver(kMeta, kS2, UpdateConfigResponse{.error = ErrorCode::kOk, .config = up});
  EXPECT_EQ(h.View(kS2).status, PartitionStatus::kPrimary);
  std::set<NodeId> to;
  h.CompleteLogs(kS2);
  for (auto& [n, prep] : Sent<PrepareRequest>(became)) {
    EXPECT_EQ(prep.mutation.decree, Decree(1));
    EXPECT_EQ(prep.mutation.ballot, Ballot(3));
    to.insert(n);
    h.Deliver(kS2, n, prep);
    for (auto& [p, ack] : Sent<PrepareAck>(h.CompleteLogs(n))) {
      EXPECT_EQ(ack.error, ErrorCode::kOk);
      h.Deliver(n, p, ack);
    }
  }
  EXPECT_EQ(to, (std::set<NodeId>{kS3, kP}));
  EXPECT_EQ(h.View(kP).ballot, Ballot(3)) << "the old primary follows the new one";
  EXPECT_EQ(h.View(kS2).last_committed, Decree(1));
}

// kP and kS2 in a group of replica count 2 (full).
PartitionConfiguration FullPair(const Harness& h) {
  PartitionConfiguration pc = h.Config({kS2});
  pc.max_replica_count = 2;
  return pc;
}

TEST(ReplicaBalance, AddSecondaryForLbLearnsPastTheReplicaCountThenRemoveDropsTheSource) {
  Harness h;
  const PartitionConfiguration pc = FullPair(h);
  h.BootWith(kP, pc);
  h.BootWith(kS2, pc);
  h.Build(kL);
  h.Step(kL, Boot{});
  h.Deliver(kMeta, kL, BeaconAck{.send_time = h.now, .is_master = true});
  h.Deliver(kMeta, kL, ConfigSyncResponse{});
  h.CompleteLogs(kL);
  // The guardian's CT_ADD_SECONDARY does not overfill a full group; the balancer's may.
  EXPECT_TRUE(
      Sent<AddLearnerRequest>(h.Deliver(kMeta, kP, Proposal(ConfigType::kAddSecondary, pc, kL)))
          .empty());
  std::optional<LearnRequest> learn;
  for (int i = 0; i < 2 && !learn; ++i) {
    auto adds = Sent<AddLearnerRequest>(
        h.Deliver(kMeta, kP, Proposal(ConfigType::kAddSecondaryForLb, pc, kL)));
    ASSERT_EQ(adds.size(), 1u);
    Outbox out = h.Deliver(kP, kL, adds[0].second);
    h.CompleteLogs(kL);
    auto reqs = Sent<LearnRequest>(out);
    if (!reqs.empty()) learn = reqs[0].second;
  }
  ASSERT_TRUE(learn.has_value());
  Outbox at_primary = h.Deliver(kL, kP, *learn);
  auto resps = Sent<LearnResponse>(at_primary);
  ASSERT_EQ(resps.size(), 1u);
  Outbox learned = h.Deliver(kP, kL, resps[0].second);
  h.CompleteLogs(kL);
  auto notes = Sent<LearnCompletionNotify>(learned);
  ASSERT_EQ(notes.size(), 1u);
  auto upgrade = Sent<UpdateConfigRequest>(h.Deliver(kL, kP, notes[0].second));
  ASSERT_EQ(upgrade.size(), 1u);
  EXPECT_EQ(upgrade[0].second.type, ConfigType::kUpgradeToSecondary);
  EXPECT_EQ(upgrade[0].second.config.secondaries, (std::vector<NodeId>{kS2, kL}));
  PartitionConfiguration joined = upgrade[0].second.config;
  h.Deliver(kMeta, kP, UpdateConfigResponse{.error = ErrorCode::kOk, .config = joined});
  EXPECT_EQ(h.View(kP).status, PartitionStatus::kPrimary);
  EXPECT_EQ(h.View(kP).ballot, Ballot(2));
  // CT_REMOVE of the copied-from secondary: requested, then kS2 is told it is out.
  Outbox removing = h.Deliver(kMeta, kP, Proposal(ConfigType::kRemove, joined, kS2));
  EXPECT_TRUE(HasMark(removing, "replica.remove_secondary"));
  auto remove = Sent<UpdateConfigRequest>(removing);
  ASSERT_EQ(remove.size(), 1u);
  EXPECT_EQ(remove[0].second.type, ConfigType::kRemove);
  EXPECT_EQ(remove[0].second.config.ballot, Ballot(3));
  EXPECT_EQ(remove[0].second.config.secondaries, std::vector<NodeId>{kL});
  Outbox done = h.Deliver(
      kMeta, kP, UpdateConfigResponse{.error = ErrorCode::kOk, .config = remove[0].second.config});
  auto told = Sent<RemoveReplica>(done);
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0].first, kS2);
  h.Deliver(kP, kS2, told[0].second);
  EXPECT_EQ(h.View(kS2).status, PartitionStatus::kInactive);
}

}  // namespace
}  // namespace pg::testing
