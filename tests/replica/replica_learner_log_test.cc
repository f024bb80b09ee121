// A learner's private log starts afresh (Replica::StartFreshLog; Pegasus's learner resets its
// private log at the learned state): a replay after a restart must never meet the records of the
// history the group abandoned (scenarios/regressions/pegasus_swarm_seed940_learner_log.json).
#include <gtest/gtest.h>

#include "core/replica/replica_init_info.h"
#include "core/replica/replica_log.h"
#include "tests/replica/replica_harness.h"

namespace pg::testing {
namespace {

// The configuration meta persists once kS2 took over from kP: ballot 3, kS3 its secondary.
PartitionConfiguration Ballot3(const Harness& h) {
  PartitionConfiguration pc = h.Config();
  pc.ballot = Ballot(3);
  pc.primary = kS2;
  pc.secondaries = {kS3};
  pc.last_drops = {kP};
  return pc;
}

// Restarts `id` after a process crash (its disk as the completed appends left it), with a lease;
// meta lists it nowhere.
// kP, primary of ballot 2, makes the receiver its learner.
AddLearnerRequest LearnerOfBallot2(uint64_t signature) {
  return AddLearnerRequest{
      .config = ReplicaConfiguration{.gpid = kGpid,
                                     .ballot = Ballot(2),
                                     .primary = kP,
                                     .status = PartitionStatus::kPotentialSecondary,
                                     .learner_signature = signature},
      .partition_count = 1};
}

// Writes `value` through kS2 (primary) and kS3; returns the prepares kS2 sent to anyone else.
std::vector<PrepareRequest> WriteThroughS2(Harness& h, const std::string& value, uint64_t id) {
  Outbox out = h.Deliver(kClient, kS2, Write(OpKind::kSet, "h", "s", value, id));
  h.CompleteLogs(kS2);
  std::vector<PrepareRequest> others;
  for (auto& [to, prep] : Sent<PrepareRequest>(out)) {
    if (to != kS3) {
      others.push_back(prep);
      continue;
    }
    h.Deliver(kS2, kS3, prep);
    for (auto& [p, ack] : Sent<PrepareAck>(h.CompleteLogs(kS3))) h.Deliver(kS3, p, ack);
  }
  return others;
}

// The old primary kP logged decree 1 ("old", ballot 1) and crashed before anyone else got it.
// kS2 took over at ballot 3 and committed decrees 1..3 ("new1".."new3") with kS3. kP restarts,
// its log replayed (decree 1 of ballot 1 prepared), and is added back as a learner of kS2. The
// primary's prepare of decree 4, whose header says "committed through 3", reaches kP's log
// before the learned decrees 1..3 (it went out with the learn response). kP restarts again.
TEST(ReplicaLearnerLog, ARestartedLearnerNeverCommitsARecordOfTheAbandonedHistory) {
  Harness h;
  h.StartGroup();
  h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "old", 1));
  h.CompleteLogs(kP);  // in kP's log; its prepares are lost
  h.Deliver(kMeta, kS2,
            ConfigProposal{.type = ConfigType::kUpgradeToPrimary,
                           .config =
                               [&] {
                                 PartitionConfiguration pc = Ballot3(h);
                                 pc.ballot = Ballot(2);
                                 pc.primary.reset();
                                 pc.secondaries = {kS2, kS3};
                                 return pc;
                               }(),
                           .node = kS2});
  h.Deliver(kMeta, kS2, UpdateConfigResponse{.error = ErrorCode::kOk, .config = Ballot3(h)});
  ASSERT_EQ(h.View(kS2).status, PartitionStatus::kPrimary);
  for (uint64_t i = 1; i <= 3; ++i) WriteThroughS2(h, "new" + std::to_string(i), 10 + i);
  ASSERT_EQ(h.View(kS2).last_committed, Decree(3));

  h.BootEmpty(kP);
  ASSERT_EQ(h.View(kP).last_prepared, Decree(1)) << "the abandoned record, replayed";
  ASSERT_EQ(h.View(kP).last_committed, Decree(0));

  // Meta adds kP back; it learns from kS2.
  Outbox add = h.Deliver(
      kMeta, kS2,
      ConfigProposal{.type = ConfigType::kAddSecondary, .config = Ballot3(h), .node = kP});
  auto adds = Sent<AddLearnerRequest>(add);
  ASSERT_EQ(adds.size(), 1u);
  Outbox start = h.Deliver(kS2, kP, adds[0].second);
  EXPECT_TRUE(HasMark(start, "learn.log_reset"));
  EXPECT_TRUE(Sent<LearnRequest>(start).empty()) << "nothing of the round before the reset";
  auto reqs = Sent<LearnRequest>(start);
  // The index entry that moves kP's first plog segment; once durable, kP asks to learn.
  for (auto& r : Sent<LearnRequest>(h.CompleteLogs(kP))) reqs.push_back(r);
  ASSERT_EQ(reqs.size(), 1u);
  Outbox at_primary = h.Deliver(kP, kS2, reqs[0].second);
  auto resps = Sent<LearnResponse>(at_primary);
  ASSERT_EQ(resps.size(), 1u);
  ASSERT_EQ(resps[0].second.prepare_start_decree, Decree(4));
  ASSERT_EQ(resps[0].second.mutations.size(), 3u);
  // Decree 4's prepare (header: committed through 3) reaches kP before the response.
  std::vector<PrepareRequest> to_learner = WriteThroughS2(h, "new4", 14);
  ASSERT_EQ(to_learner.size(), 1u);
  ASSERT_EQ(to_learner[0].mutation.last_committed_decree, Decree(3));
  h.Deliver(kS2, kP, to_learner[0]);
  h.Deliver(kS2, kP, resps[0].second);
  h.CompleteLogs(kP);
  ASSERT_EQ(h.View(kP).last_committed, Decree(3));
  for (int64_t d = 1; d <= 3; ++d) {
    ASSERT_EQ(h.node(kP).MutationDigest(kGpid, Decree(d)),
              h.node(kS2).MutationDigest(kGpid, Decree(d)));
  }

  // The replay commits only what the current history's records justify: decree 1 is "new1".
  h.BootEmpty(kP);
  EXPECT_NE(h.View(kP).status, PartitionStatus::kError);
  EXPECT_EQ(h.View(kP).last_prepared, Decree(4));
  ASSERT_GE(h.View(kP).last_committed, Decree(1));
  for (int64_t d = 1; d <= h.View(kP).last_committed.value(); ++d) {
    EXPECT_EQ(h.node(kP).MutationDigest(kGpid, Decree(d)),
              h.node(kS2).MutationDigest(kGpid, Decree(d)))
        << "decree " << d << " committed on replay differs from the group's";
  }
}

// A learner whose engine holds applied decrees not yet flushed: they are flushed before the log
// that covers them is left behind, and the replica index names the new first segment, durably,
// before the learner asks for anything.
TEST(ReplicaLearnerLog, TheEngineIsFlushedAndTheIndexMovedBeforeTheFirstRequest) {
  Harness h;
  h.StartGroup({kS2});
  for (uint64_t i = 1; i <= 2; ++i) {
    Outbox out = h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "v" + std::to_string(i), i));
    h.CompleteLogs(kP);
    for (auto& [to, prep] : Sent<PrepareRequest>(out)) {
      h.Deliver(kP, to, prep);
      for (auto& [p, ack] : Sent<PrepareAck>(h.CompleteLogs(to))) h.Deliver(to, p, ack);
    }
  }
  // kS2 learns decree 2 committed from a group check; its log (plog.1.0) holds decrees 1 and 2.
  h.Deliver(kP, kS2,
            GroupCheckRequest{.config = ReplicaConfiguration{.gpid = kGpid,
                                                             .ballot = Ballot(1),
                                                             .primary = kP,
                                                             .status = PartitionStatus::kSecondary},
                              .last_committed_decree = Decree(2)});
  ASSERT_EQ(h.View(kS2).last_committed, Decree(2));
  const std::string old_log = PlogBaseName(kGpid);
  ASSERT_TRUE(h.server(kS2).disk.Exists(old_log));

  // A primary of a later ballot makes kS2 its learner.
  Outbox start = h.Deliver(kP, kS2, LearnerOfBallot2(77));
  EXPECT_TRUE(HasMark(start, "learn.log_reset"));
  EXPECT_TRUE(Sent<LearnRequest>(start).empty());
  // The learner's ballot rise writes its init info, then the reset writes the index.
  std::vector<AppendLog> index_appends;
  for (const Effect& e : start.effects()) {
    const auto* a = std::get_if<AppendLog>(&e);
    if (a != nullptr && a->file != InitInfoBaseName(kGpid)) index_appends.push_back(*a);
  }
  ASSERT_EQ(index_appends.size(), 1u);
  EXPECT_EQ(index_appends[0].file, std::string(kReplicaIndexFile));
  EXPECT_TRUE(index_appends[0].sync);
  // Flushed: a config sync reports the applied decrees durable.
  auto syncs = Sent<ConfigSyncRequest>(h.Fire(kS2, TimerId(2)));
  ASSERT_EQ(syncs.size(), 1u);
  ASSERT_EQ(syncs[0].second.stored_replicas.size(), 1u);
  EXPECT_EQ(syncs[0].second.stored_replicas[0].last_durable_decree, Decree(2));

  auto reqs = Sent<LearnRequest>(h.CompleteLogs(kS2));
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].second.last_committed_decree_in_app, Decree(2));
  SegmentedRead index = ReadSegments(h.server(kS2).disk, kReplicaIndexFile, 0);
  ASSERT_TRUE(index.status.ok());
  ASSERT_FALSE(index.records.empty());
  Result<ReplicaIndexEntry> last = DecodeIndexEntry(index.records.back());
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->gpid, kGpid);
  EXPECT_FALSE(last->dropped);
  EXPECT_EQ(last->first_log_segment, 1) << "past plog.1.0";

  // What the round logs goes to the new segment; the old one is never read again.
  const size_t old_size = h.server(kS2).disk.files.at(old_log).size();
  h.Deliver(kP, kS2,
            PrepareRequest{
                .config = ReplicaConfiguration{.gpid = kGpid,
                                               .ballot = Ballot(2),
                                               .primary = kP,
                                               .status = PartitionStatus::kPotentialSecondary,
                                               .learner_signature = 77},
                .mutation = Mutation{
                    .ballot = Ballot(2), .decree = Decree(3), .last_committed_decree = Decree(2)}});
  h.CompleteLogs(kS2);
  EXPECT_EQ(h.server(kS2).disk.files.at(old_log).size(), old_size);
  EXPECT_TRUE(h.server(kS2).disk.Exists(SegmentName(old_log, 1)));
}

// The index entry of a reset fails: the index may still name the old first segment, so the
// learner must never append to the new one; it fails (Pegasus: a local learning error is
// PS_ERROR) and asks for nothing.
TEST(ReplicaLearnerLog, AFailedResetEntryFailsTheLearner) {
  Harness h;
  h.StartGroup({kS2});
  Outbox w = h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "v", 1));
  h.CompleteLogs(kP);
  for (auto& [to, prep] : Sent<PrepareRequest>(w)) h.Deliver(kP, to, prep);
  h.CompleteLogs(kS2);  // kS2's log holds decree 1
  Outbox start = h.Deliver(kP, kS2, LearnerOfBallot2(5));
  ASSERT_TRUE(HasMark(start, "learn.log_reset"));
  Server& s = h.server(kS2);
  ASSERT_EQ(s.pending_logs.size(), 2u);
  ASSERT_EQ(s.pending_logs.front().file, InitInfoBaseName(kGpid));  // the ballot rise
  h.CompleteLogs(kS2, 1);
  const AppendLog entry = s.pending_logs.front();
  s.pending_logs.pop_front();
  ASSERT_EQ(entry.file, std::string(kReplicaIndexFile));
  Outbox failed = h.Step(kS2, LogFailed{.file = entry.file,
                                        .token = entry.token,
                                        .status = Status(ErrorCode::kIoError, "injected")});
  EXPECT_EQ(h.View(kS2).status, PartitionStatus::kError);
  EXPECT_TRUE(Sent<LearnRequest>(failed).empty());
}

}  // namespace
}  // namespace pg::testing
