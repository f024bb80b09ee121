#include "core/replica/replica_init_info.h"

#include <fmt/format.h>

#include "core/common/assert.h"
#include "core/storage/segmented_log.h"

namespace pg {

std::string InitInfoBaseName(Gpid gpid) {
  return fmt::format("init_info.{}.{}", gpid.app_id, gpid.partition_index);
}

// The ballot rides in the record's header too, so that a reader of the file's records alone
// (the simulator's monotonic invariant) needs no payload codec.
std::string EncodeInitInfo(const ReplicaInitInfo& info) {
  PG_ASSERT_GE(info.init_ballot, Ballot(0));
  PG_ASSERT_GE(info.init_durable_decree, Decree(0));
  return EncodeLogRecord(LogRecord{.ballot = info.init_ballot,
                                   .decree = info.init_durable_decree,
                                   .last_committed = Decree(0),
                                   .payload = Encode(info)});
}

Result<ReplicaInitInfo> DecodeInitInfo(const LogRecord& record) {
  Result<ReplicaInitInfo> info = Decode<ReplicaInitInfo>(record.payload);
  if (info.ok() && info->init_ballot != record.ballot) {
    return Status(ErrorCode::kCorruption, "init info ballot differs from its record header");
  }
  return info;
}

InitInfoRead ReadInitInfo(const LocalDisk& disk, Gpid gpid) {
  SegmentedRead read = ReadSegments(disk, InitInfoBaseName(gpid), 0);
  InitInfoRead result{.status = read.status, .write_segment = read.write_segment};
  if (!read.status.ok() || read.records.empty()) return result;
  Result<ReplicaInitInfo> last = DecodeInitInfo(read.records.back());
  if (!last.ok()) {
    result.status =
        Status(ErrorCode::kCorruption,
               fmt::format("init info of {} does not decode: {}", gpid, last.status().ToString()));
    return result;
  }
  result.info = *last;
  return result;
}

}  // namespace pg
