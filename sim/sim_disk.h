#pragma once
// A node's simulated disk, minimal for now: each file is a byte string plus the length known to be
// synced. Appends land at once as unsynced bytes (in the page cache); a sync moves the synced
// length up; a machine crash cuts every file back to its synced length, a process crash loses
// nothing. (A fuller model with I/O errors and torn writes replaces this later.)
#include <cstdint>
#include <map>
#include <string>

#include "core/node/node.h"

namespace pg::sim {

class SimDisk final : public LocalDisk {
 public:
  Result<std::string> ReadFile(const std::string& file) const override;
  bool Exists(const std::string& file) const override;

  // Appends at the end of `file` (created if absent); returns the file's new length.
  uint64_t Append(const std::string& file, const std::string& bytes);
  // The first `length` bytes of `file` are durable now (clamped to what the file holds).
  void MarkSynced(const std::string& file, uint64_t length);
  // Power loss: every file keeps only its synced prefix.
  void LoseUnsynced();

  uint64_t size(const std::string& file) const;
  uint64_t synced_size(const std::string& file) const;

 private:
  struct File {
    std::string bytes;
    // Invariant: synced <= bytes.size().
    uint64_t synced = 0;
  };
  std::map<std::string, File> files_;
};

}  // namespace pg::sim
