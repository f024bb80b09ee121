// The host-side EngineStore: an engine's flushed state survives its holder (a crash deletes the
// ReplicaServer), what was applied after the last Flush does not (WAL off, PEGASUS.md §1.10), and
// nothing survives a wiped disk.
#include <gtest/gtest.h>

#include "sim/kernel/sim_disk.h"
#include "sim/pegasus/engine_store.h"
#include "tests/support/write_batches.h"

namespace pg::sim {
namespace {

using pg::testing::PutOnH;

class EngineStoreTest : public ::testing::TestWithParam<std::string> {};

TEST_P(EngineStoreTest, ReopenKeepsFlushedStateAndLosesTheRest) {
  SimDisk disk;
  EngineStore store(GetParam(), "replica/0");
  store.AttachDisk(&disk, [] { return Time::Zero(); });
  const Gpid gpid{1, 3};
  {
    auto engine = store.Open(gpid);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    EXPECT_TRUE(store.IsOpen(gpid));
    EXPECT_EQ(store.Open(gpid).status().code(), ErrorCode::kBusy);
    ASSERT_TRUE((*engine)->ApplyBatch(Decree(1), PutOnH("a", "1")).ok());
    ASSERT_TRUE((*engine)->ApplyBatch(Decree(2), PutOnH("b", "2")).ok());
    ASSERT_TRUE((*engine)->Flush().ok());
    EXPECT_EQ(store.DurableDecree(gpid), Decree(2));
    ASSERT_TRUE((*engine)->ApplyBatch(Decree(3), PutOnH("c", "3")).ok());
  }  // the holder dies: a crash
  EXPECT_FALSE(store.IsOpen(gpid));
  auto engine = store.Open(gpid);
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  EXPECT_EQ((*engine)->last_applied(), Decree(2));
  EXPECT_EQ((*engine)->last_durable(), Decree(2));
  EXPECT_EQ(*(*engine)->Get("h", "b", Time::Zero()), std::optional<std::string>("2"));
  EXPECT_EQ(*(*engine)->Get("h", "c", Time::Zero()), std::nullopt);
  // Another partition of the same node is independent.
  auto other = store.Open(Gpid{1, 4});
  ASSERT_TRUE(other.ok());
  EXPECT_EQ((*other)->last_applied(), Decree(0));
  EXPECT_EQ(store.DurableDecree(Gpid{1, 4}), Decree(0));
}

// A replaced disk takes the engines with it: the next Open starts empty, with nothing durable,
// in memory mode too, where the store keeps the engine beside the disk.
TEST_P(EngineStoreTest, AWipedDiskTakesTheEnginesWithIt) {
  SimDisk disk;
  EngineStore store(GetParam(), "replica/0");
  store.AttachDisk(&disk, [] { return Time::Zero(); });
  const Gpid gpid{1, 3};
  {
    auto engine = store.Open(gpid);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    ASSERT_TRUE((*engine)->ApplyBatch(Decree(1), PutOnH("a", "1")).ok());
    ASSERT_TRUE((*engine)->Flush().ok());
    EXPECT_EQ(store.DurableDecree(gpid), Decree(1));
  }
  disk.Wipe();
  EXPECT_TRUE(disk.Files().empty());
  auto engine = store.Open(gpid);
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  EXPECT_EQ((*engine)->last_applied(), Decree(0));
  EXPECT_EQ(store.DurableDecree(gpid), Decree(0));
  EXPECT_EQ(*(*engine)->Get("h", "a", Time::Zero()), std::nullopt);
}

INSTANTIATE_TEST_SUITE_P(Storage, EngineStoreTest, ::testing::Values("memory", "rocksdb"));

}  // namespace
}  // namespace pg::sim
