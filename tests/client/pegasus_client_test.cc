// Step-level rules of the PegasusClient (PEGASUS.md §1.11, DESIGN.md §4), each named after one.
#include "core/client/pegasus_client.h"

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "checker/history.h"
#include "core/common/crc.h"
#include "tests/client/client_rig.h"

namespace pg::testing {
namespace {

const NodeId kClientMeta{0};

class ClientFixture : public ClientRig {
 public:
  explicit ClientFixture(std::map<std::string, double> mix, int ops = 1,
                         Duration timeout = Millis(1000))
      : ClientRig(PegasusClientOptions{.process = 7,
                                       .meta_servers = {kClientMeta},
                                       .app_name = "temp",
                                       .hashkeys = 64,
                                       .sortkeys = 3,
                                       .ops = ops,
                                       .mix = std::move(mix),
                                       .timeout = timeout}) {}
  // Boots, answers the config query with `table`, and starts the first operation.
  std::pair<NodeId, ClientRequest> StartWith(const QueryConfigResponse& table) {
    Outbox boot = Step(At(0), Boot{});
    EXPECT_EQ(SentOf<QueryConfigRequest>(boot).size(), 1u);
    Receive(At(1), kClientMeta, table);
    Outbox op = Fire(At(5), PegasusClient::kNextOpTimer);
    auto sent = SentOf<ClientRequest>(op);
    EXPECT_EQ(sent.size(), 1u);
    return sent.empty() ? std::pair<NodeId, ClientRequest>{} : sent[0];
  }
};

TEST(PegasusClient, ClientRoutesByCrc64ModPartitionCount) {
  for (int n : {1, 4, 8, 7}) {
    ClientFixture f({{"get", 1}}, 20);
    auto [to, req] = f.StartWith(Table(n));
    for (int k = 0; k < 20; ++k) {
      const int expected = static_cast<int>(Crc64(req.hashkey) % n);
      EXPECT_EQ(req.partition_hash, Crc64(req.hashkey));
      EXPECT_EQ(req.gpid, (Gpid{1, expected}));
      EXPECT_EQ(to, NodeId(10 + expected)) << "sent to a server that is not the primary";
      EXPECT_EQ(req.app_name, "temp");
      f.Receive(At(10 + k), to, ClientResponse{.request_id = req.request_id});
      Outbox next = f.Fire(At(11 + k), PegasusClient::kNextOpTimer);
      if (k == 19) break;
      ASSERT_EQ(SentOf<ClientRequest>(next).size(), 1u);
      std::tie(to, req) = SentOf<ClientRequest>(next)[0];
    }
  }
}

TEST(PegasusClient, RefreshesConfigOnInvalidState) {
  ClientFixture f({{"set", 1}});
  auto [to, req] = f.StartWith(Table(4));
  const int p = req.gpid.partition_index;
  Outbox rejected = f.Receive(
      At(10), to, ClientResponse{.request_id = req.request_id, .error = ErrorCode::kInvalidState});
  // The cached primary is dropped and meta asked again; nothing is re-sent yet.
  EXPECT_FALSE(f.client().cached_config(p).has_value());
  EXPECT_EQ(SentOf<QueryConfigRequest>(rejected).size(), 1u);
  EXPECT_TRUE(SentOf<ClientRequest>(rejected).empty());
  // Meta names a new primary (higher ballot); the retry after the backoff goes there.
  f.Receive(At(12), kClientMeta, Table(4, 2, 20));
  Outbox retry = f.Fire(At(18), PegasusClient::kRetryTimer);
  const auto sent = SentOf<ClientRequest>(retry);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].first, NodeId(20 + p));
  EXPECT_NE(sent[0].second.request_id, req.request_id) << "each attempt has its own id";
  EXPECT_EQ(sent[0].second.value, req.value);
  // A late reply to the first attempt is not the answer to the second.
  f.Receive(At(19), to, ClientResponse{.request_id = req.request_id});
  EXPECT_EQ(f.client().completed(), 0);
  f.Receive(At(20), sent[0].first, ClientResponse{.request_id = sent[0].second.request_id});
  EXPECT_EQ(f.client().completed(), 1);
  ASSERT_EQ(f.records.size(), 2u);
  EXPECT_EQ(f.records[1].type, "ok");
  // An older answer never replaces a newer configuration.
  f.Receive(At(21), kClientMeta, Table(4, 1, 10));
  EXPECT_EQ(f.client().cached_config(p)->primary, NodeId(20 + p));
}

TEST(PegasusClient, BusyPrimaryIsRetriedWithoutRequery) {
  ClientFixture f({{"set", 1}});
  auto [to, req] = f.StartWith(Table(2));
  Outbox busy = f.Receive(
      At(10), to,
      ClientResponse{.request_id = req.request_id, .error = ErrorCode::kCapacityExceeded});
  EXPECT_TRUE(SentOf<QueryConfigRequest>(busy).empty());
  Outbox retry = f.Fire(At(18), PegasusClient::kRetryTimer);
  ASSERT_EQ(SentOf<ClientRequest>(retry).size(), 1u);
  EXPECT_EQ(SentOf<ClientRequest>(retry)[0].first, to);
}

TEST(PegasusClient, TimeoutIsUnknownOutcome) {
  // A write with no answer: never re-sent, and "info" at the deadline.
  ClientFixture w({{"set", 1}});
  w.StartWith(Table(2));
  Outbox retry = w.Fire(At(500), PegasusClient::kRetryTimer);
  EXPECT_TRUE(SentOf<ClientRequest>(retry).empty()) << "a maybe-applied write was re-sent";
  w.Fire(At(1005), PegasusClient::kDeadlineTimer);
  ASSERT_EQ(w.records.size(), 2u);
  EXPECT_EQ(w.records[1].type, "info");
  // A read with no answer had no effect: "fail".
  ClientFixture r({{"get", 1}});
  r.StartWith(Table(2));
  r.Fire(At(1005), PegasusClient::kDeadlineTimer);
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[1].type, "fail");
  // A write every attempt of which was refused before any prepare: "fail".
  ClientFixture n({{"del", 1}});
  auto [to, req] = n.StartWith(Table(2));
  n.Receive(At(10), to,
            ClientResponse{.request_id = req.request_id, .error = ErrorCode::kNotEnoughMember});
  n.Fire(At(1005), PegasusClient::kDeadlineTimer);
  ASSERT_EQ(n.records.size(), 2u);
  EXPECT_EQ(n.records[1].type, "fail");
}

// Once no backoff fits before the deadline, nothing starts another attempt: a config answer that
// still shows the partition without primary used to have the client ask meta again at once,
// answer after answer, a storm at one instant over a link without latency.
TEST(PegasusClient, NoAttemptAfterTheLastBackoffThatFitsBeforeTheDeadline) {
  ClientFixture f({{"get", 1}}, 1, Millis(100));
  QueryConfigResponse headless = Table(2);
  for (PartitionConfiguration& pc : headless.partitions) pc.primary.reset();
  f.Step(At(0), Boot{});
  f.Receive(At(1), kClientMeta, headless);
  Outbox op = f.Fire(At(5), PegasusClient::kNextOpTimer);  // deadline 105 ms
  EXPECT_TRUE(SentOf<ClientRequest>(op).empty());
  // Retries back off 8, 16, 32 ms, asking meta each time; the next delay (64 ms) passes the
  // deadline, and from then on answers start nothing.
  int64_t t = 5;
  for (int64_t delay : {8, 16, 32}) {
    t += delay;
    f.Receive(At(t - 1), kClientMeta, headless);
    f.Fire(At(t), PegasusClient::kRetryTimer);
  }
  for (int i = 0; i < 5; ++i) {
    Outbox answer = f.Receive(At(t + 1), kClientMeta, headless);
    EXPECT_TRUE(SentOf<QueryConfigRequest>(answer).empty()) << "answer " << i << " asked again";
    EXPECT_TRUE(SentOf<ClientRequest>(answer).empty());
  }
  f.Fire(At(105), PegasusClient::kDeadlineTimer);
  ASSERT_EQ(f.records.size(), 2u);
  EXPECT_EQ(f.records[1].type, "fail");
}

// Every operation's invocation and ok completion parse with the checker's strict reader.
// As Pegasus's client turns ttl_seconds into expire_ts_seconds: the client's own clock's epoch
// seconds plus the TTL, once per operation, sent and recorded alike.
TEST(PegasusClient, ATtlBecomesAnExpireTsByTheClientsClock) {
  ClientRig f(PegasusClientOptions{.process = 7,
                                   .meta_servers = {kClientMeta},
                                   .app_name = "temp",
                                   .hashkeys = 4,
                                   .sortkeys = 3,
                                   .ops = 1,
                                   .mix = {{"set", 1}},
                                   .ttl_fraction = 1,
                                   .ttl_s_max = 5,
                                   .timeout = Millis(1000)});
  f.Step(At(0), Boot{});
  f.Receive(At(1), kClientMeta, Table(1));
  Outbox op = f.Fire(At(12'345), PegasusClient::kNextOpTimer);
  ASSERT_EQ(SentOf<ClientRequest>(op).size(), 1u);
  const ClientRequest req = SentOf<ClientRequest>(op)[0].second;
  EXPECT_GE(req.expire_ts, 12u + 1) << "epoch second 12 plus a TTL of at least 1";
  EXPECT_LE(req.expire_ts, 12u + 5);
  ASSERT_FALSE(f.records.empty());
  EXPECT_EQ(f.records.back().type, "invoke");
  EXPECT_EQ(f.records.back().expire_ts, req.expire_ts);
}

TEST(PegasusClient, HistoryValuesFollowTheFormatTable) {
  ClientFixture f({{"get", 1},
                   {"set", 1},
                   {"del", 1},
                   {"incr", 1},
                   {"cas", 1},
                   {"multi_get", 1},
                   {"multi_set", 1},
                   {"multi_get_range", 1},
                   {"multi_del", 1},
                   {"sortkey_count", 1},
                   {"check_and_mutate", 1}},
                  300);
  auto [to, req] = f.StartWith(Table(1));
  for (int k = 0; k < 300; ++k) {
    ClientResponse resp{.request_id = req.request_id};
    if (req.kind == OpKind::kGet) resp.value = "v";
    if (req.kind == OpKind::kIncr) resp.new_value = 42;
    if (req.kind == OpKind::kCheckAndSet || req.kind == OpKind::kCheckAndMutate) {
      resp.cas_matched = k % 2 == 0;
    }
    if (req.kind == OpKind::kMultiGet && !req.range) resp.kvs = {{"s1", "x"}, {"cnt", "3"}};
    if (req.kind == OpKind::kSortkeyCount) resp.count = 2;
    if (req.kind == OpKind::kIncr) {
      EXPECT_EQ(req.sortkey, kCounterSortkey);
    }
    if (req.kind == OpKind::kSet || req.kind == OpKind::kCheckAndSet || req.kind == OpKind::kDel) {
      EXPECT_NE(req.sortkey, kCounterSortkey);
    }
    f.Receive(At(10 + 2 * k), to, resp);
    Outbox next = f.Fire(At(11 + 2 * k), PegasusClient::kNextOpTimer);
    if (k == 299) break;
    ASSERT_EQ(SentOf<ClientRequest>(next).size(), 1u);
    std::tie(to, req) = SentOf<ClientRequest>(next)[0];
  }
  std::string jsonl;
  std::set<std::string> fs;
  for (size_t i = 0; i < f.records.size(); ++i) {
    const RecordOp& r = f.records[i];
    nlohmann::ordered_json line{
        {"process", r.process}, {"type", r.type}, {"f", r.f}, {"hashkey", r.hashkey}};
    if (!r.sortkey.empty()) line["sortkey"] = r.sortkey;
    line["value"] = nlohmann::json::parse(r.value_json);
    line["time"] = i;
    jsonl += line.dump() + "\n";
    fs.insert(r.f);
  }
  auto parsed = checker::ParseJsonlHistory(jsonl, "client test");
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  // multi_get_range is the history's multi_get with a range.
  EXPECT_EQ(fs.size(), 10u) << fmt::format("{}", fmt::join(fs, " "));
  for (const checker::Operation& op : parsed->operations) {
    if (op.f == checker::Fn::kMultiGet && op.range) {
      EXPECT_TRUE(op.kvs.empty()) << "a range read lists what it returned: nothing here";
    } else if (op.f == checker::Fn::kMultiGet) {
      EXPECT_EQ(op.kvs.size(), 4u);  // s0 s1 s2 cnt, absent ones as null
      EXPECT_EQ(op.kvs.at("s1"), "x");
      EXPECT_EQ(op.kvs.at("s0"), std::nullopt);
    }
    if (op.f == checker::Fn::kIncr) {
      EXPECT_EQ(op.result, "42");
    }
    if (op.f == checker::Fn::kSortkeyCount) {
      EXPECT_EQ(op.result, "2");
    }
  }
}

TEST(PegasusClient, UnknownTableFailsOperations) {
  ClientFixture f({{"set", 1}});
  f.Step(At(0), Boot{});
  f.Receive(At(1), kClientMeta, QueryConfigResponse{.error = ErrorCode::kAppNotExist});
  Outbox op = f.Fire(At(5), PegasusClient::kNextOpTimer);
  EXPECT_TRUE(SentOf<ClientRequest>(op).empty());
  ASSERT_EQ(f.records.size(), 2u);
  EXPECT_EQ(f.records[1].type, "fail");
}

}  // namespace
}  // namespace pg::testing
