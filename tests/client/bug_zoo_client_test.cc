// The bug zoo's client switch client_incr_retry (core/common/bugs.h): an incr that got no
// definite answer is never re-sent (incr is not idempotent, PEGASUS.md §1.12) and ends "info";
// with the switch on the client re-sends it and reports a single "ok", so it may apply twice.
#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "core/client/pegasus_client.h"
#include "tests/client/client_rig.h"

namespace pg::testing {
namespace {

const NodeId kMetaNode{0};
const NodeId kPrimary{10};

PegasusClientOptions IncrOptions(bool bug) {
  PegasusClientOptions o{.process = 3,
                         .meta_servers = {kMetaNode},
                         .hashkeys = 4,
                         .sortkeys = 2,
                         .ops = 1,
                         .mix = {{"incr", 1}},
                         .timeout = Millis(1000)};
  if (bug) o.bugs.Enable(Bug::kClientIncrRetry);
  return o;
}

class IncrClient : public ClientRig {
 public:
  explicit IncrClient(bool bug) : ClientRig(IncrOptions(bug)) {}
  // Boots, learns a one-partition table whose primary is kPrimary, and sends the incr.
  ClientRequest Start() {
    Step(At(0), Boot{});
    QueryConfigResponse table{.error = ErrorCode::kOk, .app_id = 1, .partition_count = 1};
    table.partitions.push_back({.gpid = {1, 0}, .ballot = Ballot(1), .primary = kPrimary});
    Receive(At(1), kMetaNode, table);
    auto sent = SentOf<ClientRequest>(Fire(At(5), PegasusClient::kNextOpTimer));
    EXPECT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent.empty() ? OpKind::kGet : sent[0].second.kind, OpKind::kIncr);
    return sent.empty() ? ClientRequest{} : sent[0].second;
  }
  // Every incr sent in `out`.
  static std::vector<ClientRequest> Incrs(const Outbox& out) {
    std::vector<ClientRequest> v;
    for (auto& [to, req] : SentOf<ClientRequest>(out)) v.push_back(req);
    return v;
  }
};

// The first attempt goes unanswered (it may have applied; its reply was lost): returns the
// incrs the client sent after it.
int ResentAfterSilence(IncrClient& c, std::optional<ClientRequest>* resent) {
  c.Start();
  int n = 0;
  // The attempt timeout (a quarter of the operation's, were it set) then the backoff.
  for (auto [t, timer] :
       {std::pair{255, PegasusClient::kAttemptTimer}, std::pair{270, PegasusClient::kRetryTimer}}) {
    for (const ClientRequest& r : IncrClient::Incrs(c.Fire(At(t), timer))) {
      ++n;
      *resent = r;
    }
  }
  return n;
}

TEST(BugZooClient, SilentIncrIsUnknownWithoutTheSwitch) {
  IncrClient c(/*bug=*/false);
  std::optional<ClientRequest> resent;
  EXPECT_EQ(ResentAfterSilence(c, &resent), 0) << "a maybe-applied incr was re-sent";
  c.Fire(At(1005), PegasusClient::kDeadlineTimer);
  ASSERT_EQ(c.records.size(), 2u);
  EXPECT_EQ(c.records[1].type, "info");
}

TEST(BugZooClient, SilentIncrIsResentAndReportedOnceWithTheSwitch) {
  IncrClient c(/*bug=*/true);
  std::optional<ClientRequest> resent;
  EXPECT_EQ(ResentAfterSilence(c, &resent), 1);
  ASSERT_TRUE(resent.has_value());
  // The second attempt applies too (the first already had): one "ok" in the history.
  c.Receive(At(410), kPrimary, ClientResponse{.request_id = resent->request_id, .new_value = 2});
  ASSERT_EQ(c.records.size(), 2u);
  EXPECT_EQ(c.records[0].type, "invoke");
  EXPECT_EQ(c.records[1].type, "ok");
  EXPECT_EQ(c.records[1].f, "incr");
}

// A timeout answer from the primary: "info" without the switch, a re-send with it.
TEST(BugZooClient, TimeoutAnswerIsResentOnlyWithTheSwitch) {
  for (bool on : {false, true}) {
    IncrClient c(on);
    const ClientRequest first = c.Start();
    c.Receive(At(20), kPrimary,
              ClientResponse{.request_id = first.request_id, .error = ErrorCode::kTimeout});
    const auto resent = IncrClient::Incrs(c.Fire(At(40), PegasusClient::kRetryTimer));
    EXPECT_EQ(resent.size(), on ? 1u : 0u) << "switch " << on;
    if (!on) {
      ASSERT_EQ(c.records.size(), 2u);
      EXPECT_EQ(c.records[1].type, "info");
      continue;
    }
    ASSERT_EQ(resent.size(), 1u);
    EXPECT_EQ(resent[0].increment, first.increment);
    c.Receive(At(45), kPrimary, ClientResponse{.request_id = resent[0].request_id});
    ASSERT_EQ(c.records.size(), 2u);
    EXPECT_EQ(c.records[1].type, "ok");
  }
}

}  // namespace
}  // namespace pg::testing
