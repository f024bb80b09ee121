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
// next incarnation appends after the torn bytes, so the reader skips any damaged stretch and
// resynchronises on the next intact record. A torn record was never acknowledged (LogAppended
// never reached the node that wrote it), so nobody acted on it and skipping it is safe.
#include <cstdint>
#include <string>
#include <string_view>
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
  // Bytes that belong to no intact record (torn tails of earlier incarnations, rot).
  uint64_t skipped_bytes = 0;
};

MetaLogReplay ReadMetaLog(std::string_view bytes);

}  // namespace pg
