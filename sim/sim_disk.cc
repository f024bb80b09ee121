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
  return f.bytes.size();
}

void SimDisk::MarkSynced(const std::string& file, uint64_t length) {
  auto it = files_.find(file);
  if (it == files_.end()) return;  // lost to a machine crash between the write and its sync
  File& f = it->second;
  f.synced = std::max(f.synced, std::min<uint64_t>(length, f.bytes.size()));
  PG_ASSERT_LE(f.synced, f.bytes.size(), "file {}", file);
}

void SimDisk::LoseUnsynced() {
  for (auto& [name, f] : files_) {
    PG_ASSERT_LE(f.synced, f.bytes.size(), "file {}", name);
    f.bytes.resize(f.synced);
  }
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
