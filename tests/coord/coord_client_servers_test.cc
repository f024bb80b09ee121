// CoordClient with several coordination servers (a quorum's peers, core/coord/coord_peer.h): one
// current server at a time, the next one after an attempt to it goes unanswered, answers from any
// server of the list, the newest zxid seen carried in every read, and a follower's read answered
// alone not taken for a renewal of the session. The servers are played by hand.
#include "tests/coord/coord_harness.h"

namespace pg::testing {

namespace {

const NodeId kS0{10};
const NodeId kS1{11};
const NodeId kS2{12};
const NodeId kStranger{99};

CoordClientOptions ThreeServers() {
  CoordClientOptions o = TestClientOptions();
  o.servers = {kS0, kS1, kS2};
  return o;
}

// The one message of type T the outbox sends (a failed expectation if not exactly one).
template <class T>
std::pair<NodeId, T> OnlySent(const Outbox& out) {
  const auto sent = SentOf<T>(out);
  EXPECT_EQ(sent.size(), 1u) << T::kName;
  return sent.empty() ? std::pair<NodeId, T>{} : sent[0];
}

class CoordClientServersTest : public ::testing::Test {
 protected:
  // Opens a session at `t` through kS0, whose answer carries `zxid`.
  void OpenAt(Time t, uint64_t zxid = 1) {
    client.Start(t, out);
    const auto [to, open] = OnlySent<CoordOpenSession>(out);
    EXPECT_EQ(to, kS0);
    out.clear();
    ASSERT_TRUE(client.OnMessage(kS0,
                                 CoordOpenSessionResponse{.request_id = open.request_id,
                                                          .session = CoordSessionId(7),
                                                          .timeout = Millis(1000),
                                                          .zxid = zxid},
                                 t, out));
    ASSERT_TRUE(client.SessionAlive(t));
    out.clear();
  }
  // Issues a Get at `t` and returns where it went and what it carried.
  std::pair<NodeId, CoordGet> GetAt(Time t) {
    client.Get("/x", t, out);
    const auto sent = OnlySent<CoordGet>(out);
    out.clear();
    return sent;
  }
  bool Answer(NodeId from, Message msg, Time t) {
    const bool mine = client.OnMessage(from, std::move(msg), t, out);
    client.CheckInvariants();
    return mine;
  }

  const CoordClientOptions opts = ThreeServers();
  CoordClient client{opts};
  Outbox out;
};

TEST_F(CoordClientServersTest, AnUnansweredOpenMovesToTheNextServerAndWrapsAround) {
  client.Start(At(0), out);
  EXPECT_EQ(OnlySent<CoordOpenSession>(out).first, kS0);
  out.clear();
  const NodeId expected[] = {kS1, kS2, kS0, kS1};
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(client.OnTimer(opts.retry_timer, At(100 * (i + 1)), out));
    EXPECT_EQ(OnlySent<CoordOpenSession>(out).first, expected[i]) << i;
    EXPECT_TRUE(HasMark(out, "coord.client_rotated"));
    EXPECT_EQ(client.current_server(), expected[i]);
    out.clear();
    client.CheckInvariants();
  }
  EXPECT_EQ(client.rotations(), 4u);
}

TEST_F(CoordClientServersTest, AnUnansweredOperationMovesTheClientOnceAndLaterSendsFollow) {
  OpenAt(At(0));
  client.Get("/a", At(10), out);
  client.Set("/b", "v", kAnyVersion, At(10), out);
  EXPECT_EQ(SentOf<CoordGet>(out)[0].first, kS0);
  EXPECT_EQ(SentOf<CoordSet>(out)[0].first, kS0);
  out.clear();
  // Both attempts to kS0 time out together: the client moves once, and both go to kS1.
  ASSERT_TRUE(client.OnTimer(opts.retry_timer, At(110), out));
  EXPECT_EQ(client.current_server(), kS1);
  EXPECT_EQ(client.rotations(), 1u);
  EXPECT_EQ(OnlySent<CoordGet>(out).first, kS1);
  EXPECT_EQ(OnlySent<CoordSet>(out).first, kS1);
  out.clear();
  // A new operation goes to the new current server as well.
  EXPECT_EQ(GetAt(At(120)).first, kS1);
}

TEST_F(CoordClientServersTest, AnUnansweredKeepaliveMovesTheClientOn) {
  OpenAt(At(0));
  ASSERT_TRUE(client.OnTimer(opts.keepalive_timer, At(200), out));
  EXPECT_EQ(OnlySent<CoordKeepAlive>(out).first, kS0);
  out.clear();
  // Unanswered for request_timeout (100 ms) by the next keepalive: this one goes to kS1.
  ASSERT_TRUE(client.OnTimer(opts.keepalive_timer, At(400), out));
  const auto [to, ka] = OnlySent<CoordKeepAlive>(out);
  EXPECT_EQ(to, kS1);
  EXPECT_TRUE(HasMark(out, "coord.client_rotated"));
  out.clear();
  // kS1 answers: the session is confirmed from that keepalive's send, and the old keepalive to
  // kS0, still unanswered, does not move the client again.
  ASSERT_TRUE(Answer(kS1, CoordKeepAliveResponse{.request_id = ka.request_id}, At(401)));
  EXPECT_TRUE(client.SessionAlive(At(1299)));
  ASSERT_TRUE(client.OnTimer(opts.keepalive_timer, At(600), out));
  EXPECT_EQ(OnlySent<CoordKeepAlive>(out).first, kS1);
  EXPECT_EQ(client.rotations(), 1u);
}

TEST_F(CoordClientServersTest, TheNewestZxidSeenIsCarriedInEveryGet) {
  OpenAt(At(0), /*zxid=*/5);
  EXPECT_EQ(client.seen_zxid(), 5u);
  auto [to, get] = GetAt(At(10));
  EXPECT_EQ(get.seen_zxid, 5u);
  ASSERT_TRUE(Answer(to, CoordGetResponse{.request_id = get.request_id, .zxid = 4}, At(11)));
  EXPECT_EQ(client.seen_zxid(), 5u) << "an older state does not lower it";
  client.Set("/x", "v", kAnyVersion, At(20), out);
  const auto set = OnlySent<CoordSet>(out).second;
  out.clear();
  ASSERT_TRUE(
      Answer(kS0, CoordSetResponse{.request_id = set.request_id, .version = 1, .zxid = 9}, At(21)));
  EXPECT_EQ(GetAt(At(30)).second.seen_zxid, 9u);
  // A stale answer (not the current attempt's) is ignored, its zxid too.
  ASSERT_TRUE(Answer(kS0, CoordSetResponse{.request_id = set.request_id, .version = 1, .zxid = 50},
                     At(31)));
  EXPECT_EQ(client.seen_zxid(), 9u);
}

TEST_F(CoordClientServersTest, AFollowerReadAnsweredAloneDoesNotExtendTheSession) {
  OpenAt(At(0));
  client.TryAcquireLock("/leader", "meta/0", At(1), out);
  const auto create = OnlySent<CoordCreate>(out).second;
  out.clear();
  ASSERT_TRUE(Answer(kS0, CoordCreateResponse{.request_id = create.request_id, .zxid = 2}, At(2)));
  ASSERT_TRUE(client.HoldsLock(At(2)));
  // Confirmed from the create's send at 1 ms: known alive until 1 + 1000 - 100.
  auto [to, get] = GetAt(At(500));
  ASSERT_TRUE(Answer(to,
                     CoordGetResponse{.request_id = get.request_id,
                                      .error = ErrorCode::kObjectNotFound,
                                      .zxid = 2,
                                      .renewed = false},
                     At(501)));
  EXPECT_EQ(client.TakeResults().size(), 1u) << "the read itself is answered";
  EXPECT_TRUE(client.SessionAlive(At(900)));
  EXPECT_FALSE(client.SessionAlive(At(901))) << "a follower's read renewed nothing";
  EXPECT_FALSE(client.HoldsLock(At(901)));
  // A read the leader heard (renewed) confirms from its send, as any other answer.
  auto [to2, get2] = GetAt(At(600));
  ASSERT_TRUE(Answer(to2, CoordGetResponse{.request_id = get2.request_id, .zxid = 2}, At(601)));
  EXPECT_TRUE(client.SessionAlive(At(1499)));
  EXPECT_TRUE(client.HoldsLock(At(1499)));
  EXPECT_FALSE(client.HoldsLock(At(1500)));
}

TEST_F(CoordClientServersTest, AnAnswerFromAnotherServerOfTheListCounts) {
  OpenAt(At(0));
  auto [to, get] = GetAt(At(10));
  EXPECT_EQ(to, kS0);
  // kS2 is not the current server, but it is one of the service's: its answer counts.
  ASSERT_TRUE(
      Answer(kS2, CoordGetResponse{.request_id = get.request_id, .data = "d", .zxid = 3}, At(11)));
  const auto r = client.TakeResults();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].data, "d");
  EXPECT_EQ(client.seen_zxid(), 3u);
  EXPECT_EQ(client.current_server(), kS0) << "an answer does not move the client";
}

TEST_F(CoordClientServersTest, AnAnswerFromANodeOutsideTheListIsNotTheClients) {
  OpenAt(At(0));
  auto [to, get] = GetAt(At(10));
  EXPECT_FALSE(Answer(kStranger,
                      CoordGetResponse{.request_id = get.request_id, .data = "forged", .zxid = 99},
                      At(11)));
  EXPECT_TRUE(client.TakeResults().empty());
  EXPECT_EQ(client.seen_zxid(), 1u);
  // The real answer still completes the operation.
  ASSERT_TRUE(Answer(to, CoordGetResponse{.request_id = get.request_id, .data = "d"}, At(12)));
  EXPECT_EQ(client.TakeResults().size(), 1u);
}

// With one server nothing moves: every attempt goes to it, and no mark shows.
TEST(CoordClientOneServer, RetriesStayOnTheOnlyServer) {
  const CoordClientOptions opts = TestClientOptions();
  CoordClient client(opts);
  Outbox out;
  client.Start(At(0), out);
  for (int t = 100; t <= 300; t += 100) {
    out.clear();
    ASSERT_TRUE(client.OnTimer(opts.retry_timer, At(t), out));
    EXPECT_EQ(OnlySent<CoordOpenSession>(out).first, kCoord);
    EXPECT_FALSE(HasMark(out, "coord.client_rotated"));
  }
  EXPECT_EQ(client.current_server(), kCoord);
}

}  // namespace
}  // namespace pg::testing
