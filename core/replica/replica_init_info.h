#pragma once
// A replica's init info (Pegasus src/replica/replication_app_base.h: replica_init_info, the
// ".init-info" file in the replica's directory): the ballot the replica durably reached, with its
// engine's durable decree when it was written. Pegasus rewrites the file, synced, whenever the
// replica's ballot rises (replica_config.cpp update_local_configuration ->
// update_init_info_ballot_and_decree) and when it creates the replica (open_new_internal); a
// restart starts from its init_ballot and raises it to the largest ballot its private log replays
// (replica_init.cpp init_app_and_prepare_list, replay_mutation).
//
// Here the file is a segmented log of such records (core/storage/segmented_log.h), one per
// server and partition: every write appends one record and the last intact record is the file's
// content, as the last rename is in Pegasus. A new replica of the partition starts a fresh
// segment with its own first record, so an earlier replica's ballot never carries over.
#include <cstdint>
#include <optional>
#include <string>

#include "core/common/ids.h"
#include "core/common/result.h"
#include "core/common/status.h"
#include "core/node/node.h"
#include "core/proto/codec.h"
#include "core/storage/mutation_log.h"

namespace pg {

struct ReplicaInitInfo {
  Ballot init_ballot{0};
  Decree init_durable_decree{0};
  PG_FIELDS(init_ballot, init_durable_decree);
  bool operator==(const ReplicaInitInfo&) const = default;
};

// "init_info.<app_id>.<partition_index>".
std::string InitInfoBaseName(Gpid gpid);
std::string EncodeInitInfo(const ReplicaInitInfo& info);
Result<ReplicaInitInfo> DecodeInitInfo(const LogRecord& record);

// What a boot reads of a partition's init info.
struct InitInfoRead {
  // kCorruption: damage in the middle of a segment, or a record that does not decode (Pegasus
  // fails to open a replica whose init info does not load).
  Status status;
  // The last record, if the file holds one.
  std::optional<ReplicaInitInfo> info;
  int32_t write_segment = 0;  // where the next record goes
};
InitInfoRead ReadInitInfo(const LocalDisk& disk, Gpid gpid);

}  // namespace pg
