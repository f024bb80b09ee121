// Where a replica server creates a replica empty: only on meta's proposal that it become a new
// partition's first primary (replica_stub::on_config_proposal creates the replica of a
// CT_ASSIGN_PRIMARY), or as a learner (tests/replica/replica_learning_test.cc). Being listed in a
// configuration never creates one: a server is listed only once its replica exists, so a listed
// replica the server lacks was lost, and joining again takes learning.
#include <gtest/gtest.h>

#include "tests/replica/replica_harness.h"

namespace pg::testing {
namespace {

constexpr NodeId kCreator{2};

PartitionConfiguration AtBallot2(const Harness& h) {
  PartitionConfiguration pc = h.Config();
  pc.ballot = Ballot(2);
  pc.primary.reset();
  pc.last_drops = {NodeId(1)};
  return pc;
}

void ConnectServer(Harness& h, NodeId id) {
  h.Build(id);
  h.Step(id, Boot{});
  h.Deliver(kMeta, id, BeaconAck{.send_time = h.now, .is_master = true});
}

// The proposal creates the replica; once its index entry is durable the server takes the proposal
// up (Pegasus creates the replica synchronously and goes on): it asks to be the only member at
// ballot 2, and meta's answer makes it primary.
TEST(ReplicaCreation, AFirstPrimaryProposalCreatesTheReplicaThenItAsksToBePrimary) {
  Harness h;
  ConnectServer(h, kCreator);
  const ConfigProposal proposal = Harness::FirstPrimaryProposal(h.Config(), kCreator);
  Outbox out = h.Deliver(kMeta, kCreator, proposal);
  EXPECT_TRUE(HasMark(out, "replica_server.replica_created"));
  EXPECT_TRUE(Sent<UpdateConfigRequest>(out).empty()) << "asked before its replica was durable";
  Outbox durable = h.CompleteLogs(kCreator);
  EXPECT_TRUE(HasMark(durable, "replica.assign_first_primary"));
  const auto asks = Sent<UpdateConfigRequest>(durable);
  ASSERT_EQ(asks.size(), 1u);
  const UpdateConfigRequest& ask = asks[0].second;
  EXPECT_EQ(ask.type, ConfigType::kAssignPrimary);
  EXPECT_EQ(ask.config.ballot, Ballot(2));
  EXPECT_EQ(ask.config.primary, kCreator);
  EXPECT_TRUE(ask.config.secondaries.empty());
  // Meta's re-sent proposal while the request is out changes nothing.
  EXPECT_TRUE(Sent<UpdateConfigRequest>(h.Deliver(kMeta, kCreator, proposal)).empty());
  h.Deliver(kMeta, kCreator,
            UpdateConfigResponse{.config = ask.config, .request_id = ask.request_id});
  h.CompleteLogs(kCreator);
  EXPECT_EQ(h.View(kCreator).status, PartitionStatus::kPrimary);
  EXPECT_EQ(h.View(kCreator).ballot, Ballot(2));
}

// A proposal to a partition that had members (a drop to recover, DDD) or that names another server
// creates nothing: only a replica that held the data may take those up.
TEST(ReplicaCreation, OnlyANewPartitionsProposalToThisServerCreatesAReplica) {
  Harness h;
  ConnectServer(h, kCreator);
  ConfigProposal ddd = Harness::FirstPrimaryProposal(h.Config(), kCreator);
  ddd.config.last_drops = {kCreator};
  EXPECT_FALSE(HasMark(h.Deliver(kMeta, kCreator, ddd), "replica_server.replica_created"));
  ConfigProposal other = Harness::FirstPrimaryProposal(h.Config(), NodeId(3));
  EXPECT_FALSE(HasMark(h.Deliver(kMeta, kCreator, other), "replica_server.replica_created"));
  EXPECT_TRUE(h.node(kCreator).Views(h.now).empty());
}

// A server whose disk was replaced holds nothing: listed, at ballot 1 too, it creates nothing and
// reports the listed replica missing.
// A proposal whose partition count does not cover its partition (no meta sends one; a replica
// created from it would route and split by a count it cannot hold) creates nothing.
TEST(ReplicaCreation, AProposalWhosePartitionCountDoesNotCoverItsPartitionCreatesNothing) {
  for (const int32_t count : {0, -1, 1}) {
    Harness h;
    ConnectServer(h, kCreator);
    ConfigProposal bad = Harness::FirstPrimaryProposal(h.Config(), kCreator);
    bad.config.gpid.partition_index = 1;
    bad.config.partition_count = count;
    Outbox out = h.Deliver(kMeta, kCreator, bad);
    EXPECT_FALSE(HasMark(out, "replica_server.replica_created")) << "count " << count;
    EXPECT_TRUE(h.node(kCreator).Views(h.now).empty()) << "count " << count;
    EXPECT_TRUE(AppendsOf(out).empty()) << "no index entry for count " << count;
  }
}

TEST(ReplicaCreation, AListedReplicaTheServerLacksIsReportedMissingNotCreated) {
  for (const Ballot ballot : {Ballot(1), Ballot(2)}) {
    Harness h;
    ConnectServer(h, kCreator);
    PartitionConfiguration pc = AtBallot2(h);
    pc.ballot = ballot;
    Outbox out = h.Deliver(kMeta, kCreator, ConfigSyncResponse{.partitions = {pc}});
    EXPECT_FALSE(HasMark(out, "replica_server.replica_created"));
    EXPECT_TRUE(h.node(kCreator).Views(h.now).empty());
    EXPECT_TRUE(HasMark(out, "replica_server.report_missing"));
    const auto syncs = Sent<ConfigSyncRequest>(out);
    ASSERT_EQ(syncs.size(), 1u);
    ASSERT_EQ(syncs[0].second.missing.size(), 1u);
    EXPECT_EQ(syncs[0].second.missing[0].listed_ballot, ballot);
  }
}

TEST(ReplicaCreation, AServerThatHeldTheReplicaBeforeDoesNotRecreateIt) {
  Harness h;
  h.BootWith(kCreator, h.Config());
  ASSERT_EQ(h.View(kCreator).status, PartitionStatus::kSecondary);
  // Meta collects it, then lists the server again at ballot 2 (a stale answer, say).
  h.Deliver(kMeta, kCreator, ConfigSyncResponse{.gc_replicas = {kGpid}});
  h.CompleteLogs(kCreator);
  ASSERT_TRUE(h.node(kCreator).Views(h.now).empty());
  Outbox out = h.Deliver(kMeta, kCreator, ConfigSyncResponse{.partitions = {AtBallot2(h)}});
  EXPECT_FALSE(HasMark(out, "replica_server.replica_created"));
  EXPECT_TRUE(h.node(kCreator).Views(h.now).empty());
}

}  // namespace
}  // namespace pg::testing
