// The test binaries' entry point: GoogleTest's, with death tests run in a fresh process.
//
// The default "fast" death-test style forks the test process as it is. Engines over RocksDB keep
// background threads (flush, compaction, stats); a fork taken while one of them holds a lock (the
// allocator's, RocksDB's own) leaves the child waiting on it forever. "threadsafe" re-executes the
// binary for the one test instead, so the child starts with no threads but its own.
#include <gtest/gtest.h>

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  return RUN_ALL_TESTS();
}
