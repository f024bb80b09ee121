#include "core/replica/replica_server.h"

#include "core/common/assert.h"
#include "core/common/log.h"
#include "core/proto/incarnation.h"

namespace pg {

ReplicaServer::ReplicaServer(const NodeEnv& env, ReplicaServerOptions options)
    : env_(env), options_(std::move(options)) {
  PG_ASSERT(!options_.meta_servers.empty(), "a replica server needs a meta server");
  PG_ASSERT(options_.open_engine != nullptr, "a replica server needs open_engine");
  PG_ASSERT_GT(options_.lease, Duration(), "the lease must be positive");
  if (env_.rng != nullptr) last_call_id_ = env_.rng->NextU64() >> 1;  // room to count up
}

uint64_t ReplicaServer::Random() {
  PG_ASSERT(env_.rng != nullptr, "a replica server that draws needs an Rng");
  return env_.rng->NextU64();
}

NodeId ReplicaServer::meta() const {
  PG_ASSERT(meta_index_ < options_.meta_servers.size());
  return options_.meta_servers[meta_index_];
}

bool ReplicaServer::LeaseValid(Time now) const {
  return last_acked_send_time_.has_value() && now < *last_acked_send_time_ + options_.lease;
}

uint64_t ReplicaServer::NewLogToken(const std::string& file, Gpid gpid) {
  auto it = file_owner_.find(file);
  PG_ASSERT(it != file_owner_.end() && it->second == gpid, "log token for unregistered {}", file);
  return next_token_++;
}

Replica* ReplicaServer::Find(Gpid gpid) {
  auto it = replicas_.find(gpid);
  return it == replicas_.end() ? nullptr : it->second.get();
}

void ReplicaServer::Step(Time now, const Input& input, Outbox& out) {
  if (stopped_) return;
  step_clock_ = now;
  if (!std::holds_alternative<Boot>(input)) CheckLease(now, out);
  if (std::holds_alternative<Boot>(input)) {
    OnBoot(now, out);
  } else if (const auto* r = std::get_if<Receive>(&input)) {
    OnReceive(now, r->from, r->msg, out);
  } else if (const auto* t = std::get_if<TimerFired>(&input)) {
    OnTimer(now, t->timer, out);
  } else if (const auto* done = std::get_if<LogAppended>(&input)) {
    OnLogDone(now, done->file, done->token, nullptr, out);
  } else if (const auto* failed = std::get_if<LogFailed>(&input)) {
    OnLogDone(now, failed->file, failed->token, &failed->status, out);
  }
  PG_ASSERT(stopped_ || !connected_ || LeaseValid(now), "connected without a lease");
}

// Pegasus replica_stub::initialize: load every replica on disk, replay its log, all PS_INACTIVE;
// then beacon and config sync. As there, a power loss is not told from a process crash: every
// private-log append was synced before it counted as logged (Replica::AppendMutation), so a
// power loss takes only appends still in flight, which nobody was told of, and the replay cuts
// the torn tail they may leave. (The boot mark lets a scenario crash the server again while the
// replay's effects are in flight.)
void ReplicaServer::OnBoot(Time now, Outbox& out) {
  PG_ASSERT(replicas_.empty() && !connected_, "a server boots once, before anything else");
  // The call-id draw also tells two starts in one millisecond apart.
  incarnation_ = IncarnationId(now, last_call_id_);
  std::map<Gpid, int32_t> live;  // gpid -> first plog segment
  if (env_.disk != nullptr) {
    SegmentedRead index = ReadSegments(*env_.disk, kReplicaIndexFile, 0);
    if (!index.status.ok()) {
      // Without its index the server cannot tell which replicas it holds, and recreating one
      // meta still lists would present an empty replica as a member: fail-stop, as Pegasus's
      // replica_stub exits when it cannot load its replicas. Meta's failure detector takes over.
      PG_LOG(kError, "replica index unreadable ({}): fail-stop", index.status.ToString());
      out.Mark("replica_server.fail_stop");
      stopped_ = true;
      out.Exit("replica index unreadable");
      return;
    }
    index_segment_ = index.write_segment;
    for (const LogRecord& r : index.records) {
      Result<ReplicaIndexEntry> e = DecodeIndexEntry(r);
      if (!e.ok()) {
        PG_LOG(kWarn, "skipping undecodable index entry: {}", e.status().ToString());
        continue;
      }
      if (e->dropped) {
        live.erase(e->gpid);
      } else {
        live[e->gpid] = e->first_log_segment;
      }
    }
  }
  for (const auto& [gpid, segment] : live) LoadReplica(gpid, segment, out);
  out.Mark("replica_server.booted");
  PG_LOG(kInfo, "booted with {} replicas", replicas_.size());
  SendBeacon(now, out);
  RequestConfigSync(now, out);
  PG_ASSERT_EQ(replicas_.size(), live.size());
}

void ReplicaServer::LoadReplica(Gpid gpid, int32_t first_segment, Outbox& out) {
  PG_ASSERT(!replicas_.contains(gpid));
  PG_ASSERT(env_.disk != nullptr);
  Result<std::unique_ptr<KvEngine>> engine = options_.open_engine(gpid);
  if (!engine.ok()) {
    // Pegasus: a replica that fails to load is not served (replica_stub::load_replica); one
    // whose engine reports kCorruption (a MANIFEST record or a table block failing its checksum)
    // is marked so that its files are discarded when meta has it dropped.
    const bool corrupt = engine.status().code() == ErrorCode::kCorruption;
    if (corrupt) out.Mark("replica.engine_open_corrupt");
    replicas_[gpid] = std::make_unique<Replica>(AsHost(), gpid, engine.status(), corrupt);
    return;
  }
  Ballot init_ballot{0};
  if (!LoadInitInfo(gpid, &init_ballot, out)) return;
  SegmentedRead read = ReadSegments(*env_.disk, PlogBaseName(gpid), first_segment);
  auto replica =
      std::make_unique<Replica>(AsHost(), gpid, std::move(engine).value(), read.write_segment);
  file_owner_[replica->log_file()] = gpid;
  replica->SetFirstLogSegment(first_segment);
  replicas_[gpid] = std::move(replica);  // the replay may persist its ballot through the server
  Replica* r = replicas_[gpid].get();
  r->Replay(read, init_ballot, out);
  r->MarkLoadedAtBoot();
  r->StartCheckpoints(out);
}

void ReplicaServer::OnReceive(Time now, NodeId from, const Message& msg, Outbox& out) {
  if (std::holds_alternative<ClientRequest>(msg)) return OnClientRequest(now, from, msg, out);
  if (const auto* s = std::get_if<GetScannerRequest>(&msg)) {
    return OnScanRequest(now, from, s->gpid, s->request_id, msg, out);
  }
  if (const auto* s = std::get_if<ScanRequest>(&msg)) {
    return OnScanRequest(now, from, s->gpid, s->request_id, msg, out);
  }
  if (const auto* ack = std::get_if<BeaconAck>(&msg)) return OnBeaconAck(now, from, *ack, out);
  if (const auto* resp = std::get_if<ConfigSyncResponse>(&msg)) {
    return OnConfigSyncResponse(now, *resp, out);
  }
  // Without a lease from meta (connected_ is refreshed by CheckLease at the start of every step)
  // no configuration change is taken up: replica_stub::on_config_proposal and
  // on_update_configuration_on_meta_server_reply drop them when the stub is not connected. A
  // replica that became primary while cut off would, once a new beacon renews the lease, serve
  // at a ballot meta has meanwhile replaced
  // (scenarios/regressions/pegasus_swarm_seed29_invariant_single_primary.json).
  if ((std::holds_alternative<ConfigProposal>(msg) ||
       std::holds_alternative<UpdateConfigResponse>(msg)) &&
      !connected_) {
    out.Mark("replica_server.config_ignored_without_lease");
    PG_LOG(kDebug, "ignoring {} from meta: no lease", MessageName(msg));
    return;
  }
  if (const auto* p = std::get_if<ConfigProposal>(&msg)) {
    if (Replica* r = Find(p->config.gpid)) return r->OnMessage(now, from, msg, out);
    if (IsFirstPrimaryProposal(*p)) return CreateFirstPrimary(now, from, *p, out);
    PG_LOG(kDebug, "ignoring proposal for {}: no such replica", p->config.gpid);
    return;
  }
  if (const auto* u = std::get_if<UpdateConfigResponse>(&msg)) {
    if (Replica* r = Find(u->config.gpid)) return r->OnMessage(now, from, msg, out);
    PG_LOG(kDebug, "ignoring config update reply for {}: no such replica", u->config.gpid);
    return;
  }
  OnPeerMessage(now, from, msg, out);
}

// A new partition's first primary (replica_stub::on_config_proposal creates the replica of a
// CT_ASSIGN_PRIMARY it does not hold): the replica is created empty here and takes up meta's
// proposal once its index entry is durable (OnIndexDone; Replica::AssignPrimaryFromDrops).
bool ReplicaServer::IsFirstPrimaryProposal(const ConfigProposal& p) const {
  return p.type == ConfigType::kAssignPrimary && p.node == self() && IsNewPartition(p.config);
}

void ReplicaServer::CreateFirstPrimary(Time now, NodeId from, const ConfigProposal& p,
                                       Outbox& out) {
  PG_ASSERT(IsFirstPrimaryProposal(p) && connected_ && Find(p.config.gpid) == nullptr);
  if (env_.disk == nullptr) return;
  if (p.config.partition_count <= 0 || p.config.gpid.partition_index >= p.config.partition_count) {
    PG_LOG(kWarn, "ignoring first-primary proposal for {}: partition count {}", p.config.gpid,
           p.config.partition_count);
    return;
  }
  CreateReplica(now, p.config.gpid, out);
  if (Find(p.config.gpid) != nullptr) first_primary_proposals_[p.config.gpid] = {from, p};
}

// replica_stub::on_client_write/read: ERR_OBJECT_NOT_FOUND when this node hosts no such replica.
void ReplicaServer::OnClientRequest(Time now, NodeId from, const Message& msg, Outbox& out) {
  const ClientRequest& req = std::get<ClientRequest>(msg);
  Replica* r = Find(req.gpid);
  if (r == nullptr) {
    PG_LOG(kDebug, "client request {} for {}: no such replica", req.request_id, req.gpid);
    out.Send(from,
             ClientResponse{.request_id = req.request_id, .error = ErrorCode::kObjectNotFound});
    return;
  }
  r->OnMessage(now, from, msg, out);
}

// A scan's get_scanner or scan, as a client read: ERR_OBJECT_NOT_FOUND without the replica.
void ReplicaServer::OnScanRequest(Time now, NodeId from, Gpid gpid, uint64_t request_id,
                                  const Message& msg, Outbox& out) {
  Replica* r = Find(gpid);
  if (r == nullptr) {
    out.Send(from, ScanResponse{.request_id = request_id, .error = ErrorCode::kObjectNotFound});
    return;
  }
  r->OnMessage(now, from, msg, out);
}

void ReplicaServer::OnPeerMessage(Time now, NodeId from, const Message& msg, Outbox& out) {
  if (const auto* p = std::get_if<PrepareRequest>(&msg)) {
    if (Replica* r = Find(p->config.gpid)) return r->OnMessage(now, from, msg, out);
    out.Send(from, PrepareAck{.gpid = p->config.gpid,
                              .error = ErrorCode::kObjectNotFound,
                              .ballot = p->mutation.ballot,
                              .decree = p->mutation.decree});
    return;
  }
  if (const auto* a = std::get_if<PrepareAck>(&msg)) {
    if (Replica* r = Find(a->gpid)) return r->OnMessage(now, from, msg, out);
  } else if (const auto* g = std::get_if<GroupCheckRequest>(&msg)) {
    if (Replica* r = Find(g->config.gpid)) return r->OnMessage(now, from, msg, out);
    out.Send(from, GroupCheckResponse{.gpid = g->config.gpid,
                                      .error = ErrorCode::kObjectNotFound,
                                      .ballot = g->config.ballot});
    return;
  } else if (const auto* gr = std::get_if<GroupCheckResponse>(&msg)) {
    if (Replica* r = Find(gr->gpid)) return r->OnMessage(now, from, msg, out);
  } else if (const auto* rm = std::get_if<RemoveReplica>(&msg)) {
    if (Replica* r = Find(rm->config.gpid)) return r->OnMessage(now, from, msg, out);
  } else {
    return OnLearningMessage(now, from, msg, out);
  }
  PG_LOG(kDebug, "ignoring {} from {}: not for a replica here", MessageName(msg), from);
}

// replica_stub's learning RPCs. An add-learner for a partition this node does not hold creates the
// replica (empty); it starts learning at the primary's next add-learner, once its index entry is
// durable (replica_stub::on_add_learner opens or creates it too).
void ReplicaServer::OnLearningMessage(Time now, NodeId from, const Message& msg, Outbox& out) {
  if (const auto* add = std::get_if<AddLearnerRequest>(&msg)) {
    if (Replica* r = Find(add->config.gpid)) return r->OnMessage(now, from, msg, out);
    if (connected_ && env_.disk != nullptr) CreateReplica(now, add->config.gpid, out);
    return;
  }
  if (const auto* req = std::get_if<LearnRequest>(&msg)) {
    if (Replica* r = Find(req->gpid)) return r->OnMessage(now, from, msg, out);
    out.Send(from, LearnResponse{.gpid = req->gpid, .error = ErrorCode::kObjectNotFound});
    return;
  }
  if (const auto* resp = std::get_if<LearnResponse>(&msg)) {
    if (Replica* r = Find(resp->gpid)) return r->OnMessage(now, from, msg, out);
  } else if (const auto* n = std::get_if<LearnCompletionNotify>(&msg)) {
    if (Replica* r = Find(n->gpid)) return r->OnMessage(now, from, msg, out);
  } else if (const auto* c = std::get_if<LearnCompletionResponse>(&msg)) {
    if (Replica* r = Find(c->gpid)) return r->OnMessage(now, from, msg, out);
  }
  PG_LOG(kDebug, "ignoring {} from {}: not for a replica here", MessageName(msg), from);
}

SegmentedRead ReplicaServer::ReadPrivateLog(Gpid gpid, int32_t first_segment) const {
  PG_ASSERT(env_.disk != nullptr);
  return ReadSegments(*env_.disk, PlogBaseName(gpid), first_segment);
}

void ReplicaServer::OnTimer(Time now, TimerId timer, Outbox& out) {
  if (timer == kBeaconTimer) return SendBeacon(now, out);
  if (timer == kConfigSyncTimer) return RequestConfigSync(now, out);
  if (timer == kLeaseTimer) return;  // CheckLease ran at the start of the step
  const uint64_t id = timer.value();
  const auto kind = static_cast<uint8_t>(id >> 56);
  const Gpid gpid{.app_id = static_cast<int32_t>((id >> 32) & 0xFFFFFF),
                  .partition_index = static_cast<int32_t>(id & 0xFFFFFFFF)};
  Replica* r = Find(gpid);
  if (r == nullptr || kind < 1 || kind > static_cast<uint8_t>(ReplicaTimer::kLast)) {
    PG_LOG(kDebug, "ignoring timer {:#x}: no such replica or kind", id);
    return;
  }
  PG_ASSERT_EQ(MakeReplicaTimerId(gpid, static_cast<ReplicaTimer>(kind)), timer);
  r->OnTimer(now, static_cast<ReplicaTimer>(kind), out);
}

void ReplicaServer::OnLogDone(Time now, const std::string& file, uint64_t token,
                              const Status* failure, Outbox& out) {
  if (index_tokens_.contains(token)) return OnIndexDone(now, token, failure, out);
  if (init_info_tokens_.contains(token)) return OnInitInfoDone(token, failure, out);
  auto owner = file_owner_.find(file);
  Replica* r = owner == file_owner_.end() ? nullptr : Find(owner->second);
  if (r == nullptr) {
    PG_LOG(kDebug, "ignoring completion of {} token {}: no replica writes it", file, token);
    return;
  }
  if (failure != nullptr) return r->OnLogFailed(now, token, *failure, out);
  r->OnLogAppended(now, token, out);
}

std::vector<ReplicaServer::ReplicaView> ReplicaServer::Views(Time now) const {
  std::vector<ReplicaView> views;
  Views(now, &views);
  return views;
}

void ReplicaServer::Views(Time now, std::vector<ReplicaView>* out) const {
  std::vector<ReplicaView>& views = *out;
  views.clear();
  views.reserve(replicas_.size());
  const Time lease_until = LeaseValid(now) ? *last_acked_send_time_ + options_.lease : Time::Zero();
  for (const auto& [gpid, r] : replicas_) {
    views.push_back(ReplicaView{.gpid = gpid,
                                .status = r->status(),
                                .ballot = r->ballot(),
                                .last_committed = r->last_committed(),
                                .last_prepared = r->last_prepared(),
                                .serving_as_primary = r->ServingAsPrimary(now),
                                .lease_until = lease_until});
  }
}

std::optional<uint64_t> ReplicaServer::CommittedDigest(Gpid gpid, Decree d) const {
  auto it = replicas_.find(gpid);
  return it == replicas_.end() ? std::nullopt : it->second->CommittedDigest(d);
}

std::optional<uint64_t> ReplicaServer::MutationDigest(Gpid gpid, Decree d) const {
  auto it = replicas_.find(gpid);
  return it == replicas_.end() ? std::nullopt : it->second->MutationDigest(d);
}

void ReplicaServer::CheckInvariants() const {
  for (const auto& [gpid, r] : replicas_) {
    AssertPartitionScope scope(gpid);
    PG_ASSERT_EQ(r->gpid(), gpid);
    r->CheckInvariants();
  }
  for (const auto& [file, gpid] : file_owner_) {
    auto it = replicas_.find(gpid);
    PG_ASSERT(it != replicas_.end() && it->second->log_file() == file, "stale log owner {}", file);
  }
  PG_ASSERT_GE(index_segment_, 0);
  for (const auto& [token, reset] : log_resets_) {
    PG_ASSERT(index_tokens_.contains(token), "log reset {} is no index append", token);
  }
  for (const auto& [gpid, proposal] : first_primary_proposals_) {
    auto it = replicas_.find(gpid);
    PG_ASSERT(it != replicas_.end() && !it->second->announced(), "first-primary proposal {}", gpid);
  }
  for (const auto& [token, write] : init_info_tokens_) {
    PG_ASSERT(replicas_.contains(write.gpid), "init info write {} of a replica not held", token);
    PG_ASSERT(init_info_segment_.contains(write.gpid));
  }
  PG_ASSERT_LT(meta_index_, options_.meta_servers.size());
  PG_ASSERT(!connected_ || sync_sent_while_connected_, "connected without a config sync sent");
}

}  // namespace pg
