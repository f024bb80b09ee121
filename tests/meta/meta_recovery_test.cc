// All replicas down (DDD, PEGASUS.md §1.8): the rule meta picks a primary by
// (partition_guardian::on_missing_primary), one test per rule, then meta's collection of replica
// reports and its handling of CT_ASSIGN_PRIMARY.
#include "core/meta/meta_recovery.h"

#include <gtest/gtest.h>

#include <set>

#include "core/meta/partition_table.h"
#include "tests/meta/held_replica.h"
#include "tests/meta/meta_harness.h"

namespace pg::testing {
namespace {

// A partition whose members were dropped in the order kA, kB, kC: kC, the most recent drop, was
// the last primary.
PartitionConfiguration DddConfig(Decree meta_committed = Decree(0)) {
  return PartitionConfiguration{.gpid = {1, 0},
                                .ballot = Ballot(9),
                                .last_drops = {kA, kB, kC},
                                .last_committed_decree = meta_committed,
                                .partition_count = 1};
}

struct RecoveryWorld {
  PartitionConfiguration pc = DddConfig();
  Decree known{0};
  std::set<NodeId> alive = {kA, kB, kC};
  std::set<NodeId> synced = {kA, kB, kC};
  std::map<NodeId, ReplicaInfo> collected;

  DddDecision Decide() const {
    return DecideDddPrimary(DddView{.config = &pc,
                                    .known_committed = known,
                                    .alive = [this](NodeId n) { return alive.contains(n); },
                                    .synced = [this](NodeId n) { return synced.contains(n); },
                                    .collected = &collected});
  }
};

// The world's decision is to recover the partition with `primary` as its primary.
void ExpectRecoversWith(const RecoveryWorld& w, NodeId primary) {
  const DddDecision d = w.Decide();
  ASSERT_EQ(d.kind, DddDecision::Kind::kRecover) << d.why;
  EXPECT_EQ(d.primary, primary);
}

TEST(MetaRecovery, PicksTheHigherBallotReplicaOfTheLastTwoDrops) {
  RecoveryWorld w;
  w.collected = {{kB, Held(5, 40, 42)}, {kC, Held(7, 45, 46)}};
  ExpectRecoversWith(w, kC);
  // The rule is symmetric: the earlier drop wins when it has the larger ballot.
  w.collected = {{kB, Held(8, 45, 46)}, {kC, Held(7, 45, 45)}};
  ExpectRecoversWith(w, kB);
}

TEST(MetaRecovery, EqualBallotsPickTheLargerCommittedThenTheLargerPrepared) {
  RecoveryWorld w;
  w.collected = {{kB, Held(7, 46, 47)}, {kC, Held(7, 45, 47)}};
  EXPECT_EQ(w.Decide().primary, kB);
  w.collected = {{kB, Held(7, 45, 48)}, {kC, Held(7, 45, 47)}};
  EXPECT_EQ(w.Decide().primary, kB);
  w.collected = {{kB, Held(7, 45, 47)}, {kC, Held(7, 45, 47)}};
  EXPECT_EQ(w.Decide().primary, kC) << "a full tie goes to the most recent drop";
}

// The larger ballot reports the smaller commit point when it committed on its own and crashed
// before a later header proved it (regression all_replicas_crash_slow_log_seed92_lone_primary).
// Its log covering the other's commit point, it is picked: what it alone committed is there.
TEST(MetaRecovery, TheLargerBallotWhoseLogCoversTheOthersCommitsIsPicked) {
  RecoveryWorld w;
  w.collected = {{kB, Held(3, 67, 68)}, {kC, Held(5, 66, 67)}};
  w.known = Decree(67);
  ExpectRecoversWith(w, kC);
  // The same with the older drop the more recent one.
  w.pc.last_drops = {kA, kC, kB};
  ExpectRecoversWith(w, kC);
}

TEST(MetaRecovery, RefusesWhenTheLargerBallotsLogStopsShortOfTheOthersCommits) {
  RecoveryWorld w;
  w.collected = {{kB, Held(5, 46, 47)}, {kC, Held(7, 44, 45)}};
  DddDecision d = w.Decide();
  EXPECT_EQ(d.kind, DddDecision::Kind::kRefuse);
  EXPECT_NE(d.why.find("lacks the other's committed decrees"), std::string::npos) << d.why;
}

TEST(MetaRecovery, RefusesAReplicaWhosePreparedIsBelowMetasCommittedDecree) {
  RecoveryWorld w;
  w.collected = {{kB, Held(5, 40, 42)}, {kC, Held(7, 45, 46)}};
  w.known = Decree(47);  // meta heard of decree 47 committed: kC lacks it
  DddDecision d = w.Decide();
  EXPECT_EQ(d.kind, DddDecision::Kind::kRefuse) << d.why;
  // Also when meta's persisted configuration is what knows it.
  w.known = Decree(0);
  w.pc.last_committed_decree = Decree(47);
  EXPECT_EQ(w.Decide().kind, DddDecision::Kind::kRefuse);
  w.pc.last_committed_decree = Decree(0);
  // At exactly the committed decree it is safe.
  w.known = Decree(46);
  EXPECT_EQ(w.Decide().kind, DddDecision::Kind::kRecover);
}

TEST(MetaRecovery, NeverAssignsAPrimaryToAnEmptyReplicaOfANonEmptyPartition) {
  RecoveryWorld w;
  // The most recent drop holds the replica, empty; meta knows decree 10 committed.
  w.collected = {{kB, Held(5, 0, 0)}, {kC, Held(7, 0, 0)}};
  w.known = Decree(10);
  EXPECT_EQ(w.Decide().kind, DddDecision::Kind::kRefuse);
  // Meta knows nothing committed, but the other drop does: the chosen replica must reach it.
  w.known = Decree(0);
  w.collected = {{kB, Held(7, 12, 12)}, {kC, Held(7, 0, 0)}};
  DddDecision d = w.Decide();
  ASSERT_EQ(d.kind, DddDecision::Kind::kRecover);
  EXPECT_EQ(d.primary, kB) << "the replica holding decree 12, not the empty one";
  // The most recent drop no longer holds the replica (or holds it failed): what it alone
  // committed after the earlier drop is unknown, so the earlier drop is not picked either.
  w.collected = {{kB, Held(5, 40, 42)}};
  EXPECT_EQ(w.Decide().kind, DddDecision::Kind::kRefuse);
  w.collected = {{kB, Held(5, 40, 42)},
                 {kC, ReplicaInfo{.gpid = {1, 0}, .status = PartitionStatus::kError}}};
  EXPECT_EQ(w.Decide().kind, DddDecision::Kind::kRefuse);
}

TEST(MetaRecovery, AnEarlierDropThatLostItsReplicaLeavesTheMostRecentOne) {
  RecoveryWorld w;
  w.collected = {{kC, Held(7, 45, 46)}};
  ExpectRecoversWith(w, kC);
}

TEST(MetaRecovery, WaitsWhileALastDropIsMissingOrHasNotReported) {
  RecoveryWorld w;
  w.collected = {{kB, Held(5, 40, 42)}, {kC, Held(7, 45, 46)}};
  w.alive.erase(kB);
  EXPECT_EQ(w.Decide().kind, DddDecision::Kind::kWait);
  w.alive.insert(kB);
  w.synced.erase(kC);
  EXPECT_EQ(w.Decide().kind, DddDecision::Kind::kWait);
  // Only the last two drops matter: kA, dropped first, may stay away.
  w.synced.insert(kC);
  w.alive.erase(kA);
  EXPECT_EQ(w.Decide().kind, DddDecision::Kind::kRecover);
}

TEST(MetaRecovery, OneLastDropIsWaitedForAndChecked) {
  RecoveryWorld w;
  w.pc.last_drops = {kC};
  w.alive.erase(kC);
  EXPECT_EQ(w.Decide().kind, DddDecision::Kind::kWait);
  w.alive.insert(kC);
  w.collected = {{kC, Held(7, 45, 46)}};
  EXPECT_EQ(w.Decide().primary, kC);
  w.known = Decree(50);
  EXPECT_EQ(w.Decide().kind, DddDecision::Kind::kRefuse);
}

// An only drop was the only member, with no drop before it: by induction from a new partition's
// first primary, the partition never had two members and never prepared a write. If that drop
// lost its replica (a wiped disk), the partition starts over as new; with a commit known, or two
// drops, the loss is refused as before.
TEST(MetaRecovery, AnOnlyDropThatLostItsReplicaRenewsAPartitionThatNeverHeldData) {
  RecoveryWorld w;
  w.pc.last_drops = {kC};
  EXPECT_EQ(w.Decide().kind, DddDecision::Kind::kRenew);
  w.collected = {{kC, ReplicaInfo{.gpid = w.pc.gpid, .status = PartitionStatus::kError}}};
  EXPECT_EQ(w.Decide().kind, DddDecision::Kind::kRenew) << "a failed replica is lost too";
  w.collected.clear();
  w.known = Decree(1);
  EXPECT_EQ(w.Decide().kind, DddDecision::Kind::kRefuse) << "meta heard of a commit";
  w.known = Decree(0);
  w.pc.last_committed_decree = Decree(1);
  EXPECT_EQ(w.Decide().kind, DddDecision::Kind::kRefuse) << "meta persisted a commit";
  w.pc.last_committed_decree = Decree(0);
  w.pc.last_drops = {kB, kC};
  EXPECT_EQ(w.Decide().kind, DddDecision::Kind::kRefuse) << "two drops: it had a partner";
  w.pc.last_drops = {kC};
  w.synced.erase(kC);
  EXPECT_EQ(w.Decide().kind, DddDecision::Kind::kWait) << "it has not reported yet";
}

TEST(MetaRecovery, ARenewedPartitionIsNewAgain) {
  PartitionConfiguration pc = DddConfig();
  pc.last_drops = {kC};
  const PartitionConfiguration next = RenewPartition(pc);
  EXPECT_EQ(next.ballot, pc.ballot.next());
  EXPECT_TRUE(IsNewPartition(next));
}

// No member and no drop is a new partition: the guardian gives it a first primary
// (MetaServer::ProposeFirstPrimary); the DDD rule must never be asked about one.
TEST(MetaRecovery, ANewPartitionIsNotTheDddRulesToDecide) {
  ThrowingAsserts scope;
  RecoveryWorld w;
  w.pc.last_drops.clear();
  EXPECT_THROW(w.Decide(), AssertionThrown);
}

TEST(MetaRecovery, StateForgetsADeadNodesReportsAndKeepsTheLargestCommit) {
  DddState s;
  s.Reset(2);
  s.OnConfigSync(
      kB,
      {Held(5, 40, 42),
       ReplicaInfo{.gpid = {1, 1}, .ballot = Ballot(3), .last_committed_decree = Decree(7)}},
      /*app_id=*/1);
  s.CheckInvariants();
  EXPECT_TRUE(s.synced.contains(kB));
  EXPECT_EQ(s.collected[0].at(kB).last_prepared_decree, Decree(42));
  EXPECT_EQ(s.known_committed[0], Decree(40));
  EXPECT_EQ(s.known_committed[1], Decree(7));
  s.OnConfigSync(kB, {Held(5, 30, 30)}, 1);  // a later sync replaces, the commit point stays
  EXPECT_EQ(s.collected[0].at(kB).last_prepared_decree, Decree(30));
  EXPECT_FALSE(s.collected[1].contains(kB));
  EXPECT_EQ(s.known_committed[0], Decree(40));
  s.OnWorkerDead(kB);
  s.CheckInvariants();
  EXPECT_FALSE(s.synced.contains(kB));
  EXPECT_TRUE(s.collected[0].empty());
}

// A report is fresh for the rule unless the node died here since the stamp it echoes was given:
// the stamp must be of this meta process and count that death. A stale one proves its commit
// points and nothing else.
TEST(MetaRecovery, StateTakesOnlyReportsStampedAfterTheNodesDeath) {
  DddState s;
  s.Reset(1);
  const uint64_t epoch = 77;
  EXPECT_TRUE(s.FreshReport(kB, epoch, 0, 0)) << "never declared dead";
  s.OnWorkerDead(kA);
  s.OnWorkerDead(kB);  // the second death here
  EXPECT_FALSE(s.FreshReport(kB, epoch, epoch, 1)) << "a stamp given before kB's death";
  EXPECT_FALSE(s.FreshReport(kB, epoch, 78, 5)) << "another meta process's stamp";
  EXPECT_TRUE(s.FreshReport(kB, epoch, epoch, 2));
  EXPECT_TRUE(s.FreshReport(kA, epoch, epoch, 2));
  ReplicaInfo failed = Held(5, 50, 50);
  failed.status = PartitionStatus::kError;  // a failed replica's commit point proves nothing
  s.OnStaleConfigSync({failed, Held(5, 40, 42)}, 1);
  s.CheckInvariants();
  EXPECT_EQ(s.known_committed[0], Decree(40));
  EXPECT_FALSE(s.synced.contains(kB));
  EXPECT_TRUE(s.collected[0].empty());
}

// A replica's ballot never falls, so a healthy report below the node's last one is a sync sent
// before it (delivered late by the dead process's kernel; the 105 regression file, seed 20): the
// last report stays, or the all-replicas-down rule ranks the node below what it holds.
TEST(MetaRecovery, StateKeepsANodesReportOverALaterOneAtALowerBallot) {
  DddState s;
  s.Reset(1);
  s.OnConfigSync(kA, {Held(2, 7, 8)}, 1);
  s.OnConfigSync(kA, {Held(1, 7, 8)}, 1);  // stale: sent when kA was at ballot 1
  s.CheckInvariants();
  EXPECT_EQ(s.collected[0].at(kA).ballot, Ballot(2));
  s.OnConfigSync(kA, {Held(3, 9, 9)}, 1);  // a newer ballot replaces it
  EXPECT_EQ(s.collected[0].at(kA).ballot, Ballot(3));
  ReplicaInfo failed = Held(0, 0, 0);
  failed.status = PartitionStatus::kError;
  s.OnConfigSync(kA, {failed}, 1);  // a failure report counts whatever its ballot
  EXPECT_EQ(s.collected[0].at(kA).status, PartitionStatus::kError);
}

// ---- meta's acceptance of CT_ASSIGN_PRIMARY ----------------------------------------------------

UpdateConfigRequest AssignRequest(const PartitionConfiguration& pc, NodeId who) {
  PartitionConfiguration next = pc;
  next.ballot = pc.ballot.next();
  next.primary = who;
  std::erase(next.last_drops, who);
  return {.type = ConfigType::kAssignPrimary, .config = next, .node = who};
}

TEST(MetaRecovery, AssignPrimaryMakesALastDropTheOnlyMember) {
  const PartitionConfiguration pc = DddConfig(Decree(3));
  UpdateConfigRequest req = AssignRequest(pc, kC);
  req.config.last_committed_decree = Decree(5);
  UpdateDecision d = DecideUpdate(pc, req, kC);
  ASSERT_EQ(d.kind, UpdateDecision::Kind::kPersist) << d.why;
  EXPECT_EQ(d.config.ballot, Ballot(10));
  EXPECT_EQ(d.config.primary, kC);
  EXPECT_TRUE(d.config.secondaries.empty());
  EXPECT_EQ(d.config.last_drops, (std::vector<NodeId>{kA, kB}));
  EXPECT_EQ(d.config.last_committed_decree, Decree(5)) << "meta learns the requester's commit";
  // Not from a node that was never dropped, not for someone else, not with members.
  EXPECT_EQ(DecideUpdate(pc, AssignRequest(pc, NodeId(4)), NodeId(4)).kind,
            UpdateDecision::Kind::kReject);
  EXPECT_EQ(DecideUpdate(pc, AssignRequest(pc, kC), kB).kind, UpdateDecision::Kind::kReject);
  PartitionConfiguration with_member = pc;
  with_member.secondaries = {kA};
  std::erase(with_member.last_drops, kA);
  EXPECT_EQ(DecideUpdate(with_member, AssignRequest(with_member, kC), kC).kind,
            UpdateDecision::Kind::kReject);
}

// ---- through the MetaServer: 3 servers, 1 partition --------------------------------------------

MetaServerOptions OnePartition() {
  return {.replica_servers = Servers(3), .partition_count = 1, .replica_count = 3};
}

void Beacons(MetaFixture& f, int64_t t, const std::set<NodeId>& up) {
  for (NodeId s : up) f.Receive(At(t), s, Beacon{.send_time = At(t - 1)});
}
Outbox CheckAt(MetaFixture& f, int64_t t) { return f.Step(At(t), TimerFired{.timer = TimerId(1)}); }
void CompleteAll(MetaFixture& f, const Outbox& out, int64_t t) {
  for (const AppendLog& a : AppendsOf(out)) f.Complete(At(t), a);
}

// Drives the partition to DDD: the primary (node 1) removes its secondaries 2 then 3 through
// CT_DOWNGRADE_TO_INACTIVE, then every server falls silent and meta downgrades the primary.
void DriveToDdd(MetaFixture& f) {
  f.BootReady(At(0));
  for (NodeId gone : {NodeId(2), NodeId(3)}) {
    const PartitionConfiguration pc = f.meta().partitions()[0];
    PartitionConfiguration next = pc;
    next.ballot = pc.ballot.next();
    std::erase(next.secondaries, gone);
    next.last_committed_decree = Decree(gone == NodeId(2) ? 20 : 30);
    Outbox out =
        f.Receive(At(10), NodeId(1),
                  UpdateConfigRequest{
                      .type = ConfigType::kDowngradeToInactive, .config = next, .node = gone});
    CompleteAll(f, out, 10);
  }
  for (int64_t t = 1000; t <= 10000; t += 1000) {
    if (t <= 2000) Beacons(f, t, {NodeId(1), NodeId(2), NodeId(3)});
    CompleteAll(f, CheckAt(f, t), t);
  }
  const PartitionConfiguration& pc = f.meta().partitions()[0];
  ASSERT_FALSE(pc.primary.has_value());
  ASSERT_TRUE(pc.secondaries.empty());
  ASSERT_EQ(pc.last_drops, (std::vector<NodeId>{NodeId(2), NodeId(3), NodeId(1)}));
  ASSERT_EQ(pc.last_committed_decree, Decree(30));
}

// `node` beacons, then sends a config sync echoing the leader stamp of the ack it got, as a
// replica server back from its death does (DddState::FreshReport).
void Sync(MetaFixture& f, int64_t t, NodeId node, std::vector<ReplicaInfo> stored) {
  const auto acks = SentOf<BeaconAck>(f.Receive(At(t), node, Beacon{.send_time = At(t - 1)}));
  ASSERT_EQ(acks.size(), 1u);
  f.Receive(At(t), node,
            ConfigSyncRequest{.stored_replicas = std::move(stored),
                              .acked_meta_epoch = acks[0].second.meta_epoch,
                              .acked_deaths = acks[0].second.deaths});
}

TEST(MetaRecovery, MetaWaitsForTheLastTwoDropsThenProposesAssignPrimary) {
  MetaFixture f(OnePartition());
  DriveToDdd(f);
  // Node 3 (the earlier of the last two drops) comes back; node 1 has not: wait.
  Sync(f, 11000, NodeId(3), {Held(3, 30, 31)});
  Outbox wait = CheckAt(f, 11001);
  EXPECT_TRUE(HasMark(wait, "meta.ddd_wait"));
  EXPECT_TRUE(SentOf<ConfigProposal>(wait).empty());
  // Node 1 is alive again but has not reported its replicas yet: still waiting.
  Beacons(f, 12000, {NodeId(1)});
  EXPECT_TRUE(HasMark(CheckAt(f, 12001), "meta.ddd_wait"));
  // Both reported: node 1 has the larger ballot and committed decree.
  Sync(f, 13000, NodeId(3), {Held(3, 30, 31)});
  Sync(f, 13000, NodeId(1), {Held(4, 35, 36)});
  Outbox go = CheckAt(f, 13001);
  EXPECT_TRUE(HasMark(go, "meta.ddd_recover"));
  auto proposals = SentOf<ConfigProposal>(go);
  ASSERT_EQ(proposals.size(), 1u);
  EXPECT_EQ(proposals[0].first, NodeId(1));
  EXPECT_EQ(proposals[0].second.type, ConfigType::kAssignPrimary);
  // A request from node 3 is not the rule's pick: rejected, nothing persisted.
  const PartitionConfiguration pc = f.meta().partitions()[0];
  Outbox wrong = f.Receive(At(13002), NodeId(3), AssignRequest(pc, NodeId(3)));
  EXPECT_TRUE(AppendsOf(wrong).empty());
  auto refusal = SentOf<UpdateConfigResponse>(wrong);
  ASSERT_EQ(refusal.size(), 1u);
  EXPECT_NE(refusal[0].second.error, ErrorCode::kOk);
  // Node 1's request is persisted, then answered.
  Outbox right = f.Receive(At(13003), NodeId(1), AssignRequest(pc, NodeId(1)));
  ASSERT_EQ(AppendsOf(right).size(), 1u);
  Outbox done = f.Complete(At(13004), AppendsOf(right)[0]);
  auto ok = SentOf<UpdateConfigResponse>(done);
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_EQ(ok[0].second.error, ErrorCode::kOk);
  EXPECT_EQ(f.meta().partitions()[0].primary, NodeId(1));
  EXPECT_EQ(f.meta().partitions()[0].last_committed_decree, Decree(35));
}

TEST(MetaRecovery, MetaRefusesWhenTheChosenReplicaLacksACommittedDecree) {
  MetaFixture f(OnePartition());
  DriveToDdd(f);  // meta knows decree 30 committed
  Sync(f, 11000, NodeId(3), {Held(3, 20, 21)});
  Sync(f, 11000, NodeId(1), {Held(4, 25, 29)});
  Outbox out = CheckAt(f, 11001);
  EXPECT_TRUE(HasMark(out, "meta.ddd_refuse"));
  EXPECT_TRUE(SentOf<ConfigProposal>(out).empty());
  const PartitionConfiguration pc = f.meta().partitions()[0];
  EXPECT_TRUE(AppendsOf(f.Receive(At(11002), NodeId(1), AssignRequest(pc, NodeId(1)))).empty());
}

// A config sync the network held since before a node's death (it echoes no stamp meta gave after
// the death) is no report of what the node holds since it came back: meta keeps waiting for one,
// though it learns the commit point the old one proves
// (scenarios/regressions/pegasus_swarm_seed2584_report_before_return.json).
TEST(MetaRecovery, AReportSentBeforeTheNodesDeathDoesNotCountForTheRule) {
  MetaFixture f(OnePartition());
  DriveToDdd(f);
  Sync(f, 11000, NodeId(3), {Held(3, 30, 31)});
  Beacons(f, 11000, {NodeId(1)});
  Outbox held =
      f.Receive(At(11000), NodeId(1), ConfigSyncRequest{.stored_replicas = {Held(4, 33, 34)}});
  EXPECT_TRUE(HasMark(held, "meta.report_before_return"));
  Outbox wait = CheckAt(f, 11001);
  EXPECT_TRUE(HasMark(wait, "meta.ddd_wait"));
  EXPECT_TRUE(SentOf<ConfigProposal>(wait).empty());
  // Node 1's report after its return: it holds more than the held one said.
  Sync(f, 12000, NodeId(1), {Held(4, 35, 36)});
  Outbox go = CheckAt(f, 12001);
  EXPECT_TRUE(HasMark(go, "meta.ddd_recover"));
  auto proposals = SentOf<ConfigProposal>(go);
  ASSERT_EQ(proposals.size(), 1u);
  EXPECT_EQ(proposals[0].first, NodeId(1));
}

// Meta learns a commit point from every update request, also one it refuses: here node 3's
// request (not the rule's pick) says decree 40 committed, so node 1, prepared only to 36, lacks
// it and is refused.
TEST(MetaRecovery, ACommitPointInARefusedRequestStillCounts) {
  MetaFixture f(OnePartition());
  DriveToDdd(f);  // meta knows decree 30 committed
  Sync(f, 11000, NodeId(3), {Held(3, 30, 31)});
  Sync(f, 11000, NodeId(1), {Held(4, 35, 36)});
  const PartitionConfiguration pc = f.meta().partitions()[0];
  UpdateConfigRequest req = AssignRequest(pc, NodeId(3));
  req.config.last_committed_decree = Decree(40);
  Outbox refused = f.Receive(At(11001), NodeId(3), req);
  EXPECT_TRUE(AppendsOf(refused).empty());
  Outbox out = CheckAt(f, 11002);
  EXPECT_TRUE(HasMark(out, "meta.ddd_refuse"));
  EXPECT_TRUE(SentOf<ConfigProposal>(out).empty());
}

TEST(MetaRecovery, AFailedSecondaryOfAPartitionWithoutPrimaryIsRemovedByMeta) {
  MetaFixture f(OnePartition());
  f.BootReady(At(0));
  for (int64_t t = 1000; t <= 10000; t += 1000) {
    if (t <= 2000) Beacons(f, t, {NodeId(1), NodeId(2), NodeId(3)});
    CompleteAll(f, CheckAt(f, t), t);
  }
  ASSERT_FALSE(f.meta().partitions()[0].primary.has_value());
  ASSERT_EQ(f.meta().partitions()[0].secondaries.size(), 2u);
  // Node 2 lost power: it reports the replica failed. Meta removes it itself.
  Beacons(f, 11000, {NodeId(2)});
  Outbox out = f.Receive(
      At(11000), NodeId(2),
      ConfigSyncRequest{
          .stored_replicas = {ReplicaInfo{.gpid = {1, 0}, .status = PartitionStatus::kError}},
          .missing = {{.gpid = {1, 0}, .listed_ballot = f.meta().partitions()[0].ballot}}});
  EXPECT_TRUE(HasMark(out, "meta.remove_failed_secondary_without_primary"));
  CompleteAll(f, out, 11001);
  EXPECT_EQ(f.meta().partitions()[0].secondaries, std::vector<NodeId>{NodeId(3)});
  // Node 1, the downgraded primary, stays the most recent drop, node 2 filed behind it: it
  // committed nothing alone (tests/meta/meta_missing_secondary_drop_test.cc).
  EXPECT_EQ(f.meta().partitions()[0].last_drops, (std::vector<NodeId>{NodeId(2), NodeId(1)}));
}

}  // namespace
}  // namespace pg::testing
