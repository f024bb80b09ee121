#pragma once
// The per-replica mutation log (Pegasus's private log, plog; PEGASUS.md §1.10): a prepare log of
// records appended as mutations are prepared; commit is implied by later records'
// last_committed. On boot the replica reads the whole file and replays the valid prefix.
//
// Record layout (integers little-endian, like the codec):
//   u32 length    bytes after this 8-byte prefix: kLogBodyHeaderBytes + payload size
//   u32 crc       MaskCrc32c(Crc32c(the `length` bytes that follow))
//   i64 ballot, i64 decree, i64 last_committed
//   payload       the mutation's encoded updates
// The length is outside the CRC, so a torn or rotten length is caught by bounds (too small, too
// large, past the end) or by the CRC of the bytes it claims.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/ids.h"
#include "core/proto/codec.h"

namespace pg {

struct LogRecord {
  Ballot ballot;
  Decree decree;
  Decree last_committed;
  std::string payload;
  PG_FIELDS(ballot, decree, last_committed, payload);
  friend bool operator==(const LogRecord&, const LogRecord&) = default;
};

inline constexpr size_t kLogPrefixBytes = 8;       // length + crc
inline constexpr size_t kLogBodyHeaderBytes = 24;  // ballot + decree + last_committed
// Larger lengths are treated as corruption, not as a record to wait for: one mutation is a batch
// of client writes, far below this.
inline constexpr size_t kMaxLogRecordBytes = size_t{64} << 20;

std::string EncodeLogRecord(const LogRecord& record);

// Why reading stopped before the end of the bytes.
enum class LogCut : uint8_t {
  kNone = 0,          // every byte belongs to a valid record
  kTornPrefix,        // fewer than 8 bytes left: a torn length/crc
  kBadLength,         // length below the body header or above kMaxLogRecordBytes
  kTornRecord,        // length runs past the end of the bytes: a torn append
  kChecksumMismatch,  // the bytes are all there but their CRC does not match
};
std::string_view LogCutName(LogCut cut);

// Parses a log file's bytes record by record. Stops at the first record that is not intact and
// never returns anything at or past it. Pure: the bytes come from LocalDisk::ReadFile.
class LogReader {
 public:
  explicit LogReader(std::string_view bytes) : bytes_(bytes) {}

  // The next intact record, or false at the end or at a cut (see cut()).
  bool Next(LogRecord* record);

  // Bytes consumed by the intact records returned so far.
  uint64_t valid_bytes() const { return pos_; }
  LogCut cut() const { return cut_; }
  // Human-readable why, with the offset; empty when cut() == kNone.
  const std::string& reason() const { return reason_; }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
  LogCut cut_ = LogCut::kNone;
  std::string reason_;
};

struct LogReadResult {
  std::vector<LogRecord> records;
  uint64_t valid_bytes = 0;
  LogCut cut = LogCut::kNone;
  std::string reason;
  // True when an intact record starts somewhere after the cut: the damage is in the middle of
  // the log, not a torn tail from a crash, and what follows it was lost. The replica must not
  // treat this like a torn tail (Pegasus fails the replica on plog corruption).
  bool intact_record_after_cut = false;
  uint64_t first_intact_offset_after_cut = 0;
  // With intact_record_after_cut: the intact records from there on, resynchronising past any
  // further damage. What a reader that skips damage would see; no correct reader uses them
  // (the bug zoo's replay_past_corrupt does).
  std::vector<LogRecord> records_past_damage;
};

// Reads all of `bytes` with LogReader and, after a cut, scans forward for an intact record.
LogReadResult ReadLog(std::string_view bytes);

}  // namespace pg
