#pragma once
// A node's simulated disk: a small in-memory filesystem of directories and files. Each file is a
// byte string plus the length known to be synced. Writes land at once as unsynced bytes (the page
// cache); a sync moves the synced length up to the end; a process crash loses nothing, a machine
// crash cuts every file back to its synced length (or, torn, a bit past it: a prefix of the first
// unsynced append). Bit rot is CorruptBit.
//
// Metadata (create, delete, rename, directories) is durable at once, as on a journaling
// filesystem that orders metadata after data (ext4 data=ordered): a file created and never
// synced survives a machine crash empty, a rename survives whole. RocksDB (which syncs an SST or
// MANIFEST before it publishes it by rename) and the mutation log (append-only, torn tails cut on
// replay) only rely on that much.
//
// I/O errors are drawn here, per operation kind, so the kernel's AppendLog path and the RocksDB
// FileSystem adapter (rocks_fs.h) see the same faults: Fail(kind) returns kIoError with the
// kind's probability, drawing from the disk's Rng only when that probability is > 0 (a
// fault-free run draws nothing). The cluster sets the probabilities (globally, or for one node
// during a "disk_errors" window).
//
// A disk belongs to the thread that made it (one run's thread). Fail and ReadAt, which every
// file operation from the mutation log and from RocksDB passes through, assert that: a library
// that reads the disk from a thread of its own (as RocksDB's table loading once did) would make
// the order of fault draws depend on thread timing, so it must stop the run rather than let two
// runs of a seed part ways.
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "core/common/rng.h"
#include "core/node/node.h"

namespace pg::sim {

enum class IoKind : uint8_t { kRead, kWrite, kSync };
std::string_view IoKindName(IoKind kind);

// Probability that one operation of each kind fails. A failed write writes nothing; a failed sync
// leaves the bytes unsynced; a failed read returns nothing.
struct IoFaults {
  double read = 0;
  double write = 0;
  double sync = 0;
  // The disk is full: every write fails with kNoSpace (ENOSPC), with no draw; reads, syncs,
  // deletes and renames still work.
  bool full = false;
  // Syncs report success and make nothing durable (a disk or controller that acknowledges a flush
  // its volatile cache still holds): a power loss takes "synced" bytes too. Breaks the contract
  // every durable store relies on, so it is opt-in and never drawn by the swarm.
  bool lying_sync = false;
  bool operator==(const IoFaults&) const = default;
};

class SimDisk final : public LocalDisk {
 public:
  // ---- LocalDisk (what a node reads at boot) ----
  // The whole file (synced and unsynced bytes alike); a read fault gives kIoError.
  Result<std::string> ReadFile(const std::string& file) const override;
  bool Exists(const std::string& file) const override;

  // ---- Faults ----
  // `rng` must outlive the disk's use; nullptr turns faults off.
  void SetFaults(IoFaults faults, Rng* rng);
  const IoFaults& faults() const { return faults_; }
  // kIoError naming `what` with the kind's probability, else Ok.
  Status Fail(IoKind kind, std::string_view what) const;
  // Operations Fail has failed so far, and syncs a lying disk did not keep (the fault ledger
  // counts them; fault_effects.h).
  uint64_t io_errors() const { return io_errors_; }

  // ---- Files (unchecked: callers draw faults first) ----
  // Appends at the end of `file` (created if absent); returns the file's new length.
  uint64_t Append(const std::string& file, std::string_view bytes);
  // Up to `n` bytes from `offset` (fewer at the end of the file; none past it).
  std::string_view ReadAt(const std::string& file, uint64_t offset, uint64_t n) const;
  // The first `length` bytes of `file` are durable now (clamped to what the file holds).
  void MarkSynced(const std::string& file, uint64_t length);
  // Cuts `file` to `length` bytes (no-op if it is shorter). The cut is metadata: durable at once.
  void Truncate(const std::string& file, uint64_t length);
  bool Delete(const std::string& file);
  // Replaces `to` if it exists; false when `from` does not exist.
  bool Rename(const std::string& from, const std::string& to);

  // ---- Directories ----
  void CreateDir(const std::string& dir);
  bool DirExists(const std::string& dir) const;
  bool DeleteDir(const std::string& dir);  // false unless it exists and is empty
  // The names (not paths) of the files and directories directly inside `dir`, sorted.
  std::vector<std::string> Children(const std::string& dir) const;

  // ---- Crashes and rot ----
  // Power loss: every file keeps only its synced prefix.
  void LoseUnsynced();
  // Power loss with torn writes. Each file with unsynced bytes is, with probability
  // `tear_probability`, left in one of three torn states (chance 1/3 each), otherwise cut to its
  // synced prefix:
  //   kTorn     a random-length strict prefix of its first unsynced append stays (possibly none);
  //   kWhole    its first k of n unsynced appends stay whole (k in [1, n]: the page cache wrote
  //             them back before the power went), then, when k < n, a random-length strict
  //             prefix of the next one with chance 1/2;
  //   kPages    each 4 KiB page (by file offset) holding unsynced bytes was written back or not,
  //             chance 1/2 each, in any order: the file ends where the last written-back page
  //             does, and the unsynced bytes of the pages before it that were not written back
  //             read as zeros (the filesystem extended the file, the data never came).
  // What survives becomes durable (it is on the platter). Synced bytes are never touched. Draws
  // from `rng` only for files that hold unsynced bytes, in file-name order. Returns what it did to
  // each file that held unsynced bytes, in that order (for the trace).
  enum class PowerLossCut : uint8_t { kSynced, kTorn, kWhole, kPages };
  struct PowerLossOutcome {
    std::string file;
    PowerLossCut cut;
    uint64_t unsynced = 0;  // bytes past the synced length before the power loss
    uint64_t kept = 0;      // of those, bytes the file still holds (zeroed pages included)
    uint64_t zeroed = 0;    // of the kept bytes, those that read as zeros
  };
  std::vector<PowerLossOutcome> LoseUnsynced(Rng& rng, double tear_probability);
  // The disk is replaced by an empty one (swapped, or its data directory deleted): every file and
  // directory is gone. generation() counts replacements, for state a host keeps beside the disk
  // in its stead (a MemEngine standing for a RocksDB directory, engine_store.h).
  void Wipe();
  uint64_t generation() const { return generation_; }
  // Bit rot: flips the lowest bit of the byte at `offset`; false when there is no such byte.
  bool CorruptBit(const std::string& file, uint64_t offset);

  // ---- The storage engine's own I/O (rocks_fs.h) ----
  // What the engine wrote and synced through the disk since the kernel last took it. The kernel
  // charges it to the disk's queue as busy time (DiskLatency::engine_mb_per_s), so the node's
  // later appends wait behind a flush as they wait behind each other.
  struct EngineIo {
    uint64_t bytes = 0;
    uint64_t syncs = 0;
  };
  void CountEngineWrite(uint64_t bytes) { engine_io_.bytes += bytes; }
  void CountEngineSync() { ++engine_io_.syncs; }
  EngineIo TakeEngineIo() { return std::exchange(engine_io_, EngineIo{}); }

  uint64_t size(const std::string& file) const;
  uint64_t synced_size(const std::string& file) const;
  // Every file's path, sorted (tests, reports).
  std::vector<std::string> Files() const;

 private:
  struct File {
    std::string bytes;
    // Invariant: synced <= bytes.size().
    uint64_t synced = 0;
    // End offsets of the appends past `synced`, oldest first: a tear needs the first one's end.
    std::deque<uint64_t> unsynced_ends;
  };
  static void DropSyncedEnds(File& f);
  // The torn states of LoseUnsynced: each leaves f.bytes as the power loss left it.
  static void TearFirstAppend(File& f, Rng& rng);
  static void KeepWholeAppends(File& f, Rng& rng);
  static uint64_t WriteBackSomePages(File& f, Rng& rng);  // returns the bytes zeroed
  void AssertOwnerThread() const;
  std::map<std::string, File> files_;
  std::set<std::string> dirs_;
  uint64_t generation_ = 0;
  IoFaults faults_;
  Rng* rng_ = nullptr;
  mutable uint64_t io_errors_ = 0;  // counted by the const Fail, which draws faults on reads too
  EngineIo engine_io_;
  std::thread::id owner_ = std::this_thread::get_id();
};

}  // namespace pg::sim
