// Meta takes a config sync's failure or absence report only about the configuration in force: a
// report delayed past a newer configuration (the server made a member again since) must not
// remove the healthy member, a primary holding its lease among them
// (scenarios/regressions/pegasus_swarm_seed464_stale_failure_report.json).
#include <gtest/gtest.h>

#include "core/meta/partition_table.h"
#include "tests/meta/meta_harness.h"

namespace pg::testing {
namespace {

// Partition 2 moved to ballot 2 (the primary forced a new ballot); every server beacons.
PartitionConfiguration AtBallot2(MetaFixture& f) {
  ForceNextBallot(f, f.meta().partitions()[2]);
  for (NodeId s : f.options().replica_servers) f.Receive(At(3), s, Beacon{.send_time = At(3)});
  return f.meta().partitions()[2];
}

TEST(MetaStaleReport, AFailureReportFromAnOlderBallotLeavesThePrimary) {
  MetaFixture f(DefaultMetaOptions());
  f.BootReady(At(0));
  const PartitionConfiguration pc = AtBallot2(f);
  ASSERT_EQ(pc.ballot, Ballot(2));
  ConfigSyncRequest stale{.stored_replicas = {{.gpid = pc.gpid,
                                               .ballot = Ballot(1),
                                               .status = PartitionStatus::kError}},
                          .missing = {{.gpid = pc.gpid, .listed_ballot = Ballot(1)}}};
  Outbox out = f.Receive(At(4), *pc.primary, stale);
  EXPECT_TRUE(HasMark(out, "meta.stale_failure_report"));
  EXPECT_FALSE(HasMark(out, "meta.downgrade_failed_primary"));
  EXPECT_TRUE(AppendsOf(out).empty());
  EXPECT_EQ(f.meta().partitions()[2].primary, pc.primary);
}

TEST(MetaStaleReport, AFailureReportListedAtTheCurrentBallotDowngradesThePrimary) {
  MetaFixture f(DefaultMetaOptions());
  f.BootReady(At(0));
  const PartitionConfiguration pc = AtBallot2(f);
  // The replica failed at ballot 1, before it heard of ballot 2; meta's answer listed it at 2.
  ConfigSyncRequest current{.stored_replicas = {{.gpid = pc.gpid,
                                                 .ballot = Ballot(1),
                                                 .status = PartitionStatus::kError}},
                            .missing = {{.gpid = pc.gpid, .listed_ballot = Ballot(2)}}};
  Outbox out = f.Receive(At(4), *pc.primary, current);
  EXPECT_TRUE(HasMark(out, "meta.downgrade_failed_primary"));
  ASSERT_EQ(AppendsOf(out).size(), 1u);
}

TEST(MetaStaleReport, AnAbsenceReportFromAnOlderBallotLeavesTheMember) {
  MetaFixture f(DefaultMetaOptions());
  f.BootReady(At(0));
  const PartitionConfiguration pc = AtBallot2(f);
  // Sent when the server had lost the replica, before it was made primary of ballot 2.
  ConfigSyncRequest stale{.missing = {{.gpid = pc.gpid, .listed_ballot = Ballot(1)}}};
  for (const PartitionConfiguration& other : f.meta().partitions()) {
    if (other.gpid != pc.gpid && IsMember(other, *pc.primary)) {
      stale.stored_replicas.push_back({.gpid = other.gpid, .ballot = other.ballot});
    }
  }
  Outbox out = f.Receive(At(4), *pc.primary, stale);
  EXPECT_TRUE(HasMark(out, "meta.stale_absence_report"));
  EXPECT_FALSE(HasMark(out, "meta.member_without_replica"));
  EXPECT_TRUE(AppendsOf(out).empty());
  EXPECT_EQ(f.meta().partitions()[2].primary, pc.primary);
}

TEST(MetaStaleReport, TheAnswerEchoesTheSyncId) {
  MetaFixture f(DefaultMetaOptions());
  f.BootReady(At(0));
  Outbox out = f.Receive(At(1), NodeId(1), ConfigSyncRequest{.sync_id = 77});
  const auto resps = SentOf<ConfigSyncResponse>(out);
  ASSERT_EQ(resps.size(), 1u);
  EXPECT_EQ(resps[0].second.sync_id, 77u);
}

}  // namespace
}  // namespace pg::testing
