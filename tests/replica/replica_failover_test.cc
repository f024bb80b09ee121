// Primary failover seen from the replicas (PEGASUS.md §1.8): assign_primary on a secondary, the
// CT_UPGRADE_TO_PRIMARY request, and reconciliation once meta persisted it.
#include <gtest/gtest.h>

#include "tests/replica/replica_harness.h"

namespace pg::testing {
namespace {

// The configuration meta persists when it downgrades the dead primary kP (ballot 2).
PartitionConfiguration Orphaned(const Harness& h) {
  PartitionConfiguration pc = h.Config();
  pc.ballot = Ballot(2);
  pc.primary.reset();
  pc.last_drops = {kP};
  return pc;
}

// Old primary prepares decrees 1 and 2; only `to_s2` of them reach kS2 (and are acked there),
// none reaches kS3. Then kP is gone.
void PrepareThenLosePrimary(Harness& h, std::vector<Decree> to_s2) {
  h.StartGroup();
  std::vector<std::pair<NodeId, PrepareRequest>> preps;
  for (uint64_t id : {1, 2}) {
    Outbox out =
        h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "v" + std::to_string(id), id));
    for (auto& p : Sent<PrepareRequest>(out)) preps.push_back(p);
  }
  for (auto& [to, prep] : preps) {
    if (to != kS2) continue;
    if (std::find(to_s2.begin(), to_s2.end(), prep.mutation.decree) == to_s2.end()) continue;
    h.Deliver(kP, kS2, prep);
  }
  h.CompleteLogs(kS2);
}

// Meta proposes kS2, and answers its request with ballot 3 (kS2 primary, kS3 secondary).
Outbox PromoteS2(Harness& h) {
  h.Deliver(
      kMeta, kS2,
      ConfigProposal{.type = ConfigType::kUpgradeToPrimary, .config = Orphaned(h), .node = kS2});
  PartitionConfiguration next = Orphaned(h);
  next.ballot = Ballot(3);
  next.primary = kS2;
  next.secondaries = {kS3};
  return h.Deliver(kMeta, kS2, UpdateConfigResponse{.error = ErrorCode::kOk, .config = next});
}

TEST(ReplicaFailover, AssignPrimaryAsksMetaForBallotPlusOneAndStops2pc) {
  Harness h;
  PrepareThenLosePrimary(h, {Decree(1)});
  const PartitionConfiguration orphan = Orphaned(h);
  Outbox out = h.Deliver(
      kMeta, kS2,
      ConfigProposal{.type = ConfigType::kUpgradeToPrimary, .config = orphan, .node = kS2});
  auto reqs = Sent<UpdateConfigRequest>(out);
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].first, kMeta);
  EXPECT_EQ(reqs[0].second.type, ConfigType::kUpgradeToPrimary);
  EXPECT_EQ(reqs[0].second.config.ballot, Ballot(3));
  EXPECT_EQ(reqs[0].second.config.primary, kS2);
  EXPECT_EQ(reqs[0].second.config.secondaries, std::vector<NodeId>{kS3});
  EXPECT_EQ(h.View(kS2).status, PartitionStatus::kInactive) << "2PC stops while meta decides";
  // A proposal naming another node, or a stale ballot, is ignored.
  Outbox other = h.Deliver(
      kMeta, kS3,
      ConfigProposal{.type = ConfigType::kUpgradeToPrimary, .config = orphan, .node = kS2});
  EXPECT_TRUE(Sent<UpdateConfigRequest>(other).empty());
}

// replica_stub::on_config_proposal drops a proposal while the stub has no lease: a secondary cut
// off from meta must not start a promotion it could finish only at a ballot meta replaced.
TEST(ReplicaFailover, NoProposalIsTakenUpWithoutALease) {
  Harness h;
  PrepareThenLosePrimary(h, {Decree(1)});
  h.now += Millis(5000);  // kS2's lease lapses (its last acked beacon is 5 s old)
  Outbox out = h.Deliver(
      kMeta, kS2,
      ConfigProposal{.type = ConfigType::kUpgradeToPrimary, .config = Orphaned(h), .node = kS2});
  EXPECT_TRUE(HasMark(out, "replica_server.config_ignored_without_lease"));
  EXPECT_TRUE(Sent<UpdateConfigRequest>(out).empty());
}

// on_update_configuration_on_meta_server_reply drops the reply when the stub is not connected:
// a promotion whose reply arrives after the lease lapsed does not happen: the promoted node could
// regain a lease later and serve at a replaced ballot
// (scenarios/regressions/pegasus_swarm_seed29_invariant_single_primary.json).
TEST(ReplicaFailover, APromotionReplyArrivingWithoutALeaseIsDropped) {
  Harness h;
  PrepareThenLosePrimary(h, {Decree(1)});
  Outbox asked = h.Deliver(
      kMeta, kS2,
      ConfigProposal{.type = ConfigType::kUpgradeToPrimary, .config = Orphaned(h), .node = kS2});
  ASSERT_EQ(Sent<UpdateConfigRequest>(asked).size(), 1u);
  h.now += Millis(5000);
  PartitionConfiguration next = Sent<UpdateConfigRequest>(asked)[0].second.config;
  Outbox late =
      h.Deliver(kMeta, kS2, UpdateConfigResponse{.error = ErrorCode::kOk, .config = next});
  EXPECT_TRUE(HasMark(late, "replica_server.config_ignored_without_lease"));
  EXPECT_NE(h.View(kS2).status, PartitionStatus::kPrimary);
  EXPECT_TRUE(Sent<PrepareRequest>(late).empty());
}

TEST(ReplicaFailover, NewPrimaryReconcilesAndRefusesReadsUntilCommittedPastItsPreparedDecree) {
  Harness h;
  PrepareThenLosePrimary(h, {Decree(1)});
  Outbox became = PromoteS2(h);
  EXPECT_EQ(h.View(kS2).status, PartitionStatus::kPrimary);
  EXPECT_EQ(h.View(kS2).ballot, Ballot(3));
  // Reconciliation: the decree it prepared under ballot 1 is prepared again under ballot 3.
  auto preps = Sent<PrepareRequest>(became);
  ASSERT_EQ(preps.size(), 1u);
  EXPECT_EQ(preps[0].first, kS3);
  EXPECT_EQ(preps[0].second.mutation.decree, Decree(1));
  EXPECT_EQ(preps[0].second.mutation.ballot, Ballot(3));
  // Not committed yet: reads are refused.
  auto early = Sent<ClientResponse>(h.Deliver(kClient, kS2, Get("h", "s", 10)));
  ASSERT_EQ(early.size(), 1u);
  EXPECT_EQ(early[0].second.error, ErrorCode::kInvalidState);
  h.CompleteLogs(kS2);
  h.Deliver(kS2, kS3, preps[0].second);
  for (auto& [to, ack] : Sent<PrepareAck>(h.CompleteLogs(kS3))) h.Deliver(kS3, to, ack);
  EXPECT_EQ(h.View(kS2).last_committed, Decree(1));
  auto late = Sent<ClientResponse>(h.Deliver(kClient, kS2, Get("h", "s", 11)));
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].second.error, ErrorCode::kOk);
  EXPECT_EQ(late[0].second.value, std::optional<std::string>("v1"));
}

TEST(ReplicaFailover, ReconciliationFillsAHoleWithAnEmptyWrite) {
  Harness h;
  PrepareThenLosePrimary(h, {Decree(2)});  // decree 1 never reached kS2
  Outbox became = PromoteS2(h);
  EXPECT_TRUE(HasMark(became, "replica.replay_fill_hole"));
  auto preps = Sent<PrepareRequest>(became);
  ASSERT_EQ(preps.size(), 2u);
  EXPECT_EQ(preps[0].second.mutation.decree, Decree(1));
  EXPECT_TRUE(preps[0].second.mutation.updates.empty()) << "the hole becomes an empty write";
  EXPECT_EQ(preps[1].second.mutation.decree, Decree(2));
  EXPECT_FALSE(preps[1].second.mutation.updates.empty());
}

TEST(ReplicaFailover, RefusedUpgradeGivesUpAndResyncs) {
  Harness h;
  PrepareThenLosePrimary(h, {Decree(1)});
  h.Deliver(
      kMeta, kS2,
      ConfigProposal{.type = ConfigType::kUpgradeToPrimary, .config = Orphaned(h), .node = kS2});
  PartitionConfiguration other = Orphaned(h);
  other.ballot = Ballot(3);
  other.primary = kS3;
  other.secondaries = {kS2};
  Outbox refused = h.Deliver(
      kMeta, kS2, UpdateConfigResponse{.error = ErrorCode::kInvalidState, .config = other});
  EXPECT_EQ(Sent<ConfigSyncRequest>(refused).size(), 1u);
  EXPECT_NE(h.View(kS2).status, PartitionStatus::kPrimary);
  // Meta's answer to the sync makes it a secondary of the new primary.
  h.Deliver(kMeta, kS2, ConfigSyncResponse{.partitions = {other}});
  EXPECT_EQ(h.View(kS2).status, PartitionStatus::kSecondary);
  EXPECT_EQ(h.View(kS2).ballot, Ballot(3));
}

// An atomic write executed on the new primary (atomic_idempotent) reads the row only once the
// mutations it re-prepared are applied: they lock their rows as its own writes do. Upstream's
// locks come from client requests, which a promoted secondary lacks, and the cas here read the
// row without decree 1's set (swarm seeds 3113 and 3753: a cas expecting an acknowledged value
// failed).
TEST(ReplicaFailover, ReplayedMutationsLockTheirRowsForAtomicWrites) {
  ReplicaServerOptions o = DefaultOptions();
  o.atomic_idempotent = true;
  Harness h(o);
  PrepareThenLosePrimary(h, {Decree(1)});
  Outbox replay = PromoteS2(h);
  ClientRequest cas = Write(OpKind::kCheckAndSet, "h", "s", "w", 9);
  cas.check = ExpectValue("v1");
  Outbox blocked = h.Deliver(kClient, kS2, cas);
  EXPECT_TRUE(Sent<PrepareRequest>(blocked).empty()) << "decree 1 writes the row, not applied";
  auto preps = Sent<PrepareRequest>(CommitByHand(h, replay, kS2));
  ASSERT_FALSE(preps.empty()) << "the cas, once decree 1 is applied";
  ASSERT_EQ(preps[0].second.mutation.updates.size(), 1u);
  EXPECT_EQ(preps[0].second.mutation.updates[0].kind, OpKind::kSet) << "the cas matched v1";
  EXPECT_EQ(preps[0].second.mutation.updates[0].value, "w");
}

// Bug zoo reprepare_no_row_lock: the same cas is executed at once against applied state that
// lacks decree 1, and misses.
TEST(ReplicaFailover, ReprepareNoRowLockExecutesTheCasAgainstAStaleRow) {
  ReplicaServerOptions o = DefaultOptions();
  o.atomic_idempotent = true;
  o.bugs.Enable(Bug::kReprepareNoRowLock);
  Harness h(o);
  PrepareThenLosePrimary(h, {Decree(1)});
  PromoteS2(h);
  ClientRequest cas = Write(OpKind::kCheckAndSet, "h", "s", "w", 9);
  cas.check = ExpectValue("v1");
  auto preps = Sent<PrepareRequest>(h.Deliver(kClient, kS2, cas));
  ASSERT_FALSE(preps.empty()) << "not held behind decree 1";
  EXPECT_TRUE(preps[0].second.mutation.updates.empty()) << "the cas missed: v1 not applied yet";
}

}  // namespace
}  // namespace pg::testing
