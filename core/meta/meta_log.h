#pragma once
// meta.log: the meta server's durable partition table. Pegasus persists every partition
// configuration to ZooKeeper before applying it in memory (server_state.cpp:
// update_configuration_on_remote -> update_configuration_locally); pegasim's meta appends one
// record per accepted configuration, synced, and rebuilds the table on Boot from the last
// record of each partition.
//
// Record layout (integers little-endian, like the codec):
//   u32 magic    kMetaLogMagic, so a reader can find the next record after damage
//   u32 length   payload bytes
//   u32 crc      MaskCrc32c(Crc32c(payload))
//   payload      the codec encoding of a full PartitionConfiguration
// Appends only ever add bytes (the host has no truncate). A crash can tear the last append; the
// next incarnation appends after the torn bytes, so the reader skips such a stretch and
// resynchronises on the next intact record. A torn record was never acknowledged (LogAppended
// never reached the node that wrote it), so nobody acted on it and skipping it is safe.
//
// Anything else that fails its check is rot, and rot cannot be skipped: the record may be a
// partition's latest configuration, and a meta that forgot it would rebuild an older ballot and
// could hand a primary's role out twice. meta.log has no second copy, so meta refuses the log
// (fail-stop). A torn stretch is told from rot by its shape: it is made of strict prefixes of
// records (each begins with the magic, or a prefix of it, and ends before the length its header
// declares), one per crashed incarnation, each ending where the next incarnation's first append
// (or the next torn prefix, at a magic) begins. A whole record whose checksum fails is rot. (A
// flip in a length field that makes a record look longer than it is reads as a torn append; the
// bench's rot flips only checksummed payload bytes; and a flipped record whose last bytes begin
// a magic reads as a torn append followed by the next one's first bytes: ambiguous, so lenient.)
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/proto/pegasus_types.h"

namespace pg {

inline constexpr uint32_t kMetaLogMagic = 0x4C4D4750;  // "PGML"
inline constexpr size_t kMetaLogHeaderBytes = 12;
inline constexpr char kMetaLogFile[] = "meta.log";

std::string EncodeMetaLogRecord(const PartitionConfiguration& config);

struct MetaLogReplay {
  // Intact records in file order.
  std::vector<PartitionConfiguration> records;
  // [start, end) of each intact record, in file order.
  std::vector<std::pair<uint64_t, uint64_t>> spans;
  // Bytes that belong to no intact record (torn tails of earlier incarnations, rot).
  uint64_t skipped_bytes = 0;
  // Some damaged stretch is not torn appends (see above): the log must not be trusted. The
  // offset of the first such stretch.
  bool rotten = false;
  uint64_t rot_offset = 0;
};

MetaLogReplay ReadMetaLog(std::string_view bytes);

}  // namespace pg
