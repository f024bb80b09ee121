#include "core/coord/coord_log.h"

#include <fmt/format.h>

#include "core/common/assert.h"
#include "core/common/log.h"
#include "core/storage/mutation_log.h"
#include "core/storage/segmented_log.h"

namespace pg {

std::string EncodeCoordLogRecord(uint64_t zxid, const CoordTxn& txn) {
  PG_ASSERT_GT(zxid, uint64_t{0}, "zxids start at 1");
  PG_ASSERT_LE(zxid, static_cast<uint64_t>(INT64_MAX));
  return EncodeLogRecord(LogRecord{.ballot = Ballot(0),
                                   .decree = Decree(static_cast<int64_t>(zxid)),
                                   .last_committed = Decree(0),
                                   .payload = Encode(txn)});
}

CoordLogReplay ReplayCoordLog(const LocalDisk& disk, std::string_view base) {
  CoordLogReplay out;
  std::optional<std::vector<LogRecord>> records = ReadCoordSegments(disk, base, out);
  if (!records) return out;
  for (const LogRecord& record : *records) {
    const int64_t zxid = record.decree.value();
    if (zxid <= 0 || static_cast<uint64_t>(zxid) != out.last_zxid + 1) {
      PG_LOG(kWarn, "{}: skipping a record of zxid {}: the next zxid is {}", base, zxid,
             out.last_zxid + 1);
      ++out.skipped;
      continue;
    }
    Result<CoordTxn> txn = Decode<CoordTxn>(record.payload);
    if (!txn.ok()) {
      out.status = Status(ErrorCode::kCorruption,
                          fmt::format("{}: zxid {}: {}", base, zxid, txn.status().ToString()));
      return out;
    }
    if (txn->kind == CoordTxnKind::kOpenSession &&
        txn->session != CoordSessionId(static_cast<uint64_t>(zxid))) {
      out.status = Status(
          ErrorCode::kCorruption,
          fmt::format("{}: zxid {} opens session {}, not its own zxid", base, zxid, txn->session));
      return out;
    }
    const ErrorCode applied = out.store.Apply(*txn);
    if (applied != ErrorCode::kOk) {
      // Every logged txn was applied to this very state before it was logged.
      out.status = Status(ErrorCode::kCorruption,
                          fmt::format("{}: zxid {} ({}) does not apply: {}", base, zxid,
                                      CoordTxnKindName(txn->kind), ErrorCodeName(applied)));
      return out;
    }
    out.last_zxid = static_cast<uint64_t>(zxid);
  }
  return out;
}

}  // namespace pg
