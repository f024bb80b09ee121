#pragma once
// SimFileSystem: a rocksdb::FileSystem over one node's SimDisk, so that real RocksDB keeps its
// SSTs, MANIFEST and CURRENT on the simulated disk: a machine crash drops what RocksDB has not
// synced, and the disk's read/write/sync faults reach RocksDB as IOError.
//
// Every call runs on the simulator's one thread (rocks_env.h queues RocksDB's background jobs and
// the engine runs them inline), so the adapter needs no locking and its fault draws come in the
// same order in every run of a seed. RocksDB's I/O through it returns at once, and is counted on
// the disk (SimDisk::CountEngineWrite, CountEngineSync): the kernel charges it to the disk's
// queue after the step (DiskLatency::engine_mb_per_s), so appends the node issues next wait
// behind a flush. Reads are not charged: they stand for reads the page cache serves.
#include <rocksdb/file_system.h>

#include <functional>
#include <memory>
#include <set>
#include <string>

#include "core/common/time.h"
#include "sim/kernel/sim_disk.h"

namespace pg::sim {

class SimFileSystem final : public rocksdb::FileSystem {
 public:
  // `disk` must outlive the file system and every file it opened; `now_seconds` is RocksDB's
  // clock (RocksClock, in seconds). Modification times are not tracked: GetFileModificationTime
  // answers `now_seconds` (RocksDB uses it only for TTL-based file deletion, which is off).
  SimFileSystem(SimDisk* disk, std::function<int64_t()> now_seconds);

  static const char* kClassName() { return "PegasimFileSystem"; }
  const char* Name() const override { return kClassName(); }

  rocksdb::IOStatus NewSequentialFile(const std::string& fname, const rocksdb::FileOptions& opts,
                                      std::unique_ptr<rocksdb::FSSequentialFile>* result,
                                      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewRandomAccessFile(const std::string& fname, const rocksdb::FileOptions& opts,
                                        std::unique_ptr<rocksdb::FSRandomAccessFile>* result,
                                        rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& opts,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& fname, const rocksdb::FileOptions& opts,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& opts,
                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                 rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus FileExists(const std::string& fname, const rocksdb::IOOptions& opts,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus GetChildren(const std::string& dir, const rocksdb::IOOptions& opts,
                                std::vector<std::string>* result,
                                rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& fname, const rocksdb::IOOptions& opts,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Truncate(const std::string& fname, size_t size, const rocksdb::IOOptions& opts,
                             rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus CreateDir(const std::string& dirname, const rocksdb::IOOptions& opts,
                              rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus CreateDirIfMissing(const std::string& dirname, const rocksdb::IOOptions& opts,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteDir(const std::string& dirname, const rocksdb::IOOptions& opts,
                              rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus GetFileSize(const std::string& fname, const rocksdb::IOOptions& opts,
                                uint64_t* file_size, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus GetFileModificationTime(const std::string& fname,
                                            const rocksdb::IOOptions& opts, uint64_t* file_mtime,
                                            rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& src, const std::string& target,
                               const rocksdb::IOOptions& opts,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus LockFile(const std::string& fname, const rocksdb::IOOptions& opts,
                             rocksdb::FileLock** lock, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus UnlockFile(rocksdb::FileLock* lock, const rocksdb::IOOptions& opts,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus GetTestDirectory(const rocksdb::IOOptions& opts, std::string* path,
                                     rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewLogger(const std::string& fname, const rocksdb::IOOptions& opts,
                              std::shared_ptr<rocksdb::Logger>* result,
                              rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus GetAbsolutePath(const std::string& db_path, const rocksdb::IOOptions& opts,
                                    std::string* output_path,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus IsDirectory(const std::string& path, const rocksdb::IOOptions& opts,
                                bool* is_dir, rocksdb::IODebugContext* dbg) override;

 private:
  SimDisk* disk_;
  std::function<int64_t()> now_seconds_;
  std::set<std::string> locked_;  // LockFile'd paths
};

}  // namespace pg::sim
