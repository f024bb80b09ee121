// Step-level rules of the CoordServer, each test named after one.
#include "tests/coord/coord_harness.h"

namespace pg::testing {
namespace {

const NodeId kA{1};
const NodeId kB{2};

template <class T>
T Only(const Outbox& out) {
  auto v = SentOf<T>(out);
  EXPECT_EQ(v.size(), 1u) << T::kName;
  return v.empty() ? T{} : v[0].second;
}

class CoordServerTest : public ::testing::Test {
 protected:
  void SetUp() override { f.Step(At(0), Boot{}); }
  CoordFixture f;
};

TEST_F(CoordServerTest, CreateGetSetDeleteWithVersions) {
  const CoordSessionId s = f.Open(At(1), kA);
  ASSERT_NE(s, kNoCoordSession);
  auto create = Only<CoordCreateResponse>(
      f.Deliver(At(2), kA, CoordCreate{.request_id = 1, .session = s, .path = "/a", .data = "v0"}));
  EXPECT_EQ(create.request_id, 1u);
  EXPECT_EQ(create.error, ErrorCode::kOk);
  auto get = Only<CoordGetResponse>(
      f.Deliver(At(3), kA, CoordGet{.request_id = 2, .session = s, .path = "/a"}));
  EXPECT_EQ(get.request_id, 2u);
  EXPECT_EQ(get.error, ErrorCode::kOk);
  EXPECT_EQ(get.data, "v0");
  EXPECT_EQ(get.version, 0);
  EXPECT_EQ(get.ephemeral_owner, kNoCoordSession);
  auto set = Only<CoordSetResponse>(f.Deliver(
      At(4), kA,
      CoordSet{.request_id = 3, .session = s, .path = "/a", .data = "v1", .expected_version = 0}));
  EXPECT_EQ(set.error, ErrorCode::kOk);
  EXPECT_EQ(set.version, 1);
  set = Only<CoordSetResponse>(
      f.Deliver(At(5), kA, CoordSet{.request_id = 4, .session = s, .path = "/a", .data = "v2"}));
  EXPECT_EQ(set.version, 2) << "kAnyVersion matches any version";
  get = Only<CoordGetResponse>(
      f.Deliver(At(6), kA, CoordGet{.request_id = 5, .session = s, .path = "/a"}));
  EXPECT_EQ(get.data, "v2");
  EXPECT_EQ(get.version, 2);
  auto del = Only<CoordDeleteResponse>(f.Deliver(
      At(7), kA, CoordDelete{.request_id = 6, .session = s, .path = "/a", .expected_version = 2}));
  EXPECT_EQ(del.error, ErrorCode::kOk);
  get = Only<CoordGetResponse>(
      f.Deliver(At(8), kA, CoordGet{.request_id = 7, .session = s, .path = "/a"}));
  EXPECT_EQ(get.error, ErrorCode::kObjectNotFound);
  // A recreated znode starts again at version 0.
  f.Deliver(At(9), kA, CoordCreate{.request_id = 8, .session = s, .path = "/a", .data = "w"});
  get = Only<CoordGetResponse>(
      f.Deliver(At(10), kA, CoordGet{.request_id = 9, .session = s, .path = "/a"}));
  EXPECT_EQ(get.version, 0);
  EXPECT_EQ(get.data, "w");
}

TEST_F(CoordServerTest, CasWithStaleVersionIsRejected) {
  const CoordSessionId s = f.Open(At(1), kA);
  f.Deliver(At(2), kA, CoordCreate{.request_id = 1, .session = s, .path = "/a", .data = "v0"});
  f.Deliver(
      At(3), kA,
      CoordSet{.request_id = 2, .session = s, .path = "/a", .data = "v1", .expected_version = 0});
  const uint64_t zxid = f.server().last_zxid();
  // Version 0 is stale now: neither a set nor a delete with it takes effect, nothing is logged.
  Outbox set = f.Receive(
      At(4), kA,
      CoordSet{.request_id = 3, .session = s, .path = "/a", .data = "x", .expected_version = 0});
  EXPECT_EQ(Only<CoordSetResponse>(set).error, ErrorCode::kInvalidVersion);
  EXPECT_TRUE(AppendsOf(set).empty());
  Outbox del = f.Receive(
      At(5), kA, CoordDelete{.request_id = 4, .session = s, .path = "/a", .expected_version = 0});
  EXPECT_EQ(Only<CoordDeleteResponse>(del).error, ErrorCode::kInvalidVersion);
  EXPECT_EQ(f.server().last_zxid(), zxid);
  EXPECT_EQ(f.server().store().Find("/a")->data, "v1");
  // Missing znodes, existing paths, bad paths.
  EXPECT_EQ(Only<CoordSetResponse>(
                f.Deliver(At(6), kA,
                          CoordSet{.request_id = 5, .session = s, .path = "/nope", .data = "x"}))
                .error,
            ErrorCode::kObjectNotFound);
  EXPECT_EQ(Only<CoordCreateResponse>(
                f.Deliver(At(7), kA, CoordCreate{.request_id = 6, .session = s, .path = "/a"}))
                .error,
            ErrorCode::kNodeAlreadyExist);
  for (const char* bad : {"", "/", "a", "/a/", "//a", "/a//b"}) {
    EXPECT_EQ(Only<CoordCreateResponse>(
                  f.Deliver(At(8), kA, CoordCreate{.request_id = 7, .session = s, .path = bad}))
                  .error,
              ErrorCode::kInvalidArgument)
        << bad;
  }
}

TEST_F(CoordServerTest, RequestOfUnknownSessionIsRejectedWithoutEffect) {
  const CoordSessionId bogus(77);
  Outbox out = f.Receive(At(1), kA, CoordCreate{.request_id = 1, .session = bogus, .path = "/a"});
  EXPECT_EQ(Only<CoordCreateResponse>(out).error, ErrorCode::kExpired);
  EXPECT_TRUE(AppendsOf(out).empty());
  EXPECT_EQ(Only<CoordGetResponse>(
                f.Receive(At(2), kA, CoordGet{.request_id = 2, .session = bogus, .path = "/a"}))
                .error,
            ErrorCode::kExpired);
  EXPECT_EQ(Only<CoordKeepAliveResponse>(
                f.Receive(At(3), kA, CoordKeepAlive{.request_id = 3, .session = bogus}))
                .error,
            ErrorCode::kExpired);
  EXPECT_TRUE(f.server().store().znodes().empty());
}

TEST_F(CoordServerTest, SessionTimeoutIsClamped) {
  auto tiny = Only<CoordOpenSessionResponse>(
      f.Deliver(At(1), kA, CoordOpenSession{.request_id = 1, .timeout = Millis(1)}));
  EXPECT_EQ(tiny.timeout, Millis(100));
  auto huge = Only<CoordOpenSessionResponse>(
      f.Deliver(At(1), kA, CoordOpenSession{.request_id = 2, .timeout = Seconds(3600)}));
  EXPECT_EQ(huge.timeout, Millis(10000));
  EXPECT_NE(tiny.session, huge.session);
}

TEST_F(CoordServerTest, EphemeralZnodeDeletedWhenItsSessionExpires) {
  const CoordSessionId a = f.Open(At(0), kA, Millis(500));
  const CoordSessionId b = f.Open(At(0), kB, Millis(500));
  f.Deliver(
      At(10), kA,
      CoordCreate{.request_id = 1, .session = a, .path = "/lock", .data = "a", .ephemeral = true});
  f.Deliver(At(10), kA, CoordCreate{.request_id = 2, .session = a, .path = "/keep"});
  EXPECT_EQ(f.server().store().Find("/lock")->ephemeral_owner, a);
  // b keeps itself alive; a is last heard at 10 ms.
  for (int t = 100; t <= 500; t += 100) {
    f.Deliver(At(t), kB, CoordKeepAlive{.request_id = 10u + t, .session = b});
    f.Tick(At(t));
  }
  f.Tick(At(510));
  EXPECT_TRUE(f.server().store().HasSession(a)) << "expired at exactly its timeout";
  EXPECT_NE(f.server().store().Find("/lock"), nullptr);
  Outbox tick = f.Tick(At(511));
  EXPECT_TRUE(HasMark(tick, "coord.session_expired"));
  EXPECT_FALSE(f.server().store().HasSession(a));
  EXPECT_EQ(f.server().store().Find("/lock"), nullptr);
  EXPECT_NE(f.server().store().Find("/keep"), nullptr) << "persistent znodes stay";
  EXPECT_TRUE(f.server().store().HasSession(b));
  // The expiry is a logged txn, and the session's requests are now rejected.
  EXPECT_EQ(Only<CoordCreateResponse>(
                f.Deliver(At(520), kA, CoordCreate{.request_id = 3, .session = a, .path = "/x"}))
                .error,
            ErrorCode::kExpired);
}

TEST_F(CoordServerTest, AnyRequestRenewsTheSession) {
  const CoordSessionId a = f.Open(At(0), kA, Millis(200));
  f.Deliver(At(150), kA, CoordGet{.request_id = 1, .session = a, .path = "/none"});
  f.Tick(At(300));
  EXPECT_TRUE(f.server().store().HasSession(a));
  f.Tick(At(351));
  EXPECT_FALSE(f.server().store().HasSession(a));
}

TEST_F(CoordServerTest, CloseSessionDeletesItsEphemerals) {
  const CoordSessionId a = f.Open(At(0), kA);
  f.Deliver(At(1), kA, CoordCreate{.request_id = 1, .session = a, .path = "/e", .ephemeral = true});
  auto closed = Only<CoordCloseSessionResponse>(
      f.Deliver(At(2), kA, CoordCloseSession{.request_id = 2, .session = a}));
  EXPECT_EQ(closed.error, ErrorCode::kOk);
  EXPECT_EQ(f.server().store().Find("/e"), nullptr);
  EXPECT_FALSE(f.server().store().HasSession(a));
  closed = Only<CoordCloseSessionResponse>(
      f.Deliver(At(3), kA, CoordCloseSession{.request_id = 3, .session = a}));
  EXPECT_EQ(closed.error, ErrorCode::kExpired);
}

TEST_F(CoordServerTest, ReplySentOnlyAfterLogAppendCompletes) {
  Outbox open = f.Receive(At(1), kA, CoordOpenSession{.request_id = 1, .timeout = Millis(1000)});
  ASSERT_EQ(AppendsOf(open).size(), 1u);
  EXPECT_TRUE(SentOf<CoordOpenSessionResponse>(open).empty()) << "answered before durable";
  const CoordSessionId s = Only<CoordOpenSessionResponse>(f.CompleteOne(At(2))).session;

  Outbox create = f.Receive(At(3), kA, CoordCreate{.request_id = 2, .session = s, .path = "/a"});
  const auto appends = AppendsOf(create);
  ASSERT_EQ(appends.size(), 1u);
  EXPECT_TRUE(appends[0].sync);
  EXPECT_TRUE(SentOf<CoordCreateResponse>(create).empty());
  // Everything that could reveal the pending create waits behind it: a read, a refusal that
  // depends on it, even a keepalive.
  Outbox get = f.Receive(At(4), kB, CoordGet{.request_id = 3, .session = s, .path = "/a"});
  Outbox dup = f.Receive(At(4), kB, CoordCreate{.request_id = 4, .session = s, .path = "/a"});
  Outbox ka = f.Receive(At(4), kA, CoordKeepAlive{.request_id = 5, .session = s});
  EXPECT_TRUE(get.effects().empty());
  EXPECT_TRUE(dup.effects().empty());
  EXPECT_TRUE(ka.effects().empty());
  // A second txn completes first: still nothing, since the first is not durable.
  Outbox set = f.Receive(At(5), kA, CoordSet{.request_id = 6, .session = s, .path = "/a"});
  const auto set_appends = AppendsOf(set);
  ASSERT_EQ(set_appends.size(), 1u);
  Outbox early =
      f.Step(At(6), LogAppended{.file = set_appends[0].file, .token = set_appends[0].token});
  EXPECT_TRUE(early.effects().empty());
  EXPECT_EQ(f.server().durable_zxid(), appends[0].token - 1);
  // The first completes: every reply goes out, in order.
  Outbox done = f.Step(At(7), LogAppended{.file = appends[0].file, .token = appends[0].token});
  EXPECT_EQ(f.server().durable_zxid(), set_appends[0].token);
  std::vector<uint64_t> order;
  for (const Effect& e : done.effects()) {
    order.push_back(RequestIdOf(std::get<Send>(e).msg));
  }
  EXPECT_EQ(order, (std::vector<uint64_t>{2, 3, 4, 5, 6}));
  EXPECT_EQ(Only<CoordGetResponse>(done).error, ErrorCode::kOk);
  EXPECT_EQ(Only<CoordSetResponse>(done).version, 1);
  // With nothing in flight, a read is answered at once.
  EXPECT_EQ(SentOf<CoordGetResponse>(
                f.Receive(At(8), kB, CoordGet{.request_id = 7, .session = s, .path = "/a"}))
                .size(),
            1u);
}

TEST_F(CoordServerTest, LogFailedStopsTheServer) {
  const CoordSessionId s = f.Open(At(1), kA);
  Outbox create = f.Receive(At(2), kA, CoordCreate{.request_id = 1, .session = s, .path = "/a"});
  const AppendLog a = AppendsOf(create).at(0);
  f.Receive(At(3), kA, CoordGet{.request_id = 2, .session = s, .path = "/a"});
  Outbox failed = f.Step(At(4), LogFailed{.file = a.file,
                                          .token = a.token,
                                          .status = Status(ErrorCode::kIoError, "injected")});
  EXPECT_TRUE(HasMark(failed, "coord.fail_stop"));
  EXPECT_EQ(ExitOf(failed), "coord log append failed");  // the process exits; a restart replays
  EXPECT_TRUE(f.server().stopped());
  EXPECT_TRUE(SentOf<CoordCreateResponse>(failed).empty());
  // Nothing is answered any more: not the held replies, not new requests, not timers.
  EXPECT_TRUE(f.Step(At(5), LogAppended{.file = a.file, .token = a.token}).effects().empty());
  EXPECT_TRUE(f.Receive(At(6), kB, CoordOpenSession{.request_id = 3}).effects().empty());
  EXPECT_TRUE(
      f.Receive(At(6), kA, CoordKeepAlive{.request_id = 4, .session = s}).effects().empty());
  EXPECT_TRUE(f.Step(At(7), TimerFired{.timer = CoordServer::kTickTimer}).effects().empty());
}

}  // namespace
}  // namespace pg::testing
