// RocksDbEngine-specific: disk errors surface as Status (never an assertion), through a
// FileSystem adapter made with NewCompositeEnv, the way the simulator hands RocksDB its disk.
#include "core/storage/rocksdb_engine.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <memory>
#include <string>

#include "core/storage/engine_util.h"
#include "core/storage/key_schema.h"

namespace pg {
namespace {

// Counts the reads of an SST file (`reads` outlives the file: the FileSystem owns the counter).
class CountedSstFile final : public rocksdb::FSRandomAccessFileOwnerWrapper {
 public:
  CountedSstFile(std::unique_ptr<rocksdb::FSRandomAccessFile> f, int* reads)
      : FSRandomAccessFileOwnerWrapper(std::move(f)), reads_(reads) {}
  rocksdb::IOStatus Read(uint64_t offset, size_t n, const rocksdb::IOOptions& options,
                         rocksdb::Slice* result, char* scratch,
                         rocksdb::IODebugContext* dbg) const override {
    ++*reads_;
    return target()->Read(offset, n, options, result, scratch, dbg);
  }
  rocksdb::IOStatus MultiRead(rocksdb::FSReadRequest* reqs, size_t num_reqs,
                              const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override {
    *reads_ += static_cast<int>(num_reqs);
    return target()->MultiRead(reqs, num_reqs, options, dbg);
  }

 private:
  int* reads_;
};

// Fails the creation of SST files while armed (a flush that cannot write its output), and counts
// the reads of SST files.
class FailingSstFs final : public rocksdb::FileSystemWrapper {
 public:
  using rocksdb::FileSystemWrapper::FileSystemWrapper;
  const char* Name() const override { return "FailingSstFs"; }
  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& opts,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* dbg) override {
    if (fail_sst && f.ends_with(".sst")) return rocksdb::IOStatus::IOError("injected: " + f);
    return target()->NewWritableFile(f, opts, r, dbg);
  }
  rocksdb::IOStatus NewRandomAccessFile(const std::string& f, const rocksdb::FileOptions& opts,
                                        std::unique_ptr<rocksdb::FSRandomAccessFile>* r,
                                        rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->NewRandomAccessFile(f, opts, r, dbg);
    if (s.ok() && f.ends_with(".sst"))
      *r = std::make_unique<CountedSstFile>(std::move(*r), &sst_reads);
    return s;
  }
  bool fail_sst = false;
  int sst_reads = 0;
};

class RocksDbEngineDisk : public ::testing::Test {
 protected:
  RocksDbEngineDisk()
      : base_(rocksdb::NewMemEnv(rocksdb::Env::Default())),
        fs_(std::make_shared<FailingSstFs>(base_->GetFileSystem())),
        env_(rocksdb::NewCompositeEnv(fs_)) {}

  Result<std::unique_ptr<RocksDbEngine>> Open() {
    return RocksDbEngine::Open({.env = env_.get(), .path = "/db"});
  }
  static WriteBatch OnePut(const std::string& v) {
    WriteBatch b;
    b.Put("h", "s", v);
    return b;
  }

  std::unique_ptr<rocksdb::Env> base_;
  std::shared_ptr<FailingSstFs> fs_;
  std::unique_ptr<rocksdb::Env> env_;
};

TEST_F(RocksDbEngineDisk, FailedFlushIsAnIoErrorAndDurableStaysPut) {
  Result<std::unique_ptr<RocksDbEngine>> engine = Open();
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  ASSERT_TRUE((*engine)->ApplyBatch(Decree(1), OnePut("1")).ok());
  ASSERT_TRUE((*engine)->Flush().ok());
  ASSERT_TRUE((*engine)->ApplyBatch(Decree(2), OnePut("2")).ok());
  fs_->fail_sst = true;
  const Status flushed = (*engine)->Flush();
  EXPECT_EQ(flushed.code(), ErrorCode::kIoError) << flushed.ToString();
  EXPECT_EQ((*engine)->last_durable(), Decree(1));
  EXPECT_EQ((*engine)->last_applied(), Decree(2));
  (*engine)->CheckInvariants();
  // RocksDB may now refuse writes (background error): if so, as a Status, decree unchanged.
  const Status next = (*engine)->ApplyBatch(Decree(3), OnePut("3"));
  if (!next.ok()) {
    EXPECT_EQ(next.code(), ErrorCode::kIoError);
    EXPECT_EQ((*engine)->last_applied(), Decree(2));
  }
  // The replica fails-stop; the restarted one finds the last successful flush.
  engine = Status(ErrorCode::kIoError, "dropped");
  fs_->fail_sst = false;
  Result<std::unique_ptr<RocksDbEngine>> reopened = Open();
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ((*reopened)->last_applied(), Decree(1));
  EXPECT_EQ(*(*reopened)->Get("h", "s", Time::Zero()), "1");
}

TEST_F(RocksDbEngineDisk, GarbageDecreeOnDiskIsCorruptionOnOpen) {
  {
    rocksdb::Options options;
    options.env = env_.get();
    options.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, "/db", &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), LastAppliedMetaKey(), "bad").ok());
    ASSERT_TRUE(db->Flush(rocksdb::FlushOptions()).ok());
  }
  Result<std::unique_ptr<RocksDbEngine>> engine = Open();
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.status().code(), ErrorCode::kCorruption) << engine.status().ToString();
}

TEST_F(RocksDbEngineDisk, GarbageUserKeyOnDiskIsCorruptionInCheckpoint) {
  {
    rocksdb::Options options;
    options.env = env_.get();
    options.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, "/db", &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    // A hashkey length past the end of the key, and a value shorter than its header.
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), std::string("\x00\x09h", 3), "x").ok());
    ASSERT_TRUE(db->Flush(rocksdb::FlushOptions()).ok());
  }
  Result<std::unique_ptr<RocksDbEngine>> engine = Open();
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  EXPECT_EQ((*engine)->TakeCheckpoint().status().code(), ErrorCode::kCorruption);
}

// Every read of flushed data reaches the disk, so a read fault or bit rot under a block read
// once already is still seen: no block cache keeps it (whose keys would also differ between two
// runs of one seed, RocksDbEngine::Open).
TEST_F(RocksDbEngineDisk, EveryReadOfFlushedDataReachesTheDisk) {
  Result<std::unique_ptr<RocksDbEngine>> engine = Open();
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  ASSERT_TRUE((*engine)->ApplyBatch(Decree(1), OnePut("1")).ok());
  ASSERT_TRUE((*engine)->Flush().ok());
  for (int i = 0; i < 3; ++i) {
    const int before = fs_->sst_reads;
    EXPECT_EQ(*(*engine)->Get("h", "s", Time::Zero()), "1");
    EXPECT_GT(fs_->sst_reads, before) << "read " << i << " was served from memory";
  }
}

TEST_F(RocksDbEngineDisk, NoLogFileIsWritten) {
  Result<std::unique_ptr<RocksDbEngine>> engine = Open();
  ASSERT_TRUE(engine.ok());
  std::vector<std::string> children;
  ASSERT_TRUE(env_->GetChildren("/db", &children).ok());
  for (const std::string& f : children) EXPECT_FALSE(f.starts_with("LOG")) << f;
}

}  // namespace
}  // namespace pg
