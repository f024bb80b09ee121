#include "core/meta/meta_log.h"

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
  while (pos < bytes.size()) {
    PartitionConfiguration config;
    size_t size = 0;
    if (TryRecord(bytes, pos, &config, &size)) {
      out.records.push_back(std::move(config));
      pos += size;
    } else {
      // Damaged: resynchronise on the next intact record, one byte further.
      ++out.skipped_bytes;
      ++pos;
    }
  }
  // Every byte is in exactly one intact record or skipped.
  PG_ASSERT_EQ(pos, bytes.size());
  return out;
}

}  // namespace pg
