// Learning seen from the replicas (PEGASUS.md §1.7): meta's CT_ADD_SECONDARY proposal, the
// learner's rounds from cache, log or checkpoint, the signature on every learner-bound message,
// and the upgrade to secondary once the learner caught up and acked its prepares.
#include <gtest/gtest.h>

#include "core/replica/prepare_list.h"
#include "core/storage/mutation_log.h"
#include "tests/replica/learn_steps.h"
#include "tests/replica/replica_harness.h"

namespace pg::testing {
namespace {

// A tiny cache and no log reserve: once kP flushes, a learner from scratch gets LT_APP.
ReplicaServerOptions CheckpointLearning() {
  ReplicaServerOptions o = DefaultOptions();
  o.learn_cache_decrees = 1;
  o.plog_gc_reserve_decrees = 0;
  return o;
}

// kP and kS2 commit one write; kL learns it from the cache and notifies its completion: the
// notice, not yet delivered.
LearnCompletionNotify CaughtUpLearner(Harness& h) {
  StartPairWithWrites(h, 1);
  auto notes = Sent<LearnCompletionNotify>(LearnRound(h, StartLearner(h)));
  EXPECT_EQ(notes.size(), 1u);
  return notes.empty() ? LearnCompletionNotify{} : notes[0].second;
}

TEST(ReplicaLearn, AddSecondarySendsAddLearnerWithASignatureAndResendsTheSameOne) {
  Harness h;
  StartPairWithWrites(h, 2);
  auto first = Sent<AddLearnerRequest>(h.Deliver(kMeta, kP, AddSecondary(h, kL)));
  auto again = Sent<AddLearnerRequest>(h.Deliver(kMeta, kP, AddSecondary(h, kL)));
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(first[0].second.config.status, PartitionStatus::kPotentialSecondary);
  EXPECT_NE(first[0].second.config.learner_signature, 0u);
  EXPECT_EQ(first[0].second.config.learner_signature, again[0].second.config.learner_signature);
  // Proposing a current member is ignored.
  EXPECT_TRUE(Sent<AddLearnerRequest>(h.Deliver(kMeta, kP, AddSecondary(h, kS2))).empty());
}

TEST(ReplicaLearn, LearnerCatchesUpFromCacheThenBecomesSecondaryAfterMetaPersists) {
  Harness h;
  StartPairWithWrites(h, 3);
  const LearnRequest req = StartLearner(h);
  EXPECT_EQ(h.View(kL).status, PartitionStatus::kPotentialSecondary);
  EXPECT_EQ(req.last_committed_decree_in_app, Decree(0));
  LearnResponse resp;
  Outbox out = LearnRound(h, req, &resp);
  EXPECT_EQ(resp.type, LearnType::kCache);
  EXPECT_EQ(resp.prepare_start_decree, Decree(4));
  ASSERT_EQ(resp.mutations.size(), 3u);
  EXPECT_TRUE(HasMark(out, "learn.from_cache"));
  EXPECT_TRUE(HasMark(out, "learn.caught_up"));
  EXPECT_EQ(h.View(kL).last_committed, Decree(3));
  auto notes = Sent<LearnCompletionNotify>(out);
  ASSERT_EQ(notes.size(), 1u);
  Outbox at_primary = h.Deliver(kL, kP, notes[0].second);
  auto upgrade = Sent<UpdateConfigRequest>(at_primary);
  ASSERT_EQ(upgrade.size(), 1u);
  EXPECT_EQ(upgrade[0].second.type, ConfigType::kUpgradeToSecondary);
  EXPECT_EQ(upgrade[0].second.config.ballot, Ballot(2));
  EXPECT_EQ(upgrade[0].second.config.secondaries, (std::vector<NodeId>{kS2, kL}));
  // Not a member before meta persisted it: the learner is still a learner.
  EXPECT_EQ(h.View(kL).status, PartitionStatus::kPotentialSecondary);
  Outbox adopted = h.Deliver(
      kMeta, kP, UpdateConfigResponse{.error = ErrorCode::kOk, .config = upgrade[0].second.config});
  EXPECT_EQ(h.View(kP).status, PartitionStatus::kPrimary);
  EXPECT_EQ(h.View(kP).ballot, Ballot(2));
  // The next write is prepared on both secondaries, and needs kL's ack to commit.
  Outbox w = h.Deliver(kClient, kP, Write(OpKind::kSet, "x", "s", "v", 9));
  h.CompleteLogs(kP);
  std::set<NodeId> to;
  for (auto& [n, prep] : Sent<PrepareRequest>(w)) {
    to.insert(n);
    h.Deliver(kP, n, prep);
  }
  EXPECT_EQ(to, (std::set<NodeId>{kS2, kL}));
  EXPECT_EQ(h.View(kL).status, PartitionStatus::kSecondary) << "adopts the larger ballot";
  for (auto& [p, ack] : Sent<PrepareAck>(h.CompleteLogs(kS2))) h.Deliver(kS2, p, ack);
  EXPECT_EQ(h.View(kP).last_committed, Decree(3)) << "committed without the new secondary";
  for (auto& [p, ack] : Sent<PrepareAck>(h.CompleteLogs(kL))) h.Deliver(kL, p, ack);
  EXPECT_EQ(h.View(kP).last_committed, Decree(4));
}

// The primary upgrades a learner on its completion notice, so the notice waits until what the
// learner learned is in its log: an append still in flight dies with the learner's process, and
// it may be the first replica back after every member crashed (all_replicas_crash_slow_log seed
// 8 lost decrees the group had committed that way).
TEST(ReplicaLearn, TheCompletionNoticeWaitsForTheLearnedMutationsToBeLogged) {
  Harness h;
  StartPairWithWrites(h, 3);
  const LearnRequest req = StartLearner(h);
  Outbox at_primary = h.Deliver(kL, kP, req);
  auto resps = Sent<LearnResponse>(at_primary);
  ASSERT_EQ(resps.size(), 1u);
  Outbox learned = h.Deliver(kP, kL, resps[0].second);
  EXPECT_TRUE(HasMark(learned, "learn.caught_up"));
  EXPECT_TRUE(Sent<LearnCompletionNotify>(learned).empty())
      << "notified while the learned mutations were still being logged";
  Outbox logged = h.CompleteLogs(kL);
  auto notes = Sent<LearnCompletionNotify>(logged);
  ASSERT_EQ(notes.size(), 1u) << "the notice goes out once the appends are done";
  EXPECT_EQ(notes[0].first, kP);
}

TEST(ReplicaLearn, BeyondTheCacheTheLearnerLearnsFromTheLog) {
  ReplicaServerOptions o = DefaultOptions();
  o.learn_cache_decrees = 2;
  Harness h(o);
  StartPairWithWrites(h, 5);
  LearnResponse resp;
  Outbox out = LearnRound(h, StartLearner(h), &resp);
  EXPECT_EQ(resp.type, LearnType::kLog);
  ASSERT_EQ(resp.mutations.size(), 5u);
  EXPECT_TRUE(HasMark(out, "learn.from_log"));
  EXPECT_EQ(h.View(kL).last_committed, Decree(5));
  EXPECT_EQ(h.node(kL).MutationDigest(kGpid, Decree(5)),
            h.node(kP).MutationDigest(kGpid, Decree(5)));
}

TEST(ReplicaLearn, BelowTheCollectedLogTheLearnerGetsACheckpoint) {
  Harness h(CheckpointLearning());
  StartPairWithWrites(h, 4);
  h.Fire(kP, MakeReplicaTimerId(kGpid, ReplicaTimer::kCheckpoint));  // flush; the log is collected
  LearnResponse resp;
  Outbox out = LearnRound(h, StartLearner(h), &resp);
  EXPECT_EQ(resp.type, LearnType::kApp);
  ASSERT_TRUE(resp.checkpoint.has_value());
  EXPECT_EQ(resp.checkpoint->decree, Decree(4));
  EXPECT_TRUE(HasMark(out, "learn.from_checkpoint"));
  EXPECT_TRUE(HasMark(out, "learn.caught_up"));
  EXPECT_EQ(h.View(kL).last_committed, Decree(4));
}

// The learner holds the checkpoint at 6; `older` (a checkpoint at 4) arrives and is refused with
// `mark`, and the commit point stays.
void ExpectTheOlderCheckpointRefused(Harness& h, const LearnResponse& older, const char* mark) {
  EXPECT_EQ(h.View(kL).last_committed, Decree(6));
  Outbox out = h.Deliver(kP, kL, older);
  EXPECT_TRUE(HasMark(out, mark));
  EXPECT_FALSE(HasMark(out, "learn.from_checkpoint"));
  EXPECT_EQ(h.View(kL).last_committed, Decree(6)) << "the older checkpoint was not restored";
}

// Regression learner_stale_answer_seed7_late_answer: the answer to the learner's first request
// (a checkpoint at 4) straggles; the learn timer asks again, and the answer to that (a checkpoint
// at 6) comes first. The late one must not restore the older checkpoint.
TEST(ReplicaLearn, TheAnswerToAnEarlierRequestOfTheRoundIsIgnored) {
  Harness h(CheckpointLearning());
  StartPairWithWrites(h, 4);
  h.Fire(kP, MakeReplicaTimerId(kGpid, ReplicaTimer::kCheckpoint));
  const LearnRequest first = StartLearner(h);
  EXPECT_EQ(first.request_in_round, 1u);
  const auto late = Sent<LearnResponse>(h.Deliver(kL, kP, first)).at(0).second;
  ASSERT_TRUE(late.checkpoint.has_value());
  EXPECT_EQ(late.request_in_round, 1u);
  // Two more writes commit on kP and kS2 (the learner's prepares are lost), then a checkpoint.
  CommitWrites(h, 5, 6);
  ASSERT_EQ(h.View(kP).last_committed, Decree(6));
  h.Fire(kP, MakeReplicaTimerId(kGpid, ReplicaTimer::kCheckpoint));
  const auto again =
      Sent<LearnRequest>(h.Fire(kL, MakeReplicaTimerId(kGpid, ReplicaTimer::kLearn)));
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].second.request_in_round, 2u);
  const auto fresh = Sent<LearnResponse>(h.Deliver(kL, kP, again[0].second)).at(0).second;
  EXPECT_EQ(fresh.request_in_round, 2u);
  ASSERT_TRUE(fresh.checkpoint.has_value());
  EXPECT_EQ(fresh.checkpoint->decree, Decree(6));
  h.Deliver(kP, kL, fresh);
  ExpectTheOlderCheckpointRefused(h, late, "learn.late_answer");
}

// Regression learner_straggling_links_seed61_second_answer: one request answered twice (the
// network duplicated it, or a removed replica of the gpid sent the same signature and number);
// the answer served later, with the newer checkpoint, arrives first. The other must not restore
// its older checkpoint.
TEST(ReplicaLearn, ASecondAnswerToTheSameRequestIsIgnored) {
  Harness h(CheckpointLearning());
  StartPairWithWrites(h, 4);
  h.Fire(kP, MakeReplicaTimerId(kGpid, ReplicaTimer::kCheckpoint));
  const LearnRequest req = StartLearner(h);
  const auto older = Sent<LearnResponse>(h.Deliver(kL, kP, req)).at(0).second;
  ASSERT_TRUE(older.checkpoint.has_value());
  CommitWrites(h, 5, 6);
  h.Fire(kP, MakeReplicaTimerId(kGpid, ReplicaTimer::kCheckpoint));
  const auto newer = Sent<LearnResponse>(h.Deliver(kL, kP, req)).at(0).second;
  ASSERT_TRUE(newer.checkpoint.has_value());
  ASSERT_EQ(newer.checkpoint->decree, Decree(6));
  ASSERT_EQ(newer.request_in_round, older.request_in_round);
  h.Deliver(kP, kL, newer);
  ExpectTheOlderCheckpointRefused(h, older, "learn.second_answer");
}

TEST(ReplicaLearn, RequestsWithAStaleSignatureAreRefused) {
  Harness h;
  StartPairWithWrites(h, 1);
  LearnRequest req = StartLearner(h);
  req.signature += 1;
  Outbox out = h.Deliver(kL, kP, req);
  auto resps = Sent<LearnResponse>(out);
  ASSERT_EQ(resps.size(), 1u);
  EXPECT_EQ(resps[0].second.error, ErrorCode::kObjectNotFound);
  EXPECT_TRUE(HasMark(out, "learn.stale_signature"));
  EXPECT_TRUE(Sent<PrepareRequest>(out).empty());
}

TEST(ReplicaLearn, ALearnerRefusesPreparesAndResponsesOfAnotherRound) {
  Harness h;
  StartPairWithWrites(h, 1);
  LearnRequest req = StartLearner(h);
  Outbox at_primary = h.Deliver(kL, kP, req);
  LearnResponse resp = Sent<LearnResponse>(at_primary).at(0).second;
  resp.config.learner_signature += 1;
  Outbox ignored = h.Deliver(kP, kL, resp);
  EXPECT_TRUE(Sent<LearnCompletionNotify>(ignored).empty());
  EXPECT_EQ(h.View(kL).last_committed, Decree(0));
  PrepareRequest stale{
      .config = ReplicaConfiguration{.gpid = kGpid,
                                     .ballot = Ballot(1),
                                     .primary = kP,
                                     .status = PartitionStatus::kPotentialSecondary,
                                     .learner_signature = req.signature + 7},
      .mutation = Mutation{.ballot = Ballot(1), .decree = Decree(2)}};
  auto acks = Sent<PrepareAck>(h.Deliver(kP, kL, stale));
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].second.error, ErrorCode::kInvalidState);
}

// Upstream's handle_learning_succeeded_on_primary checks only the signature; the primary
// re-prepares every uncommitted decree to the new group once the change lands, so an unacked
// uncommitted prepare holds nothing up.
TEST(ReplicaLearn, AnUncommittedPrepareTheLearnerHasNotAckedDoesNotHoldItsUpgrade) {
  Harness h;
  const LearnCompletionNotify note = CaughtUpLearner(h);
  // A new write, not yet committed: its prepare to the learner is still on the way.
  h.Deliver(kClient, kP, Write(OpKind::kSet, "y", "s", "v", 5));
  ASSERT_EQ(h.View(kP).last_committed, Decree(1));
  Outbox upgrade = h.Deliver(kL, kP, note);
  EXPECT_TRUE(HasMark(upgrade, "learn.upgrade_to_secondary"));
  EXPECT_EQ(Sent<UpdateConfigRequest>(upgrade).size(), 1u);
}

// A committed decree the learner has not acked would be missing on the new secondary: the
// notice is refused, and the learner is joining: each later decree commits only once it acked
// it too, so the committed ones it lacks drain while the writes go on. Decree 2's prepare to the
// learner is held back, the notice refused, then kS2 acks decree 3, which waits for the learner.
struct Joining {
  LearnCompletionNotify note;
  Outbox refused;                          // the primary's answer to the notice
  std::vector<PrepareRequest> to_learner;  // decrees 2 and 3, undelivered
};

Joining JoiningLearnerHoldingDecree3Back(Harness& h) {
  Joining j;
  j.note = CaughtUpLearner(h);
  j.to_learner = CommitWrites(h, 2, 2);
  EXPECT_EQ(h.View(kP).last_committed, Decree(2));
  j.refused = h.Deliver(kL, kP, j.note);
  const std::vector<PrepareRequest> third = CommitWrites(h, 3, 3);
  j.to_learner.insert(j.to_learner.end(), third.begin(), third.end());
  return j;
}

TEST(ReplicaLearn, ACommittedPrepareTheLearnerHasNotAckedMakesItJoiningUntilItAcks) {
  Harness h;
  const Joining j = JoiningLearnerHoldingDecree3Back(h);
  auto resps = Sent<LearnCompletionResponse>(j.refused);
  ASSERT_EQ(resps.size(), 1u);
  EXPECT_EQ(resps[0].second.error, ErrorCode::kTryAgain);
  EXPECT_TRUE(HasMark(j.refused, "learn.joining"));
  EXPECT_TRUE(Sent<UpdateConfigRequest>(j.refused).empty());
  EXPECT_EQ(h.View(kP).last_committed, Decree(2)) << "3 waits for the joining learner";
  ASSERT_EQ(j.to_learner.size(), 2u);
  for (const PrepareRequest& prep : j.to_learner) h.Deliver(kP, kL, prep);
  for (auto& [to, ack] : Sent<PrepareAck>(h.CompleteLogs(kL))) h.Deliver(kL, to, ack);
  EXPECT_EQ(h.View(kP).last_committed, Decree(3)) << "the learner's ack lets 3 commit";
  Outbox upgrade = h.Deliver(kL, kP, j.note);
  EXPECT_TRUE(HasMark(upgrade, "learn.upgrade_to_secondary"));
  EXPECT_EQ(Sent<UpdateConfigRequest>(upgrade).size(), 1u);
}

TEST(ReplicaLearn, AJoiningLearnerThatStopsAckingIsDroppedAndTheCommitsGoOn) {
  Harness h;
  const Joining j = JoiningLearnerHoldingDecree3Back(h);  // the prepares to it are lost
  ASSERT_EQ(h.View(kP).last_committed, Decree(2));
  h.now = h.now + Millis(2000);
  h.RenewLeases();
  Outbox check = h.Fire(kP, MakeReplicaTimerId(kGpid, ReplicaTimer::kGroupCheck));
  EXPECT_TRUE(HasMark(check, "learn.learner_timeout"));
  EXPECT_EQ(h.View(kP).last_committed, Decree(3)) << "dropped, it holds no commit back";
  // Its next notice finds no learner.
  auto gone = Sent<LearnCompletionResponse>(h.Deliver(kL, kP, j.note));
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].second.error, ErrorCode::kObjectNotFound);
}

// Regression learner_straggle_heavy_seed2_unacked_commit: a learner's prepare of decree 2 is still
// being logged when the prepare of 3 commits 2 (its header's commit point). Once logged, 2 must
// still be acked, or the primary refuses the learner's completion until it drops it.
TEST(ReplicaLearn, APrepareCommittedBeforeItsAppendCompletesIsStillAcked) {
  Harness h;
  const LearnCompletionNotify note = CaughtUpLearner(h);
  const std::vector<PrepareRequest> to_learner = CommitWrites(h, 2, 3);
  ASSERT_EQ(h.View(kP).last_committed, Decree(3));
  ASSERT_EQ(to_learner.size(), 2u);
  ASSERT_EQ(to_learner[1].mutation.last_committed_decree, Decree(2));
  h.Deliver(kP, kL, to_learner[0]);  // its append is issued, not completed
  h.Deliver(kP, kL, to_learner[1]);  // commits 2
  EXPECT_EQ(h.View(kL).last_committed, Decree(2));
  std::set<Decree> acked;
  for (auto& [to, ack] : Sent<PrepareAck>(h.CompleteLogs(kL))) {
    EXPECT_EQ(to, kP);
    EXPECT_EQ(ack.error, ErrorCode::kOk);
    acked.insert(ack.decree);
    h.Deliver(kL, to, ack);
  }
  EXPECT_EQ(acked, (std::set<Decree>{Decree(2), Decree(3)}));
  Outbox upgrade = h.Deliver(kL, kP, note);
  EXPECT_TRUE(HasMark(upgrade, "learn.upgrade_to_secondary"));
  EXPECT_EQ(Sent<UpdateConfigRequest>(upgrade).size(), 1u);
}

// The decrees a learner's effects append to its private log.
std::vector<Decree> LoggedDecrees(const Outbox& out) {
  std::vector<Decree> decrees;
  for (const AppendLog& a : AppendsOf(out)) {
    LogReader reader(a.bytes);
    for (LogRecord r; reader.Next(&r);) decrees.push_back(r.decree);
  }
  return decrees;
}

// A learner that already holds the current primary's prepare of a decree (sent to it in this
// round, logged) and then learns that decree from the cache keeps its prepare: the learned copy is
// the same mutation, and logging it again would re-prepare the slot and hold its ack back.
TEST(ReplicaLearn, ALearnedDecreeTheLearnerHoldsThePreparedCopyOfIsNotLoggedAgain) {
  Harness h;
  StartPairWithWrites(h, 3);
  const LearnRequest first = StartLearner(h);
  Outbox at_primary = h.Deliver(kL, kP, first);  // its answer (decrees 1..3) is lost
  ASSERT_EQ(Sent<LearnResponse>(at_primary).size(), 1u);
  const std::vector<PrepareRequest> to_learner = CommitWrites(h, 4, 4);
  ASSERT_EQ(to_learner.size(), 1u);
  EXPECT_EQ(LoggedDecrees(h.Deliver(kP, kL, to_learner[0])), std::vector<Decree>{Decree(4)});
  h.CompleteLogs(kL);
  Outbox retry = h.Fire(kL, MakeReplicaTimerId(kGpid, ReplicaTimer::kLearn));
  const auto again = Sent<LearnRequest>(retry);
  ASSERT_EQ(again.size(), 1u);
  LearnResponse resp;
  Outbox learned = LearnRound(h, again[0].second, &resp);
  ASSERT_EQ(resp.type, LearnType::kCache);
  ASSERT_EQ(resp.last_committed_decree, Decree(4));
  EXPECT_EQ(LoggedDecrees(learned), (std::vector<Decree>{Decree(1), Decree(2), Decree(3)}));
  EXPECT_EQ(h.View(kL).last_committed, Decree(4));
}

TEST(ReplicaLearn, ConfigSyncDoesNotCollectALearner) {
  // Meta's answer may predate the learning (Pegasus leaves PS_POTENTIAL_SECONDARY replicas alone).
  Harness h;
  StartPairWithWrites(h, 1);
  StartLearner(h);
  ASSERT_EQ(h.View(kL).status, PartitionStatus::kPotentialSecondary);
  Outbox out = h.Deliver(kMeta, kL, ConfigSyncResponse{.gc_replicas = {kGpid}});
  EXPECT_FALSE(HasMark(out, "replica_server.replica_dropped"));
  EXPECT_EQ(h.View(kL).status, PartitionStatus::kPotentialSecondary);
}

TEST(ReplicaLearn, ALearnerToldToTryAgainAsksAgainSoonNotAtTheFullInterval) {
  // At the full interval its notices can fall in step with the primary's empty writes and always
  // find the newest prepare unacknowledged (a livelock the liveness phase found).
  Harness h;
  const LearnCompletionNotify note = CaughtUpLearner(h);
  Outbox out =
      h.Deliver(kP, kL,
                LearnCompletionResponse{
                    .gpid = kGpid, .signature = note.signature, .error = ErrorCode::kTryAgain});
  std::optional<Duration> after;
  for (const Effect& e : out.effects()) {
    if (const auto* t = std::get_if<SetTimer>(&e);
        t && t->timer == MakeReplicaTimerId(kGpid, ReplicaTimer::kLearn)) {
      after = t->after;
    }
  }
  ASSERT_TRUE(after.has_value());
  EXPECT_LT(*after, DefaultOptions().learn_retry_interval);
  EXPECT_EQ(h.View(kL).status, PartitionStatus::kPotentialSecondary) << "still learning";
}

// A learner that committed a decree the primary has only prepared (a new primary reconciling,
// whose old group committed it) is told to try again, not sent the primary's older checkpoint,
// which would take its commit point back
// (scenarios/regressions/pegasus_swarm_seed55_invariant_monotonic.json). Beyond the primary's
// prepared decrees it is another history and starts from a checkpoint.
TEST(ReplicaLearn, ALearnerAheadOfThePrimarysCommitWaitsForItInsteadOfGoingBack) {
  Harness h;
  StartPairWithWrites(h, 2);
  Outbox w = h.Deliver(kClient, kP, Write(OpKind::kSet, "h3", "s", "v", 3));
  h.CompleteLogs(kP);  // decree 3 prepared on kP; kS2 has not acked it
  ASSERT_EQ(h.View(kP).last_committed, Decree(2));
  LearnRequest req = StartLearner(h);
  req.last_committed_decree_in_app = Decree(3);
  Outbox ahead = h.Deliver(kL, kP, req);
  EXPECT_TRUE(HasMark(ahead, "learn.learner_ahead_wait"));
  ASSERT_EQ(Sent<LearnResponse>(ahead).size(), 1u);
  EXPECT_EQ(Sent<LearnResponse>(ahead)[0].second.error, ErrorCode::kTryAgain);

  // One past kP's prepared decrees (the boundary) and far past it: both another history.
  for (int64_t beyond : {4, 9}) {
    req.last_committed_decree_in_app = Decree(beyond);
    Outbox answer = h.Deliver(kL, kP, req);
    EXPECT_FALSE(HasMark(answer, "learn.learner_ahead_wait")) << beyond;
    auto other = Sent<LearnResponse>(answer);
    ASSERT_EQ(other.size(), 1u);
    EXPECT_EQ(other[0].second.error, ErrorCode::kOk) << beyond;
    EXPECT_EQ(other[0].second.type, LearnType::kApp) << beyond;
  }

  // Once decree 3 commits on kP, the learner that holds it learns from there.
  for (auto& [to, prep] : Sent<PrepareRequest>(w)) {
    if (to != kS2) continue;
    h.Deliver(kP, kS2, prep);
    for (auto& [p, ack] : Sent<PrepareAck>(h.CompleteLogs(kS2))) h.Deliver(kS2, p, ack);
  }
  ASSERT_EQ(h.View(kP).last_committed, Decree(3));
  req.last_committed_decree_in_app = Decree(3);
  Outbox caught = h.Deliver(kL, kP, req);
  EXPECT_FALSE(HasMark(caught, "learn.learner_ahead_wait"));
  ASSERT_EQ(Sent<LearnResponse>(caught).size(), 1u);
  EXPECT_EQ(Sent<LearnResponse>(caught)[0].second.error, ErrorCode::kOk);
  EXPECT_NE(Sent<LearnResponse>(caught)[0].second.type, LearnType::kApp);
}

TEST(PrepareList, ResetToACheckpointDropsSlotsAtOrBelowItAndOfOlderBallots) {
  // A learner's prepare list after LT_APP at decree 4 (Pegasus 6d1edf550): decree 3 of an
  // abandoned history and decree 6 of an older ballot must go; decree 5 of the current primary
  // stays and commits next.
  PrepareList plist(Decree(1));
  ASSERT_TRUE(plist.Prepare(
      Mutation{.ballot = Ballot(1), .decree = Decree(3), .last_committed_decree = Decree(1)}));
  ASSERT_TRUE(plist.Prepare(
      Mutation{.ballot = Ballot(3), .decree = Decree(5), .last_committed_decree = Decree(4)}));
  ASSERT_TRUE(plist.Prepare(
      Mutation{.ballot = Ballot(2), .decree = Decree(6), .last_committed_decree = Decree(4)}));
  plist.ResetTo(Decree(4), Ballot(3));
  plist.CheckInvariants();
  EXPECT_EQ(plist.last_committed(), Decree(4));
  EXPECT_EQ(plist.Get(Decree(3)), nullptr);
  EXPECT_EQ(plist.Get(Decree(6)), nullptr);
  ASSERT_NE(plist.Get(Decree(5)), nullptr);
  EXPECT_TRUE(plist.CommitTo(Decree(5), [](const Mutation&) { return Status::Ok(); }).ok());
  EXPECT_EQ(plist.last_committed(), Decree(5));
}

}  // namespace
}  // namespace pg::testing
