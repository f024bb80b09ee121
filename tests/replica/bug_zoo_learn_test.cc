// The bug zoo's switches in learning and log replay (core/common/bugs.h): each test runs the same
// steps with the switch off and on, and shows that what the guard prevents happens only when it
// is on.
#include <gtest/gtest.h>

#include <optional>

#include "core/replica/replica_log.h"
#include "core/storage/mutation_log.h"
#include "tests/replica/replica_harness.h"

namespace pg::testing {
namespace {

// A tiny cache and no log reserve: a learner behind the primary's flushed state gets LT_APP.
ReplicaServerOptions Options(std::optional<Bug> bug) {
  ReplicaServerOptions o = DefaultOptions();
  o.learn_cache_decrees = 1;
  o.plog_gc_reserve_decrees = 0;
  if (bug) o.bugs.Enable(*bug);
  return o;
}

// Writes through kP; kS2 acks; a learner's prepares are lost.
void CommitWrite(Harness& h, int i) {
  Outbox out =
      h.Deliver(kClient, kP, Write(OpKind::kSet, "h" + std::to_string(i), "s", "v", uint64_t(i)));
  h.CompleteLogs(kP);
  for (auto& [to, prep] : Sent<PrepareRequest>(out)) {
    if (to != kS2) continue;
    h.Deliver(kP, to, prep);
    for (auto& [p, ack] : Sent<PrepareAck>(h.CompleteLogs(to))) h.Deliver(to, p, ack);
  }
}

// Meta proposes kL until it asks to learn; returns its request.
LearnRequest ProposeLearner(Harness& h) {
  const ConfigProposal add{
      .type = ConfigType::kAddSecondary, .config = h.Config({kS2}), .node = kL};
  for (int i = 0; i < 2; ++i) {
    for (auto& [to, req] : Sent<AddLearnerRequest>(h.Deliver(kMeta, kP, add))) {
      Outbox out = h.Deliver(kP, kL, req);
      Outbox logged = h.CompleteLogs(kL);  // the index entry, or the log reset
      for (auto* o : {&out, &logged}) {
        if (auto reqs = Sent<LearnRequest>(*o); !reqs.empty()) return reqs[0].second;
      }
    }
  }
  ADD_FAILURE() << "the learner never asked to learn";
  return {};
}

// The primary's answer to `req` (delivered to the primary, not yet to the learner).
LearnResponse AskPrimary(Harness& h, const LearnRequest& req) {
  auto resps = Sent<LearnResponse>(h.Deliver(kL, kP, req));
  EXPECT_EQ(resps.size(), 1u);
  return resps.empty() ? LearnResponse{} : resps[0].second;
}

// Round 1 is answered with a checkpoint at decree 4, which is delayed. The primary drops the
// learner (it refused a prepare), commits decrees 5 and 6, and meta adds it again: round 2's
// first request is answered with a checkpoint at 6. Round 1's answer arrives while that request
// is still out (it answers a request of the same number), then round 2's. Returns the learner's
// commit point after both. (Once a request's answer is taken, a later one is dropped whatever its
// round: the test delivers the stale answer first so that only the signature can refuse it.)
Decree StaleRoundAnswerArrives(std::optional<Bug> bug) {
  Harness h(Options(bug));
  h.StartGroup({kS2});
  for (int i = 1; i <= 4; ++i) CommitWrite(h, i);
  h.Fire(kP, MakeReplicaTimerId(kGpid, ReplicaTimer::kCheckpoint));
  h.BootEmpty(kL);
  const LearnResponse stale = AskPrimary(h, ProposeLearner(h));
  EXPECT_EQ(stale.type, LearnType::kApp);
  h.Deliver(kL, kP,
            PrepareAck{.gpid = kGpid,
                       .error = ErrorCode::kInvalidState,
                       .ballot = Ballot(1),
                       .decree = Decree(5)});
  for (int i = 5; i <= 6; ++i) CommitWrite(h, i);
  EXPECT_EQ(h.View(kP).last_committed, Decree(6));
  h.Fire(kP, MakeReplicaTimerId(kGpid, ReplicaTimer::kCheckpoint));
  const LearnRequest req2 = ProposeLearner(h);
  EXPECT_NE(req2.signature, stale.config.learner_signature);
  EXPECT_EQ(req2.request_in_round, stale.request_in_round);
  const LearnResponse fresh = AskPrimary(h, req2);
  h.Deliver(kP, kL, stale);
  h.CompleteLogs(kL);
  h.Deliver(kP, kL, fresh);
  h.CompleteLogs(kL);
  return h.View(kL).last_committed;
}

TEST(BugZooLearn, LearnerStaleSignatureAppliesAnEarlierRoundsCheckpoint) {
  EXPECT_EQ(StaleRoundAnswerArrives(std::nullopt), Decree(6)) << "round 1's answer is ignored";
  // The old round's checkpoint is taken as the answer, and the current round's is then dropped.
  EXPECT_EQ(StaleRoundAnswerArrives(Bug::kLearnerStaleSignature), Decree(4));
}

// The learner is in round 2 when round 1's add-learner request, which straggled, arrives. Returns
// that delivery's effects.
Outbox StaleAddLearnerArrives(std::optional<Bug> bug) {
  Harness h(Options(bug));
  h.StartGroup({kS2});
  for (int i = 1; i <= 2; ++i) CommitWrite(h, i);
  h.BootEmpty(kL);
  const LearnRequest round1 = ProposeLearner(h);
  h.Deliver(kL, kP,
            PrepareAck{.gpid = kGpid,
                       .error = ErrorCode::kInvalidState,
                       .ballot = Ballot(1),
                       .decree = Decree(3)});  // kP drops the learner
  const ConfigProposal add{
      .type = ConfigType::kAddSecondary, .config = h.Config({kS2}), .node = kL};
  auto adds = Sent<AddLearnerRequest>(h.Deliver(kMeta, kP, add));
  EXPECT_EQ(adds.size(), 1u);
  if (adds.empty()) return {};
  AddLearnerRequest stale = adds[0].second;
  EXPECT_GT(stale.config.learner_signature, round1.signature);
  h.Deliver(kP, kL, stale);  // round 2 starts
  h.CompleteLogs(kL);
  stale.config.learner_signature = round1.signature;
  return h.Deliver(kP, kL, stale);
}

TEST(BugZooLearn, LearnerStaleSignatureRestartsAReplacedRound) {
  const Outbox off = StaleAddLearnerArrives(std::nullopt);
  EXPECT_TRUE(HasMark(off, "learn.stale_add_learner"));
  EXPECT_FALSE(HasMark(off, "learn.start")) << "round 2 goes on";
  const Outbox on = StaleAddLearnerArrives(Bug::kLearnerStaleSignature);
  EXPECT_TRUE(HasMark(on, "learn.start")) << "round 1 starts over, its answers welcome again";
}

// A learner gets LT_APP at decree 4; returns whether it caught up, and its commit point.
std::pair<bool, Decree> LearnACheckpoint(std::optional<Bug> bug) {
  Harness h(Options(bug));
  h.StartGroup({kS2});
  for (int i = 1; i <= 4; ++i) CommitWrite(h, i);
  h.Fire(kP, MakeReplicaTimerId(kGpid, ReplicaTimer::kCheckpoint));
  h.BootEmpty(kL);
  const LearnResponse resp = AskPrimary(h, ProposeLearner(h));
  EXPECT_EQ(resp.type, LearnType::kApp);
  Outbox out = h.Deliver(kP, kL, resp);
  EXPECT_TRUE(HasMark(out, "learn.from_checkpoint"));
  return {HasMark(out, "learn.caught_up"), h.View(kL).last_committed};
}

TEST(BugZooLearn, PrepareListKeptAfterLearnLeavesTheCommitPointBehindTheCheckpoint) {
  EXPECT_EQ(LearnACheckpoint(std::nullopt), std::make_pair(true, Decree(4)));
  // The engine holds decrees 1..4, the prepare list still says nothing is committed: the
  // replica's own invariant (what is applied is what is committed) stops the run.
  EXPECT_DEATH(LearnACheckpoint(Bug::kPrepareListKeptAfterLearn), "applied != committed");
}

// A learner gets decrees 1..4 from the primary's cache (no checkpoint yet); returns how many log
// appends accepting them made.
size_t AppendsForLearnedMutations(std::optional<Bug> bug) {
  Harness h(Options(bug));
  h.StartGroup({kS2});
  for (int i = 1; i <= 4; ++i) CommitWrite(h, i);
  h.BootEmpty(kL);
  const LearnResponse resp = AskPrimary(h, ProposeLearner(h));
  EXPECT_NE(resp.type, LearnType::kApp) << "served from the log cache";
  EXPECT_EQ(resp.mutations.size(), 4u);
  return AppendsOf(h.Deliver(kP, kL, resp)).size();
}

TEST(BugZooLearn, LearnedMutationsUnloggedAcceptsThemWithoutALogAppend) {
  EXPECT_EQ(AppendsForLearnedMutations(std::nullopt), 4u) << "one append per learned mutation";
  EXPECT_EQ(AppendsForLearnedMutations(Bug::kLearnedMutationsUnlogged), 0u);
}

// kP commits 4 writes with kS2 (a group needs two members to commit); while kP is down one bit of
// its log's second record rots. Returns kP's view after the restart.
ReplicaServer::ReplicaView RestartOverARottenRecord(std::optional<Bug> bug) {
  Harness h(Options(bug));
  h.StartGroup({kS2});
  for (int i = 1; i <= 4; ++i) CommitWrite(h, i);
  EXPECT_EQ(h.View(kP).last_committed, Decree(4));
  std::string& log = h.server(kP).disk.files.at(SegmentName(PlogBaseName(kGpid), 0));
  LogReader reader(log);
  LogRecord record;
  std::vector<uint64_t> ends;
  while (reader.Next(&record)) ends.push_back(reader.valid_bytes());
  EXPECT_GE(ends.size(), 3u);
  log[ends[0] + kLogPrefixBytes + 8] ^= 1;  // the decree of the second record
  h.Build(kP);
  Outbox boot = h.Step(kP, Boot{});
  EXPECT_EQ(HasMark(boot, "replica.plog_replay_past_corrupt"), bug.has_value());
  return h.View(kP);
}

TEST(BugZooReplay, ReplayPastCorruptReplaysTheRecordsAfterTheDamage) {
  const ReplicaServer::ReplicaView off = RestartOverARottenRecord(std::nullopt);
  EXPECT_EQ(off.status, PartitionStatus::kError) << "the damaged log fail-stops the replica";
  // The records after the damage are prepared above a hole the log cannot fill: a reconciliation
  // by this replica would commit an empty write in its place.
  const ReplicaServer::ReplicaView on = RestartOverARottenRecord(Bug::kReplayPastCorrupt);
  EXPECT_NE(on.status, PartitionStatus::kError);
  EXPECT_EQ(on.last_prepared, Decree(4));
  EXPECT_LT(on.last_committed, Decree(2));
}

}  // namespace
}  // namespace pg::testing
