#include "sim/sim_disk.h"

#include <algorithm>

#include "core/common/assert.h"

namespace pg::sim {

Result<std::string> SimDisk::ReadFile(const std::string& file) const {
  auto it = files_.find(file);
  if (it == files_.end()) return Status(ErrorCode::kNotFound, "no such file: " + file);
  return it->second.bytes;
}

bool SimDisk::Exists(const std::string& file) const { return files_.count(file) > 0; }

uint64_t SimDisk::Append(const std::string& file, const std::string& bytes) {
  File& f = files_[file];
  f.bytes.append(bytes);
  if (!bytes.empty()) f.unsynced_ends.push_back(f.bytes.size());
  return f.bytes.size();
}

void SimDisk::MarkSynced(const std::string& file, uint64_t length) {
  auto it = files_.find(file);
  if (it == files_.end()) return;  // lost to a machine crash between the write and its sync
  File& f = it->second;
  f.synced = std::max(f.synced, std::min<uint64_t>(length, f.bytes.size()));
  PG_ASSERT_LE(f.synced, f.bytes.size(), "file {}", file);
  DropSyncedEnds(f);
}

void SimDisk::DropSyncedEnds(File& f) {
  while (!f.unsynced_ends.empty() && f.unsynced_ends.front() <= f.synced) {
    f.unsynced_ends.pop_front();
  }
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

}  // namespace pg::sim
