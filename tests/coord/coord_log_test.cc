// Durability rules of the CoordServer: coord.log replay at Boot, torn tails, damage, gaps.
#include "core/coord/coord_log.h"

#include "tests/coord/coord_harness.h"

namespace pg::testing {
namespace {

const NodeId kNodeA{1};
const NodeId kNodeB{2};

ErrorCode CreateError(const Outbox& out) {
  auto v = SentOf<CoordCreateResponse>(out);
  EXPECT_EQ(v.size(), 1u);
  return v.empty() ? ErrorCode::kTimeout : v[0].second.error;
}

TEST(CoordLog, RestartReplaysTheLogAndKeepsZnodes) {
  CoordFixture f;
  f.Step(At(0), Boot{});
  const CoordSessionId a = f.Open(At(1), kNodeA, Millis(500));
  const CoordSessionId b = f.Open(At(1), kNodeB, Millis(500));
  f.Deliver(At(2), kNodeA, CoordCreate{.request_id = 1, .session = a, .path = "/p", .data = "x"});
  f.Deliver(At(3), kNodeA, CoordSet{.request_id = 2, .session = a, .path = "/p", .data = "y"});
  f.Deliver(
      At(4), kNodeA,
      CoordCreate{.request_id = 3, .session = a, .path = "/e", .data = "a", .ephemeral = true});
  f.Deliver(At(5), kNodeB, CoordCreate{.request_id = 4, .session = b, .path = "/gone"});
  f.Deliver(At(6), kNodeB, CoordDelete{.request_id = 5, .session = b, .path = "/gone"});
  const CoordStore before = f.server().store();
  const uint64_t zxid = f.server().last_zxid();

  f.CrashAndBoot(At(1000));
  EXPECT_EQ(f.server().store().znodes(), before.znodes());
  EXPECT_EQ(f.server().store().sessions(), before.sessions());
  EXPECT_EQ(f.server().last_zxid(), zxid);
  EXPECT_EQ(f.server().durable_zxid(), zxid);
  // Restored sessions get a full timeout from the boot, not from when they were last heard.
  f.Deliver(At(1400), kNodeB, CoordKeepAlive{.request_id = 6, .session = b});
  f.Tick(At(1500));
  EXPECT_TRUE(f.server().store().HasSession(a));
  f.Tick(At(1501));
  EXPECT_FALSE(f.server().store().HasSession(a));
  EXPECT_EQ(f.server().store().Find("/e"), nullptr);
  EXPECT_TRUE(f.server().store().HasSession(b));
  // Session ids are never reused across incarnations.
  const CoordSessionId c = f.Open(At(1502), kNodeA);
  EXPECT_GT(c, b);
}

TEST(CoordLog, UnacknowledgedTxnThatReachedTheDiskIsReplayed) {
  for (size_t keep : {0u, 1u}) {
    CoordFixture f;
    f.Step(At(0), Boot{});
    const CoordSessionId a = f.Open(At(1), kNodeA);
    Outbox create =
        f.Receive(At(2), kNodeA, CoordCreate{.request_id = 1, .session = a, .path = "/x"});
    EXPECT_TRUE(SentOf<CoordCreateResponse>(create).empty());
    f.CrashAndBoot(At(3), keep);
    // Never acknowledged, so either outcome is allowed; the log decides.
    EXPECT_EQ(f.server().store().Find("/x") != nullptr, keep == 1) << "keep " << keep;
  }
}

TEST(CoordLog, TornLogTailIsCut) {
  CoordFixture f;
  f.Step(At(0), Boot{});
  const CoordSessionId a = f.Open(At(1), kNodeA, Millis(5000));
  f.Deliver(At(2), kNodeA, CoordCreate{.request_id = 1, .session = a, .path = "/a"});
  f.Receive(At(3), kNodeA, CoordCreate{.request_id = 2, .session = a, .path = "/b"});
  const uint64_t durable = f.server().durable_zxid();
  Outbox boot = f.CrashAndBoot(At(4), /*keep=*/0, /*torn=*/7);
  EXPECT_TRUE(HasMark(boot, "coord.log_cut_tail"));
  EXPECT_FALSE(f.server().stopped());
  EXPECT_NE(f.server().store().Find("/a"), nullptr);
  EXPECT_EQ(f.server().store().Find("/b"), nullptr);
  EXPECT_EQ(f.server().last_zxid(), durable);
  // Appends after a cut go to the next segment, so they are never hidden behind the torn bytes.
  EXPECT_EQ(f.server().log_file(), std::string(kCoordLogBase) + ".1");
  EXPECT_EQ(CreateError(
                f.Deliver(At(5), kNodeA, CoordCreate{.request_id = 3, .session = a, .path = "/c"})),
            ErrorCode::kOk);
  f.CrashAndBoot(At(6));
  EXPECT_NE(f.server().store().Find("/a"), nullptr);
  EXPECT_EQ(f.server().store().Find("/b"), nullptr);
  EXPECT_NE(f.server().store().Find("/c"), nullptr);
  EXPECT_TRUE(f.server().store().HasSession(a));
  EXPECT_EQ(f.server().log_file(), std::string(kCoordLogBase) + ".1");
}

TEST(CoordLog, DamageInTheMiddleOfTheLogStopsTheServer) {
  CoordFixture f;
  f.Step(At(0), Boot{});
  const CoordSessionId a = f.Open(At(1), kNodeA);
  f.Deliver(At(2), kNodeA, CoordCreate{.request_id = 1, .session = a, .path = "/a"});
  std::string& log = f.disk().files[std::string(kCoordLogBase)];
  log[10] ^= 1;  // inside the first record; the second is intact
  Outbox boot = f.CrashAndBoot(At(3));
  EXPECT_TRUE(f.server().stopped());
  EXPECT_TRUE(HasMark(boot, "coord.log_unreadable"));
  EXPECT_TRUE(f.Receive(At(4), kNodeA, CoordOpenSession{.request_id = 2}).effects().empty());
}

TEST(CoordLog, TxnsAfterAFailedWriteAreSkippedAndTheirZxidsReused) {
  CoordFixture f;
  f.Step(At(0), Boot{});
  const CoordSessionId a = f.Open(At(1), kNodeA, Millis(5000));
  Outbox first = f.Receive(At(2), kNodeA, CoordCreate{.request_id = 1, .session = a, .path = "/a"});
  f.Receive(At(2), kNodeA, CoordCreate{.request_id = 2, .session = a, .path = "/b"});
  // The write of /a fails (it writes nothing); the write of /b lands behind it.
  f.LoseAppendBytes(0);
  const AppendLog failed = AppendsOf(first).at(0);
  f.Step(At(3), LogFailed{.file = failed.file,
                          .token = failed.token,
                          .status = Status(ErrorCode::kIoError, "injected")});
  ASSERT_TRUE(f.server().stopped());
  Outbox boot = f.CrashAndBoot(At(4), /*keep=*/2);
  EXPECT_FALSE(f.server().stopped());
  EXPECT_TRUE(HasMark(boot, "coord.log_skipped_abandoned"));
  // /b was ordered after /a, which never happened: it must not appear alone.
  EXPECT_EQ(f.server().store().Find("/a"), nullptr);
  EXPECT_EQ(f.server().store().Find("/b"), nullptr);
  EXPECT_EQ(f.server().last_zxid(), 1u);
  EXPECT_EQ(CreateError(
                f.Deliver(At(5), kNodeA, CoordCreate{.request_id = 3, .session = a, .path = "/c"})),
            ErrorCode::kOk);
  EXPECT_EQ(f.server().last_zxid(), 2u);
  f.CrashAndBoot(At(6));
  EXPECT_NE(f.server().store().Find("/c"), nullptr);
  EXPECT_EQ(f.server().store().Find("/b"), nullptr);
  EXPECT_EQ(f.server().last_zxid(), 2u);
}

TEST(CoordLog, RecordsRoundTripThroughTheMutationLogFraming) {
  MapDisk disk;
  const CoordTxn open{
      .kind = CoordTxnKind::kOpenSession, .session = CoordSessionId(1), .timeout = Millis(300)};
  const CoordTxn create{.kind = CoordTxnKind::kCreate,
                        .session = CoordSessionId(1),
                        .path = "/a/b",
                        .data = std::string("\0\xff", 2),
                        .ephemeral = true};
  disk.files[std::string(kCoordLogBase)] =
      EncodeCoordLogRecord(1, open) + EncodeCoordLogRecord(2, create);
  CoordLogReplay r = ReplayCoordLog(disk, kCoordLogBase);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.last_zxid, 2u);
  ASSERT_NE(r.store.Find("/a/b"), nullptr);
  EXPECT_EQ(r.store.Find("/a/b")->data, std::string("\0\xff", 2));
  EXPECT_EQ(r.store.Find("/a/b")->ephemeral_owner, CoordSessionId(1));
  // A record that decodes but does not apply (a create for a session never opened) is damage.
  disk.files[std::string(kCoordLogBase)] = EncodeCoordLogRecord(1, create);
  EXPECT_EQ(ReplayCoordLog(disk, kCoordLogBase).status.code(), ErrorCode::kCorruption);
}

// A txn that reached only the page cache before its incarnation stopped is replayed; the new
// incarnation answers nothing that reflects it until its boot's sync of the log lands, and a
// failed boot sync is fail-stop.
TEST(CoordLog, ARestartServesItsReplayedLogOnlyOnceSynced) {
  for (const bool sync_fails : {false, true}) {
    CoordFixture f;
    f.Step(At(0), Boot{});
    const CoordSessionId a = f.Open(At(1), kNodeA);
    f.Receive(At(2), kNodeA, CoordCreate{.request_id = 1, .session = a, .path = "/x"});
    Outbox boot = f.CrashAndBoot(At(3), /*keep=*/1);
    ASSERT_NE(f.server().store().Find("/x"), nullptr) << "the unsynced txn was replayed";
    EXPECT_TRUE(HasMark(boot, "coord.boot_sync"));
    ASSERT_EQ(f.in_flight(), 1u) << "the boot's sync";
    Outbox get = f.Receive(At(4), kNodeA, CoordGet{.request_id = 2, .session = a, .path = "/x"});
    EXPECT_TRUE(SentOf<CoordGetResponse>(get).empty()) << "held until the log is durable";
    if (sync_fails) {
      Outbox failed = f.FailAppend(At(5), 0);
      EXPECT_TRUE(f.server().stopped());
      EXPECT_TRUE(SentOf<CoordGetResponse>(failed).empty()) << "nothing answered";
      continue;
    }
    auto answered = SentOf<CoordGetResponse>(f.CompleteAll(At(5)));
    ASSERT_EQ(answered.size(), 1u);
    EXPECT_EQ(answered[0].second.error, ErrorCode::kOk);
  }
}

}  // namespace
}  // namespace pg::testing
