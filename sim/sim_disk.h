#pragma once
// A node's simulated disk, minimal for now: each file is a byte string plus the length known to be
// synced. Appends land at once as unsynced bytes (in the page cache); a sync moves the synced
// length up; a machine crash cuts every file back to its synced length (or, torn, a bit past
// it: a prefix of the first unsynced append), a process crash loses nothing. I/O errors are the
// cluster's (a failed append never reaches the disk); bit rot is CorruptBit.
#include <cstdint>
#include <deque>
#include <map>
#include <string>

#include "core/common/rng.h"
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
  // Power loss with torn writes: each file with unsynced bytes is, with probability
  // `tear_probability`, cut inside its first unsynced append (a random-length strict prefix of it
  // stays, possibly empty); otherwise cut to its synced prefix. Synced bytes are never touched.
  // Draws from `rng` only for files that hold unsynced bytes, in file-name order.
  void LoseUnsynced(Rng& rng, double tear_probability);
  // Bit rot: flips the lowest bit of the byte at `offset`; false when there is no such byte.
  bool CorruptBit(const std::string& file, uint64_t offset);

  uint64_t size(const std::string& file) const;
  uint64_t synced_size(const std::string& file) const;

 private:
  struct File {
    std::string bytes;
    // Invariant: synced <= bytes.size().
    uint64_t synced = 0;
    // End offsets of the appends past `synced`, oldest first: a tear needs the first one's end.
    std::deque<uint64_t> unsynced_ends;
  };
  static void DropSyncedEnds(File& f);
  std::map<std::string, File> files_;
};

}  // namespace pg::sim
