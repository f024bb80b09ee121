// Meta's proposals seen from a primary (Pegasus replica::on_config_proposal): a proposal from a
// newer configuration is adopted by a primary before it acts on it (never by a replica that is not
// primary), an older one is dropped, and none is taken up while the primary's own change is in
// flight.
#include <gtest/gtest.h>

#include "tests/replica/replica_harness.h"

namespace pg::testing {
namespace {

// What meta persisted after kP asked to drop kS2: ballot 2, kS3 the only secondary.
PartitionConfiguration WithoutS2(const Harness& h) {
  PartitionConfiguration pc = h.Config();
  pc.ballot = Ballot(2);
  pc.secondaries = {kS3};
  pc.last_drops = {kS2};
  return pc;
}

ConfigProposal AddSecondaryTo(const PartitionConfiguration& pc, NodeId node) {
  return ConfigProposal{.type = ConfigType::kAddSecondary, .config = pc, .node = node};
}

// kP's lease lapsed while meta persisted its request; it gave up on the reply and resumed at
// ballot 1. A primary ignores config syncs, so meta's proposals at ballot 2 are the only way it
// learns that ballot; ignoring them would leave the partition one replica short for good
// (scenarios/regressions/pegasus_swarm_seed525_stale_ballot_primary.json).
TEST(ReplicaProposal, APrimaryAdoptsANewerConfigurationBeforeActingOnItsProposal) {
  Harness h;
  h.StartGroup();
  ASSERT_EQ(h.View(kP).ballot, Ballot(1));
  Outbox out = h.Deliver(kMeta, kP, AddSecondaryTo(WithoutS2(h), kL));
  EXPECT_TRUE(HasMark(out, "replica.proposal_newer_config"));
  EXPECT_EQ(h.View(kP).status, PartitionStatus::kPrimary);
  EXPECT_EQ(h.View(kP).ballot, Ballot(2));
  // Then the proposal itself: kL is added as a learner of ballot 2.
  const auto learners = Sent<AddLearnerRequest>(out);
  ASSERT_EQ(learners.size(), 1u);
  EXPECT_EQ(learners[0].first, kL);
  EXPECT_EQ(learners[0].second.config.ballot, Ballot(2));
}

// A proposal held on a stalled connection reaches a replica that is no longer primary (its lease
// lapsed; meta may have replaced it meanwhile). Adopting the proposal's configuration would make
// it primary of a ballot meta has moved past
// (scenarios/regressions/pegasus_swarm_seed1597_stale_proposal.json).
TEST(ReplicaProposal, AReplicaThatIsNotPrimaryDoesNotAdoptAProposalsConfiguration) {
  Harness h;
  h.StartGroup();
  h.now += Millis(5000);
  h.Fire(kP, TimerId(3));  // the lease lapses
  ASSERT_EQ(h.View(kP).status, PartitionStatus::kInactive);
  h.Deliver(kMeta, kP, BeaconAck{.send_time = h.now, .is_master = true});
  Outbox out = h.Deliver(kMeta, kP, AddSecondaryTo(WithoutS2(h), kL));
  EXPECT_TRUE(HasMark(out, "replica.proposal_newer_config_ignored"));
  EXPECT_FALSE(HasMark(out, "replica.proposal_newer_config"));
  EXPECT_TRUE(Sent<AddLearnerRequest>(out).empty());
  EXPECT_TRUE(Sent<PrepareRequest>(out).empty());
  EXPECT_EQ(h.View(kP).status, PartitionStatus::kInactive);
  EXPECT_EQ(h.View(kP).ballot, Ballot(1));
}

TEST(ReplicaProposal, AProposalFromAnOlderConfigurationIsDropped) {
  Harness h;
  h.StartGroup();
  h.Deliver(kMeta, kP, AddSecondaryTo(WithoutS2(h), kL));
  ASSERT_EQ(h.View(kP).ballot, Ballot(2));
  PartitionConfiguration old = h.Config();  // ballot 1, full membership
  old.secondaries = {kS2};
  Outbox out = h.Deliver(kMeta, kP, AddSecondaryTo(old, NodeId(5)));
  EXPECT_TRUE(Sent<AddLearnerRequest>(out).empty());
  EXPECT_EQ(h.View(kP).ballot, Ballot(2));
}

TEST(ReplicaProposal, NoProposalIsTakenUpWhileThePrimarysOwnChangeIsInFlight) {
  Harness h;
  h.StartGroup();
  // kP asks meta to drop kS3 (CT_DOWNGRADE_TO_INACTIVE after meta declared it dead).
  const Outbox asked = h.Deliver(
      kMeta, kP,
      ConfigProposal{.type = ConfigType::kDowngradeToInactive, .config = h.Config(), .node = kS3});
  ASSERT_EQ(Sent<UpdateConfigRequest>(asked).size(), 1u);
  ASSERT_EQ(h.View(kP).status, PartitionStatus::kInactive);
  Outbox out = h.Deliver(kMeta, kP, AddSecondaryTo(WithoutS2(h), kL));
  EXPECT_FALSE(HasMark(out, "replica.proposal_newer_config"));
  EXPECT_TRUE(Sent<AddLearnerRequest>(out).empty());
  EXPECT_EQ(h.View(kP).ballot, Ballot(1));
}

}  // namespace
}  // namespace pg::testing
