#pragma once
// Bit rot on a node's disk (the "corrupt" fault, CorruptFault): where in a file a flipped bit is
// damage its reader must detect, and the action that flips one. Every span below is bytes a
// checksum covers, so a single flipped bit there is never a valid record or block: the reader
// either refuses the file or fails the read, and what the core does then is what is tested.
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/common/rng.h"
#include "sim/kernel/cluster.h"
#include "sim/scenario/scenario.h"

namespace pg::sim {

// [from, to): bytes of one record (or block region) a flip may hit.
struct RotSpan {
  uint64_t from = 0;
  uint64_t to = 0;
};

// The checksummed bytes of each intact record of a log, in file order: past the length and crc
// of the mutation log's framing (plogs, the coordination log), past magic, length and crc of
// meta.log's (chosen by the file's name).
std::vector<RotSpan> LogRecordBodies(std::string_view file, std::string_view bytes);
// The payload of each complete record of a RocksDB MANIFEST (RocksDB's log format: 32 KiB blocks,
// records with a 7-byte header: crc32c, length, type; the crc covers type and payload).
std::vector<RotSpan> ManifestRecordPayloads(std::string_view bytes);
// A block-based table's blocks: everything before its footer (53 bytes since format_version 1),
// each block followed by a trailer whose crc32c covers it. Empty when the file is too short.
std::vector<RotSpan> SstBlocks(std::string_view bytes);

// Flips the bits `fault` asks for on `node`'s disk, drawing from `rng` (the run's "corrupt"
// stream); false when no matching file had room for one (nothing flipped).
bool RotFiles(Cluster& cluster, NodeId node, const CorruptFault& fault, Rng& rng);

}  // namespace pg::sim
