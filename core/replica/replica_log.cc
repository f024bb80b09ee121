#include "core/replica/replica_log.h"

#include <fmt/format.h>

#include "core/common/assert.h"

namespace pg {

std::string PlogBaseName(Gpid gpid) {
  return fmt::format("plog.{}.{}", gpid.app_id, gpid.partition_index);
}

std::string EncodeIndexEntry(const ReplicaIndexEntry& entry) {
  PG_ASSERT_GE(entry.first_log_segment, 0);
  return EncodeLogRecord(LogRecord{.ballot = Ballot(0),
                                   .decree = Decree(0),
                                   .last_committed = Decree(0),
                                   .payload = Encode(entry)});
}

Result<ReplicaIndexEntry> DecodeIndexEntry(const LogRecord& record) {
  return Decode<ReplicaIndexEntry>(record.payload);
}

}  // namespace pg
