// The replica index across a failed append: what reached the file is unknown, so later entries go
// to a fresh segment, and a restart still finds every replica indexed after the failure. A boot
// reads segments 0, 1, ... and stops at the first missing one, so when the failed append created
// nothing the fresh segment is that very one
// (scenarios/regressions/pegasus_swarm_seed7665_index_gap.json).
#include <gtest/gtest.h>

#include "core/replica/replica_init_info.h"
#include "core/replica/replica_log.h"
#include "core/storage/segmented_log.h"
#include "tests/replica/replica_harness.h"

namespace pg::testing {
// Named: the batched build compiles this file with siblings that have helpers of the same names.
namespace replica_index_test {

constexpr NodeId kS{2};
constexpr Gpid kOther{.app_id = 1, .partition_index = 1};

void Connect(Harness& h) {
  h.Build(kS);
  h.Step(kS, Boot{});
  h.Deliver(kMeta, kS, BeaconAck{.send_time = h.now, .is_master = true});
  h.CompleteLogs(kS);  // what the boot appended: a ballot its replay raised, if any
}

// Meta proposes the server as kOther's first primary, so it creates the replica empty; the index
// append announcing it fails. `torn` bytes of it reach the file first, as a failed write may leave.
void FailCreatingOther(Harness& h, const std::string& torn) {
  PartitionConfiguration other = h.Config({}, 2);
  other.gpid = kOther;
  Outbox out = h.Deliver(kMeta, kS, Harness::FirstPrimaryProposal(other, kS));
  ASSERT_TRUE(HasMark(out, "replica_server.replica_created"));
  Server& s = h.server(kS);
  // The replica's init info is written first (it succeeds), then the index entry.
  ASSERT_EQ(s.pending_logs.size(), 2u);
  ASSERT_EQ(s.pending_logs.front().file, InitInfoBaseName(kOther));
  h.CompleteLogs(kS, 1);
  ASSERT_EQ(s.pending_logs.size(), 1u);
  const AppendLog a = s.pending_logs.front();
  s.pending_logs.clear();
  if (!torn.empty()) s.disk.files[a.file] += torn;
  out = h.Step(
      kS, LogFailed{
              .file = a.file, .token = a.token, .status = Status(ErrorCode::kIoError, "injected")});
  EXPECT_TRUE(HasMark(out, "replica_server.replica_dropped"));
  EXPECT_EQ(HasMark(out, "replica_server.index_segment_kept"), torn.empty());
}

// The server creates kGpid's replica and is listed as its secondary; the append succeeds. Then the
// process restarts.
void CreateThenRestart(Harness& h) {
  h.CreateListed(kS, h.Config());
  ASSERT_EQ(h.View(kS).status, PartitionStatus::kSecondary);
  Connect(h);
}

// Swarm seed 7665: a server's first index append ever failed and created no file; the entries
// after it went to "replicas.1", which no boot reads past a missing "replicas". Restarted, the
// server forgot the partition it was primary of, meta let it create it empty (as meta then did for
// a member that never held its replica), and it committed a different decree 1.
TEST(ReplicaIndex, AReplicaIndexedAfterAFailedFirstAppendIsLoadedAtBoot) {
  Harness h;
  Connect(h);
  FailCreatingOther(h, "");
  CreateThenRestart(h);
  const auto views = h.node(kS).Views(h.now);
  ASSERT_EQ(views.size(), 1u) << "the restarted server lost its index";
  EXPECT_EQ(views[0].gpid, kGpid);
  EXPECT_EQ(views[0].status, PartitionStatus::kInactive);
  EXPECT_FALSE(h.server(kS).disk.Exists(SegmentName(kReplicaIndexFile, 1)));
}

// A failed append that left bytes behind ends its segment: later entries go to the next one, and
// a boot reads past the cut into it.
TEST(ReplicaIndex, AFailedAppendThatReachedTheFileMovesTheIndexToTheNextSegment) {
  Harness h;
  Connect(h);
  FailCreatingOther(h, "torn");
  CreateThenRestart(h);
  EXPECT_TRUE(h.server(kS).disk.Exists(SegmentName(kReplicaIndexFile, 1)));
  const auto views = h.node(kS).Views(h.now);
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0].gpid, kGpid);
}

}  // namespace replica_index_test
}  // namespace pg::testing
