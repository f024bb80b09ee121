#pragma once
// The files a replica server keeps (PEGASUS.md §1.10): per replica a private log (plog) of
// prepared mutations, and a small index of the replicas the server holds.
//
// Both are appended through AppendLog and read back at Boot with LogReader, as segmented logs
// (core/storage/segmented_log.h): a torn tail ends a segment and the next incarnation appends to
// the next one; damage followed by an intact record is corruption (the replica fail-stops, as
// Pegasus fails a replica whose plog does not replay).
#include <cstdint>
#include <string>
#include <string_view>

#include "core/common/ids.h"
#include "core/common/status.h"
#include "core/node/node.h"
#include "core/storage/mutation_log.h"
#include "core/storage/segmented_log.h"

namespace pg {

inline constexpr std::string_view kReplicaIndexFile = "replicas";

// "plog.<app_id>.<partition_index>".
std::string PlogBaseName(Gpid gpid);

// One entry of the replica index. Entries apply in order: created, then maybe dropped.
struct ReplicaIndexEntry {
  Gpid gpid;
  bool dropped = false;
  int32_t first_log_segment = 0;
  PG_FIELDS(gpid, dropped, first_log_segment);
  bool operator==(const ReplicaIndexEntry&) const = default;
};

std::string EncodeIndexEntry(const ReplicaIndexEntry& entry);
Result<ReplicaIndexEntry> DecodeIndexEntry(const LogRecord& record);

}  // namespace pg
