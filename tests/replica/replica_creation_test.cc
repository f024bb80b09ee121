// Where a replica server creates a replica empty: only on meta's proposal that it become a new
// partition's first primary (replica_stub::on_config_proposal creates the replica of a
// CT_ASSIGN_PRIMARY), or as a learner (tests/replica/replica_learning_test.cc). Being listed in a
// configuration never creates one: a server is listed only once its replica exists, so a listed
// replica the server lacks was lost, and joining again takes learning.
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

void Connect(Harness& h, NodeId id) {
  h.Build(id);
  h.Step(id, Boot{});
  h.Deliver(kMeta, id, BeaconAck{.send_time = h.now, .is_master = true});
}

// The proposal creates the replica; once its index entry is durable the server takes the proposal
// up (Pegasus creates the replica synchronously and goes on): it asks to be the only member at
// ballot 2, and meta's answer makes it primary.
TEST(ReplicaCreation, AFirstPrimaryProposalCreatesTheReplicaThenItAsksToBePrimary) {
  Harness h;
  Connect(h, kS);
  const ConfigProposal proposal = Harness::FirstPrimaryProposal(h.Config(), kS);
  Outbox out = h.Deliver(kMeta, kS, proposal);
  EXPECT_TRUE(HasMark(out, "replica_server.replica_created"));
  EXPECT_TRUE(Sent<UpdateConfigRequest>(out).empty()) << "asked before its replica was durable";
  Outbox durable = h.CompleteLogs(kS);
  EXPECT_TRUE(HasMark(durable, "replica.assign_first_primary"));
  const auto asks = Sent<UpdateConfigRequest>(durable);
  ASSERT_EQ(asks.size(), 1u);
  const UpdateConfigRequest& ask = asks[0].second;
  EXPECT_EQ(ask.type, ConfigType::kAssignPrimary);
  EXPECT_EQ(ask.config.ballot, Ballot(2));
  EXPECT_EQ(ask.config.primary, kS);
  EXPECT_TRUE(ask.config.secondaries.empty());
  // Meta's re-sent proposal while the request is out changes nothing.
  EXPECT_TRUE(Sent<UpdateConfigRequest>(h.Deliver(kMeta, kS, proposal)).empty());
  h.Deliver(kMeta, kS,
            UpdateConfigResponse{.config = ask.config, .request_id = ask.request_id});
  h.CompleteLogs(kS);
  EXPECT_EQ(h.View(kS).status, PartitionStatus::kPrimary);
  EXPECT_EQ(h.View(kS).ballot, Ballot(2));
}

// A proposal to a partition that had members (a drop to recover, DDD) or that names another server
// creates nothing: only a replica that held the data may take those up.
TEST(ReplicaCreation, OnlyANewPartitionsProposalToThisServerCreatesAReplica) {
  Harness h;
  Connect(h, kS);
  ConfigProposal ddd = Harness::FirstPrimaryProposal(h.Config(), kS);
  ddd.config.last_drops = {kS};
  EXPECT_FALSE(HasMark(h.Deliver(kMeta, kS, ddd), "replica_server.replica_created"));
  ConfigProposal other = Harness::FirstPrimaryProposal(h.Config(), NodeId(3));
  EXPECT_FALSE(HasMark(h.Deliver(kMeta, kS, other), "replica_server.replica_created"));
  EXPECT_TRUE(h.node(kS).Views(h.now).empty());
}

// A server whose disk was replaced holds nothing: listed, at ballot 1 too, it creates nothing and
// reports the listed replica missing.
TEST(ReplicaCreation, AListedReplicaTheServerLacksIsReportedMissingNotCreated) {
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

TEST(ReplicaCreation, AServerThatHeldTheReplicaBeforeDoesNotRecreateIt) {
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
}

}  // namespace
}  // namespace pg::testing
