// Scans as Pegasus's scanner runs them (pegasus_scanner_impl.cpp): pages until the context
// completes; a page answered "not found" resumes after the last record received; each context
// is one history operation.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/client/pegasus_client.h"
#include "core/proto/partition_hash.h"
#include "tests/client/client_rig.h"

namespace pg::testing {
namespace {

const NodeId kScanMeta{0};

ClientRig ScanRig(std::string kind) {
  return ClientRig(PegasusClientOptions{.process = 3,
                                        .meta_servers = {kScanMeta},
                                        .hashkeys = 6,
                                        .sortkeys = 3,
                                        .ops = 1,
                                        .mix = {{std::move(kind), 1}},
                                        .timeout = Millis(1000)});
}

nlohmann::json ValueOf(const RecordOp& r) { return nlohmann::json::parse(r.value_json); }

TEST(PegasusClientScan, PagesUntilTheContextCompletesAsOneOperation) {
  ClientRig f = ScanRig("scan");
  f.Step(At(0), Boot{});
  f.Receive(At(1), kScanMeta, Table(1));
  Outbox start = f.Fire(At(5), PegasusClient::kNextOpTimer);
  auto opened = SentOf<GetScannerRequest>(start);
  ASSERT_EQ(opened.size(), 1u);
  const GetScannerRequest& g = opened[0].second;
  EXPECT_EQ(opened[0].first, NodeId(10));
  EXPECT_FALSE(g.full_scan);
  EXPECT_EQ(g.range.limit, 0u);
  EXPECT_FALSE(g.range.reverse);
  EXPECT_GE(g.batch_size, 1);
  EXPECT_EQ(g.partition_hash, PartitionHash(g.hashkey, ""));
  const uint64_t first_id = g.request_id;
  Outbox next = f.Receive(
      At(6), NodeId(10),
      ScanResponse{.request_id = first_id, .records = {{g.hashkey, "s0", "a"}}, .context_id = 42});
  auto page = SentOf<ScanRequest>(next);
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].second.context_id, 42);
  f.Receive(At(7), NodeId(10),
            ScanResponse{.request_id = page[0].second.request_id,
                         .records = {{g.hashkey, "s1", "b"}},
                         .context_id = kScanCompleted});
  ASSERT_EQ(f.records.size(), 2u);
  EXPECT_EQ(f.records[0].type, "invoke");
  EXPECT_EQ(f.records[0].f, "scan");
  EXPECT_EQ(ValueOf(f.records[0])["start"], g.range.start);
  EXPECT_EQ(f.records[1].type, "ok");
  EXPECT_EQ(ValueOf(f.records[1]), (nlohmann::json{{g.hashkey, {{"s0", "a"}, {"s1", "b"}}}}));
  EXPECT_TRUE(f.client().finished());
}

TEST(PegasusClientScan, ALostContextFailsItsOperationAndTheNextResumesAfterTheLastRecord) {
  ClientRig f = ScanRig("scan");
  f.Step(At(0), Boot{});
  f.Receive(At(1), kScanMeta, Table(1));
  const GetScannerRequest g =
      SentOf<GetScannerRequest>(f.Fire(At(5), PegasusClient::kNextOpTimer))[0].second;
  Outbox next = f.Receive(
      At(6), NodeId(10),
      ScanResponse{
          .request_id = g.request_id, .records = {{g.hashkey, "s1", "x"}}, .context_id = 9});
  const ScanRequest page = SentOf<ScanRequest>(next)[0].second;
  Outbox resumed =
      f.Receive(At(7), NodeId(10),
                ScanResponse{.request_id = page.request_id, .error = ErrorCode::kNotFound});
  auto reopened = SentOf<GetScannerRequest>(resumed);
  ASSERT_EQ(reopened.size(), 1u);
  EXPECT_EQ(reopened[0].second.range.start, "s1");
  EXPECT_FALSE(reopened[0].second.range.start_inclusive) << "after the last record, exclusive";
  EXPECT_EQ(reopened[0].second.range.stop, g.range.stop);
  ASSERT_EQ(f.records.size(), 3u);
  EXPECT_EQ(f.records[1].type, "fail") << "the lost context's records are another snapshot's";
  EXPECT_EQ(f.records[2].type, "invoke");
  EXPECT_EQ(ValueOf(f.records[2])["start"], "s1");
  EXPECT_EQ(ValueOf(f.records[2])["start_inclusive"], false);
  f.Receive(
      At(8), NodeId(10),
      ScanResponse{.request_id = reopened[0].second.request_id, .context_id = kScanCompleted});
  ASSERT_EQ(f.records.size(), 4u);
  EXPECT_EQ(f.records[3].type, "ok");
  EXPECT_EQ(ValueOf(f.records[3]), nlohmann::json::object());
}

TEST(PegasusClientScan, AFullScanNamesItsPartitionAndResumesAfterTheLastKeyAtTheNewPrimary) {
  ClientRig f = ScanRig("full_scan");
  f.Step(At(0), Boot{});
  f.Receive(At(1), kScanMeta, Table(4));
  auto opened = SentOf<GetScannerRequest>(f.Fire(At(5), PegasusClient::kNextOpTimer));
  ASSERT_EQ(opened.size(), 1u);
  const GetScannerRequest g = opened[0].second;
  ASSERT_TRUE(g.full_scan);
  ASSERT_LT(g.partition_hash, 4u);
  const int p = static_cast<int>(g.partition_hash);
  EXPECT_EQ(opened[0].first, NodeId(10 + p));
  EXPECT_FALSE(g.after.has_value());
  const nlohmann::json invoke = ValueOf(f.records[0]);
  EXPECT_EQ(invoke["partition"], p);
  EXPECT_EQ(invoke["partition_count"], 4);
  for (const auto& h : invoke["hashkeys"]) {
    EXPECT_EQ(PartitionHash(h.get<std::string>(), "") % 4, static_cast<uint64_t>(p)) << h;
  }
  EXPECT_EQ(f.records[0].hashkey, "") << "a full scan names no hashkey";
  Outbox next = f.Receive(
      At(6), NodeId(10 + p),
      ScanResponse{.request_id = g.request_id, .records = {{"h9", "s0", "v"}}, .context_id = 3});
  const ScanRequest page = SentOf<ScanRequest>(next)[0].second;
  // The primary lost its lease: the client asks meta, then asks the new primary for the context.
  Outbox refused =
      f.Receive(At(7), NodeId(10 + p),
                ScanResponse{.request_id = page.request_id, .error = ErrorCode::kInvalidState});
  EXPECT_EQ(SentOf<QueryConfigRequest>(refused).size(), 1u);
  f.Receive(At(8), kScanMeta, Table(4, 2, 20));
  Outbox retried = f.Fire(At(20), PegasusClient::kRetryTimer);
  auto again = SentOf<ScanRequest>(retried);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].first, NodeId(20 + p));
  EXPECT_EQ(again[0].second.context_id, 3);
  Outbox resumed = f.Receive(
      At(21), NodeId(20 + p),
      ScanResponse{.request_id = again[0].second.request_id, .error = ErrorCode::kNotFound});
  auto reopened = SentOf<GetScannerRequest>(resumed);
  ASSERT_EQ(reopened.size(), 1u);
  ASSERT_TRUE(reopened[0].second.after.has_value());
  EXPECT_EQ(*reopened[0].second.after, (ScanKey{"h9", "s0"}));
  EXPECT_TRUE(reopened[0].second.full_scan);
  ASSERT_EQ(f.records.size(), 3u);
  EXPECT_EQ(ValueOf(f.records[2])["after"], (nlohmann::json{{"hashkey", "h9"}, {"sortkey", "s0"}}));
}

TEST(PegasusClientScan, AFullScanWaitsForThePartitionCountBeforeItStarts) {
  ClientRig f = ScanRig("full_scan");
  f.Step(At(0), Boot{});
  Outbox early = f.Fire(At(5), PegasusClient::kNextOpTimer);
  EXPECT_TRUE(SentOf<GetScannerRequest>(early).empty());
  EXPECT_TRUE(f.records.empty()) << "nothing is invoked before the partition is known";
  f.Receive(At(6), kScanMeta, Table(2));
  Outbox later = f.Fire(At(10), PegasusClient::kNextOpTimer);
  EXPECT_EQ(SentOf<GetScannerRequest>(later).size(), 1u);
  ASSERT_EQ(f.records.size(), 1u);
  EXPECT_EQ(f.records[0].type, "invoke");
}

TEST(PegasusClientScan, AScanWhoseContextsKeepGettingLostGivesUpAsAFailedRead) {
  ClientRig f = ScanRig("scan");
  f.Step(At(0), Boot{});
  f.Receive(At(1), kScanMeta, Table(1));
  GetScannerRequest g =
      SentOf<GetScannerRequest>(f.Fire(At(5), PegasusClient::kNextOpTimer))[0].second;
  int64_t t = 6;
  for (int context = 1; context <= 8; ++context) {
    Outbox next = f.Receive(At(t++), NodeId(10),
                            ScanResponse{.request_id = g.request_id,
                                         .records = {{g.hashkey, "s0", "v"}},
                                         .context_id = context});
    const ScanRequest page = SentOf<ScanRequest>(next)[0].second;
    Outbox lost =
        f.Receive(At(t++), NodeId(10),
                  ScanResponse{.request_id = page.request_id, .error = ErrorCode::kNotFound});
    auto reopened = SentOf<GetScannerRequest>(lost);
    if (context < 8) {
      ASSERT_EQ(reopened.size(), 1u) << "context " << context;
      g = reopened[0].second;
    } else {
      EXPECT_TRUE(reopened.empty()) << "the eighth lost context is the last";
    }
  }
  ASSERT_FALSE(f.records.empty());
  EXPECT_EQ(f.records.back().type, "fail");
  EXPECT_EQ(f.records.size(), 16u) << "eight contexts, each an invocation and a failure";
  EXPECT_TRUE(f.client().finished());
}

}  // namespace
}  // namespace pg::testing
