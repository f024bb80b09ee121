// The replica server's side of meta: beacons and the lease (Pegasus src/failure_detector/
// failure_detector.cpp, replica_stub::on_meta_server_connected/disconnected), config sync
// (replica_stub::query_configuration_by_node, on_node_query_reply) and the replica index.
#include <algorithm>

#include "core/common/assert.h"
#include "core/common/log.h"
#include "core/replica/replica_server.h"

namespace pg {

void ReplicaServer::SendBeacon(Time now, Outbox& out) {
  // The meta beaconed is down or cut off (or not the leader and silent): try the next one, as
  // rDSN's failure detector walks its list of meta servers.
  if (options_.meta_servers.size() > 1 && beacons_unanswered_ >= kBeaconsBeforeRotating) {
    silent_meta_ = meta();
    FollowMeta(std::nullopt);
  }
  ++beacons_unanswered_;
  PG_ASSERT_GT(beacons_unanswered_, 0);
  out.Send(meta(), Beacon{.send_time = now, .incarnation = incarnation_});
  out.SetTimer(kBeaconTimer, options_.beacon_interval);
}

// Only the leader's acks renew the lease (XiaoMi/rdsn PR #213), and the lease runs from the
// beacon's SEND time, so it always expires before meta's grace, which runs from receipt.
void ReplicaServer::OnBeaconAck(Time now, NodeId from, const BeaconAck& ack, Outbox& out) {
  if (from == meta()) beacons_unanswered_ = 0;
  if (ack.is_master) silent_meta_.reset();
  if (!ack.is_master) {
    PG_LOG(kDebug, "ignoring beacon ack from a non-leader meta (leader hint {})",
           ack.leader ? fmt::format("{}", *ack.leader) : std::string("none"));
    if (from == meta() && options_.meta_servers.size() > 1) FollowMeta(ack.leader);
    // Bug zoo lease_from_follower_meta (Pegasus #239, #247; rDSN #213): before the fix a
    // follower's ack renewed the lease too, though only the leader's grace protects it.
    if (!options_.bugs.on(Bug::kLeaseFromFollowerMeta)) return;
  }
  if (ack.is_master) {
    // The newest leader stamp, echoed by config syncs (DddState::FreshReport); acks may arrive
    // out of order, so within one leader process the count only rises.
    acked_deaths_ =
        ack.meta_epoch == acked_meta_epoch_ ? std::max(acked_deaths_, ack.deaths) : ack.deaths;
    acked_meta_epoch_ = ack.meta_epoch;
  }
  if (ack.send_time > now) {
    PG_LOG(kWarn, "ignoring beacon ack from the future ({} > {})", ack.send_time, now);
    return;
  }
  // Bug zoo lease_from_ack_time (PacificA §3.3, PEGASUS.md §1.9): counting the lease from the
  // ack's arrival lets a late ack stretch it past meta's grace, which runs from the beacon's
  // receipt; the beacon's send time is the only start that always precedes that receipt.
  const Time lease_start = options_.bugs.on(Bug::kLeaseFromAckTime) ? now : ack.send_time;
  last_acked_send_time_ = std::max(last_acked_send_time_.value_or(lease_start), lease_start);
  if (!LeaseValid(now)) return;
  out.SetTimer(kLeaseTimer, *last_acked_send_time_ + options_.lease - now);
  if (!connected_) {
    // on_meta_server_connected: sync configuration at once.
    connected_ = true;
    out.Mark("replica_server.connected");
    PG_LOG(kInfo, "lease from meta valid until {}", *last_acked_send_time_ + options_.lease);
    RequestConfigSync(now, out);
  }
  PG_ASSERT(connected_ && sync_sent_while_connected_);
}

void ReplicaServer::FollowMeta(std::optional<NodeId> hint) {
  const auto& metas = options_.meta_servers;
  auto it =
      hint && hint != silent_meta_ ? std::find(metas.begin(), metas.end(), *hint) : metas.end();
  meta_index_ = it != metas.end() ? static_cast<size_t>(it - metas.begin())
                                  : (meta_index_ + 1) % metas.size();
  beacons_unanswered_ = 0;
  PG_ASSERT_LT(meta_index_, metas.size());
  PG_LOG(kInfo, "beaconing meta {} from now on", meta());
}

// on_meta_server_disconnected: every replica goes PS_INACTIVE; a primary stops serving reads and
// writes before meta's grace period can let anyone else take over.
void ReplicaServer::CheckLease(Time now, Outbox& out) {
  if (!connected_ || LeaseValid(now)) return;
  connected_ = false;
  sync_sent_while_connected_ = false;
  out.Mark("replica_server.lease_lapsed");
  PG_LOG(kInfo, "lease from meta lapsed: every replica goes inactive");
  for (auto& [gpid, r] : replicas_) {
    AssertPartitionScope scope(gpid);
    r->OnLeaseLapse(now, out);
  }
  PG_ASSERT(!connected_);
}

void ReplicaServer::RequestConfigSync(Time now, Outbox& out) {
  ConfigSyncRequest req;
  for (const auto& [gpid, r] : replicas_) {
    if (r->announced()) req.stored_replicas.push_back(r->Info());
  }
  req.sync_id = ++last_call_id_;
  req.incarnation = incarnation_;
  req.acked_meta_epoch = acked_meta_epoch_;
  req.acked_deaths = acked_deaths_;
  outstanding_sync_ = req.sync_id;
  for (const auto& [gpid, ballot] : listed_ballot_) {
    if (!Lacks(gpid)) continue;
    req.missing.push_back(MissingReplica{.gpid = gpid, .listed_ballot = ballot});
    reported_missing_[gpid] = ballot;
  }
  out.Send(meta(), std::move(req));
  if (connected_) sync_sent_while_connected_ = true;
  last_sync_sent_ = now;
  out.SetTimer(kConfigSyncTimer, options_.config_sync_interval);
}

// on_node_query_reply: adopt every listed configuration and close the replicas meta no longer
// lists. A listed replica the server lacks is reported missing, never created: a replica exists
// before its server is listed, so joining takes learning.
void ReplicaServer::OnConfigSyncResponse(Time now, const ConfigSyncResponse& resp, Outbox& out) {
  if (resp.sync_id != outstanding_sync_) {
    out.Mark("replica_server.superseded_sync_reply");
    PG_LOG(kDebug, "ignoring the answer to config sync {}: awaiting {}", resp.sync_id,
           outstanding_sync_.value_or(0));
    return;
  }
  outstanding_sync_.reset();
  if (!connected_ || !sync_sent_while_connected_ || resp.error != ErrorCode::kOk) {
    PG_LOG(kDebug, "ignoring config sync response ({}; connected {})", ErrorCodeName(resp.error),
           connected_);
    return;
  }
  PG_ASSERT(LeaseValid(now), "connected, so the lease held at this step's start");
  for (const PartitionConfiguration& pc : resp.partitions) {
    const bool member =
        pc.primary == self() ||
        std::find(pc.secondaries.begin(), pc.secondaries.end(), self()) != pc.secondaries.end();
    if (member) {
      Ballot& listed = listed_ballot_[pc.gpid];
      listed = std::max(listed, pc.ballot);
    }
    AssertPartitionScope scope(pc.gpid);
    if (Replica* r = Find(pc.gpid)) r->OnConfigSync(now, pc, out);
  }
  for (Gpid gpid : resp.gc_replicas) {
    // A learner is not in meta's configuration yet, and meta's answer may predate its learning
    // (Pegasus's on_node_query_reply leaves PS_POTENTIAL_SECONDARY replicas alone too); one that
    // gives up goes PS_INACTIVE and is collected at a later sync.
    const Replica* r = Find(gpid);
    if (r != nullptr && r->status() == PartitionStatus::kPotentialSecondary) continue;
    if (r != nullptr) DropReplica(gpid, out);
    listed_ballot_.erase(gpid);
    reported_missing_.erase(gpid);
  }
  // on_node_query_reply reports a listed replica the server lacks at once
  // (remove_replica_on_meta_server), rather than at the next periodic sync.
  if (HasUnreportedMissing()) {
    out.Mark("replica_server.report_missing");
    RequestConfigSync(now, out);
  }
}

bool ReplicaServer::Lacks(Gpid gpid) const {
  auto it = replicas_.find(gpid);
  return it == replicas_.end() || it->second->status() == PartitionStatus::kError;
}

bool ReplicaServer::HasUnreportedMissing() const {
  for (const auto& [gpid, ballot] : listed_ballot_) {
    auto reported = reported_missing_.find(gpid);
    if (Lacks(gpid) && (reported == reported_missing_.end() || reported->second < ballot)) {
      return true;
    }
  }
  return false;
}

void ReplicaServer::CreateReplica(Time now, Gpid gpid, Outbox& out) {
  PG_ASSERT(!replicas_.contains(gpid));
  PG_ASSERT(env_.disk != nullptr, "creating a replica needs a disk");
  Result<std::unique_ptr<KvEngine>> engine = options_.open_engine(gpid);
  if (!engine.ok() && engine.status().code() == ErrorCode::kCorruption && options_.discard_engine) {
    // A damaged engine an earlier replica of the gpid left here (a dropped replica's files, rotted
    // at rest since: nobody opened them). A new replica learns everything and needs none of it:
    // Pegasus never reopens a closed replica's directory (close_replica moves it aside).
    PG_LOG(kWarn, "discarding the corrupted engine {} left for new replica: {}", gpid,
           engine.status().ToString());
    options_.discard_engine(gpid);
    out.Mark("replica_server.corrupt_engine_discarded");
    engine = options_.open_engine(gpid);
  }
  if (!engine.ok()) {
    PG_LOG(kWarn, "cannot open engine for new replica {}: {}", gpid, engine.status().ToString());
    return;
  }
  const int32_t segment = FirstFreeSegment(*env_.disk, PlogBaseName(gpid));
  auto replica = std::make_unique<Replica>(AsHost(), gpid, std::move(engine).value(), segment);
  replica->SetFirstLogSegment(segment);
  replica->MarkUnannounced();
  replica->StartCheckpoints(out);
  file_owner_[replica->log_file()] = gpid;
  // The creation record goes first, to a segment of its own: the index entry that makes the
  // replica durable completes after it (one completion queue per disk).
  init_info_segment_[gpid] = FirstFreeSegment(*env_.disk, InitInfoBaseName(gpid));
  replicas_[gpid] = std::move(replica);
  AppendInitInfo(gpid,
                 ReplicaInitInfo{.init_durable_decree = Find(gpid)->Info().last_durable_decree},
                 /*creation=*/true, out);
  const uint64_t token = next_token_;
  AppendIndex(ReplicaIndexEntry{.gpid = gpid, .first_log_segment = segment}, out);
  index_tokens_[token] = gpid;
  out.Mark("replica_server.replica_created");
}

// Pegasus moves a closed replica's directory to trash; here its files stay and the index
// forgets it (a recreated replica starts a fresh plog segment).
void ReplicaServer::DropReplica(Gpid gpid, Outbox& out) {
  auto it = replicas_.find(gpid);
  PG_ASSERT(it != replicas_.end());
  PG_LOG(kInfo, "dropping replica {} (meta no longer lists it)", gpid);
  first_primary_proposals_.erase(gpid);
  it->second->Close(out);
  file_owner_.erase(it->second->log_file());
  init_info_segment_.erase(gpid);
  std::erase_if(init_info_tokens_, [gpid](const auto& t) { return t.second.gpid == gpid; });
  const bool corrupted = it->second->data_corrupted();
  replicas_.erase(it);  // closes the engine
  if (corrupted && options_.discard_engine) {
    // Pegasus moves the directory to the error path (replica_stub.cpp close_replica): a later
    // replica of this gpid here learns into a new, empty engine instead of reading the damage.
    PG_LOG(kWarn, "discarding the corrupted engine of {}", gpid);
    options_.discard_engine(gpid);
    out.Mark("replica_server.corrupt_engine_discarded");
  }
  const uint64_t token = next_token_;
  AppendIndex(ReplicaIndexEntry{.gpid = gpid, .dropped = true}, out);
  index_tokens_[token] = std::nullopt;
  out.Mark("replica_server.replica_dropped");
}

// Pegasus's learner records where its private log becomes valid (mutation_log::on_partition_reset,
// persisted in the app's init info) and switches to a new log file; replay then ignores what lies
// before. Here the index entry plays that part: a replica's log is read from its first segment.
int32_t ReplicaServer::ResetPrivateLog(Gpid gpid, int32_t at_least, Outbox& out) {
  const Replica* r = Find(gpid);
  PG_ASSERT(r != nullptr && env_.disk != nullptr, "resetting the log of {} not held here", gpid);
  const int32_t segment = FirstFreeSegment(*env_.disk, PlogBaseName(gpid), at_least);
  file_owner_.erase(r->log_file());
  file_owner_[SegmentName(PlogBaseName(gpid), segment)] = gpid;
  const uint64_t token = next_token_;
  AppendIndex(ReplicaIndexEntry{.gpid = gpid, .first_log_segment = segment}, out);
  index_tokens_[token] = std::nullopt;
  log_resets_[token] = {gpid, segment};
  return segment;
}

void ReplicaServer::AppendIndex(const ReplicaIndexEntry& entry, Outbox& out) {
  out.AppendLog({.file = SegmentName(kReplicaIndexFile, index_segment_),
                 .token = next_token_++,
                 .bytes = EncodeIndexEntry(entry),
                 .sync = true});
}

void ReplicaServer::OnIndexDone(Time now, uint64_t token, const Status* failure, Outbox& out) {
  auto it = index_tokens_.find(token);
  PG_ASSERT(it != index_tokens_.end());
  const std::optional<Gpid> gpid = it->second;
  index_tokens_.erase(it);
  if (auto reset = log_resets_.find(token); reset != log_resets_.end()) {
    const auto [reset_gpid, segment] = reset->second;
    log_resets_.erase(reset);
    if (Replica* r = Find(reset_gpid)) r->OnLogReset(now, segment, failure, out);
  }
  std::optional<std::pair<NodeId, ConfigProposal>> proposal;
  if (gpid) {
    if (auto node = first_primary_proposals_.extract(*gpid)) proposal = std::move(node.mapped());
  }
  if (failure != nullptr) {
    // What reached the index is unknown: later entries go to a fresh segment, and the replica
    // this entry announced never takes a role (meta will not see it at the next sync). A boot
    // reads segments 0, 1, ... and stops at the first that does not exist, so the fresh segment
    // is the first one missing: a segment the failed append never created is written again, as
    // a boot that stopped there would forget every replica indexed past it.
    PG_LOG(kWarn, "replica index append failed: {}", failure->ToString());
    PG_ASSERT(env_.disk != nullptr, "an index append needs a disk");
    const int32_t next = FirstFreeSegment(*env_.disk, kReplicaIndexFile, index_segment_);
    if (next == index_segment_) out.Mark("replica_server.index_segment_kept");
    index_segment_ = next;
    if (gpid && Find(*gpid) != nullptr && !Find(*gpid)->announced()) DropReplica(*gpid, out);
    return;
  }
  if (gpid) {
    if (Replica* r = Find(*gpid); r != nullptr && !r->announced()) r->MarkAnnounced(now, out);
  }
  if (proposal && connected_) {
    if (Replica* r = Find(*gpid)) r->OnMessage(now, proposal->first, proposal->second, out);
  }
}

}  // namespace pg
