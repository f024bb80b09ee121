#include "sim/kernel/sim_disk.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/common/assert.h"

namespace pg::sim {
namespace {

// "dir/name" -> "dir"; "name" -> "".
std::string_view Parent(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

}  // namespace

std::string_view IoKindName(IoKind kind) {
  switch (kind) {
    case IoKind::kRead:
      return "read";
    case IoKind::kWrite:
      return "write";
    case IoKind::kSync:
      return "sync";
  }
  return "?";
}

Result<std::string> SimDisk::ReadFile(const std::string& file) const {
  auto it = files_.find(file);
  if (it == files_.end()) return Status(ErrorCode::kNotFound, "no such file: " + file);
  PG_RETURN_IF_ERROR(Fail(IoKind::kRead, file));
  return it->second.bytes;
}

bool SimDisk::Exists(const std::string& file) const { return files_.count(file) > 0; }

void SimDisk::SetFaults(IoFaults faults, Rng* rng) {
  faults_ = faults;
  rng_ = rng;
}

void SimDisk::AssertOwnerThread() const {
  PG_ASSERT(std::this_thread::get_id() == owner_,
            "the simulated disk was used from a thread other than its run's");
}

Status SimDisk::Fail(IoKind kind, std::string_view what) const {
  AssertOwnerThread();
  const double p = kind == IoKind::kRead    ? faults_.read
                   : kind == IoKind::kWrite ? faults_.write
                                            : faults_.sync;
  if (p <= 0 || rng_ == nullptr || !rng_->Chance(p)) return Status::Ok();
  ++io_errors_;
  return Status(ErrorCode::kIoError, fmt::format("simulated {} error: {}", IoKindName(kind), what));
}

uint64_t SimDisk::Append(const std::string& file, std::string_view bytes) {
  File& f = files_[file];
  f.bytes.append(bytes);
  if (!bytes.empty()) f.unsynced_ends.push_back(f.bytes.size());
  return f.bytes.size();
}

std::string_view SimDisk::ReadAt(const std::string& file, uint64_t offset, uint64_t n) const {
  AssertOwnerThread();
  auto it = files_.find(file);
  if (it == files_.end() || offset >= it->second.bytes.size()) return {};
  return std::string_view(it->second.bytes).substr(offset, n);
}

void SimDisk::MarkSynced(const std::string& file, uint64_t length) {
  auto it = files_.find(file);
  if (it == files_.end()) return;  // lost to a machine crash between the write and its sync
  File& f = it->second;
  f.synced = std::max(f.synced, std::min<uint64_t>(length, f.bytes.size()));
  PG_ASSERT_LE(f.synced, f.bytes.size(), "file {}", file);
  DropSyncedEnds(f);
}

void SimDisk::Truncate(const std::string& file, uint64_t length) {
  auto it = files_.find(file);
  if (it == files_.end() || it->second.bytes.size() <= length) return;
  File& f = it->second;
  f.bytes.resize(length);
  f.synced = std::min(f.synced, length);
  while (!f.unsynced_ends.empty() && f.unsynced_ends.back() > length) f.unsynced_ends.pop_back();
  // The cut may fall inside an unsynced append: the bytes before the cut are that append's now.
  if (f.bytes.size() > f.synced &&
      (f.unsynced_ends.empty() || f.unsynced_ends.back() < f.bytes.size())) {
    f.unsynced_ends.push_back(f.bytes.size());
  }
}

bool SimDisk::Delete(const std::string& file) { return files_.erase(file) > 0; }

bool SimDisk::Rename(const std::string& from, const std::string& to) {
  auto it = files_.find(from);
  if (it == files_.end()) return false;
  if (from == to) return true;
  File moved = std::move(it->second);
  files_.erase(it);
  files_[to] = std::move(moved);
  return true;
}

void SimDisk::CreateDir(const std::string& dir) { dirs_.insert(dir); }

bool SimDisk::DirExists(const std::string& dir) const { return dirs_.count(dir) > 0; }

bool SimDisk::DeleteDir(const std::string& dir) {
  if (!DirExists(dir) || !Children(dir).empty()) return false;
  dirs_.erase(dir);
  return true;
}

std::vector<std::string> SimDisk::Children(const std::string& dir) const {
  const std::string prefix = dir + "/";
  std::set<std::string> names;  // sorted, and a directory listed once
  auto collect = [&](const std::string& path) {
    if (Parent(path) == dir) names.insert(path.substr(prefix.size()));
  };
  for (auto it = files_.lower_bound(prefix); it != files_.end() && it->first.starts_with(prefix);
       ++it) {
    collect(it->first);
  }
  for (auto it = dirs_.lower_bound(prefix); it != dirs_.end() && it->starts_with(prefix); ++it) {
    collect(*it);
  }
  return {names.begin(), names.end()};
}

void SimDisk::DropSyncedEnds(File& f) {
  while (!f.unsynced_ends.empty() && f.unsynced_ends.front() <= f.synced) {
    f.unsynced_ends.pop_front();
  }
}

void SimDisk::Wipe() {
  files_.clear();
  dirs_.clear();
  ++generation_;
}

void SimDisk::LoseUnsynced() {
  for (auto& [name, f] : files_) {
    PG_ASSERT_LE(f.synced, f.bytes.size(), "file {}", name);
    f.bytes.resize(f.synced);
    f.unsynced_ends.clear();
  }
}

void SimDisk::LoseUnsynced(Rng& rng, double tear_probability) {
  for (auto& [name, f] : files_) {
    PG_ASSERT_LE(f.synced, f.bytes.size(), "file {}", name);
    uint64_t keep = f.synced;
    if (f.bytes.size() > f.synced && rng.Chance(tear_probability)) {
      // The first unsynced append starts at `synced` (syncs cover whole appends).
      const uint64_t first_end = f.unsynced_ends.empty() ? f.bytes.size() : f.unsynced_ends.front();
      keep += rng.Uniform(first_end - f.synced);
    }
    f.bytes.resize(keep);
    // The torn bytes are on the platter now: they stay through later crashes.
    f.synced = keep;
    f.unsynced_ends.clear();
  }
}

bool SimDisk::CorruptBit(const std::string& file, uint64_t offset) {
  auto it = files_.find(file);
  if (it == files_.end() || offset >= it->second.bytes.size()) return false;
  it->second.bytes[offset] = static_cast<char>(it->second.bytes[offset] ^ 1);
  return true;
}

uint64_t SimDisk::size(const std::string& file) const {
  auto it = files_.find(file);
  return it == files_.end() ? 0 : it->second.bytes.size();
}

uint64_t SimDisk::synced_size(const std::string& file) const {
  auto it = files_.find(file);
  return it == files_.end() ? 0 : it->second.synced;
}

std::vector<std::string> SimDisk::Files() const {
  std::vector<std::string> out;
  out.reserve(files_.size());
  for (const auto& [name, f] : files_) out.push_back(name);
  return out;
}

}  // namespace pg::sim
