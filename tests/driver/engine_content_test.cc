// Invariant applied_state (sim/pegasus/engine_content.h): the content digest the EngineStore keeps
// for each engine, from what it applies and restores, and the ledger that compares replicas at
// equal applied decree.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "sim/kernel/sim_disk.h"
#include "sim/pegasus/engine_store.h"
#include "tests/support/write_batches.h"

namespace pg::sim {
namespace {

using pg::testing::PutOnH;

TEST(EngineContent, TheDigestIsTheContentNotTheWayToIt) {
  EngineContent one_by_one;
  one_by_one.Apply(PutOnH("a", "1"));
  one_by_one.Apply(PutOnH("b", "2"));
  one_by_one.Apply(PutOnH("a", "3"));  // replaces a
  WriteBatch del;
  del.Delete("h", "b");
  del.Delete("h", "never-there");
  one_by_one.Apply(del);

  EngineContent restored;
  restored.Reset(
      Checkpoint{.decree = Decree(4), .entries = {{.hashkey = "h", .sortkey = "a", .value = "3"}}});
  EXPECT_EQ(one_by_one.digest(), restored.digest());
  EXPECT_EQ(one_by_one.size(), 1u);

  EngineContent other_value;
  other_value.Apply(PutOnH("a", "4"));
  EXPECT_NE(other_value.digest(), restored.digest());
  EngineContent other_ttl;
  WriteBatch ttl;
  ttl.Put("h", "a", "3", /*expire_ts=*/100);
  other_ttl.Apply(ttl);
  EXPECT_NE(other_ttl.digest(), restored.digest());
  // Field boundaries count: ("h", "ab") is not ("ha", "b").
  EngineContent shifted;
  WriteBatch s;
  s.Put("ha", "", "3");
  shifted.Apply(s);
  EngineContent unshifted;
  WriteBatch u;
  u.Put("h", "a", "3");
  unshifted.Apply(u);
  EXPECT_NE(shifted.digest(), unshifted.digest());
}

TEST(ContentLedger, ADifferentContentAtTheSameDecreeIsADivergence) {
  ContentLedger ledger;
  ledger.Record("replica/0", Gpid{1, 0}, Decree(1), 11);
  ledger.Record("replica/1", Gpid{1, 0}, Decree(1), 11);
  ledger.Record("replica/1", Gpid{1, 1}, Decree(1), 12);  // another partition
  ledger.Record("replica/1", Gpid{1, 0}, Decree(2), 13);
  EXPECT_FALSE(ledger.violation());
  ledger.Record("replica/2", Gpid{1, 0}, Decree(2), 14);
  ASSERT_TRUE(ledger.violation());
  EXPECT_NE(ledger.violation()->find("replica/2"), std::string::npos);
  EXPECT_NE(ledger.violation()->find("decree 2"), std::string::npos);
  EXPECT_NE(ledger.violation()->find("replica/1"), std::string::npos);
}

class EngineContentStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  // A server's store over its own disk, recording into the shared ledger.
  std::unique_ptr<EngineStore> ServerStore(const std::string& node) {
    disks_.push_back(std::make_unique<SimDisk>());
    auto store = std::make_unique<EngineStore>(GetParam(), node);
    store->AttachDisk(disks_.back().get(), [] { return Time::Zero(); });
    store->AttachContentLedger(ledger_);
    return store;
  }
  std::shared_ptr<ContentLedger> ledger_ = std::make_shared<ContentLedger>();

 private:
  std::vector<std::unique_ptr<SimDisk>> disks_;  // outlive the stores, which the test body owns
};

// Two servers' engines of one partition: the same mutations agree; a replica that reopened after
// a crash carries its flushed content on, and one that applies another mutation at a decree the
// other applied is reported.
TEST_P(EngineContentStoreTest, ReplicasAreComparedAtEveryAppliedDecreeAcrossCrashes) {
  std::unique_ptr<EngineStore> store0 = ServerStore("replica/0");
  std::unique_ptr<EngineStore> store1 = ServerStore("replica/1");
  const Gpid gpid{1, 2};
  auto a = store0->Open(gpid);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE((*a)->ApplyBatch(Decree(1), PutOnH("x", "1")).ok());
  ASSERT_TRUE((*a)->ApplyBatch(Decree(2), PutOnH("y", "2")).ok());
  ASSERT_TRUE((*a)->ApplyBatch(Decree(3), PutOnH("x", "3")).ok());
  {
    auto b = store1->Open(gpid);
    ASSERT_TRUE(b.ok());
    ASSERT_TRUE((*b)->ApplyBatch(Decree(1), PutOnH("x", "1")).ok());
    ASSERT_TRUE((*b)->Flush().ok());
    ASSERT_TRUE((*b)->ApplyBatch(Decree(2), PutOnH("y", "2")).ok());
  }  // replica/1 crashes: decree 2 was not flushed
  EXPECT_FALSE(ledger_->violation());
  auto b = store1->Open(gpid);
  ASSERT_TRUE(b.ok());
  ASSERT_EQ((*b)->last_applied(), Decree(1));
  ASSERT_TRUE((*b)->ApplyBatch(Decree(2), PutOnH("y", "2")).ok());  // replayed: the same
  EXPECT_FALSE(ledger_->violation());
  ASSERT_TRUE((*b)->ApplyBatch(Decree(3), PutOnH("x", "other")).ok());
  ASSERT_TRUE(ledger_->violation());
  EXPECT_NE(ledger_->violation()->find("decree 3"), std::string::npos) << *ledger_->violation();
}

// A learner that restores a checkpoint is compared from the checkpoint's decree on: the right
// checkpoint agrees, one of the wrong decree does not.
TEST_P(EngineContentStoreTest, ARestoredCheckpointIsComparedAtItsDecree) {
  std::unique_ptr<EngineStore> primary = ServerStore("replica/0");
  std::unique_ptr<EngineStore> learner = ServerStore("replica/1");
  const Gpid gpid{1, 0};
  auto p = primary->Open(gpid);
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE((*p)->ApplyBatch(Decree(1), PutOnH("x", "1")).ok());
  Result<Checkpoint> at1 = (*p)->TakeCheckpoint();
  ASSERT_TRUE(at1.ok());
  ASSERT_TRUE((*p)->ApplyBatch(Decree(2), PutOnH("x", "2")).ok());
  auto l = learner->Open(gpid);
  ASSERT_TRUE(l.ok());
  ASSERT_TRUE((*l)->RestoreCheckpoint(*at1).ok());
  ASSERT_TRUE((*l)->ApplyBatch(Decree(2), PutOnH("x", "2")).ok());
  EXPECT_FALSE(ledger_->violation());
  Checkpoint mislabelled = *at1;  // decree 1's content, claimed at decree 2
  mislabelled.decree = Decree(2);
  std::unique_ptr<EngineStore> other = ServerStore("replica/2");  // another learner
  auto o = other->Open(gpid);
  ASSERT_TRUE(o.ok());
  ASSERT_TRUE((*o)->RestoreCheckpoint(mislabelled).ok());
  ASSERT_TRUE(ledger_->violation());
  EXPECT_NE(ledger_->violation()->find("replica/2"), std::string::npos) << *ledger_->violation();
}

INSTANTIATE_TEST_SUITE_P(Storage, EngineContentStoreTest, ::testing::Values("memory", "rocksdb"));

}  // namespace
}  // namespace pg::sim
