#include "core/storage/mutation_log.h"

#include <fmt/format.h>

#include <optional>

#include "core/common/assert.h"
#include "core/common/crc.h"

namespace pg {
namespace {

uint64_t ReadFixed(std::string_view b, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) {
    v |= static_cast<uint64_t>(static_cast<uint8_t>(b[at + i])) << (8 * i);
  }
  return v;
}

// The outcome of looking for one record at `at`: the record and its size, or why not.
struct Probe {
  LogCut cut = LogCut::kNone;
  std::string reason;
  size_t size = 0;
};

Probe ProbeRecord(std::string_view bytes, size_t at) {
  const size_t left = bytes.size() - at;
  if (left < kLogPrefixBytes) {
    return {LogCut::kTornPrefix,
            fmt::format("{} bytes at offset {}: torn record prefix", left, at)};
  }
  const uint64_t length = ReadFixed(bytes, at, 4);
  if (length < kLogBodyHeaderBytes || length > kMaxLogRecordBytes) {
    return {LogCut::kBadLength,
            fmt::format("record length {} at offset {} is impossible", length, at)};
  }
  if (length > left - kLogPrefixBytes) {
    return {LogCut::kTornRecord, fmt::format("record at offset {} claims {} bytes, {} remain", at,
                                             length, left - kLogPrefixBytes)};
  }
  const auto stored = static_cast<uint32_t>(ReadFixed(bytes, at + 4, 4));
  const uint32_t actual = Crc32c(bytes.substr(at + kLogPrefixBytes, length));
  if (UnmaskCrc32c(stored) != actual) {
    return {LogCut::kChecksumMismatch,
            fmt::format("record at offset {}: crc {:#010x} != stored {:#010x}", at, actual,
                        UnmaskCrc32c(stored))};
  }
  return {LogCut::kNone, "", kLogPrefixBytes + static_cast<size_t>(length)};
}

}  // namespace

std::string_view LogCutName(LogCut cut) {
  switch (cut) {
    case LogCut::kNone:
      return "none";
    case LogCut::kTornPrefix:
      return "torn_prefix";
    case LogCut::kBadLength:
      return "bad_length";
    case LogCut::kTornRecord:
      return "torn_record";
    case LogCut::kChecksumMismatch:
      return "checksum_mismatch";
  }
  return "unknown";
}

std::string EncodeLogRecord(const LogRecord& record) {
  const size_t length = kLogBodyHeaderBytes + record.payload.size();
  PG_ASSERT_LE(length, kMaxLogRecordBytes, "a mutation larger than the log accepts");
  std::string out;
  out.reserve(kLogPrefixBytes + length);
  Encoder e(&out);
  e.PutFixed(length, 4);
  e.PutFixed(0, 4);  // the crc, filled in below
  e.PutFixed(static_cast<uint64_t>(record.ballot.value()), 8);
  e.PutFixed(static_cast<uint64_t>(record.decree.value()), 8);
  e.PutFixed(static_cast<uint64_t>(record.last_committed.value()), 8);
  out.append(record.payload);
  const uint32_t masked = MaskCrc32c(Crc32c(std::string_view(out).substr(kLogPrefixBytes)));
  for (int i = 0; i < 4; ++i) out[4 + i] = static_cast<char>(masked >> (8 * i));
  return out;
}

bool LogReader::Next(LogRecord* record) {
  if (cut_ != LogCut::kNone || pos_ == bytes_.size()) return false;
  Probe probe = ProbeRecord(bytes_, pos_);
  if (probe.cut != LogCut::kNone) {
    cut_ = probe.cut;
    reason_ = std::move(probe.reason);
    return false;
  }
  const size_t body = pos_ + kLogPrefixBytes;
  record->ballot = Ballot(static_cast<int64_t>(ReadFixed(bytes_, body, 8)));
  record->decree = Decree(static_cast<int64_t>(ReadFixed(bytes_, body + 8, 8)));
  record->last_committed = Decree(static_cast<int64_t>(ReadFixed(bytes_, body + 16, 8)));
  record->payload.assign(bytes_.substr(body + kLogBodyHeaderBytes,
                                       probe.size - kLogPrefixBytes - kLogBodyHeaderBytes));
  pos_ += probe.size;
  return true;
}

LogReadResult ReadLog(std::string_view bytes) {
  LogReadResult result;
  LogReader reader(bytes);
  LogRecord record;
  while (reader.Next(&record)) result.records.push_back(record);
  result.valid_bytes = reader.valid_bytes();
  result.cut = reader.cut();
  result.reason = reader.reason();
  if (result.cut == LogCut::kNone) return result;
  // Resynchronise: an intact record further on means the damage is not a torn tail.
  for (size_t at = result.valid_bytes + 1; at + kLogPrefixBytes <= bytes.size(); ++at) {
    if (ProbeRecord(bytes, at).cut == LogCut::kNone) {
      result.intact_record_after_cut = true;
      result.first_intact_offset_after_cut = at;
      result.reason += fmt::format("; an intact record follows at offset {}", at);
      LogReadResult rest = ReadLog(bytes.substr(at));
      result.records_past_damage = std::move(rest.records);
      for (LogRecord& r : rest.records_past_damage) result.records_past_damage.push_back(r);
      break;
    }
  }
  return result;
}

}  // namespace pg
