// The server's side of its replicas' init info (replica_init_info.h): reading it at boot and
// appending the records its replicas ask for (Pegasus src/replica/replication_app_base.cpp
// open_internal, open_new_internal, update_init_info).
#include "core/common/assert.h"
#include "core/common/log.h"
#include "core/replica/replica_server.h"

namespace pg {

// Pegasus's open_internal loads the init info after opening the app and fails the replica when
// it does not load. A partition without a record (its creation record failed, and the drop that
// followed was lost to a crash) starts from its log alone, as before init info existed.
bool ReplicaServer::LoadInitInfo(Gpid gpid, Ballot* ballot, Outbox& out) {
  PG_ASSERT(env_.disk != nullptr && !replicas_.contains(gpid));
  InitInfoRead read = ReadInitInfo(*env_.disk, gpid);
  if (!read.status.ok()) {
    out.Mark("replica.init_info_unreadable");
    replicas_[gpid] = std::make_unique<Replica>(AsHost(), gpid, read.status);
    return false;
  }
  init_info_segment_[gpid] = read.write_segment;
  *ballot = read.info ? read.info->init_ballot : Ballot(0);
  if (!read.info) out.Mark("replica.init_info_missing");
  return true;
}

void ReplicaServer::AppendInitInfo(Gpid gpid, const ReplicaInitInfo& info, bool creation,
                                   Outbox& out) {
  PG_ASSERT(replicas_.contains(gpid) || creation, "init info of {} not held here", gpid);
  PG_ASSERT(env_.disk != nullptr, "init info needs a disk");
  const uint64_t token = next_token_++;
  out.AppendLog({.file = SegmentName(InitInfoBaseName(gpid), init_info_segment_[gpid]),
                 .token = token,
                 .bytes = EncodeInitInfo(info),
                 .sync = true});
  init_info_tokens_[token] = InitInfoWrite{.gpid = gpid, .creation = creation};
}

// Pegasus's update_local_configuration only logs a failed init-info write and acts in the new
// ballot all the same; a restart then starts from the ballot written before, raised by its log.
// The creation record is different: open_new_internal fails the replica's creation without it,
// so a replica not yet announced is dropped. After a failure records go to a fresh segment, as
// the replica index's do: what reached the file is unknown.
void ReplicaServer::OnInitInfoDone(uint64_t token, const Status* failure, Outbox& out) {
  auto it = init_info_tokens_.find(token);
  PG_ASSERT(it != init_info_tokens_.end());
  const InitInfoWrite write = it->second;
  init_info_tokens_.erase(it);
  if (failure == nullptr) return;
  PG_LOG(kWarn, "replica {}: init info write failed: {}", write.gpid, failure->ToString());
  out.Mark("replica.init_info_write_failed");
  PG_ASSERT(env_.disk != nullptr);
  int32_t& segment = init_info_segment_[write.gpid];
  segment = FirstFreeSegment(*env_.disk, InitInfoBaseName(write.gpid), segment);
  Replica* r = Find(write.gpid);
  if (write.creation && r != nullptr && !r->announced()) DropReplica(write.gpid, out);
}

}  // namespace pg
