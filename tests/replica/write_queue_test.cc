// WriteQueue, Pegasus's mutation_queue, on its own: the pipeline bound, batching, and row locks.
#include "core/replica/write_queue.h"

#include <gtest/gtest.h>

namespace pg {
namespace {

QueuedWrite Queued(OpKind kind, std::string hashkey, uint64_t id, std::string value = "v") {
  return {.client = NodeId(7),
          .request = ClientRequest{.request_id = id,
                                   .kind = kind,
                                   .hashkey = std::move(hashkey),
                                   .sortkey = "s",
                                   .value = std::move(value)}};
}

std::vector<uint64_t> Ids(const QueuedMutation& mu) {
  std::vector<uint64_t> ids;
  for (const QueuedWrite& w : mu.writes) ids.push_back(w.request.request_id);
  return ids;
}

WriteUpdate UpdateOf(std::string hashkey) {
  return WriteUpdate{.kind = OpKind::kSet, .hashkey = std::move(hashkey), .sortkey = "s"};
}

const Decree kNothingApplied{0};

TEST(WriteQueue, WithRoomAWriteIsAMutationAtOnce) {
  WriteQueue q;
  auto mu = q.AddWork(Queued(OpKind::kSet, "h", 1), false, true, kNothingApplied);
  ASSERT_TRUE(mu.has_value());
  EXPECT_EQ(Ids(*mu), std::vector<uint64_t>{1});
  EXPECT_TRUE(q.empty());
}

TEST(WriteQueue, WithoutRoomPutsAndRemovesBatchAndOtherWritesStandAlone) {
  WriteQueue q;
  EXPECT_FALSE(q.AddWork(Queued(OpKind::kSet, "a", 1), false, false, kNothingApplied));
  EXPECT_FALSE(q.AddWork(Queued(OpKind::kDel, "b", 2), false, false, kNothingApplied));
  EXPECT_FALSE(q.AddWork(Queued(OpKind::kIncr, "c", 3), false, false, kNothingApplied));
  EXPECT_FALSE(q.AddWork(Queued(OpKind::kMultiSet, "d", 4), false, false, kNothingApplied));
  EXPECT_FALSE(q.AddWork(Queued(OpKind::kSet, "e", 5), false, false, kNothingApplied));
  EXPECT_FALSE(q.AddWork(Queued(OpKind::kSet, "f", 6), false, false, kNothingApplied));
  EXPECT_EQ(q.waiting_writes(), 6u);
  EXPECT_FALSE(q.NextWork(false, kNothingApplied)) << "still no room";
  std::vector<std::vector<uint64_t>> order;
  while (auto mu = q.NextWork(true, kNothingApplied)) order.push_back(Ids(*mu));
  const std::vector<std::vector<uint64_t>> want = {{1, 2}, {3}, {4}, {5, 6}};
  EXPECT_EQ(order, want);
  EXPECT_TRUE(q.empty());
}

TEST(WriteQueue, ABatchStopsGatheringWhenFull) {
  WriteQueue q;
  const std::string big(WriteQueue::kFullBytes, 'x');
  EXPECT_FALSE(q.AddWork(Queued(OpKind::kSet, "a", 1, big), false, false, kNothingApplied));
  EXPECT_FALSE(q.AddWork(Queued(OpKind::kSet, "b", 2), false, false, kNothingApplied));
  auto first = q.NextWork(true, kNothingApplied);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(Ids(*first), std::vector<uint64_t>{1});
}

TEST(WriteQueue, ABlockedAtomicWaitsForItsRowAndLaterWorkGoesAhead) {
  WriteQueue q;
  q.EnterTwoPhaseCommit({UpdateOf("h")}, Decree(3), kNothingApplied);
  EXPECT_FALSE(q.AddWork(Queued(OpKind::kIncr, "h", 1), true, true, kNothingApplied))
      << "row h is written by decree 3, not applied";
  auto other = q.AddWork(Queued(OpKind::kIncr, "g", 2), true, true, kNothingApplied);
  ASSERT_TRUE(other.has_value()) << "another row is free";
  auto same_row = q.AddWork(Queued(OpKind::kSet, "h", 3), false, true, kNothingApplied);
  ASSERT_TRUE(same_row.has_value()) << "a write that is not a blocking candidate goes ahead";
  q.EnterTwoPhaseCommit({UpdateOf("h")}, Decree(5), kNothingApplied);
  EXPECT_FALSE(q.NextWork(true, Decree(3))) << "decree 5 wrote the row too";
  auto unblocked = q.NextWork(true, Decree(5));
  ASSERT_TRUE(unblocked.has_value());
  EXPECT_EQ(Ids(*unblocked), std::vector<uint64_t>{1});
  EXPECT_TRUE(q.empty());
}

TEST(WriteQueue, AnUnblockedAtomicComesBeforeTheQueue) {
  WriteQueue q;
  q.EnterTwoPhaseCommit({UpdateOf("h")}, Decree(1), kNothingApplied);
  EXPECT_FALSE(q.AddWork(Queued(OpKind::kIncr, "h", 1), true, true, kNothingApplied));
  EXPECT_FALSE(q.AddWork(Queued(OpKind::kSet, "a", 2), false, false, kNothingApplied));
  auto first = q.NextWork(true, Decree(1));
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(Ids(*first), std::vector<uint64_t>{1});
}

TEST(WriteQueue, ANonAtomicWriteIsNeverBlocked) {
  WriteQueue q;
  q.EnterTwoPhaseCommit({UpdateOf("h")}, Decree(1), kNothingApplied);
  EXPECT_TRUE(q.AddWork(Queued(OpKind::kIncr, "h", 1), false, true, kNothingApplied))
      << "a re-executed incr is not a blocking candidate";
}

}  // namespace
}  // namespace pg
