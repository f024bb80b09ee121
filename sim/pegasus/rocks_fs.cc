#include "sim/pegasus/rocks_fs.h"

#include <fmt/format.h>

#include <cstring>

namespace pg::sim {
namespace {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

IOStatus ToIo(const Status& s) {
  if (s.ok()) return IOStatus::OK();
  if (s.code() == ErrorCode::kNoSpace) return IOStatus::NoSpace(std::string(s.message()));
  return IOStatus::IOError(std::string(s.message()));
}

IOStatus NotFound(const std::string& path) { return IOStatus::PathNotFound(path); }

class SimSequentialFile final : public rocksdb::FSSequentialFile {
 public:
  SimSequentialFile(SimDisk* disk, std::string name) : disk_(disk), name_(std::move(name)) {}
  IOStatus Read(size_t n, const IOOptions&, Slice* result, char* scratch,
                IODebugContext*) override {
    if (IOStatus s = ToIo(disk_->Fail(IoKind::kRead, name_)); !s.ok()) return s;
    const std::string_view bytes = disk_->ReadAt(name_, pos_, n);
    // An empty read may be a null view: memcpy from null is undefined even for zero bytes.
    if (!bytes.empty()) std::memcpy(scratch, bytes.data(), bytes.size());
    pos_ += bytes.size();
    *result = Slice(scratch, bytes.size());
    return IOStatus::OK();
  }
  IOStatus Skip(uint64_t n) override {
    pos_ = std::min(pos_ + n, disk_->size(name_));
    return IOStatus::OK();
  }

 private:
  SimDisk* disk_;
  std::string name_;
  uint64_t pos_ = 0;
};

class SimRandomAccessFile final : public rocksdb::FSRandomAccessFile {
 public:
  SimRandomAccessFile(SimDisk* disk, std::string name) : disk_(disk), name_(std::move(name)) {}
  IOStatus Read(uint64_t offset, size_t n, const IOOptions&, Slice* result, char* scratch,
                IODebugContext*) const override {
    if (!disk_->Exists(name_)) return NotFound(name_);
    if (IOStatus s = ToIo(disk_->Fail(IoKind::kRead, name_)); !s.ok()) return s;
    const std::string_view bytes = disk_->ReadAt(name_, offset, n);
    if (!bytes.empty()) std::memcpy(scratch, bytes.data(), bytes.size());
    *result = Slice(scratch, bytes.size());
    return IOStatus::OK();
  }

 private:
  SimDisk* disk_;
  std::string name_;
};

class SimWritableFile final : public rocksdb::FSWritableFile {
 public:
  SimWritableFile(SimDisk* disk, std::string name, const rocksdb::FileOptions& opts)
      : FSWritableFile(opts), disk_(disk), name_(std::move(name)) {}
  using rocksdb::FSWritableFile::Append;
  IOStatus Append(const Slice& data, const IOOptions&, IODebugContext*) override {
    // A failed write writes nothing, as on the AppendLog path.
    if (IOStatus s = ToIo(disk_->Fail(IoKind::kWrite, name_)); !s.ok()) return s;
    disk_->Append(name_, data.ToStringView());
    disk_->CountEngineWrite(data.size());
    return IOStatus::OK();
  }
  IOStatus Truncate(uint64_t size, const IOOptions&, IODebugContext*) override {
    disk_->Truncate(name_, size);
    return IOStatus::OK();
  }
  IOStatus Close(const IOOptions&, IODebugContext*) override { return IOStatus::OK(); }
  // Appends reach the page cache at once: there is no user-space buffer to flush.
  IOStatus Flush(const IOOptions&, IODebugContext*) override { return IOStatus::OK(); }
  IOStatus Sync(const IOOptions&, IODebugContext*) override {
    if (IOStatus s = ToIo(disk_->Fail(IoKind::kSync, name_)); !s.ok()) return s;
    disk_->MarkSynced(name_, disk_->size(name_));
    disk_->CountEngineSync();
    return IOStatus::OK();
  }
  IOStatus Fsync(const IOOptions& o, IODebugContext* dbg) override { return Sync(o, dbg); }
  bool IsSyncThreadSafe() const override { return true; }
  uint64_t GetFileSize(const IOOptions&, IODebugContext*) override { return disk_->size(name_); }

 private:
  SimDisk* disk_;
  std::string name_;
};

// Metadata is durable at once (sim_disk.h), so a directory fsync has nothing to persist; it can
// still fail like any sync.
class SimDirectory final : public rocksdb::FSDirectory {
 public:
  SimDirectory(SimDisk* disk, std::string name) : disk_(disk), name_(std::move(name)) {}
  IOStatus Fsync(const IOOptions&, IODebugContext*) override {
    if (IOStatus s = ToIo(disk_->Fail(IoKind::kSync, name_)); !s.ok()) return s;
    disk_->CountEngineSync();
    return IOStatus::OK();
  }
  IOStatus Close(const IOOptions&, IODebugContext*) override { return IOStatus::OK(); }

 private:
  SimDisk* disk_;
  std::string name_;
};

class SimFileLock final : public rocksdb::FileLock {
 public:
  explicit SimFileLock(std::string path) : path(std::move(path)) {}
  const std::string path;
};

// RocksDB's info log would carry wall-clock times and thread ids; nothing is written.
class NullLogger final : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char* /*format*/, va_list /*ap*/) override {}
};

// RocksDB names paths with repeated or trailing slashes at times ("dir//file", "dir/").
std::string Normalize(const std::string& path) {
  std::string out;
  out.reserve(path.size());
  for (char c : path) {
    if (c == '/' && !out.empty() && out.back() == '/') continue;
    out.push_back(c);
  }
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

// RocksDB's OPTIONS dump, written under a temporary name ("OPTIONS-000007.dbtmp") at every open,
// then parsed back to verify it and renamed. A pegasim store is always opened with the options in
// code (core/storage/rocksdb_engine.cc) and never reads that file, and writing and re-parsing it
// cost about a seventh of a sweep's instructions. Refusing it leaves RocksDB's data files as they
// were: RocksDB treats a failed dump as a warning (fail_if_options_file_error is false), and it
// took the dump's file number before asking. (The dump's own reads and writes no longer draw disk
// faults.)
bool IsOptionsDump(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string_view base =
      std::string_view(path).substr(slash == std::string::npos ? 0 : slash + 1);
  return base.starts_with("OPTIONS-") && base.ends_with(".dbtmp");
}

}  // namespace

SimFileSystem::SimFileSystem(SimDisk* disk, std::function<int64_t()> now_seconds)
    : disk_(disk), now_seconds_(std::move(now_seconds)) {}

IOStatus SimFileSystem::NewSequentialFile(const std::string& fname, const rocksdb::FileOptions&,
                                          std::unique_ptr<rocksdb::FSSequentialFile>* result,
                                          IODebugContext*) {
  const std::string path = Normalize(fname);
  if (!disk_->Exists(path)) return NotFound(path);
  *result = std::make_unique<SimSequentialFile>(disk_, path);
  return IOStatus::OK();
}

IOStatus SimFileSystem::NewRandomAccessFile(const std::string& fname, const rocksdb::FileOptions&,
                                            std::unique_ptr<rocksdb::FSRandomAccessFile>* result,
                                            IODebugContext*) {
  const std::string path = Normalize(fname);
  if (!disk_->Exists(path)) return NotFound(path);
  *result = std::make_unique<SimRandomAccessFile>(disk_, path);
  return IOStatus::OK();
}

IOStatus SimFileSystem::NewWritableFile(const std::string& fname, const rocksdb::FileOptions& opts,
                                        std::unique_ptr<rocksdb::FSWritableFile>* result,
                                        IODebugContext*) {
  const std::string path = Normalize(fname);
  if (IsOptionsDump(path)) {
    return IOStatus::NotSupported(path + ": the simulated disk keeps no RocksDB options dump");
  }
  // Creating (or truncating) a file is a write to its directory.
  if (IOStatus s = ToIo(disk_->Fail(IoKind::kWrite, path)); !s.ok()) return s;
  disk_->Delete(path);
  disk_->Append(path, {});
  *result = std::make_unique<SimWritableFile>(disk_, path, opts);
  return IOStatus::OK();
}

IOStatus SimFileSystem::ReopenWritableFile(const std::string& fname,
                                           const rocksdb::FileOptions& opts,
                                           std::unique_ptr<rocksdb::FSWritableFile>* result,
                                           IODebugContext*) {
  const std::string path = Normalize(fname);
  if (!disk_->Exists(path)) disk_->Append(path, {});
  *result = std::make_unique<SimWritableFile>(disk_, path, opts);
  return IOStatus::OK();
}

IOStatus SimFileSystem::NewDirectory(const std::string& name, const IOOptions&,
                                     std::unique_ptr<rocksdb::FSDirectory>* result,
                                     IODebugContext*) {
  const std::string path = Normalize(name);
  if (!disk_->DirExists(path)) return NotFound(path);
  *result = std::make_unique<SimDirectory>(disk_, path);
  return IOStatus::OK();
}

IOStatus SimFileSystem::FileExists(const std::string& fname, const IOOptions&, IODebugContext*) {
  const std::string path = Normalize(fname);
  return disk_->Exists(path) || disk_->DirExists(path) ? IOStatus::OK() : IOStatus::NotFound(path);
}

IOStatus SimFileSystem::GetChildren(const std::string& dir, const IOOptions&,
                                    std::vector<std::string>* result, IODebugContext*) {
  const std::string path = Normalize(dir);
  if (!disk_->DirExists(path)) return NotFound(path);
  *result = disk_->Children(path);
  return IOStatus::OK();
}

IOStatus SimFileSystem::DeleteFile(const std::string& fname, const IOOptions&, IODebugContext*) {
  const std::string path = Normalize(fname);
  return disk_->Delete(path) ? IOStatus::OK() : NotFound(path);
}

IOStatus SimFileSystem::Truncate(const std::string& fname, size_t size, const IOOptions&,
                                 IODebugContext*) {
  const std::string path = Normalize(fname);
  if (!disk_->Exists(path)) return NotFound(path);
  disk_->Truncate(path, size);
  return IOStatus::OK();
}

IOStatus SimFileSystem::CreateDir(const std::string& dirname, const IOOptions& o,
                                  IODebugContext* dbg) {
  const std::string path = Normalize(dirname);
  if (disk_->DirExists(path)) return IOStatus::IOError(path + ": directory exists");
  return CreateDirIfMissing(path, o, dbg);
}

IOStatus SimFileSystem::CreateDirIfMissing(const std::string& dirname, const IOOptions&,
                                           IODebugContext*) {
  // Like `mkdir -p`: RocksDB creates "/pegasim/replica/1/1.0" in one call.
  const std::string path = Normalize(dirname);
  for (size_t slash = path.find('/', 1); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    disk_->CreateDir(path.substr(0, slash));
  }
  disk_->CreateDir(path);
  return IOStatus::OK();
}

IOStatus SimFileSystem::DeleteDir(const std::string& dirname, const IOOptions&, IODebugContext*) {
  const std::string path = Normalize(dirname);
  return disk_->DeleteDir(path) ? IOStatus::OK()
                                : IOStatus::IOError(path + ": no such empty directory");
}

IOStatus SimFileSystem::GetFileSize(const std::string& fname, const IOOptions&, uint64_t* file_size,
                                    IODebugContext*) {
  const std::string path = Normalize(fname);
  if (!disk_->Exists(path)) return NotFound(path);
  *file_size = disk_->size(path);
  return IOStatus::OK();
}

IOStatus SimFileSystem::GetFileModificationTime(const std::string& fname, const IOOptions&,
                                                uint64_t* file_mtime, IODebugContext*) {
  const std::string path = Normalize(fname);
  if (!disk_->Exists(path)) return NotFound(path);
  *file_mtime = static_cast<uint64_t>(now_seconds_());
  return IOStatus::OK();
}

IOStatus SimFileSystem::RenameFile(const std::string& src, const std::string& target,
                                   const IOOptions&, IODebugContext*) {
  const std::string from = Normalize(src);
  const std::string to = Normalize(target);
  if (IOStatus s = ToIo(disk_->Fail(IoKind::kWrite, from + " -> " + to)); !s.ok()) return s;
  return disk_->Rename(from, to) ? IOStatus::OK() : NotFound(from);
}

IOStatus SimFileSystem::LockFile(const std::string& fname, const IOOptions&,
                                 rocksdb::FileLock** lock, IODebugContext*) {
  const std::string path = Normalize(fname);
  if (!locked_.insert(path).second) return IOStatus::IOError(path + ": lock held");
  if (!disk_->Exists(path)) disk_->Append(path, {});
  *lock = new SimFileLock(path);
  return IOStatus::OK();
}

IOStatus SimFileSystem::UnlockFile(rocksdb::FileLock* lock, const IOOptions&, IODebugContext*) {
  auto* sim_lock = static_cast<SimFileLock*>(lock);
  locked_.erase(sim_lock->path);
  delete sim_lock;
  return IOStatus::OK();
}

IOStatus SimFileSystem::GetTestDirectory(const IOOptions&, std::string* path, IODebugContext*) {
  *path = "/test";
  disk_->CreateDir(*path);
  return IOStatus::OK();
}

IOStatus SimFileSystem::NewLogger(const std::string&, const IOOptions&,
                                  std::shared_ptr<rocksdb::Logger>* result, IODebugContext*) {
  *result = std::make_shared<NullLogger>();
  return IOStatus::OK();
}

IOStatus SimFileSystem::GetAbsolutePath(const std::string& db_path, const IOOptions&,
                                        std::string* output_path, IODebugContext*) {
  *output_path = Normalize(db_path.starts_with('/') ? db_path : "/" + db_path);
  return IOStatus::OK();
}

IOStatus SimFileSystem::IsDirectory(const std::string& path, const IOOptions&, bool* is_dir,
                                    IODebugContext*) {
  const std::string p = Normalize(path);
  if (disk_->DirExists(p)) {
    *is_dir = true;
  } else if (disk_->Exists(p)) {
    *is_dir = false;
  } else {
    return NotFound(p);
  }
  return IOStatus::OK();
}

}  // namespace pg::sim
