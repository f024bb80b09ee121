#pragma once
// coord.log: the coordination server's durable history, one record per CoordTxn, appended with
// sync before the txn's outcome is told to anyone (ZooKeeper's transaction log). The records use
// the mutation log's framing (core/storage/mutation_log.h: length, CRC32C, body) with the txn's
// zxid in the decree field and the encoded CoordTxn as the payload; files are segmented logs
// (core/storage/segmented_log.h), like a replica's plog: a torn tail ends its segment and the next
// incarnation appends to the next one, damage followed by an intact record is corruption.
//
// Replay applies the records whose zxid is exactly the next one, in file order, and skips the
// others. A record is skipped only if an earlier append of its own incarnation never reached the
// file (a write error writes nothing, later appends may land): such an incarnation fail-stopped
// on that LogFailed and never acknowledged anything from the gap on, so the skipped records are
// unacknowledged txns that were ordered after a txn that never happened. The next incarnation
// reuses their zxids.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/status.h"
#include "core/coord/coord_store.h"
#include "core/node/node.h"
#include "core/storage/segmented_log.h"

namespace pg {

inline constexpr std::string_view kCoordLogBase = "coord.log";

std::string EncodeCoordLogRecord(uint64_t zxid, const CoordTxn& txn);

// Reads every segment of `base` for a replay (CoordLogReplay, or a quorum peer's PeerLogReplay):
// sets where appends go and any torn tail in `out`, and returns the intact records, or nullopt
// with out.status saying why the log cannot be trusted.
template <class Replay>
std::optional<std::vector<LogRecord>> ReadCoordSegments(const LocalDisk& disk,
                                                        std::string_view base, Replay& out) {
  SegmentedRead read = ReadSegments(disk, base, 0);
  out.write_segment = read.write_segment;
  out.cut_tail = read.cut_tail;
  out.cut_reason = std::move(read.cut_reason);
  if (!read.status.ok()) {
    out.status = std::move(read.status);
    return std::nullopt;
  }
  return std::move(read.records);
}

struct CoordLogReplay {
  // Not ok: the log cannot be trusted (a read error, damage in the middle of a segment, a record
  // that does not decode or does not apply). The server must not serve from it.
  Status status;
  CoordStore store;
  uint64_t last_zxid = 0;     // of the last txn applied; 0 = none
  int32_t write_segment = 0;  // where appends go from now on
  bool cut_tail = false;      // some segment ended in a torn tail
  std::string cut_reason;
  uint64_t skipped = 0;  // records of an abandoned zxid (see above)
};

CoordLogReplay ReplayCoordLog(const LocalDisk& disk, std::string_view base);

}  // namespace pg
