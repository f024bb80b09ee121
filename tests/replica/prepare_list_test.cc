// PrepareList's commit rules (Pegasus: prepare_list::commit).
#include "core/replica/prepare_list.h"

#include <gtest/gtest.h>

namespace pg::testing {
namespace {

Mutation At(int64_t decree, int64_t ballot) {
  return Mutation{.ballot = Ballot(ballot), .decree = Decree(decree)};
}

// Prepares and logs each mutation.
PrepareList Holding(std::initializer_list<Mutation> mutations) {
  PrepareList plist(Decree(0));
  for (const Mutation& mu : mutations) {
    EXPECT_TRUE(plist.Prepare(mu));
    plist.GetMutable(mu.decree)->logged = true;
  }
  return plist;
}

TEST(PrepareListCommit, ASoftCommitStopsWhereTheBallotFallsAndTheNextCallGoesOn) {
  // Decree 2's re-prepare under ballot 7 was lost: it is still held at ballot 5.
  PrepareList plist = Holding({At(1, 7), At(2, 5), At(3, 7)});
  std::vector<int64_t> applied;
  auto apply = [&](const Mutation& mu) {
    applied.push_back(mu.decree.value());
    return Status::Ok();
  };
  ASSERT_TRUE(plist.CommitTo(Decree(3), apply).ok());
  EXPECT_EQ(plist.last_committed(), Decree(1)) << "not past a ballot that falls within the call";
  ASSERT_TRUE(plist.CommitTo(Decree(3), apply).ok());
  EXPECT_EQ(plist.last_committed(), Decree(3));
  EXPECT_EQ(applied, (std::vector<int64_t>{1, 2, 3}));
}

TEST(PrepareListCommit, ASoftCommitStopsAtAHoleAndAtItsTarget) {
  PrepareList plist = Holding({At(1, 3), At(2, 3), At(4, 3)});
  auto apply = [](const Mutation&) { return Status::Ok(); };
  ASSERT_TRUE(plist.CommitTo(Decree(1), apply).ok());
  EXPECT_EQ(plist.last_committed(), Decree(1));
  ASSERT_TRUE(plist.CommitTo(Decree(4), apply).ok());
  EXPECT_EQ(plist.last_committed(), Decree(2)) << "decree 3 is missing";
}

TEST(PrepareListCommit, AFailedApplyLeavesTheCommitPoint) {
  PrepareList plist = Holding({At(1, 3), At(2, 3)});
  int calls = 0;
  auto apply = [&](const Mutation&) {
    return ++calls == 2 ? Status(ErrorCode::kIoError, "disk") : Status::Ok();
  };
  EXPECT_EQ(plist.CommitTo(Decree(2), apply).code(), ErrorCode::kIoError);
  EXPECT_EQ(plist.last_committed(), Decree(1));
}

}  // namespace
}  // namespace pg::testing
