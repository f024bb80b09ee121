// MemEngine is the model of RocksDbEngine: random sequences of batches, flushes and crashes leave
// both with equal decrees, equal checkpoints and equal reads. A difference is a bug in one of
// them, so the simulator may pick either engine without changing what a run means.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

#include "tests/storage/engine_harness.h"

namespace pg {
namespace {

const std::vector<std::string> kHashkeys = {"", "a", "ab", "b"};
const std::vector<std::string> kSortkeys = {"", "0", "1"};

WriteBatch RandomBatch() {
  WriteBatch batch;
  const auto n = *rc::gen::inRange(0, 4);
  for (int i = 0; i < n; ++i) {
    const std::string& h = *rc::gen::elementOf(kHashkeys);
    const std::string& s = *rc::gen::elementOf(kSortkeys);
    if (*rc::gen::inRange(0, 4) == 0) {
      batch.Delete(h, s);
    } else {
      batch.Put(h, s,
                *rc::gen::container<std::string>(*rc::gen::inRange<size_t>(0, 4),
                                                 rc::gen::inRange('a', 'e')),
                *rc::gen::element<uint32_t>(0, 0, 5, 10));
    }
  }
  return batch;
}

void AssertSameState(KvEngine& mem, KvEngine& rocks) {
  mem.CheckInvariants();
  rocks.CheckInvariants();
  RC_ASSERT(mem.last_applied() == rocks.last_applied());
  RC_ASSERT(mem.last_durable() == rocks.last_durable());
  Result<Checkpoint> a = mem.TakeCheckpoint();
  Result<Checkpoint> b = rocks.TakeCheckpoint();
  RC_ASSERT(a.ok() && b.ok());
  RC_ASSERT(*a == *b);
  for (const Time now : {Time::Zero(), Time::Zero() + Seconds(7)}) {
    for (const std::string& h : kHashkeys) {
      Result<std::vector<SortkeyValue>> x = mem.MultiGet(h, now);
      Result<std::vector<SortkeyValue>> y = rocks.MultiGet(h, now);
      RC_ASSERT(x.ok() && y.ok());
      RC_ASSERT(*x == *y);
      for (const std::string& s : kSortkeys) {
        Result<std::optional<std::string>> g = mem.Get(h, s, now);
        Result<std::optional<std::string>> k = rocks.Get(h, s, now);
        RC_ASSERT(g.ok() && k.ok());
        RC_ASSERT(*g == *k);
      }
    }
  }
}

RC_GTEST_PROP(EngineEquivalence, MemEngineModelsRocksDbEngine, ()) {
  MemHarness mem;
  RocksHarness rocks;
  const auto steps = *rc::gen::inRange(1, 25);
  for (int i = 0; i < steps; ++i) {
    const int what = *rc::gen::inRange(0, 10);
    if (what < 7) {
      const WriteBatch batch = RandomBatch();
      const Decree next = mem.engine().last_applied().next();
      RC_ASSERT(mem.engine().ApplyBatch(next, batch).ok());
      RC_ASSERT(rocks.engine().ApplyBatch(next, batch).ok());
    } else if (what < 9) {
      RC_ASSERT(mem.engine().Flush().ok());
      RC_ASSERT(rocks.engine().Flush().ok());
    } else {
      mem.Crash();
      rocks.Crash();
    }
    AssertSameState(mem.engine(), rocks.engine());
  }
}

// Value semantics: a clone is independent of its original.
TEST(MemEngine, CloneIsIndependent) {
  MemEngine a;
  WriteBatch b;
  b.Put("h", "s", "1");
  ASSERT_TRUE(a.ApplyBatch(Decree(1), b).ok());
  ASSERT_TRUE(a.Flush().ok());
  Result<std::unique_ptr<KvEngine>> clone = a.Clone();
  ASSERT_TRUE(clone.ok());
  WriteBatch c;
  c.Put("h", "s", "2");
  ASSERT_TRUE(a.ApplyBatch(Decree(2), c).ok());
  a.SimulateCrash();
  EXPECT_EQ(*(*clone)->Get("h", "s", Time::Zero()), "1");
  EXPECT_EQ((*clone)->last_applied(), Decree(1));
  MemEngine copy = a;
  ASSERT_TRUE(copy.ApplyBatch(Decree(2), c).ok());
  EXPECT_EQ(a.last_applied(), Decree(1));
}

TEST(RocksDbEngine, CannotBeCloned) {
  RocksHarness rocks;
  EXPECT_EQ(rocks.engine().Clone().status().code(), ErrorCode::kInvalidState);
}

}  // namespace
}  // namespace pg
