// One conformance suite, run against both KvEngines (MemEngine and RocksDbEngine over a MemEnv).
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "core/storage/key_schema.h"
#include "tests/storage/engine_harness.h"

namespace pg {
namespace {

constexpr Time kNow = Time::Zero();

template <class Harness>
class EngineConformance : public ::testing::Test {
 protected:
  KvEngine& engine() { return h_.engine(); }
  void Crash() { h_.Crash(); }

  void Apply(const WriteBatch& batch) {
    const Decree next = engine().last_applied().next();
    const Status s = engine().ApplyBatch(next, batch);
    ASSERT_TRUE(s.ok()) << s.ToString();
    engine().CheckInvariants();
  }
  void Put(const std::string& h, const std::string& s, const std::string& v,
           uint32_t expire_ts = 0) {
    WriteBatch b;
    b.Put(h, s, v, expire_ts);
    Apply(b);
  }
  std::optional<std::string> Get(const std::string& h, const std::string& s, Time now = kNow) {
    Result<std::optional<std::string>> r = engine().Get(h, s, now);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::nullopt;
  }
  std::vector<SortkeyValue> MultiGet(const std::string& h, Time now = kNow) {
    Result<std::vector<SortkeyValue>> r = engine().MultiGet(h, now);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<SortkeyValue>{};
  }
  void Flush() {
    const Status s = engine().Flush();
    ASSERT_TRUE(s.ok()) << s.ToString();
    engine().CheckInvariants();
  }

  Harness h_;
};

using Engines = ::testing::Types<MemHarness, RocksHarness, RocksSimDiskHarness>;
class EngineNames {
 public:
  template <class T>
  static std::string GetName(int) {
    return T::kName;
  }
};
TYPED_TEST_SUITE(EngineConformance, Engines, EngineNames);

TYPED_TEST(EngineConformance, StartsEmptyAtDecreeZero) {
  EXPECT_EQ(this->engine().last_applied(), Decree(0));
  EXPECT_EQ(this->engine().last_durable(), Decree(0));
  EXPECT_EQ(this->Get("h", "s"), std::nullopt);
  EXPECT_TRUE(this->MultiGet("h").empty());
}

TYPED_TEST(EngineConformance, PutGetDelete) {
  this->Put("h", "s", "v1");
  EXPECT_EQ(this->Get("h", "s"), "v1");
  this->Put("h", "s", "v2");
  EXPECT_EQ(this->Get("h", "s"), "v2");
  WriteBatch del;
  del.Delete("h", "s");
  this->Apply(del);
  EXPECT_EQ(this->Get("h", "s"), std::nullopt);
  EXPECT_EQ(this->engine().last_applied(), Decree(3));
  // Empty strings are ordinary keys and values.
  this->Put("", "", "");
  EXPECT_EQ(this->Get("", ""), "");
}

TYPED_TEST(EngineConformance, LaterOpInOneBatchWins) {
  WriteBatch b;
  b.Put("h", "a", "1");
  b.Delete("h", "a");
  b.Put("h", "b", "1");
  b.Put("h", "b", "2");
  this->Apply(b);
  EXPECT_EQ(this->Get("h", "a"), std::nullopt);
  EXPECT_EQ(this->Get("h", "b"), "2");
}

TYPED_TEST(EngineConformance, EmptyBatchStillAdvancesTheDecree) {
  this->Apply(WriteBatch{});
  EXPECT_EQ(this->engine().last_applied(), Decree(1));
}

TYPED_TEST(EngineConformance, MultiGetDoesNotBleedAcrossHashkeysSharingAPrefix) {
  WriteBatch b;
  b.Put("a", "2", "a2");
  b.Put("a", "1", "a1");
  b.Put("ab", "", "ab-empty");
  b.Put("ab", "x", "abx");
  b.Put("", "a", "empty-hashkey");
  b.Put("b", "a", "ba");
  this->Apply(b);
  EXPECT_EQ(this->MultiGet("a"), (std::vector<SortkeyValue>{{"1", "a1"}, {"2", "a2"}}));
  EXPECT_EQ(this->MultiGet("ab"), (std::vector<SortkeyValue>{{"", "ab-empty"}, {"x", "abx"}}));
  EXPECT_EQ(this->MultiGet(""), (std::vector<SortkeyValue>{{"a", "empty-hashkey"}}));
  EXPECT_TRUE(this->MultiGet("abc").empty());
  // The hashkey "a" + sortkey "b..." must not be confused with hashkey "ab".
  EXPECT_EQ(this->Get("a", "b"), std::nullopt);
}

TYPED_TEST(EngineConformance, TtlExpiresAgainstTheCallersNow) {
  this->Put("h", "ttl", "soon", /*expire_ts=*/10);
  this->Put("h", "forever", "v", /*expire_ts=*/0);
  const Time before = Time::Zero() + Millis(9999);
  const Time at = Time::Zero() + Seconds(10);
  EXPECT_EQ(this->Get("h", "ttl", before), "soon");
  EXPECT_EQ(this->Get("h", "ttl", at), std::nullopt);
  EXPECT_EQ(this->Get("h", "forever", at + Seconds(1000)), "v");
  EXPECT_EQ(this->MultiGet("h", before).size(), 2u);
  EXPECT_EQ(this->MultiGet("h", at), (std::vector<SortkeyValue>{{"forever", "v"}}));
  // Expiry hides, it does not delete: a checkpoint still carries the record and its TTL.
  Result<Checkpoint> cp = this->engine().TakeCheckpoint();
  ASSERT_TRUE(cp.ok());
  EXPECT_EQ(cp->entries.size(), 2u);
}

// A full scan (Pegasus's get_unordered_scanners) reads every record in RocksDB's key order: a
// shorter hashkey first, then bytewise, then by sortkey; expired records are left out, and the
// engine's own bookkeeping (the decree) is no record.
TYPED_TEST(EngineConformance, ScanReadsEveryLiveRecordInKeyOrder) {
  WriteBatch b;
  b.Put("ab", "x", "abx");
  b.Put("b", "2", "b2");
  b.Put("b", "1", "b1");
  b.Put("a", "z", "az");
  b.Put("", "e", "empty-hashkey");
  b.Put("c", "ttl", "gone", /*expire_ts=*/5);
  this->Apply(b);
  this->Flush();
  Result<std::vector<ScanRecord>> got = this->engine().Scan(Time::Zero() + Seconds(5));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, (std::vector<ScanRecord>{{"", "e", "empty-hashkey"},
                                           {"a", "z", "az"},
                                           {"b", "1", "b1"},
                                           {"b", "2", "b2"},
                                           {"ab", "x", "abx"}}));
  for (size_t i = 1; i < got->size(); ++i) {
    const ScanRecord& a = (*got)[i - 1];
    const ScanRecord& z = (*got)[i];
    EXPECT_TRUE(KeyOrderLess({a.hashkey, a.sortkey}, {z.hashkey, z.sortkey})) << i;
  }
  Result<std::vector<ScanRecord>> early = this->engine().Scan(Time::Zero() + Seconds(4));
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(early->size(), 6u) << "the TTL record is live before its second";
}

TYPED_TEST(EngineConformance, InvalidHashkeyAppliesNothing) {
  WriteBatch b;
  b.Put("ok", "s", "v");
  b.Put(std::string(kMaxHashkeyBytes + 1, 'x'), "s", "v");
  const Status s = this->engine().ApplyBatch(Decree(1), b);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(this->engine().last_applied(), Decree(0));
  EXPECT_EQ(this->Get("ok", "s"), std::nullopt);
  EXPECT_EQ(this->engine().Get(std::string(kMaxHashkeyBytes + 1, 'x'), "", kNow).status().code(),
            ErrorCode::kInvalidArgument);
}

TYPED_TEST(EngineConformance, FlushMakesTheAppliedDecreeDurable) {
  this->Put("h", "s", "1");
  this->Put("h", "s", "2");
  EXPECT_EQ(this->engine().last_applied(), Decree(2));
  EXPECT_EQ(this->engine().last_durable(), Decree(0));
  this->Flush();
  EXPECT_EQ(this->engine().last_durable(), Decree(2));
  this->Put("h", "s", "3");
  EXPECT_EQ(this->engine().last_durable(), Decree(2));
  EXPECT_EQ(this->engine().last_applied(), Decree(3));
  this->Flush();
  this->Flush();  // idempotent
  EXPECT_EQ(this->engine().last_durable(), Decree(3));
}

TYPED_TEST(EngineConformance, CrashWithoutFlushLosesEverything) {
  this->Put("h", "s", "v");
  this->Put("h", "t", "w");
  this->Crash();
  EXPECT_EQ(this->engine().last_applied(), Decree(0));
  EXPECT_EQ(this->engine().last_durable(), Decree(0));
  EXPECT_EQ(this->Get("h", "s"), std::nullopt);
  EXPECT_TRUE(this->MultiGet("h").empty());
}

// WAL off: after a crash the engine is exactly at its last flush, data and decree together.
TYPED_TEST(EngineConformance, CrashReturnsToTheLastDurableDecreeAndItsData) {
  this->Put("h", "s", "1");
  this->Put("h", "t", "1");
  this->Flush();
  this->Put("h", "s", "2");
  WriteBatch del;
  del.Delete("h", "t");
  this->Apply(del);
  this->Put("h", "u", "new");
  this->Crash();
  EXPECT_EQ(this->engine().last_applied(), Decree(2));
  EXPECT_EQ(this->engine().last_durable(), Decree(2));
  EXPECT_EQ(this->MultiGet("h"), (std::vector<SortkeyValue>{{"s", "1"}, {"t", "1"}}));
  // Replay continues at the next decree.
  this->Put("h", "s", "3");
  EXPECT_EQ(this->engine().last_applied(), Decree(3));
}

TYPED_TEST(EngineConformance, CrashAfterFlushKeepsEverything) {
  for (int i = 0; i < 5; ++i) this->Put("h", std::to_string(i), std::to_string(i));
  this->Flush();
  this->Crash();
  this->Crash();  // a second crash changes nothing
  EXPECT_EQ(this->engine().last_applied(), Decree(5));
  EXPECT_EQ(this->engine().last_durable(), Decree(5));
  EXPECT_EQ(this->MultiGet("h").size(), 5u);
  EXPECT_EQ(this->Get("h", "4"), "4");
}

TYPED_TEST(EngineConformance, SeveralFlushesThenCrashKeepsTheLatest) {
  this->Put("a", "s", "1");
  this->Flush();
  this->Put("b", "s", "2");
  this->Flush();
  this->Put("c", "s", "3");
  this->Crash();
  EXPECT_EQ(this->engine().last_applied(), Decree(2));
  EXPECT_EQ(this->Get("a", "s"), "1");
  EXPECT_EQ(this->Get("b", "s"), "2");
  EXPECT_EQ(this->Get("c", "s"), std::nullopt);
}

TYPED_TEST(EngineConformance, CheckpointRoundTripThroughTheCodec) {
  WriteBatch b;
  b.Put("a", "1", "x");
  b.Put("ab", "", "y", /*expire_ts=*/42);
  b.Put("", "z", std::string("\0\xff", 2));
  this->Apply(b);
  this->Put("a", "2", "w");
  Result<Checkpoint> cp = this->engine().TakeCheckpoint();
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  EXPECT_EQ(cp->decree, Decree(2));
  ASSERT_EQ(cp->entries.size(), 4u);
  // Key order is RocksDB's: shorter hashkey prefix first.
  EXPECT_EQ(cp->entries[0].hashkey, "");
  EXPECT_EQ(cp->entries[3], (CheckpointEntry{"ab", "", "y", 42}));
  const std::string wire = Encode(*cp);
  EXPECT_EQ(cp->ByteSize(), wire.size());
  Result<Checkpoint> decoded = Decode<Checkpoint>(wire);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, *cp);

  TypeParam other;
  ASSERT_TRUE(other.engine().ApplyBatch(Decree(1), WriteBatch{}).ok());
  WriteBatch stale;
  stale.Put("stale", "s", "gone");
  ASSERT_TRUE(other.engine().ApplyBatch(Decree(2), stale).ok());
  ASSERT_TRUE(other.engine().RestoreCheckpoint(*decoded).ok());
  other.engine().CheckInvariants();
  EXPECT_EQ(other.engine().last_applied(), Decree(2));
  EXPECT_EQ(other.engine().last_durable(), Decree(2));  // learned state is on disk at once
  Result<Checkpoint> again = other.engine().TakeCheckpoint();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *cp);
  // Durable: survives a crash, and the stale key stays gone.
  other.Crash();
  Result<Checkpoint> after_crash = other.engine().TakeCheckpoint();
  ASSERT_TRUE(after_crash.ok());
  EXPECT_EQ(*after_crash, *cp);
  EXPECT_TRUE(other.engine().ApplyBatch(Decree(3), WriteBatch{}).ok());
}

TYPED_TEST(EngineConformance, RestoringAnEmptyCheckpointClearsTheEngine) {
  this->Put("h", "s", "v");
  this->Flush();
  ASSERT_TRUE(this->engine().RestoreCheckpoint(Checkpoint{.decree = Decree(7)}).ok());
  EXPECT_TRUE(this->MultiGet("h").empty());
  EXPECT_EQ(this->engine().last_applied(), Decree(7));
  this->Crash();
  EXPECT_EQ(this->engine().last_applied(), Decree(7));
  EXPECT_TRUE(this->MultiGet("h").empty());
}

TYPED_TEST(EngineConformance, ApplyingOutOfOrderIsAnAssertion) {
  EXPECT_DEATH((void)this->engine().ApplyBatch(Decree(2), WriteBatch{}), "decree order");
}

}  // namespace
}  // namespace pg
