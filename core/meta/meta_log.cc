#include "core/meta/meta_log.h"

#include <algorithm>
#include <cstdint>

#include "core/common/assert.h"
#include "core/common/crc.h"
#include "core/proto/codec.h"

namespace pg {
namespace {

uint32_t ReadU32(std::string_view bytes, size_t pos) {
  // Callers check the header fits before reading it.
  PG_ASSERT_LE(pos + 4, bytes.size(), "reading past the log's end");
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    v |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[pos + i])) << (8 * i);
  }
  return v;
}

// The record at `pos` if it is intact: its configuration and its total size.
bool TryRecord(std::string_view bytes, size_t pos, PartitionConfiguration* config, size_t* size) {
  if (bytes.size() - pos < kMetaLogHeaderBytes) return false;
  if (ReadU32(bytes, pos) != kMetaLogMagic) return false;
  const uint32_t length = ReadU32(bytes, pos + 4);
  if (length > bytes.size() - pos - kMetaLogHeaderBytes) return false;
  const std::string_view payload = bytes.substr(pos + kMetaLogHeaderBytes, length);
  if (UnmaskCrc32c(ReadU32(bytes, pos + 8)) != Crc32c(payload)) return false;
  Result<PartitionConfiguration> decoded = Decode<PartitionConfiguration>(payload);
  if (!decoded.ok()) return false;
  *config = std::move(decoded).value();
  *size = kMetaLogHeaderBytes + length;
  PG_ASSERT_LE(pos + *size, bytes.size(), "an intact record past the log's end");
  return true;
}

// Whether the `n` bytes at `pos` begin as a record does: the magic, or as much of it as fits.
bool StartsLikeARecord(std::string_view bytes, size_t pos, size_t n) {
  for (size_t i = 0; i < std::min<size_t>(n, 4); ++i) {
    const auto magic_byte = static_cast<uint8_t>((kMetaLogMagic >> (8 * i)) & 0xFF);
    if (static_cast<uint8_t>(bytes[pos + i]) != magic_byte) return false;
  }
  return true;
}

// Whether bytes[from, to) (a stretch between intact records, or from the last one to the end) is
// torn appends only: strict prefixes of records, each ending where the next begins (at the
// magic, or at a prefix of it that runs to the stretch's end) or at the stretch's end.
bool IsTornStretch(std::string_view bytes, size_t from, size_t to) {
  PG_ASSERT_LT(from, to);
  PG_ASSERT_LE(to, bytes.size());
  size_t pos = from;
  while (pos < to) {
    size_t next = pos + 1;
    while (next < to && !StartsLikeARecord(bytes, next, to - next)) ++next;
    const size_t n = next - pos;
    if (!StartsLikeARecord(bytes, pos, n)) return false;
    if (n >= kMetaLogHeaderBytes && kMetaLogHeaderBytes + ReadU32(bytes, pos + 4) <= n) {
      return false;  // the whole record is here and failed its check: rot
    }
    pos = next;
  }
  return true;
}

}  // namespace

std::string EncodeMetaLogRecord(const PartitionConfiguration& config) {
  const std::string payload = Encode(config);
  std::string out;
  Encoder e(&out);
  e.PutFixed(kMetaLogMagic, 4);
  e.PutFixed(payload.size(), 4);
  e.PutFixed(MaskCrc32c(Crc32c(payload)), 4);
  PG_ASSERT_EQ(out.size(), kMetaLogHeaderBytes, "the header is three u32");
  out.append(payload);
  return out;
}

MetaLogReplay ReadMetaLog(std::string_view bytes) {
  MetaLogReplay out;
  size_t pos = 0;
  // Where the current damaged stretch began; kNoDamage outside one.
  constexpr size_t kNoDamage = SIZE_MAX;
  size_t damage_from = kNoDamage;
  auto end_damage = [&](size_t at) {
    if (damage_from != kNoDamage && !out.rotten && !IsTornStretch(bytes, damage_from, at)) {
      out.rotten = true;
      out.rot_offset = damage_from;
    }
    damage_from = kNoDamage;
  };
  while (pos < bytes.size()) {
    PartitionConfiguration config;
    size_t size = 0;
    if (TryRecord(bytes, pos, &config, &size)) {
      end_damage(pos);
      out.records.push_back(std::move(config));
      out.spans.emplace_back(pos, pos + size);
      pos += size;
    } else {
      // Damaged: resynchronise on the next intact record, one byte further.
      if (damage_from == kNoDamage) damage_from = pos;
      ++out.skipped_bytes;
      ++pos;
    }
  }
  end_damage(pos);
  // Every byte is in exactly one intact record or skipped.
  PG_ASSERT_EQ(pos, bytes.size());
  return out;
}

}  // namespace pg
