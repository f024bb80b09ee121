#include "core/coord/coord_peer_log.h"

#include <fmt/format.h>

#include "core/common/assert.h"
#include "core/common/log.h"
#include "core/coord/coord_log.h"
#include "core/storage/mutation_log.h"
#include "core/storage/segmented_log.h"

namespace pg {

// The framing's decree field holds the zxid (0 for a vote), so a dump of the log reads in zxids.
std::string EncodePeerRecord(const PeerRecord& record) {
  PG_ASSERT_LE(record.zxid, static_cast<uint64_t>(INT64_MAX));
  return EncodeLogRecord(LogRecord{.ballot = Ballot(0),
                                   .decree = Decree(static_cast<int64_t>(record.zxid)),
                                   .last_committed = Decree(0),
                                   .payload = Encode(record)});
}

namespace {

Status Corrupt(std::string_view base, size_t index, const std::string& why) {
  return Status(ErrorCode::kCorruption, fmt::format("{}: record {}: {}", base, index, why));
}

// The store as of the last txn, to check that the next one applies.
Status ApplyTxn(PeerLogReplay& out, CoordStore& head, const PeerRecord& r, std::string_view base,
                size_t index) {
  const uint64_t last = out.txns.empty() ? out.snap_zxid : out.txns.back().zxid;
  if (r.zxid != last + 1 || CoordEpochOf(r.zxid) == 0) {
    PG_LOG(kWarn, "{}: skipping txn {}: the next zxid is {}", base, r.zxid, last + 1);
    ++out.skipped;
    return Status();
  }
  if (r.txn.kind == CoordTxnKind::kOpenSession && r.txn.session != CoordSessionId(r.zxid)) {
    return Corrupt(base, index, fmt::format("zxid {} opens session {}", r.zxid, r.txn.session));
  }
  const ErrorCode applied = head.Apply(r.txn);
  if (applied != ErrorCode::kOk) {
    // The leader checked every txn against this very state before it proposed it.
    return Corrupt(base, index,
                   fmt::format("zxid {} ({}) does not apply: {}", r.zxid,
                               CoordTxnKindName(r.txn.kind), ErrorCodeName(applied)));
  }
  out.txns.push_back(CoordLogged{.zxid = r.zxid, .txn = r.txn});
  return Status();
}

}  // namespace

PeerLogReplay ReplayPeerLog(const LocalDisk& disk, std::string_view base) {
  PeerLogReplay out;
  std::optional<std::vector<LogRecord>> records = ReadCoordSegments(disk, base, out);
  if (!records) return out;
  CoordStore head;
  for (size_t i = 0; i < records->size(); ++i) {
    Result<PeerRecord> r = Decode<PeerRecord>((*records)[i].payload);
    if (!r.ok()) {
      out.status = Corrupt(base, i, r.status().ToString());
      return out;
    }
    switch (r->kind) {
      case PeerRecordKind::kVote:
        // Epochs only grow: a vote record is written only for a newer epoch.
        if (r->epoch <= out.accepted_epoch) {
          out.status = Corrupt(
              base, i,
              fmt::format("vote for epoch {} after epoch {}", r->epoch, out.accepted_epoch));
          return out;
        }
        out.accepted_epoch = r->epoch;
        out.voted_for = r->voted_for;
        break;
      case PeerRecordKind::kSnapshot: {
        CoordStore snapshot;
        if (Status s = snapshot.FromImage(r->image); !s.ok()) {
          out.status = Corrupt(base, i, s.ToString());
          return out;
        }
        out.snap_zxid = r->zxid;
        out.snapshot = snapshot;
        head = std::move(snapshot);
        out.txns.clear();
        break;
      }
      case PeerRecordKind::kTxn:
        if (Status s = ApplyTxn(out, head, *r, base, i); !s.ok()) {
          out.status = std::move(s);
          return out;
        }
        break;
      default:
        out.status = Corrupt(base, i, "unknown record kind");
        return out;
    }
  }
  return out;
}

}  // namespace pg
