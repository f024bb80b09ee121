#include "sim/scenario/rot.h"

#include <fmt/format.h>

#include <string>

#include "core/common/assert.h"
#include "core/meta/meta_log.h"
#include "core/storage/mutation_log.h"

namespace pg::sim {
namespace {

// A log's rot hits one record among the last kLogRotWindow before the final record, so that an
// intact record follows the damage (a reader must not take it for a torn tail).
constexpr size_t kLogRotWindow = 4;
// RocksDB's log format (db/log_format.h): 32 KiB blocks, a 7-byte header per record.
constexpr uint64_t kManifestBlockBytes = 32768;
constexpr uint64_t kManifestHeaderBytes = 7;
// table/format.h Footer::kNewVersionsEncodedLength: two block handles (20 bytes each, padded),
// the checksum type, the format version and the magic number.
constexpr uint64_t kSstFooterBytes = 53;

bool IsMetaLog(std::string_view file) { return file.starts_with(kMetaLogFile); }
bool IsSst(std::string_view file) { return file.ends_with(".sst"); }
bool IsManifest(std::string_view file) {
  const size_t slash = file.rfind('/');
  return file.substr(slash == std::string_view::npos ? 0 : slash + 1).starts_with("MANIFEST-");
}

uint64_t SpanBytes(const std::vector<RotSpan>& spans) {
  uint64_t n = 0;
  for (const RotSpan& s : spans) n += s.to - s.from;
  return n;
}

// The byte `n` bytes into the spans, counted over them in order.
uint64_t NthByte(const std::vector<RotSpan>& spans, uint64_t n) {
  for (const RotSpan& s : spans) {
    if (n < s.to - s.from) return s.from + n;
    n -= s.to - s.from;
  }
  PG_ASSERT(false, "a byte past the spans");
  return 0;
}

// A log: per file, one record of the window (see kLogRotWindow). The draws are those the
// fault made before it knew other targets, so earlier runs replay unchanged.
bool RotLog(Cluster& c, NodeId id, const std::string& file, Rng& rng) {
  // Only the synced part: an append still in flight (held by a stalled disk, say) is gone after
  // a crash, and then the rotten record would be the log's last, which no reader can tell from
  // a torn write (swarm seed 1820). ReadAt, not ReadFile: the fault must not draw the disk's
  // I/O errors.
  const std::string_view bytes = c.disk(id).ReadAt(file, 0, c.disk(id).synced_size(file));
  const std::vector<RotSpan> records = LogRecordBodies(file, bytes);
  if (records.size() < 2) return false;
  const size_t last = records.size() - 2;
  const size_t first = last >= kLogRotWindow ? last - kLogRotWindow + 1 : 0;
  const RotSpan r = records[first + rng.Uniform(last - first + 1)];
  PG_ASSERT_LT(r.from, r.to, "a record with no checksummed body");
  c.CorruptDisk(id, file, r.from + rng.Uniform(r.to - r.from));
  return true;
}

// RocksDB's files: one bit in one file drawn among the matching ones (in path order).
bool RotRocksFile(Cluster& c, NodeId id, const CorruptFault& f, Rng& rng) {
  std::vector<std::pair<std::string, std::vector<RotSpan>>> candidates;
  for (const std::string& file : c.disk(id).Files()) {
    if (!file.starts_with(f.file_prefix)) continue;
    if (f.target == "sst" ? !IsSst(file) : !IsManifest(file)) continue;
    const std::string_view bytes = c.disk(id).ReadAt(file, 0, c.disk(id).size(file));
    std::vector<RotSpan> spans =
        f.target == "sst" ? SstBlocks(bytes) : ManifestRecordPayloads(bytes);
    if (SpanBytes(spans) > 0) candidates.emplace_back(file, std::move(spans));
  }
  if (candidates.empty()) return false;
  const auto& [file, spans] = candidates[rng.Uniform(candidates.size())];
  c.CorruptDisk(id, file, NthByte(spans, rng.Uniform(SpanBytes(spans))));
  return true;
}

}  // namespace

std::vector<RotSpan> LogRecordBodies(std::string_view file, std::string_view bytes) {
  std::vector<RotSpan> out;
  if (IsMetaLog(file)) {
    for (const auto& [from, to] : ReadMetaLog(bytes).spans) {
      out.push_back({.from = from + kMetaLogHeaderBytes, .to = to});
    }
    return out;
  }
  LogReader reader(bytes);
  LogRecord record;
  uint64_t start = 0;
  while (reader.Next(&record)) {
    // Inside the checksummed bytes (header or payload), past the length and crc.
    out.push_back({.from = start + kLogPrefixBytes, .to = reader.valid_bytes()});
    start = reader.valid_bytes();
  }
  return out;
}

std::vector<RotSpan> ManifestRecordPayloads(std::string_view bytes) {
  std::vector<RotSpan> out;
  uint64_t pos = 0;
  while (pos < bytes.size()) {
    const uint64_t left_in_block = kManifestBlockBytes - pos % kManifestBlockBytes;
    if (left_in_block < kManifestHeaderBytes) {  // the block's zero-filled trailer
      pos += left_in_block;
      continue;
    }
    if (bytes.size() - pos < kManifestHeaderBytes) break;
    const uint64_t length = static_cast<uint8_t>(bytes[pos + 4]) |
                            (static_cast<uint64_t>(static_cast<uint8_t>(bytes[pos + 5])) << 8);
    const uint64_t end = pos + kManifestHeaderBytes + length;
    if (length == 0 || end > bytes.size()) break;  // preallocated zeros, or a torn record
    out.push_back({.from = pos + kManifestHeaderBytes, .to = end});
    pos = end;
  }
  return out;
}

std::vector<RotSpan> SstBlocks(std::string_view bytes) {
  if (bytes.size() <= kSstFooterBytes) return {};
  return {RotSpan{.from = 0, .to = bytes.size() - kSstFooterBytes}};
}

bool RotFiles(Cluster& c, NodeId id, const CorruptFault& f, Rng& rng) {
  if (f.target != "log") return RotRocksFile(c, id, f, rng);
  bool flipped = false;
  for (const std::string& file : c.disk(id).Files()) {
    if (file.starts_with(f.file_prefix)) flipped = RotLog(c, id, file, rng) || flipped;
  }
  return flipped;
}

}  // namespace pg::sim
