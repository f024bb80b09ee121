// Step-level tests of the normal-case write path, named after the rules they pin down.
#include <gtest/gtest.h>

#include "tests/replica/replica_harness.h"

namespace pg::testing {
namespace {

TEST(Replica2pc, GroupStartsWithPrimaryAndSecondaries) {
  Harness h;
  h.StartGroup();
  EXPECT_EQ(h.View(kP).status, PartitionStatus::kPrimary);
  EXPECT_TRUE(h.View(kP).serving_as_primary);
  EXPECT_EQ(h.View(kS2).status, PartitionStatus::kSecondary);
  EXPECT_EQ(h.View(kS3).status, PartitionStatus::kSecondary);
  EXPECT_EQ(h.View(kS3).ballot, Ballot(1));
}

TEST(Replica2pc, CommitsOnlyAfterEveryMemberAcked) {
  Harness h;
  h.StartGroup();
  Outbox p = h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "v1"));
  ASSERT_EQ(Sent<PrepareRequest>(p).size(), 2u);
  EXPECT_TRUE(Sent<ClientResponse>(h.CompleteLogs(kP)).empty()) << "no acks yet";

  ForwardPrepare(h, p, kS2);
  auto acks2 = Sent<PrepareAck>(h.CompleteLogs(kS2));
  ASSERT_EQ(acks2.size(), 1u);
  Outbox after2 = h.Deliver(kS2, kP, acks2[0].second);
  EXPECT_TRUE(Sent<ClientResponse>(after2).empty()) << "one of two secondaries is not enough";
  EXPECT_EQ(h.View(kP).last_committed, Decree(0));

  ForwardPrepare(h, p, kS3);
  auto acks3 = Sent<PrepareAck>(h.CompleteLogs(kS3));
  ASSERT_EQ(acks3.size(), 1u);
  auto replies = Sent<ClientResponse>(h.Deliver(kS3, kP, acks3[0].second));
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].first, kClient);
  EXPECT_EQ(replies[0].second.error, ErrorCode::kOk);
  EXPECT_EQ(replies[0].second.decree, Decree(1));
  EXPECT_EQ(h.View(kP).last_committed, Decree(1));

  auto got = Sent<ClientResponse>(h.Deliver(kClient, kP, Get("h", "s")));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].second.value, std::optional<std::string>("v1"));
}

TEST(Replica2pc, PrimaryCommitsOnlyWhenItsOwnLogHoldsTheDecree) {
  Harness h;
  h.StartGroup();
  Outbox p = h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "v1"));
  for (NodeId s : {kS2, kS3}) {
    ForwardPrepare(h, p, s);
    auto acks = Sent<PrepareAck>(h.CompleteLogs(s));
    ASSERT_EQ(acks.size(), 1u);
    EXPECT_TRUE(Sent<ClientResponse>(h.Deliver(s, kP, acks[0].second)).empty());
  }
  EXPECT_EQ(h.View(kP).last_committed, Decree(0));
  auto replies = Sent<ClientResponse>(h.CompleteLogs(kP));
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(h.View(kP).last_committed, Decree(1));
}

TEST(Replica2pc, SecondaryAcksOnlyAfterLogIsDurable) {
  Harness h;
  h.StartGroup();
  Outbox p = h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "v1"));
  Outbox s = ForwardPrepare(h, p, kS2);
  EXPECT_TRUE(Sent<PrepareAck>(s).empty()) << "acked before the log write completed";
  ASSERT_EQ(h.server(kS2).pending_logs.size(), 1u);
  EXPECT_EQ(h.View(kS2).last_prepared, Decree(1));
  // A duplicate of the same (ballot, decree) is acked only when logged, too.
  EXPECT_TRUE(Sent<PrepareAck>(ForwardPrepare(h, p, kS2)).empty());
  auto acks = Sent<PrepareAck>(h.CompleteLogs(kS2));
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].first, kP);
  EXPECT_EQ(acks[0].second.error, ErrorCode::kOk);
  EXPECT_EQ(acks[0].second.decree, Decree(1));
  // Once logged, a duplicate is acked at once.
  EXPECT_EQ(Sent<PrepareAck>(ForwardPrepare(h, p, kS2)).size(), 1u);
}

TEST(Replica2pc, LowerBallotPrepareIsRejected) {
  Harness h;
  h.StartGroup();
  PrepareRequest stale{
      .config = {.gpid = kGpid,
                 .ballot = Ballot(0),
                 .primary = kP,
                 .status = PartitionStatus::kSecondary},
      .mutation = {.ballot = Ballot(0), .decree = Decree(1), .last_committed_decree = Decree(0)}};
  Outbox out = h.Deliver(kP, kS2, stale);
  EXPECT_TRUE(Sent<PrepareAck>(out).empty());
  EXPECT_TRUE(h.server(kS2).pending_logs.empty());
  EXPECT_EQ(h.View(kS2).last_prepared, Decree(0));
}

TEST(Replica2pc, HigherBallotPrepareIsAdopted) {
  Harness h;
  h.StartGroup();
  PrepareRequest newer{
      .config = {.gpid = kGpid,
                 .ballot = Ballot(3),
                 .primary = kS3,
                 .status = PartitionStatus::kSecondary},
      .mutation = {.ballot = Ballot(3), .decree = Decree(1), .last_committed_decree = Decree(0)}};
  h.Deliver(kS3, kS2, newer);
  EXPECT_EQ(h.View(kS2).ballot, Ballot(3));
  EXPECT_EQ(h.View(kS2).status, PartitionStatus::kSecondary);
  auto acks = Sent<PrepareAck>(h.CompleteLogs(kS2));
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].first, kS3);
}

// Pegasus's mutation_queue: beyond staleness_for_commit mutations in 2PC a write waits (no
// ERR_CAPACITY_EXCEEDED), puts and removes gather into one mutation, and each commit lets the
// next waiting mutation in.
TEST(Replica2pc, WritesBeyondTheStalenessBoundWaitAndBatch) {
  Harness h;
  h.StartGroup();
  std::vector<Outbox> prepared;
  for (uint64_t i = 1; i <= 20; ++i) {
    prepared.push_back(h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "v", i)));
    EXPECT_EQ(Sent<PrepareRequest>(prepared.back()).size(), 2u) << i;
  }
  Outbox set = h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "w", 21));
  Outbox del = h.Deliver(kClient, kP, Write(OpKind::kDel, "g", "s", "", 22));
  Outbox incr = h.Deliver(kClient, kP, Incr("h", "n", 1, 23));
  for (const Outbox* o : {&set, &del, &incr}) {
    EXPECT_TRUE(Sent<ClientResponse>(*o).empty()) << "waiting, not refused";
    EXPECT_TRUE(Sent<PrepareRequest>(*o).empty());
    EXPECT_TRUE(HasMark(*o, "replica.write_queued"));
  }
  EXPECT_EQ(h.View(kP).last_prepared, Decree(20));

  Outbox first = CommitByHand(h, prepared[0]);
  auto batch = Sent<PrepareRequest>(first);
  ASSERT_EQ(batch.size(), 2u) << "one commit lets one mutation in";
  EXPECT_EQ(batch[0].second.mutation.decree, Decree(21));
  ASSERT_EQ(batch[0].second.mutation.updates.size(), 2u) << "the set and the del, batched";
  EXPECT_EQ(batch[0].second.mutation.updates[1].kind, OpKind::kDel);
  EXPECT_TRUE(HasMark(first, "replica.write_batched"));

  Outbox second = CommitByHand(h, prepared[1]);
  auto alone = Sent<PrepareRequest>(second);
  ASSERT_EQ(alone.size(), 2u);
  EXPECT_EQ(alone[0].second.mutation.decree, Decree(22));
  EXPECT_EQ(alone[0].second.mutation.updates.size(), 1u) << "an incr is never batched";

  for (size_t i = 2; i < prepared.size(); ++i) CommitByHand(h, prepared[i]);
  auto answers = Sent<ClientResponse>(CommitByHand(h, first));
  ASSERT_EQ(answers.size(), 2u) << "both writes of the batch are answered at its commit";
  EXPECT_EQ(answers[0].second.request_id, 21u);
  EXPECT_EQ(answers[1].second.request_id, 22u);
  for (const auto& [client, r] : answers) {
    EXPECT_EQ(r.error, ErrorCode::kOk);
    EXPECT_EQ(r.decree, Decree(21));
  }
}

TEST(Replica2pc, AStalenessOfOneRunsOneMutationAtATime) {
  ReplicaServerOptions o = DefaultOptions();
  o.staleness_for_commit = 1;
  Harness h(o);
  h.StartGroup();
  Outbox a = h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "a", "1", 1));
  Outbox b = h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "b", "2", 2));
  EXPECT_EQ(Sent<PrepareRequest>(a).size(), 2u);
  EXPECT_TRUE(Sent<PrepareRequest>(b).empty());
  auto next = Sent<PrepareRequest>(CommitByHand(h, a));
  ASSERT_EQ(next.size(), 2u);
  EXPECT_EQ(next[0].second.mutation.updates[0].sortkey, "b");
}

TEST(Replica2pc, TooFewMembersGiveNotEnoughMember) {
  ReplicaServerOptions o = DefaultOptions();
  o.mutation_2pc_min_replica_count = 2;
  Harness h(o);
  h.StartGroup({});
  auto r = Sent<ClientResponse>(h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "v")));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].second.error, ErrorCode::kNotEnoughMember);
}

TEST(Replica2pc, LonePrimaryCommitsOnItsOwnLogWhenAllowed) {
  ReplicaServerOptions o = DefaultOptions();
  o.mutation_2pc_min_replica_count = 1;
  Harness h(o);
  h.StartGroup({});
  Outbox p = h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "v"));
  EXPECT_TRUE(Sent<PrepareRequest>(p).empty());
  auto r = Sent<ClientResponse>(h.CompleteLogs(kP));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].second.error, ErrorCode::kOk);
}

}  // namespace
}  // namespace pg::testing
