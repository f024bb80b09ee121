// The bug zoo's switches on the replica write and read paths (core/common/bugs.h): each test runs
// the same steps with the switch off and on, and shows that the guard the switch removes is what
// stops the bad behaviour. A test fails if the guard is deleted (off would behave as on) or if
// the switch stops taking it away (on would behave as off).
#include <gtest/gtest.h>

#include <algorithm>

#include "core/common/bugs.h"
#include "tests/replica/replica_harness.h"

namespace pg::testing {
namespace {

ReplicaServerOptions With(std::optional<Bug> bug) {
  ReplicaServerOptions o = DefaultOptions();
  if (bug) o.bugs.Enable(*bug);
  return o;
}

// Commits decree 1 (value v1) on the whole group: every member acked. The secondaries hold it
// prepared; they learn that it committed only from a later prepare or group check.
void CommitOneWrite(Harness& h) {
  Outbox p = h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "v1"));
  h.CompleteLogs(kP);
  for (NodeId s : {kS2, kS3}) {
    ForwardPrepare(h, p, s);
    for (auto& [to, ack] : Sent<PrepareAck>(h.CompleteLogs(s))) h.Deliver(s, to, ack);
  }
  ASSERT_EQ(h.View(kP).last_committed, Decree(1));
}

// ---- commit_on_majority ------------------------------------------------------------------------

// The primary's own log and kS2 hold decree 1; kS3 never got the prepare. Returns whether the
// primary committed and answered the client.
bool CommitsWithOneSecondaryMissing(std::optional<Bug> bug) {
  Harness h(With(bug));
  h.StartGroup();
  Outbox p = h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "v1"));
  h.CompleteLogs(kP);
  ForwardPrepare(h, p, kS2);
  auto acks = Sent<PrepareAck>(h.CompleteLogs(kS2));
  EXPECT_EQ(acks.size(), 1u);
  if (acks.empty()) return false;
  auto replies = Sent<ClientResponse>(h.Deliver(kS2, kP, acks[0].second));
  EXPECT_EQ(replies.empty(), h.View(kP).last_committed == Decree(0));
  return h.View(kP).last_committed == Decree(1) && replies.size() == 1;
}

TEST(BugZooWrites, CommitOnMajorityCommitsWithoutEveryMember) {
  EXPECT_FALSE(CommitsWithOneSecondaryMissing(std::nullopt)) << "PacificA waits for every member";
  EXPECT_TRUE(CommitsWithOneSecondaryMissing(Bug::kCommitOnMajority));
}

// ---- ack_before_logged -------------------------------------------------------------------------

// Returns whether kS2 acks the prepare before its log append completed.
bool AcksBeforeTheLogWriteCompleted(std::optional<Bug> bug) {
  Harness h(With(bug));
  h.StartGroup();
  Outbox p = h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "v1"));
  auto early = Sent<PrepareAck>(ForwardPrepare(h, p, kS2));
  EXPECT_EQ(h.server(kS2).pending_logs.size(), 1u) << "the append is still in flight";
  return std::any_of(early.begin(), early.end(), [](const auto& a) {
    return a.first == kP && a.second.error == ErrorCode::kOk && a.second.decree == Decree(1);
  });
}

TEST(BugZooWrites, AckBeforeLoggedAcksWithTheAppendInFlight) {
  EXPECT_FALSE(AcksBeforeTheLogWriteCompleted(std::nullopt));
  EXPECT_TRUE(AcksBeforeTheLogWriteCompleted(Bug::kAckBeforeLogged));
}

// ---- plog_ack_before_sync -----------------------------------------------------------------------

// Returns whether kS2's private-log append of decree 1, the one its ack waits for, asks the disk
// to sync it.
bool SecondarySyncsItsPrepare(std::optional<Bug> bug) {
  Harness h(With(bug));
  h.StartGroup();
  Outbox p = h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "v1"));
  ForwardPrepare(h, p, kS2);
  EXPECT_EQ(h.server(kS2).pending_logs.size(), 1u) << "the prepare's append, not yet completed";
  if (h.server(kS2).pending_logs.empty()) return false;
  const AppendLog& append = h.server(kS2).pending_logs.front();
  EXPECT_EQ(append.file, PlogBaseName(kGpid));
  return append.sync;
}

TEST(BugZooWrites, PlogAckBeforeSyncLeavesThePreparesAppendUnsynced) {
  EXPECT_TRUE(SecondarySyncsItsPrepare(std::nullopt)) << "a prepare is durable before its ack";
  EXPECT_FALSE(SecondarySyncsItsPrepare(Bug::kPlogAckBeforeSync));
}

// ---- secondary_serves_reads --------------------------------------------------------------------

// Decree 1 committed on the primary (every member acked); a read sent to kS2. Returns kS2's answer.
ClientResponse SecondaryAnswer(std::optional<Bug> bug) {
  Harness h(With(bug));
  h.StartGroup();
  CommitOneWrite(h);
  auto got = Sent<ClientResponse>(h.Deliver(kClient, kS2, Get("h", "s", 7)));
  EXPECT_EQ(got.size(), 1u);
  return got.empty() ? ClientResponse{} : got[0].second;
}

TEST(BugZooWrites, SecondaryServesReadsAnswersFromItsStaleState) {
  EXPECT_EQ(SecondaryAnswer(std::nullopt).error, ErrorCode::kInvalidState);
  const ClientResponse stale = SecondaryAnswer(Bug::kSecondaryServesReads);
  EXPECT_EQ(stale.error, ErrorCode::kOk);
  EXPECT_EQ(stale.value, std::nullopt) << "the secondary has not applied the acknowledged v1";
}

// ---- stale_read_new_primary and reconcile_old_ballot: a failover -------------------------------

// The old primary kP committed decree 1 (every member acked) and died before any later message
// told the secondaries so. Meta downgrades it (ballot 2) and promotes kS2 (ballot 3, kS3 its
// secondary). Returns the promotion's effects.
Outbox CommitThenFailOverToS2(Harness& h) {
  h.StartGroup();
  CommitOneWrite(h);
  PartitionConfiguration orphan = h.Config();
  orphan.ballot = Ballot(2);
  orphan.primary.reset();
  orphan.last_drops = {kP};
  h.Deliver(kMeta, kS2,
            ConfigProposal{.type = ConfigType::kUpgradeToPrimary, .config = orphan, .node = kS2});
  PartitionConfiguration next = orphan;
  next.ballot = Ballot(3);
  next.primary = kS2;
  next.secondaries = {kS3};
  Outbox became =
      h.Deliver(kMeta, kS2, UpdateConfigResponse{.error = ErrorCode::kOk, .config = next});
  EXPECT_EQ(h.View(kS2).status, PartitionStatus::kPrimary);
  EXPECT_EQ(h.View(kS2).last_committed, Decree(0)) << "decree 1 is prepared, not committed";
  return became;
}

ClientResponse NewPrimaryAnswerBeforeReconciling(std::optional<Bug> bug) {
  Harness h(With(bug));
  CommitThenFailOverToS2(h);
  auto got = Sent<ClientResponse>(h.Deliver(kClient, kS2, Get("h", "s", 8)));
  EXPECT_EQ(got.size(), 1u);
  return got.empty() ? ClientResponse{} : got[0].second;
}

TEST(BugZooWrites, StaleReadNewPrimaryServesBeforeCommittingWhatItPrepared) {
  EXPECT_EQ(NewPrimaryAnswerBeforeReconciling(std::nullopt).error, ErrorCode::kInvalidState);
  const ClientResponse stale = NewPrimaryAnswerBeforeReconciling(Bug::kStaleReadOnNewPrimary);
  EXPECT_EQ(stale.error, ErrorCode::kOk);
  EXPECT_EQ(stale.value, std::nullopt) << "v1 was acknowledged by the old primary";
}

struct Reconciled {
  Ballot prepare_ballot;     // the ballot of the re-sent decree 1
  ErrorCode secondary_ack;   // kS3's answer to it
  Decree committed_after{};  // the new primary's commit point once kS3 answered
};

Reconciled Reconcile(std::optional<Bug> bug) {
  Harness h(With(bug));
  auto preps = Sent<PrepareRequest>(CommitThenFailOverToS2(h));
  EXPECT_EQ(preps.size(), 1u);
  if (preps.empty()) return {};
  Reconciled r{.prepare_ballot = preps[0].second.mutation.ballot, .secondary_ack = ErrorCode::kOk};
  h.CompleteLogs(kS2);
  Outbox at_s3 = h.Deliver(kS2, kS3, preps[0].second);
  Outbox logged = h.CompleteLogs(kS3);
  for (const Outbox* o : {&at_s3, &logged}) {
    for (auto& [to, ack] : Sent<PrepareAck>(*o)) {
      if (ack.error != ErrorCode::kOk) r.secondary_ack = ack.error;
      h.Deliver(kS3, to, ack);
    }
  }
  r.committed_after = h.View(kS2).last_committed;
  return r;
}

TEST(BugZooWrites, ReconcileOldBallotResendsUnderTheOldBallotAndNeverCommits) {
  const Reconciled fixed = Reconcile(std::nullopt);
  EXPECT_EQ(fixed.prepare_ballot, Ballot(3));
  EXPECT_EQ(fixed.secondary_ack, ErrorCode::kOk);
  EXPECT_EQ(fixed.committed_after, Decree(1));
  const Reconciled buggy = Reconcile(Bug::kReconcileOldBallot);
  EXPECT_EQ(buggy.prepare_ballot, Ballot(1)) << "the old primary's ballot";
  EXPECT_NE(buggy.secondary_ack, ErrorCode::kOk) << "a prepare whose ballot is not its config's";
  EXPECT_EQ(buggy.committed_after, Decree(0)) << "the decree is stuck: never of this ballot";
}

// ---- idempotent_no_row_lock --------------------------------------------------------------------

// With atomic_idempotent, a set of h/n is in 2PC when an incr of h/n arrives. Returns the value
// the incr's prepare writes, or nullopt when it waits for the set to apply (no prepare yet).
std::optional<std::string> IncrPreparedBehindASet(std::optional<Bug> bug) {
  ReplicaServerOptions o = With(bug);
  o.atomic_idempotent = true;
  Harness h(o);
  h.StartGroup();
  h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "n", "10", 1));
  auto preps = Sent<PrepareRequest>(h.Deliver(kClient, kP, Incr("h", "n", 1, 2)));
  if (preps.empty()) return std::nullopt;
  return preps[0].second.mutation.updates.at(0).value;
}

TEST(BugZooWrites, IdempotentNoRowLockExecutesAnIncrAgainstAStaleBase) {
  EXPECT_EQ(IncrPreparedBehindASet(std::nullopt), std::nullopt) << "it waits for its row";
  EXPECT_EQ(IncrPreparedBehindASet(Bug::kIdempotentNoRowLock), "1") << "0 + 1: the set unseen";
}

}  // namespace
}  // namespace pg::testing
