// Rules of the CoordClient and its leader-lock recipe, step by step against a real CoordServer.
#include "tests/coord/coord_harness.h"

namespace pg::testing {

namespace {

const CoordClientOptions kOpts = TestClientOptions();

class CoordClientTest : public ::testing::Test {
 protected:
  void SetUp() override { f.Step(At(0), Boot{}); }
  // Starts both peers' sessions at `t`.
  void StartAll(Time t) {
    a.client.Start(t, a.out);
    b.client.Start(t, b.out);
    Pump(f, t, all);
  }
  CoordFixture f;
  Peer a{NodeId(1), kOpts};
  Peer b{NodeId(2), kOpts};
  std::vector<Peer*> all{&a, &b};
};

TEST_F(CoordClientTest, OpensASessionAndKeepsItAlive) {
  StartAll(At(0));
  ASSERT_TRUE(a.client.SessionAlive(At(0)));
  EXPECT_EQ(a.client.session_timeout(), Millis(1000));
  EXPECT_NE(a.client.session(), b.client.session());
  // Keepalives every 200 ms keep it alive on both sides, far past the timeout.
  for (int t = 200; t <= 3000; t += 200) {
    Fire(f, At(t), a, kOpts.keepalive_timer, all);
    f.Tick(At(t));
  }
  EXPECT_TRUE(a.client.SessionAlive(At(3000)));
  EXPECT_TRUE(f.server().store().HasSession(a.client.session()));
  // Known alive until the last confirmed send + timeout - margin, not a moment longer.
  EXPECT_TRUE(a.client.SessionAlive(At(3000) + Millis(899)));
  EXPECT_FALSE(a.client.SessionAlive(At(3000) + Millis(900)));
}

TEST_F(CoordClientTest, StaleOpenAnswersCloseTheirSessionDuplicatesDoNot) {
  StartAll(At(0));
  const CoordSessionId mine = a.client.session();
  // A duplicate of the answer that opened the current session changes nothing.
  a.client.OnMessage(
      kCoord, CoordOpenSessionResponse{.request_id = 1, .session = mine, .timeout = Millis(1000)},
      At(1), a.out);
  EXPECT_TRUE(SentOf<CoordCloseSession>(a.out).empty());
  EXPECT_EQ(a.client.session(), mine);
  // A late answer to an abandoned attempt opened a session nobody uses: it is closed.
  const CoordSessionId orphan(mine.value() + 100);
  a.client.OnMessage(
      kCoord,
      CoordOpenSessionResponse{.request_id = 12345, .session = orphan, .timeout = Millis(1000)},
      At(2), a.out);
  const auto close = SentOf<CoordCloseSession>(a.out);
  ASSERT_EQ(close.size(), 1u);
  EXPECT_EQ(close[0].second.session, orphan);
  EXPECT_TRUE(a.client.SessionAlive(At(2)));
  a.out.clear();
}

TEST_F(CoordClientTest, OperationsRoundTrip) {
  StartAll(At(0));
  const uint64_t c = a.client.Create("/m", "x", false, At(1), a.out);
  Pump(f, At(1), all);
  const uint64_t s = a.client.Set("/m", "y", 0, At(2), a.out);
  Pump(f, At(2), all);
  const uint64_t g = a.client.Get("/m", At(3), a.out);
  Pump(f, At(3), all);
  const uint64_t d = a.client.Delete("/m", 0, At(4), a.out);  // stale: version is 1
  Pump(f, At(4), all);
  const auto r = a.client.TakeResults();
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].op_id, c);
  EXPECT_EQ(r[0].error, ErrorCode::kOk);
  EXPECT_EQ(r[1].op_id, s);
  EXPECT_EQ(r[1].version, 1);
  EXPECT_EQ(r[2].op_id, g);
  EXPECT_EQ(r[2].data, "y");
  EXPECT_EQ(r[2].version, 1);
  EXPECT_EQ(r[3].op_id, d);
  EXPECT_EQ(r[3].error, ErrorCode::kInvalidVersion);
  EXPECT_EQ(r[3].attempts, 1);
  EXPECT_TRUE(a.client.TakeResults().empty());
}

// One server answers with its last zxid (a write's own), and renews on every request.
TEST_F(CoordClientTest, AnswersCarryTheServersZxidAndReadsTheNewestSeen) {
  StartAll(At(0));
  EXPECT_GT(a.client.seen_zxid(), 0u) << "the open's txn";
  const uint64_t a_seen = a.client.seen_zxid();
  b.client.Create("/x", "v", false, At(1), b.out);
  Pump(f, At(1), all);
  EXPECT_EQ(b.client.seen_zxid(), f.server().last_zxid());
  a.client.Get("/x", At(2), a.out);
  const auto get = SentOf<CoordGet>(a.out);
  ASSERT_EQ(get.size(), 1u);
  EXPECT_EQ(get[0].second.seen_zxid, a_seen);
  Outbox answer = f.Deliver(At(2), a.id, get[0].second);
  a.out.clear();
  const auto resp = SentOf<CoordGetResponse>(answer);
  ASSERT_EQ(resp.size(), 1u);
  EXPECT_EQ(resp[0].second.zxid, f.server().last_zxid());
  EXPECT_TRUE(resp[0].second.renewed);
  a.client.OnMessage(kCoord, resp[0].second, At(2), a.out);
  EXPECT_EQ(a.client.seen_zxid(), f.server().last_zxid());
}

TEST_F(CoordClientTest, RetriesWithAFreshRequestIdAndIgnoresStaleResponses) {
  StartAll(At(0));
  a.client.Get("/none", At(10), a.out);
  const auto first = SentOf<CoordGet>(a.out);
  ASSERT_EQ(first.size(), 1u);
  a.out.clear();  // the request is lost
  EXPECT_TRUE(a.client.OnTimer(kOpts.retry_timer, At(110), a.out));
  const auto second = SentOf<CoordGet>(a.out);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_NE(second[0].second.request_id, first[0].second.request_id);
  // A late answer to the first attempt is ignored; the second one's counts.
  a.client.OnMessage(
      kCoord,
      CoordGetResponse{
          .request_id = first[0].second.request_id, .error = ErrorCode::kOk, .data = "stale"},
      At(111), a.out);
  EXPECT_TRUE(a.client.TakeResults().empty());
  Pump(f, At(112), all);
  auto r = a.client.TakeResults();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].error, ErrorCode::kObjectNotFound);
  EXPECT_EQ(r[0].attempts, 2);
  // A duplicate of the answer changes nothing either.
  a.client.OnMessage(kCoord,
                     CoordGetResponse{.request_id = second[0].second.request_id,
                                      .error = ErrorCode::kObjectNotFound},
                     At(113), a.out);
  EXPECT_TRUE(a.client.TakeResults().empty());
}

TEST_F(CoordClientTest, OperationTimesOutWithUnknownOutcome) {
  StartAll(At(0));
  a.cut_off = true;
  a.client.Create("/x", "", false, At(10), a.out);
  for (int t = 110; t <= 510; t += 100) Fire(f, At(t), a, kOpts.retry_timer, all);
  auto r = a.client.TakeResults();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].error, ErrorCode::kTimeout);
  EXPECT_EQ(r[0].attempts, 5);
}

TEST_F(CoordClientTest, NoticesExpiryAndOpensANewSession) {
  StartAll(At(0));
  const CoordSessionId old = a.client.session();
  // The server expires the session while the client cannot reach it.
  a.cut_off = true;
  Fire(f, At(200), a, kOpts.keepalive_timer, all);
  f.Tick(At(1001));
  EXPECT_FALSE(f.server().store().HasSession(old));
  EXPECT_FALSE(a.client.SessionAlive(At(900)));
  a.cut_off = false;
  // Its next request learns it (kExpired); it opens a new session at once.
  a.client.Get("/x", At(850), a.out);
  Pump(f, At(1010), all);
  auto r = a.client.TakeResults();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].error, ErrorCode::kExpired);
  EXPECT_EQ(a.client.sessions_lost(), 1);
  EXPECT_TRUE(a.client.SessionAlive(At(1010)));
  EXPECT_NE(a.client.session(), old);
  // Without any answer, the keepalive timer gives the session up after its timeout.
  a.cut_off = true;
  Fire(f, At(2009), a, kOpts.keepalive_timer, all);
  EXPECT_EQ(a.client.sessions_lost(), 1);
  Fire(f, At(2010), a, kOpts.keepalive_timer, all);
  EXPECT_EQ(a.client.sessions_lost(), 2);
  EXPECT_FALSE(a.client.SessionAlive(At(2010)));
}

TEST_F(CoordClientTest, LockHasOnlyOneHolder) {
  StartAll(At(0));
  a.client.TryAcquireLock("/leader", "meta/0", At(1), a.out);
  Pump(f, At(1), all);
  b.client.TryAcquireLock("/leader", "meta/1", At(2), b.out);
  Pump(f, At(2), all);
  EXPECT_TRUE(a.client.HoldsLock(At(2)));
  EXPECT_FALSE(b.client.HoldsLock(At(2)));
  EXPECT_EQ(b.client.lock_holder(), "meta/0");
  EXPECT_EQ(a.client.lock_holder(), "meta/0");
  const Znode* z = f.server().store().Find("/leader");
  ASSERT_NE(z, nullptr);
  EXPECT_EQ(z->ephemeral_owner, a.client.session());
  // Retrying changes nothing.
  b.client.TryAcquireLock("/leader", "meta/1", At(3), b.out);
  Pump(f, At(3), all);
  EXPECT_FALSE(b.client.HoldsLock(At(3)));
  EXPECT_TRUE(a.client.TakeResults().empty()) << "the recipe's operations are internal";
}

TEST_F(CoordClientTest, LockFoundAfterARetriedCreateIsOurs) {
  StartAll(At(0));
  a.client.TryAcquireLock("/leader", "meta/0", At(1), a.out);
  // The create reaches the server, its answer is lost.
  const auto create = SentOf<CoordCreate>(a.out);
  ASSERT_EQ(create.size(), 1u);
  a.out.clear();
  f.Deliver(At(1), a.id, create[0].second);
  EXPECT_FALSE(a.client.HoldsLock(At(2)));
  // The retry finds the znode; the read shows it is this session's: the lock is ours.
  Fire(f, At(101), a, kOpts.retry_timer, all);
  EXPECT_TRUE(a.client.HoldsLock(At(101)));
  EXPECT_FALSE(a.client.lock_attempt_running());
}

TEST_F(CoordClientTest, LockReleasedOnSessionExpiry) {
  StartAll(At(0));
  a.client.TryAcquireLock("/leader", "meta/0", At(1), a.out);
  Pump(f, At(1), all);
  ASSERT_TRUE(a.client.HoldsLock(At(1)));
  a.cut_off = true;  // a stalls; b keeps its session
  for (int t = 200; t <= 1200; t += 200) {
    Fire(f, At(t), b, kOpts.keepalive_timer, all);
    f.Tick(At(t));
    b.client.TryAcquireLock("/leader", "meta/1", At(t), b.out);
    Pump(f, At(t), all);
    EXPECT_EQ(b.client.HoldsLock(At(t)), t > 1001) << t;
  }
  EXPECT_TRUE(b.client.HoldsLock(At(1200)));
  EXPECT_FALSE(a.client.HoldsLock(At(1200)));
  EXPECT_EQ(f.server().store().Find("/leader")->data, "meta/1");
}

// The safety rule of the lock (coord_client.h): with clocks drifting within rho and a margin of
// at least 2 * rho * timeout, the holder stops believing it holds the lock before the server can
// let anyone else take it. Here a's clock runs slow by rho and the server's fast by rho, the
// worst case, and a's last keepalive reaches the server the moment it is sent.
TEST_F(CoordClientTest, HolderStopsBelievingBeforeTheServerCanGrantTheLock) {
  constexpr int64_t kPpm = 20000;  // rho = 2%: margin 100 ms >= 2 * rho * 1000 ms = 40 ms
  auto a_clock = [](int64_t real_us) {
    return At(0) + Micros(real_us - real_us * kPpm / 1'000'000);
  };
  auto server_clock = [](int64_t real_us) {
    return At(0) + Micros(real_us + real_us * kPpm / 1'000'000);
  };
  a.client.Start(a_clock(0), a.out);
  Pump(f, server_clock(0), all);
  a.client.TryAcquireLock("/leader", "meta/0", a_clock(0), a.out);
  Pump(f, server_clock(0), all);
  ASSERT_TRUE(a.client.HoldsLock(a_clock(0)));
  // Last keepalive sent at real 100 ms, heard by the server at that very moment; then a is cut off.
  ASSERT_TRUE(a.client.OnTimer(kOpts.keepalive_timer, a_clock(100'000), a.out));
  Pump(f, server_clock(100'000), all);
  a.cut_off = true;
  b.client.Start(server_clock(100'000), b.out);
  Pump(f, server_clock(100'000), all);
  std::optional<int64_t> a_stopped_us;
  std::optional<int64_t> b_acquired_us;
  for (int64_t real_us = 100'000; real_us < 2'000'000 && !b_acquired_us; real_us += 1000) {
    if (!a_stopped_us && !a.client.HoldsLock(a_clock(real_us))) a_stopped_us = real_us;
    f.Tick(server_clock(real_us));
    if (real_us % 20'000 == 0) Fire(f, server_clock(real_us), b, kOpts.keepalive_timer, all);
    b.client.TryAcquireLock("/leader", "meta/1", server_clock(real_us), b.out);
    Pump(f, server_clock(real_us), all);
    if (b.client.HoldsLock(server_clock(real_us))) b_acquired_us = real_us;
  }
  ASSERT_TRUE(a_stopped_us.has_value());
  ASSERT_TRUE(b_acquired_us.has_value());
  EXPECT_LT(*a_stopped_us, *b_acquired_us);
  // The bounds of the argument: a stops by (T - M) / (1 - rho) after its send, the server expires
  // no earlier than T / (1 + rho) after it heard a.
  constexpr int64_t kMillion = 1'000'000;
  EXPECT_LE(*a_stopped_us, 100'000 + 900'000 * kMillion / (kMillion - kPpm) + 1000);
  EXPECT_GE(*b_acquired_us, 100'000 + kMillion * kMillion / (kMillion + kPpm));
}

TEST_F(CoordClientTest, DeposedHolderWritesAreFenced) {
  StartAll(At(0));
  a.client.TryAcquireLock("/leader", "meta/0", At(1), a.out);
  Pump(f, At(1), all);
  // a sends a write just before its belief ends; the network holds it until after the expiry.
  a.client.Set("/state", "from a", kAnyVersion, At(899), a.out);
  const auto late = SentOf<CoordSet>(a.out);
  ASSERT_EQ(late.size(), 1u);
  a.out.clear();
  f.Tick(At(1002));  // last heard at 1 ms (the lock's create)
  EXPECT_FALSE(f.server().store().HasSession(a.client.session()));
  Outbox out = f.Deliver(At(1003), a.id, late[0].second);
  auto resp = SentOf<CoordSetResponse>(out);
  ASSERT_EQ(resp.size(), 1u);
  EXPECT_EQ(resp[0].second.error, ErrorCode::kExpired);
  EXPECT_EQ(f.server().store().Find("/state"), nullptr);
}

TEST_F(CoordClientTest, CloseReleasesTheLockAtOnce) {
  StartAll(At(0));
  a.client.TryAcquireLock("/leader", "meta/0", At(1), a.out);
  Pump(f, At(1), all);
  a.client.Close(At(2), a.out);
  Pump(f, At(2), all);
  EXPECT_FALSE(a.client.HoldsLock(At(2)));
  EXPECT_FALSE(a.client.SessionAlive(At(2)));
  EXPECT_EQ(f.server().store().Find("/leader"), nullptr);
  b.client.TryAcquireLock("/leader", "meta/1", At(3), b.out);
  Pump(f, At(3), all);
  EXPECT_TRUE(b.client.HoldsLock(At(3)));
}

}  // namespace
}  // namespace pg::testing
