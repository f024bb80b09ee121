// The bug zoo's switches on the data-model paths (core/common/bugs.h): atomic writes and multi_get
// by sortkey range. Each test runs the same steps with the switch off and on, so it fails if the
// guard is deleted (off would behave as on) or if the switch stops taking it away.
#include <gtest/gtest.h>

#include <memory>

#include "core/common/bugs.h"
#include "core/replica/sortkey_range.h"
#include "core/replica/write_executor.h"
#include "tests/replica/replica_harness.h"

namespace pg::testing {
namespace {

BugSet BugsOf(std::optional<Bug> bug) {
  BugSet bugs;
  if (bug) bugs.Enable(*bug);
  return bugs;
}

// A MemEngine whose point reads fail with kIoError once `fail_reads` is set, as a RocksDB read of
// an SST block fails on a disk error.
class ReadFailingEngine final : public KvEngine {
 public:
  explicit ReadFailingEngine(std::shared_ptr<bool> fail_reads)
      : fail_reads_(std::move(fail_reads)) {}
  Status ApplyBatch(Decree decree, const WriteBatch& batch) override {
    return mem_.ApplyBatch(decree, batch);
  }
  Result<std::optional<std::string>> Get(std::string_view hashkey, std::string_view sortkey,
                                         Time now) const override {
    if (*fail_reads_) return Status(ErrorCode::kIoError, "rocksdb get: IO error: injected");
    return mem_.Get(hashkey, sortkey, now);
  }
  Result<std::vector<SortkeyValue>> MultiGet(std::string_view hashkey, Time now) const override {
    return mem_.MultiGet(hashkey, now);
  }
  Result<std::vector<ScanRecord>> Scan(Time now) const override { return mem_.Scan(now); }
  Decree last_applied() const override { return mem_.last_applied(); }
  Decree last_durable() const override { return mem_.last_durable(); }
  Status Flush() override { return mem_.Flush(); }
  Result<Checkpoint> TakeCheckpoint() const override { return mem_.TakeCheckpoint(); }
  Status RestoreCheckpoint(const Checkpoint& checkpoint) override {
    return mem_.RestoreCheckpoint(checkpoint);
  }
  Result<std::unique_ptr<KvEngine>> Clone() const override { return mem_.Clone(); }
  void CheckInvariants() const override { mem_.CheckInvariants(); }

 private:
  std::shared_ptr<bool> fail_reads_;
  MemEngine mem_;
};

// ---- incr_read_error_resets --------------------------------------------------------------------

struct IncrAfterReadError {
  bool primary_failed = false;
  std::vector<WriteUpdate> prepared;    // what the primary prepared for the incr
  std::vector<ClientResponse> answers;  // what the client was told
};

// Idempotent atomic writes: a committed counter of 40, then an incr by 2 whose read fails on the
// primary.
IncrAfterReadError IncrWhoseReadFails(std::optional<Bug> bug) {
  auto fail_reads = std::make_shared<bool>(false);
  ReplicaServerOptions o = DefaultOptions();
  o.atomic_idempotent = true;
  o.bugs = BugsOf(bug);
  o.open_engine = [fail_reads](Gpid) -> Result<std::unique_ptr<KvEngine>> {
    return std::unique_ptr<KvEngine>(std::make_unique<ReadFailingEngine>(fail_reads));
  };
  Harness h(o);
  h.StartGroup();
  CommitByHand(h, h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "n", "40")));
  EXPECT_EQ(h.View(kP).last_committed, Decree(1));
  *fail_reads = true;
  Outbox p = h.Deliver(kClient, kP, Incr("h", "n", 2, 2));
  IncrAfterReadError r{.primary_failed = h.View(kP).status == PartitionStatus::kError};
  for (const auto& [to, prep] : Sent<PrepareRequest>(p)) {
    if (to == kS2) r.prepared = prep.mutation.updates;
  }
  for (const auto& [to, resp] : Sent<ClientResponse>(CommitByHand(h, p))) {
    r.answers.push_back(resp);
  }
  return r;
}

TEST(BugZooDataModel, IncrReadErrorResetsWritesZeroAndAnswersSuccess) {
  IncrAfterReadError fixed = IncrWhoseReadFails(std::nullopt);
  EXPECT_TRUE(fixed.primary_failed) << "a failed read fails the write and the replica";
  EXPECT_TRUE(fixed.prepared.empty());
  EXPECT_TRUE(fixed.answers.empty());

  IncrAfterReadError buggy = IncrWhoseReadFails(Bug::kIncrReadErrorResets);
  EXPECT_FALSE(buggy.primary_failed);
  ASSERT_EQ(buggy.prepared.size(), 1u);
  EXPECT_EQ(buggy.prepared[0].kind, OpKind::kSet);
  EXPECT_EQ(buggy.prepared[0].value, "0") << "the counter of 40 is reset";
  ASSERT_EQ(buggy.answers.size(), 1u);
  EXPECT_EQ(buggy.answers[0].error, ErrorCode::kOk);
  EXPECT_EQ(buggy.answers[0].new_value, 0);
}

// The re-executed path: each replica runs the incr when it applies the mutation.
TEST(BugZooDataModel, IncrReadErrorResetsAlsoOnTheReExecutedPath) {
  auto fail_reads = std::make_shared<bool>(true);
  ReadFailingEngine engine(fail_reads);
  const std::vector<WriteUpdate> incr{
      WriteUpdate{.kind = OpKind::kIncr, .hashkey = "h", .sortkey = "n", .increment = 2}};
  EXPECT_EQ(ApplyUpdates(incr, engine, {}, Time()).status().code(), ErrorCode::kIoError);
  Result<AppliedUpdates> buggy =
      ApplyUpdates(incr, engine, BugsOf(Bug::kIncrReadErrorResets), Time());
  ASSERT_TRUE(buggy.ok());
  ASSERT_EQ(buggy->batch.ops.size(), 1u);
  EXPECT_EQ(buggy->batch.ops[0].value, "0");
  EXPECT_TRUE(buggy->outcomes[0].status.ok());
  EXPECT_EQ(buggy->outcomes[0].new_value, 0);
}

// ---- atomic_expiry_at_apply_clock -----------------------------------------------------------

// A check_and_set expecting no value, taken by the primary at 9 s, one second before the value
// it checks expires, and applied by a replica whose clock reads 11 s (a secondary applying after
// the commit, or a learner replaying its log later): judged when it was taken, the value is
// there and the check fails on every replica; judged by the applier's clock, it passes here.
TEST(BugZooDataModel, AtomicExpiryAtApplyClockJudgesByTheAppliersClock) {
  MemEngine engine;
  WriteBatch put;
  put.Put("h", "s", "v", /*expire_ts=*/10);
  ASSERT_TRUE(engine.ApplyBatch(Decree(1), put).ok());
  const std::vector<WriteUpdate> cas{
      WriteUpdate{.kind = OpKind::kCheckAndSet,
                  .hashkey = "h",
                  .sortkey = "s",
                  .value = "w",
                  .check = CasCheck{.type = CheckType::kValueNotExist},
                  .timestamp = Time() + Seconds(9)}};
  const Time applier = Time() + Seconds(11);
  Result<AppliedUpdates> safe = ApplyUpdates(cas, engine, {}, applier);
  ASSERT_TRUE(safe.ok());
  EXPECT_FALSE(safe->outcomes[0].cas_matched);
  EXPECT_TRUE(safe->batch.ops.empty());
  Result<AppliedUpdates> buggy =
      ApplyUpdates(cas, engine, BugsOf(Bug::kAtomicExpiryAtApplyClock), applier);
  ASSERT_TRUE(buggy.ok());
  EXPECT_TRUE(buggy->outcomes[0].cas_matched);
  ASSERT_EQ(buggy->batch.ops.size(), 1u);
  EXPECT_EQ(buggy->batch.ops[0].value, "w");
}

// ---- range_limit_counts_iterated, range_filter_dropped ------------------------------------------

// Sortkeys a1 b1 a2 b2 a3 in byte order: a1 a2 a3 b1 b2.
std::vector<SortkeyValue> FiveRecords() {
  return {{"a1", "1"}, {"a2", "2"}, {"a3", "3"}, {"b1", "4"}, {"b2", "5"}};
}

std::string SortkeysOf(const std::vector<SortkeyValue>& kvs) {
  std::string out;
  for (const SortkeyValue& kv : kvs) out += kv.sortkey + " ";
  return out;
}

TEST(BugZooDataModel, RangeLimitCountsIteratedStopsShortOfTheLimit) {
  // Two records pass the postfix filter "2"; the limit of 2 counts them, not the three rejects
  // read on the way.
  const SortkeyRange r{.filter = FilterType::kPostfix, .pattern = "2", .limit = 2};
  EXPECT_EQ(SortkeysOf(SelectRange(FiveRecords(), r, {})), "a2 b2 ");
  EXPECT_EQ(SortkeysOf(SelectRange(FiveRecords(), r, BugsOf(Bug::kRangeLimitCountsIterated))),
            "a2 ")
      << "a1 and a2 used up the limit";
  const SortkeyRange rev{
      .filter = FilterType::kPrefix, .pattern = "a", .limit = 2, .reverse = true};
  EXPECT_EQ(SortkeysOf(SelectRange(FiveRecords(), rev, {})), "a3 a2 ");
  EXPECT_EQ(SortkeysOf(SelectRange(FiveRecords(), rev, BugsOf(Bug::kRangeLimitCountsIterated))), "")
      << "b2 and b1 used up the limit";
  const SortkeyRange plain{.start = "a2", .limit = 2};
  EXPECT_EQ(SelectRange(FiveRecords(), plain, BugsOf(Bug::kRangeLimitCountsIterated)).size(), 2u)
      << "without a filter every record read is returned: the switch changes nothing";
}

TEST(BugZooDataModel, RangeFilterDroppedReturnsWhatTheFilterRejects) {
  const SortkeyRange r{
      .start = "a2", .stop_inclusive = true, .filter = FilterType::kAnywhere, .pattern = "b"};
  EXPECT_EQ(SortkeysOf(SelectRange(FiveRecords(), r, {})), "b1 b2 ");
  EXPECT_EQ(SortkeysOf(SelectRange(FiveRecords(), r, BugsOf(Bug::kRangeFilterDropped))),
            "a2 a3 b1 b2 ");
  const SortkeyRange limited{.filter = FilterType::kPrefix, .pattern = "b", .limit = 1};
  EXPECT_EQ(SortkeysOf(SelectRange(FiveRecords(), limited, {})), "b1 ");
  EXPECT_EQ(SortkeysOf(SelectRange(FiveRecords(), limited, BugsOf(Bug::kRangeFilterDropped))),
            "a1 ");
}

}  // namespace
}  // namespace pg::testing
