#include "sim/kernel/sim_disk.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>
#include <vector>

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
  if (kind == IoKind::kWrite && faults_.full) {
    ++io_errors_;
    return Status(ErrorCode::kNoSpace, fmt::format("simulated ENOSPC: {}", what));
  }
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
  if (faults_.lying_sync) {        // reported synced, still only in the disk's volatile cache
    ++io_errors_;
    return;
  }
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

namespace {
constexpr uint64_t kPageBytes = 4096;

// Appends past `synced`, as end offsets; every unsynced byte belongs to one (Truncate keeps the
// last end at the file's end).
std::vector<uint64_t> UnsyncedEnds(const std::deque<uint64_t>& ends, uint64_t size) {
  std::vector<uint64_t> out(ends.begin(), ends.end());
  if (out.empty() || out.back() < size) out.push_back(size);
  return out;
}
}  // namespace

void SimDisk::TearFirstAppend(File& f, Rng& rng) {
  const uint64_t first_end = f.unsynced_ends.empty() ? f.bytes.size() : f.unsynced_ends.front();
  f.bytes.resize(f.synced + rng.Uniform(first_end - f.synced));
}

void SimDisk::KeepWholeAppends(File& f, Rng& rng) {
  const std::vector<uint64_t> ends = UnsyncedEnds(f.unsynced_ends, f.bytes.size());
  const size_t k = 1 + rng.Uniform(ends.size());
  uint64_t keep = ends[k - 1];
  if (k < ends.size() && rng.Chance(0.5)) keep += rng.Uniform(ends[k] - ends[k - 1]);
  f.bytes.resize(keep);
}

uint64_t SimDisk::WriteBackSomePages(File& f, Rng& rng) {
  const uint64_t size = f.bytes.size();
  std::vector<std::pair<uint64_t, uint64_t>> missing;  // unsynced byte ranges never written
  uint64_t keep = f.synced;
  for (uint64_t page = f.synced / kPageBytes; page * kPageBytes < size; ++page) {
    const uint64_t lo = std::max(f.synced, page * kPageBytes);
    const uint64_t hi = std::min(size, (page + 1) * kPageBytes);
    if (rng.Chance(0.5)) {
      keep = hi;
    } else {
      missing.emplace_back(lo, hi);
    }
  }
  f.bytes.resize(keep);
  uint64_t zeroed = 0;
  for (const auto& [lo, hi] : missing) {
    if (lo >= keep) break;
    std::fill(f.bytes.begin() + static_cast<std::ptrdiff_t>(lo),
              f.bytes.begin() + static_cast<std::ptrdiff_t>(hi), '\0');
    zeroed += hi - lo;
  }
  return zeroed;
}

std::vector<SimDisk::PowerLossOutcome> SimDisk::LoseUnsynced(Rng& rng, double tear_probability) {
  std::vector<PowerLossOutcome> out;
  for (auto& [name, f] : files_) {
    PG_ASSERT_LE(f.synced, f.bytes.size(), "file {}", name);
    if (f.bytes.size() == f.synced) {
      f.unsynced_ends.clear();
      continue;
    }
    PowerLossOutcome& o = out.emplace_back(PowerLossOutcome{
        .file = name, .cut = PowerLossCut::kSynced, .unsynced = f.bytes.size() - f.synced});
    if (rng.Chance(tear_probability)) {
      switch (rng.Uniform(3)) {
        case 0:
          o.cut = PowerLossCut::kTorn;
          TearFirstAppend(f, rng);
          break;
        case 1:
          o.cut = PowerLossCut::kWhole;
          KeepWholeAppends(f, rng);
          break;
        default:
          o.cut = PowerLossCut::kPages;
          o.zeroed = WriteBackSomePages(f, rng);
          break;
      }
    } else {
      f.bytes.resize(f.synced);
    }
    o.kept = f.bytes.size() - f.synced;
    // What survived is on the platter now: it stays through later crashes.
    f.synced = f.bytes.size();
    f.unsynced_ends.clear();
  }
  return out;
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
