// Commit point propagation, leases, reads and the removal of a failed secondary.
#include <gtest/gtest.h>

#include "tests/replica/replica_harness.h"

namespace pg::testing {
namespace {

// Runs one write through the whole group; returns the primary's outbox of the first step.
Outbox CommitRequest(Harness& h, const ClientRequest& req) {
  Outbox p = h.Deliver(kClient, kP, req);
  h.CompleteLogs(kP);
  for (auto& [to, prep] : Sent<PrepareRequest>(p)) {
    h.Deliver(kP, to, prep);
    for (auto& [dest, ack] : Sent<PrepareAck>(h.CompleteLogs(to))) h.Deliver(to, dest, ack);
  }
  return p;
}

TEST(ReplicaCheck, CommitPointRidesOnNextPrepare) {
  Harness h;
  h.StartGroup();
  CommitRequest(h, Write(OpKind::kSet, "h", "s", "v1", 1));
  EXPECT_EQ(h.View(kP).last_committed, Decree(1));
  EXPECT_EQ(h.View(kS2).last_committed, Decree(0)) << "the commit point has not travelled yet";
  Outbox p = h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "v2", 2));
  auto preps = Sent<PrepareRequest>(p);
  ASSERT_EQ(preps.size(), 2u);
  EXPECT_EQ(preps[0].second.mutation.last_committed_decree, Decree(1));
  h.Deliver(kP, kS2, preps[0].second);
  EXPECT_EQ(h.View(kS2).last_committed, Decree(1));
  EXPECT_EQ(h.View(kS2).last_prepared, Decree(2));
  EXPECT_EQ(h.node(kS2).CommittedDigest(kGpid, Decree(1)),
            h.node(kP).CommittedDigest(kGpid, Decree(1)));
}

TEST(ReplicaCheck, CommitPointRidesOnGroupCheck) {
  Harness h;
  h.StartGroup();
  CommitRequest(h, Write(OpKind::kSet, "h", "s", "v1", 1));
  Outbox gc = h.Fire(kP, MakeReplicaTimerId(kGpid, ReplicaTimer::kGroupCheck));
  auto checks = Sent<GroupCheckRequest>(gc);
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[0].second.last_committed_decree, Decree(1));
  for (auto& [to, req] : checks) {
    auto resp = Sent<GroupCheckResponse>(h.Deliver(kP, to, req));
    ASSERT_EQ(resp.size(), 1u);
    EXPECT_EQ(resp[0].second.error, ErrorCode::kOk);
    EXPECT_EQ(h.View(to).last_committed, Decree(1));
    EXPECT_TRUE(Sent<UpdateConfigRequest>(h.Deliver(to, kP, resp[0].second)).empty());
  }
  EXPECT_EQ(h.node(kS3).CommittedDigest(kGpid, Decree(1)),
            h.node(kP).CommittedDigest(kGpid, Decree(1)));
}

TEST(ReplicaCheck, CommitPointRidesOnEmptyWrite) {
  Harness h;
  h.StartGroup();
  CommitRequest(h, Write(OpKind::kSet, "h", "s", "v1", 1));
  h.now += Millis(2000);  // group_check_interval without a prepare
  h.RenewLeases();
  Outbox gc = h.Fire(kP, MakeReplicaTimerId(kGpid, ReplicaTimer::kGroupCheck));
  EXPECT_TRUE(HasMark(gc, "replica.empty_write"));
  auto preps = Sent<PrepareRequest>(gc);
  ASSERT_EQ(preps.size(), 2u);
  EXPECT_TRUE(preps[0].second.mutation.updates.empty());
  EXPECT_EQ(preps[0].second.mutation.decree, Decree(2));
  EXPECT_EQ(preps[0].second.mutation.last_committed_decree, Decree(1));
  h.Deliver(kP, kS2, preps[0].second);
  EXPECT_EQ(h.View(kS2).last_committed, Decree(1));
  // A recent prepare suppresses the empty write.
  Outbox again = h.Fire(kP, MakeReplicaTimerId(kGpid, ReplicaTimer::kGroupCheck));
  EXPECT_FALSE(HasMark(again, "replica.empty_write"));
}

TEST(ReplicaCheck, ReadsOnlyOnPrimaryWithValidLease) {
  Harness h;
  h.StartGroup();
  CommitRequest(h, Write(OpKind::kSet, "h", "s", "v1", 1));
  auto sec = Sent<ClientResponse>(h.Deliver(kClient, kS2, Get("h", "s")));
  ASSERT_EQ(sec.size(), 1u);
  EXPECT_EQ(sec[0].second.error, ErrorCode::kInvalidState);
  auto prim = Sent<ClientResponse>(h.Deliver(kClient, kP, Get("h", "s")));
  ASSERT_EQ(prim.size(), 1u);
  EXPECT_EQ(prim[0].second.error, ErrorCode::kOk);

  h.now += Millis(5000);  // the lease runs from the last acked beacon's send time
  EXPECT_FALSE(h.View(kP).serving_as_primary);
  Outbox lapse = h.Deliver(kClient, kP, Get("h", "s"));
  EXPECT_TRUE(HasMark(lapse, "replica_server.lease_lapsed"));
  auto late = Sent<ClientResponse>(lapse);
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].second.error, ErrorCode::kInvalidState);
  EXPECT_EQ(h.View(kP).status, PartitionStatus::kInactive);
  auto w = Sent<ClientResponse>(h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "x", 9)));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].second.error, ErrorCode::kInvalidState);
}

// replica_stub exits when it cannot load its replicas: a server whose index cannot be read takes
// no role and asks the host to take its process down, so that a restart (after the disk
// recovers) can load them, where a server that only stopped stayed up doing nothing.
TEST(ReplicaCheck, AnUnreadableReplicaIndexExitsTheProcess) {
  Harness h;
  h.Build(kP);
  const std::string index(kReplicaIndexFile);
  h.server(kP).disk.files.insert_or_assign(index, std::string(1, 'x'));
  h.server(kP).disk.unreadable.insert(index);
  Outbox boot = h.Step(kP, Boot{});
  EXPECT_TRUE(HasMark(boot, "replica_server.fail_stop"));
  ASSERT_FALSE(boot.effects().empty());
  const auto* exit = std::get_if<Exit>(&boot.effects().back());
  ASSERT_NE(exit, nullptr) << "the exit is the boot's last effect";
  EXPECT_EQ(exit->reason, "replica index unreadable");
  EXPECT_TRUE(Sent<Beacon>(boot).empty()) << "no beacon: meta must not count it alive";
}

TEST(ReplicaCheck, LeaseLapseAbandonsOutstandingPrepares) {
  Harness h;
  h.StartGroup();
  Outbox p = h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "v1", 1));
  h.now += Millis(5000);
  h.Fire(kP, TimerId(3));
  EXPECT_EQ(h.View(kP).status, PartitionStatus::kInactive);
  // Acks that arrive now commit nothing and answer no client: the outcome stays unknown.
  h.CompleteLogs(kP);
  for (auto& [to, prep] : Sent<PrepareRequest>(p)) {
    h.RenewLeases();
    h.Deliver(kP, to, prep);
    for (auto& [dest, ack] : Sent<PrepareAck>(h.CompleteLogs(to))) {
      EXPECT_TRUE(Sent<ClientResponse>(h.Deliver(to, dest, ack)).empty());
    }
  }
  EXPECT_EQ(h.View(kP).last_committed, Decree(0));
  EXPECT_EQ(h.View(kP).last_prepared, Decree(1)) << "the prepare stays in the prepare list";
}

TEST(ReplicaCheck, MetaComingBackReactivatesTransientPrimaryAndReplays) {
  Harness h;
  h.StartGroup();
  h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "v1", 1));
  h.CompleteLogs(kP);
  h.now += Millis(5000);
  h.Fire(kP, TimerId(3));
  ASSERT_EQ(h.View(kP).status, PartitionStatus::kInactive);
  Outbox connect = h.Deliver(kMeta, kP, BeaconAck{.send_time = h.now, .is_master = true});
  EXPECT_EQ(Sent<ConfigSyncRequest>(connect).size(), 1u);
  Outbox sync = h.Deliver(kMeta, kP, ConfigSyncResponse{.partitions = {h.Config()}});
  EXPECT_EQ(h.View(kP).status, PartitionStatus::kPrimary);
  auto preps = Sent<PrepareRequest>(sync);
  ASSERT_EQ(preps.size(), 2u) << "the uncommitted decree is prepared again";
  EXPECT_EQ(preps[0].second.mutation.decree, Decree(1));
  EXPECT_EQ(preps[0].second.mutation.ballot, Ballot(1));
}

// Lets `node`'s lease lapse (`after` past its last renewal), then reconnects it to meta.
void LapseAndReconnect(Harness& h, NodeId node, Duration after = Millis(5000)) {
  h.now += after;
  h.Fire(node, TimerId(3));
  EXPECT_EQ(h.View(node).status, PartitionStatus::kInactive);
  h.Deliver(kMeta, node, BeaconAck{.send_time = h.now, .is_master = true});
}

// The sync was taken as meta's word: no request asked again, and `node` is `status` at `ballot`.
void ExpectAdoptedWithoutAskingAgain(Harness& h, NodeId node, const Outbox& sync,
                                     PartitionStatus status, Ballot ballot) {
  EXPECT_FALSE(HasMark(sync, "replica.reissue_abandoned_change"));
  EXPECT_TRUE(Sent<UpdateConfigRequest>(sync).empty());
  EXPECT_EQ(h.View(node).status, status);
  EXPECT_EQ(h.View(node).ballot, ballot);
}

// kP, a write of its own in flight, asked meta to drop kS3, and its lease lapsed before the reply:
// the request is given up, though meta may persist it still. Returns that request.
UpdateConfigRequest AbandonADropOfS3(Harness& h) {
  h.StartGroup();
  h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "v", 1));
  const Outbox asked = h.Deliver(
      kMeta, kP,
      ConfigProposal{.type = ConfigType::kDowngradeToInactive, .config = h.Config(), .node = kS3});
  const auto upd = Sent<UpdateConfigRequest>(asked);
  EXPECT_EQ(upd.size(), 1u);
  LapseAndReconnect(h, kP);
  return upd.at(0).second;
}

// Meta answered kP's sync from ballot 1 before the delayed request reached it, then persisted
// ballot 2. Had kP resumed at ballot 1 it would never have heard of ballot 2 (a primary ignores
// syncs), and would have committed alone writes meta's ballot 2 says kS2 holds
// (scenarios/regressions/pegasus_swarm_seed1253_abandoned_change.json).
TEST(ReplicaCheck, ASyncBelowAGivenUpRequestsBallotMakesThePrimaryAskAgain) {
  Harness h;
  const UpdateConfigRequest abandoned = AbandonADropOfS3(h);
  Outbox sync = h.Deliver(kMeta, kP, ConfigSyncResponse{.partitions = {h.Config()}});
  EXPECT_TRUE(HasMark(sync, "replica.reissue_abandoned_change"));
  EXPECT_EQ(h.View(kP).status, PartitionStatus::kInactive) << "not primary at ballot 1 again";
  const auto again = Sent<UpdateConfigRequest>(sync);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].second.type, abandoned.type);
  EXPECT_EQ(again[0].second.node, kS3);
  EXPECT_EQ(again[0].second.config.ballot, Ballot(2));
  EXPECT_EQ(again[0].second.config.secondaries, abandoned.config.secondaries);
  // Another stale sync changes nothing while meta decides; meta's answer makes it primary.
  EXPECT_TRUE(Sent<UpdateConfigRequest>(
                  h.Deliver(kMeta, kP, ConfigSyncResponse{.partitions = {h.Config()}}))
                  .empty());
  EXPECT_EQ(h.View(kP).status, PartitionStatus::kInactive);
  h.Deliver(kMeta, kP, UpdateConfigResponse{.config = again[0].second.config});
  EXPECT_EQ(h.View(kP).status, PartitionStatus::kPrimary);
  EXPECT_EQ(h.View(kP).ballot, Ballot(2));
}

TEST(ReplicaCheck, ASyncAtTheGivenUpRequestsBallotIsAdoptedAsIs) {
  Harness h;
  const UpdateConfigRequest abandoned = AbandonADropOfS3(h);
  Outbox sync = h.Deliver(kMeta, kP, ConfigSyncResponse{.partitions = {abandoned.config}});
  ExpectAdoptedWithoutAskingAgain(h, kP, sync, PartitionStatus::kPrimary, Ballot(2));
}

// A secondary asked to be primary (CT_UPGRADE_TO_PRIMARY) and gave up when its lease lapsed; a
// sync below that ballot names no primary, so it is adopted: the request is not asked again (meta
// proposes the upgrade anew if it still wants it).
TEST(ReplicaCheck, AGivenUpUpgradeIsNotAskedAgainBySyncsWithoutThisPrimary) {
  Harness h;
  h.StartGroup();
  PartitionConfiguration down = h.Config();
  down.ballot = Ballot(2);
  down.primary.reset();
  down.secondaries = {kS2, kS3};
  down.last_drops = {kP};
  const auto asked = Sent<UpdateConfigRequest>(h.Deliver(
      kMeta, kS2,
      ConfigProposal{.type = ConfigType::kUpgradeToPrimary, .config = down, .node = kS2}));
  ASSERT_EQ(asked.size(), 1u);
  LapseAndReconnect(h, kS2);
  Outbox sync = h.Deliver(kMeta, kS2, ConfigSyncResponse{.partitions = {down}});
  ExpectAdoptedWithoutAskingAgain(h, kS2, sync, PartitionStatus::kSecondary, Ballot(2));
}

// Meta refused the request asked again (its table moved on): the replica re-syncs and takes what
// meta holds, and the request is not asked a third time.
TEST(ReplicaCheck, ARefusedReissueLeavesTheReplicaToTheNextSync) {
  Harness h;
  AbandonADropOfS3(h);
  const auto again = Sent<UpdateConfigRequest>(
      h.Deliver(kMeta, kP, ConfigSyncResponse{.partitions = {h.Config()}}));
  ASSERT_EQ(again.size(), 1u);
  Outbox refused = h.Deliver(
      kMeta, kP, UpdateConfigResponse{.error = ErrorCode::kInvalidState, .config = h.Config()});
  EXPECT_EQ(Sent<ConfigSyncRequest>(refused).size(), 1u) << "it asks meta for the truth";
  Outbox sync = h.Deliver(kMeta, kP, ConfigSyncResponse{.partitions = {h.Config()}});
  ExpectAdoptedWithoutAskingAgain(h, kP, sync, PartitionStatus::kPrimary, Ballot(1));
}

// Once the replica holds the request's ballot the request is forgotten: a stale sync after a
// later lapse does not send it again.
TEST(ReplicaCheck, AGivenUpRequestIsForgottenOnceItsBallotIsReached) {
  Harness h;
  const UpdateConfigRequest abandoned = AbandonADropOfS3(h);
  h.Deliver(kMeta, kP, ConfigSyncResponse{.partitions = {abandoned.config}});
  ASSERT_EQ(h.View(kP).ballot, Ballot(2));
  LapseAndReconnect(h, kP, Millis(6000));  // past the lease the reconnection's ack gave
  Outbox stale = h.Deliver(kMeta, kP, ConfigSyncResponse{.partitions = {h.Config()}});
  EXPECT_TRUE(Sent<UpdateConfigRequest>(stale).empty());
  EXPECT_EQ(h.View(kP).ballot, Ballot(2));
}

// A replica that gave up its request and then fail-stopped (a log write failed) must not ask
// again when the sync comes: PS_ERROR is terminal (docs/bugs-found.md).
TEST(ReplicaCheck, AFailedReplicaDoesNotAskAgainForTheRequestItGaveUp) {
  Harness h;
  AbandonADropOfS3(h);
  h.FailOldestAppend(kP);
  ASSERT_EQ(h.View(kP).status, PartitionStatus::kError);
  Outbox sync = h.Deliver(kMeta, kP, ConfigSyncResponse{.partitions = {h.Config()}});
  EXPECT_FALSE(HasMark(sync, "replica.reissue_abandoned_change"));
  EXPECT_TRUE(Sent<UpdateConfigRequest>(sync).empty());
  EXPECT_EQ(h.View(kP).status, PartitionStatus::kError);
}

TEST(ReplicaCheck, FailedSecondaryIsRemovedWithBallotPlusOne) {
  Harness h;
  h.StartGroup();
  Outbox p = h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "v1", 1));
  h.CompleteLogs(kP);
  // Secondary 2 acks; secondary 3 never answers.
  h.Deliver(kP, kS2, Sent<PrepareRequest>(p)[0].second);
  for (auto& [dest, ack] : Sent<PrepareAck>(h.CompleteLogs(kS2))) h.Deliver(kS2, dest, ack);
  h.now += Millis(1500);
  h.RenewLeases();
  Outbox t = h.Fire(kP, MakeReplicaTimerId(kGpid, ReplicaTimer::kPrepareTimeout));
  auto upd = Sent<UpdateConfigRequest>(t);
  ASSERT_EQ(upd.size(), 1u);
  EXPECT_EQ(upd[0].first, kMeta);
  EXPECT_EQ(upd[0].second.type, ConfigType::kDowngradeToInactive);
  EXPECT_EQ(upd[0].second.node, kS3);
  EXPECT_EQ(upd[0].second.config.ballot, Ballot(2));
  EXPECT_EQ(upd[0].second.config.secondaries, std::vector<NodeId>{kS2});
  EXPECT_EQ(h.View(kP).status, PartitionStatus::kInactive) << "2PC is off while meta decides";
  auto busy = Sent<ClientResponse>(h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "x", 2)));
  ASSERT_EQ(busy.size(), 1u);
  EXPECT_EQ(busy[0].second.error, ErrorCode::kInvalidState);

  Outbox ok = h.Deliver(kMeta, kP, UpdateConfigResponse{.config = upd[0].second.config});
  EXPECT_EQ(h.View(kP).status, PartitionStatus::kPrimary);
  EXPECT_EQ(h.View(kP).ballot, Ballot(2));
  auto removes = Sent<RemoveReplica>(ok);
  ASSERT_EQ(removes.size(), 1u);
  EXPECT_EQ(removes[0].first, kS3);
  auto preps = Sent<PrepareRequest>(ok);
  ASSERT_EQ(preps.size(), 1u) << "re-prepared to the remaining member only";
  EXPECT_EQ(preps[0].first, kS2);
  EXPECT_EQ(preps[0].second.mutation.ballot, Ballot(2));
  EXPECT_EQ(preps[0].second.mutation.decree, Decree(1));
  h.CompleteLogs(kP);
  h.Deliver(kP, kS2, preps[0].second);
  EXPECT_EQ(h.View(kS2).ballot, Ballot(2));
  std::vector<std::pair<NodeId, ClientResponse>> replies;
  for (auto& [dest, ack] : Sent<PrepareAck>(h.CompleteLogs(kS2))) {
    replies = Sent<ClientResponse>(h.Deliver(kS2, dest, ack));
  }
  ASSERT_EQ(replies.size(), 1u) << "the client of the re-prepared write hears back";
  EXPECT_EQ(replies[0].second.decree, Decree(1));
  h.Deliver(kP, kS3, removes[0].second);
  EXPECT_EQ(h.View(kS3).status, PartitionStatus::kInactive);
  EXPECT_EQ(h.View(kS3).ballot, Ballot(2));
}

TEST(ReplicaCheck, ErrorAckAndMetaProposalAlsoRemoveSecondary) {
  Harness h;
  h.StartGroup();
  Outbox p = h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "v1", 1));
  PrepareAck bad{
      .gpid = kGpid, .error = ErrorCode::kObjectNotFound, .ballot = Ballot(1), .decree = Decree(1)};
  auto upd = Sent<UpdateConfigRequest>(h.Deliver(kS3, kP, bad));
  ASSERT_EQ(upd.size(), 1u);
  EXPECT_EQ(upd[0].second.node, kS3);
  // Meta refuses (someone else changed the config): the primary re-syncs.
  Outbox refused = h.Deliver(
      kMeta, kP, UpdateConfigResponse{.error = ErrorCode::kInvalidVersion, .config = h.Config()});
  EXPECT_EQ(Sent<ConfigSyncRequest>(refused).size(), 1u);

  Harness h2;
  h2.StartGroup();
  auto prop = Sent<UpdateConfigRequest>(h2.Deliver(
      kMeta, kP,
      ConfigProposal{
          .type = ConfigType::kDowngradeToInactive, .config = h2.Config(), .node = kS2}));
  ASSERT_EQ(prop.size(), 1u);
  EXPECT_EQ(prop[0].second.config.secondaries, std::vector<NodeId>{kS3});
}

}  // namespace
}  // namespace pg::testing
