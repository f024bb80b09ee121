// A learner whose round starts again under the same signature (it went inactive, meta's next
// proposal added it again): the primary starts 2PC for it over, a completion below the prepare
// start sends it back to learning, and a removal of the ballot it was added at leaves it learning
// (docs/departures.md, a learner's round started again).
#include <gtest/gtest.h>

#include <optional>

#include "tests/replica/learn_steps.h"
#include "tests/replica/replica_harness.h"

namespace pg::testing {
namespace {

// kL acked the prepare of decree 2 while 2 was still uncommitted, then went inactive (its server's
// lease lapsed) and was added again under the same signature. Its new round drops what it
// prepared above its commit point; the primary must send 2 again (its round's first request
// starts 2PC for it over), or once 2 commits kL would become a secondary without it.
TEST(ReplicaLearn, ALearnerRestartedUnderItsSignatureIsNotUpgradedWithoutAPrepareItDropped) {
  Harness h;
  StartPairWithWrites(h, 1);
  LearnRound(h, StartLearner(h));
  Outbox write = h.Deliver(kClient, kP, Write(OpKind::kSet, "x", "s", "v", 2));
  h.CompleteLogs(kP);
  std::optional<PrepareRequest> to_secondary;
  for (auto& [to, prep] : Sent<PrepareRequest>(write)) {
    if (to == kS2) {
      to_secondary = prep;
      continue;
    }
    h.Deliver(kP, kL, prep);
    for (auto& [p, ack] : Sent<PrepareAck>(h.CompleteLogs(kL))) h.Deliver(kL, p, ack);
  }
  ASSERT_TRUE(to_secondary.has_value());
  ASSERT_EQ(h.View(kP).last_committed, Decree(1));
  // kL's server loses its lease (kP's and kS2's are renewed meanwhile), then reconnects.
  h.now += Millis(4000);
  for (NodeId n : {kP, kS2}) h.Deliver(kMeta, n, BeaconAck{.send_time = h.now, .is_master = true});
  h.now += Millis(1001);
  EXPECT_TRUE(HasMark(h.Fire(kL, TimerId(3)), "replica_server.lease_lapsed"));
  ASSERT_EQ(h.View(kL).status, PartitionStatus::kInactive);
  h.Deliver(kMeta, kL, BeaconAck{.send_time = h.now, .is_master = true});
  std::optional<LearnRequest> again;
  for (auto& [to, add] : Sent<AddLearnerRequest>(h.Deliver(kMeta, kP, AddSecondary(h, kL)))) {
    for (Outbox out : {h.Deliver(kP, kL, add), h.CompleteLogs(kL)}) {
      for (auto& [p, req] : Sent<LearnRequest>(out)) again = req;
    }
  }
  ASSERT_TRUE(again.has_value()) << "the learner did not start again";
  Outbox round = LearnRound(h, *again);
  h.Deliver(kP, kS2, *to_secondary);
  for (auto& [p, ack] : Sent<PrepareAck>(h.CompleteLogs(kS2))) h.Deliver(kS2, p, ack);
  ASSERT_EQ(h.View(kP).last_committed, Decree(2));
  const bool holds_2 = h.View(kL).last_prepared >= Decree(2);
  EXPECT_TRUE(holds_2) << "the restarted round's prepares start at the primary's commit point";
  for (auto& [p, note] : Sent<LearnCompletionNotify>(round)) {
    const bool upgraded = HasMark(h.Deliver(kL, p, note), "learn.upgrade_to_secondary");
    EXPECT_TRUE(holds_2 || !upgraded) << "kL would be a secondary without decree 2";
  }
}

// kL learns decree 1 and sends its completion notice (returned, not yet delivered); 2 and 3
// commit meanwhile with their prepares to kL lost, and a duplicate of kL's first request moves
// its prepare start past what it learned.
std::optional<LearnCompletionNotify> CaughtUpBelowAMovedPrepareStart(Harness& h) {
  StartPairWithWrites(h, 1);
  const LearnRequest first = StartLearner(h);
  auto notes = Sent<LearnCompletionNotify>(LearnRound(h, first));
  EXPECT_EQ(notes.size(), 1u);
  if (notes.size() != 1) return std::nullopt;
  CommitWrites(h, 2, 3);
  EXPECT_TRUE(HasMark(h.Deliver(kL, kP, first), "learn.round_restarted"));
  return notes[0].second;
}

// A duplicate of the learner's first request moved its prepare start past what the learner
// learned (2 and 3 committed meanwhile, their prepares to it lost): its completion notice is
// answered "learn again", and the learner's next round brings it up to the start.
TEST(ReplicaLearn, ACompletionBelowThePrepareStartSendsTheLearnerBackToLearning) {
  Harness h;
  const std::optional<LearnCompletionNotify> note = CaughtUpBelowAMovedPrepareStart(h);
  ASSERT_TRUE(note.has_value());
  Outbox refused = h.Deliver(kL, kP, *note);
  EXPECT_TRUE(HasMark(refused, "learn.completion_below_prepare_start"));
  EXPECT_TRUE(Sent<UpdateConfigRequest>(refused).empty());
  auto answers = Sent<LearnCompletionResponse>(refused);
  ASSERT_EQ(answers.size(), 1u);
  Outbox again = h.Deliver(kP, kL, answers[0].second);
  EXPECT_TRUE(HasMark(again, "learn.learn_again"));
  auto reqs = Sent<LearnRequest>(again);
  ASSERT_EQ(reqs.size(), 1u);
  auto caught_up = Sent<LearnCompletionNotify>(LearnRound(h, reqs[0].second));
  ASSERT_EQ(caught_up.size(), 1u);
  EXPECT_EQ(h.View(kL).last_committed, Decree(3));
  EXPECT_TRUE(HasMark(h.Deliver(kL, kP, caught_up[0].second), "learn.upgrade_to_secondary"));
}

// The learner's timer re-sent its completion notice while a prepare's append was still in flight,
// so the notice waits for the append; the first notice's answer then sends it back to learning.
// The deferred notice is void: it must not go out (not caught up) once the append completes
// (regressions/pegasus_swarm_seed2107_deferred_completion.json).
TEST(ReplicaLearn, ADeferredCompletionIsDroppedWhenTheLearnerLearnsAgain) {
  Harness h;
  const std::optional<LearnCompletionNotify> note = CaughtUpBelowAMovedPrepareStart(h);
  ASSERT_TRUE(note.has_value());
  // A prepare reaches kL; its append stays in flight.
  Outbox write = h.Deliver(kClient, kP, Write(OpKind::kSet, "y", "s", "v", 4));
  h.CompleteLogs(kP);
  for (auto& [to, prep] : Sent<PrepareRequest>(write)) {
    if (to == kL) h.Deliver(kP, kL, prep);
  }
  ASSERT_FALSE(h.server(kL).pending_logs.empty()) << "the prepare's append is in flight";
  Outbox timer = h.Fire(kL, MakeReplicaTimerId(kGpid, ReplicaTimer::kLearn));
  EXPECT_TRUE(Sent<LearnCompletionNotify>(timer).empty()) << "deferred behind the append";
  Outbox refused = h.Deliver(kL, kP, *note);
  auto answers = Sent<LearnCompletionResponse>(refused);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_TRUE(HasMark(h.Deliver(kP, kL, answers[0].second), "learn.learn_again"));
  const Outbox logged = h.CompleteLogs(kL);
  EXPECT_TRUE(Sent<LearnCompletionNotify>(logged).empty()) << "a void notice went out";
}

// on_remove: a removal of the very ballot a learner was added at is one the network delayed past
// the node's return as a learner; the learner goes on learning.
TEST(ReplicaLearn, ARemovalOfTheBallotALearnerWasAddedAtIsIgnored) {
  Harness h;
  StartPairWithWrites(h, 1);
  StartLearner(h);
  ASSERT_EQ(h.View(kL).status, PartitionStatus::kPotentialSecondary);
  h.Deliver(kP, kL,
            RemoveReplica{.config = ReplicaConfiguration{.gpid = kGpid,
                                                         .ballot = h.View(kL).ballot,
                                                         .primary = kP,
                                                         .status = PartitionStatus::kInactive}});
  EXPECT_EQ(h.View(kL).status, PartitionStatus::kPotentialSecondary);
}

// Nor is the primary of a ballot removed by a removal of that ballot: only the primary itself
// sends one, so a peer's is a late one of the group before.
TEST(ReplicaLearn, ARemovalOfThePrimarysOwnBallotIsIgnored) {
  Harness h;
  StartPairWithWrites(h, 1);
  const Ballot ballot = h.View(kP).ballot;
  h.Deliver(kS2, kP,
            RemoveReplica{.config = ReplicaConfiguration{.gpid = kGpid,
                                                         .ballot = ballot,
                                                         .primary = kS2,
                                                         .status = PartitionStatus::kInactive}});
  EXPECT_EQ(h.View(kP).status, PartitionStatus::kPrimary);
  EXPECT_EQ(h.View(kP).ballot, ballot);
}

}  // namespace
}  // namespace pg::testing
