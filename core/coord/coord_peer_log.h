#pragma once
// A quorum peer's coord.log (core/coord/coord_peer.h): the same framing and segments as a single
// server's (coord_log.h), with three kinds of record, each appended with sync before anything
// that depends on it is sent:
//   - a vote: the epoch the peer accepted and whom it voted for in it (ZAB's acceptedEpoch);
//   - a snapshot: the whole store as of a zxid (an epoch's start, or a sync from the leader);
//     the history starts again from it;
//   - a txn: the next zxid of the history.
// Replay keeps the newest vote, the newest snapshot and the txns after it whose zxid follows
// the previous one. A txn that does not follow is skipped: an append before it failed, so its
// incarnation fail-stopped at that failure and acknowledged nothing from the gap on (as a single
// server's replay skips an abandoned zxid).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/status.h"
#include "core/coord/coord_store.h"
#include "core/node/node.h"
#include "core/proto/coord_quorum_messages.h"

namespace pg {

enum class PeerRecordKind : uint8_t { kVote = 0, kSnapshot = 1, kTxn = 2 };

struct PeerRecord {
  PeerRecordKind kind = PeerRecordKind::kTxn;
  uint64_t epoch = 0;               // kVote
  std::optional<NodeId> voted_for;  // kVote
  uint64_t zxid = 0;                // kSnapshot, kTxn
  CoordStoreImage image;            // kSnapshot
  CoordTxn txn;                     // kTxn
  PG_FIELDS(kind, epoch, voted_for, zxid, image, txn);
  bool operator==(const PeerRecord&) const = default;
};

std::string EncodePeerRecord(const PeerRecord& record);

struct PeerLogReplay {
  // Not ok: the log cannot be trusted (damage in the middle of a segment, a record that does not
  // decode, a snapshot that is not a valid store, a txn that does not apply). The peer must not
  // take part: it fail-stops.
  Status status;
  uint64_t accepted_epoch = 0;
  std::optional<NodeId> voted_for;
  uint64_t snap_zxid = 0;
  CoordStore snapshot;            // the store as of snap_zxid
  std::vector<CoordLogged> txns;  // after it, zxids snap_zxid + 1, + 2, ...
  int32_t write_segment = 0;
  bool cut_tail = false;
  std::string cut_reason;
  uint64_t skipped = 0;
};

PeerLogReplay ReplayPeerLog(const LocalDisk& disk, std::string_view base);

}  // namespace pg
