// Scans on the primary (Pegasus on_get_scanner, on_scan): pages of one context come from the
// snapshot the context opened with; a context is found only on the replica that opened it; a
// full scan reads its partition in Pegasus's key order from where it resumes.
#include <gtest/gtest.h>

#include "core/common/bugs.h"
#include "tests/replica/replica_harness.h"

namespace pg::testing {
namespace {

class ScanRng final : public Rng {
 public:
  uint64_t NextU64() override { return state_ += 0x9E3779B97F4A7C15ULL; }

 private:
  uint64_t state_ = 7;
};

// Commits `p`'s mutation on the whole group and spreads the commit point.
void CommitScanWrite(Harness& h, const Outbox& p) {
  CommitByHand(h, p);
  Outbox check = h.Fire(kP, MakeReplicaTimerId(kGpid, ReplicaTimer::kGroupCheck));
  for (auto& [to, req] : Sent<GroupCheckRequest>(check)) h.Deliver(kP, to, req);
}

void MultiSetOf(Harness& h, const std::string& hashkey, std::map<std::string, std::string> kvs,
                uint64_t id) {
  ClientRequest r = Write(OpKind::kMultiSet, hashkey, "", "", id);
  r.kvs = std::move(kvs);
  CommitScanWrite(h, h.Deliver(kClient, kP, r));
}

GetScannerRequest HashkeyScan(std::string hashkey, SortkeyRange range, int32_t batch, uint64_t id) {
  return GetScannerRequest{.request_id = id,
                           .gpid = kGpid,
                           .partition_hash = PartitionHash(hashkey, ""),
                           .hashkey = std::move(hashkey),
                           .range = std::move(range),
                           .batch_size = batch};
}

GetScannerRequest FullScan(std::optional<ScanKey> after, int32_t batch, uint64_t id) {
  return GetScannerRequest{.request_id = id,
                           .gpid = kGpid,
                           .partition_hash = 0,
                           .full_scan = true,
                           .after = std::move(after),
                           .batch_size = batch};
}

ScanResponse Page(Harness& h, NodeId to, Message req) {
  auto got = Sent<ScanResponse>(h.Deliver(kClient, to, std::move(req)));
  EXPECT_EQ(got.size(), 1u);
  return got.empty() ? ScanResponse{.error = ErrorCode::kTimeout} : got[0].second;
}

ScanRequest Next(int64_t context, uint64_t id) {
  return ScanRequest{.request_id = id, .gpid = kGpid, .context_id = context};
}

std::string ScanKeysText(const std::vector<ScanRecord>& records) {
  std::string out;
  for (const ScanRecord& r : records) out += r.hashkey + "/" + r.sortkey + "=" + r.value + " ";
  return out;
}

struct ScanFixture {
  ScanRng rng;
  Harness h;
  explicit ScanFixture(BugSet bugs = {}) : h(WithBugs(bugs)) {
    h.rng = &rng;
    h.StartGroup();
    h.RenewLeases();
  }
  static ReplicaServerOptions WithBugs(BugSet bugs) {
    ReplicaServerOptions o = DefaultOptions();
    o.bugs = bugs;
    return o;
  }
};

TEST(ReplicaScan, EveryPageOfAContextReadsTheSnapshotItOpenedWith) {
  ScanFixture f;
  MultiSetOf(f.h, "h", {{"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}}, 1);
  ScanResponse first = Page(f.h, kP, HashkeyScan("h", {}, 2, 2));
  ASSERT_EQ(first.error, ErrorCode::kOk);
  EXPECT_EQ(ScanKeysText(first.records), "h/a=1 h/b=2 ");
  ASSERT_GE(first.context_id, 0) << "two records remain";
  // Between the pages, c is overwritten and d deleted, both committed.
  CommitScanWrite(f.h, f.h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "c", "new", 3)));
  CommitScanWrite(f.h, f.h.Deliver(kClient, kP, Write(OpKind::kDel, "h", "d", "", 4)));
  ScanResponse second = Page(f.h, kP, Next(first.context_id, 5));
  ASSERT_EQ(second.error, ErrorCode::kOk);
  EXPECT_EQ(ScanKeysText(second.records), "h/c=3 h/d=4 ")
      << "the snapshot's, not the current values";
  EXPECT_EQ(second.context_id, kScanCompleted);
  // A fresh scan sees the writes.
  EXPECT_EQ(ScanKeysText(Page(f.h, kP, HashkeyScan("h", {}, 10, 6)).records),
            "h/a=1 h/b=2 h/c=new ");
}

TEST(ReplicaScan, AHashkeyScanReadsItsRangeAndFilter) {
  ScanFixture f;
  MultiSetOf(f.h, "h", {{"a", "1"}, {"b", "2"}, {"c", "3"}}, 1);
  MultiSetOf(f.h, "g", {{"a", "x"}}, 2);
  SortkeyRange range{.start = "a", .start_inclusive = false, .stop = "c", .stop_inclusive = true};
  EXPECT_EQ(ScanKeysText(Page(f.h, kP, HashkeyScan("h", range, 10, 3)).records), "h/b=2 h/c=3 ");
  range.filter = FilterType::kPrefix;
  range.pattern = "c";
  EXPECT_EQ(ScanKeysText(Page(f.h, kP, HashkeyScan("h", range, 10, 4)).records), "h/c=3 ");
  SortkeyRange limited{.limit = 1};
  EXPECT_EQ(Page(f.h, kP, HashkeyScan("h", limited, 10, 5)).error, ErrorCode::kInvalidArgument)
      << "a scan has no limit";
  EXPECT_EQ(Page(f.h, kP, HashkeyScan("h", {}, 0, 6)).error, ErrorCode::kInvalidArgument)
      << "a page holds at least one record";
}

TEST(ReplicaScan, AFullScanReadsThePartitionInKeyOrderAfterItsResumePoint) {
  ScanFixture f;
  MultiSetOf(f.h, "h", {{"a", "1"}, {"b", "2"}}, 1);
  MultiSetOf(f.h, "z", {{"a", "3"}}, 2);
  MultiSetOf(f.h, "aa", {{"a", "4"}}, 3);
  // A shorter hashkey orders first: h, z, then aa.
  EXPECT_EQ(ScanKeysText(Page(f.h, kP, FullScan(std::nullopt, 10, 4)).records),
            "h/a=1 h/b=2 z/a=3 aa/a=4 ");
  EXPECT_EQ(ScanKeysText(Page(f.h, kP, FullScan(ScanKey{"h", "a"}, 10, 5)).records),
            "h/b=2 z/a=3 aa/a=4 ");
  EXPECT_EQ(ScanKeysText(Page(f.h, kP, FullScan(ScanKey{"z", "a"}, 10, 6)).records), "aa/a=4 ");
}

TEST(ReplicaScan, ResumedFullScanUnderTheBugReadsOnlyTheRestOfOneHashkey) {
  BugSet bugs;
  bugs.Enable(Bug::kFullScanResumeAsHashkeyScan);
  ScanFixture f(bugs);
  MultiSetOf(f.h, "h", {{"a", "1"}, {"b", "2"}}, 1);
  MultiSetOf(f.h, "z", {{"a", "3"}}, 2);
  EXPECT_EQ(ScanKeysText(Page(f.h, kP, FullScan(ScanKey{"h", "a"}, 10, 3)).records), "h/b=2 ")
      << "Pegasus #824: z is left unread";
  EXPECT_EQ(ScanKeysText(Page(f.h, kP, FullScan(std::nullopt, 10, 4)).records),
            "h/a=1 h/b=2 z/a=3 ")
      << "a scan from the start is whole";
}

TEST(ReplicaScan, OnlyTheReplicaThatOpenedAContextFindsIt) {
  ScanFixture f;
  MultiSetOf(f.h, "h", {{"a", "1"}, {"b", "2"}}, 1);
  ScanResponse first = Page(f.h, kP, HashkeyScan("h", {}, 1, 2));
  ASSERT_GE(first.context_id, 0);
  EXPECT_EQ(Page(f.h, kS2, Next(first.context_id, 3)).error, ErrorCode::kInvalidState)
      << "a secondary serves no read";
  EXPECT_EQ(Page(f.h, kP, Next(first.context_id + 1, 4)).error, ErrorCode::kNotFound);
  ScanResponse second = Page(f.h, kP, Next(first.context_id, 5));
  EXPECT_EQ(ScanKeysText(second.records), "h/b=2 ");
  EXPECT_EQ(Page(f.h, kP, Next(first.context_id, 6)).error, ErrorCode::kNotFound)
      << "a page takes its context; the next has another id";
}

TEST(ReplicaScan, AScanOnAServerWithoutTheReplicaIsObjectNotFound) {
  ScanFixture f;
  f.h.Build(kL);
  f.h.BootEmpty(kL);
  EXPECT_EQ(Page(f.h, kL, HashkeyScan("h", {}, 1, 1)).error, ErrorCode::kObjectNotFound);
  EXPECT_EQ(Page(f.h, kL, Next(5, 2)).error, ErrorCode::kObjectNotFound);
}

TEST(ScannerCache, AContextLapsesAfterItsLifetimeAndIdsNeverRepeat) {
  ScannerCache cache;
  cache.Seed(int64_t{1} << 32);
  const Time t0 = Time::FromNanos(0);
  ScannerContext c{.rest = {ScanRecord{"h", "a", "1"}}, .batch_size = 1};
  const int64_t first = cache.Put(c, t0);
  const int64_t second = cache.Put(c, t0);
  EXPECT_EQ(first, int64_t{1} << 32);
  EXPECT_EQ(second, first + 1);
  EXPECT_TRUE(cache.Fetch(first, t0 + kScannerLifetime - Nanos(1)).has_value());
  EXPECT_FALSE(cache.Fetch(first, t0).has_value()) << "fetched once";
  EXPECT_FALSE(cache.Fetch(second, t0 + kScannerLifetime).has_value()) << "lapsed";
  EXPECT_EQ(cache.size(), 0u);
}

}  // namespace
}  // namespace pg::testing
