#include "core/meta/meta_server.h"

#include <algorithm>

#include "core/common/log.h"
#include "core/meta/meta_log.h"
#include "core/meta/partition_table.h"
#include "core/proto/incarnation.h"

namespace pg {

MetaServer::MetaServer(const NodeEnv& env, MetaServerOptions options)
    : env_(env), options_(std::move(options)) {
  // "The lease_periods must be less than the grace_periods, as required by perfect FD"
  // (src/common/replication_common.cpp): a worker's lease runs from its beacon's send time, the
  // master's grace from the receive time, so the worker stops before the master replaces it.
  PG_ASSERT_LT(options_.replica_lease, options_.grace, "lease must be shorter than grace");
  PG_ASSERT_GT(options_.partition_count, 0);
  PG_ASSERT_GT(options_.replica_count, 0);
  PG_ASSERT_LE(static_cast<size_t>(options_.replica_count), options_.replica_servers.size());
  PG_ASSERT_GT(options_.check_interval, Duration());
}

bool MetaServer::HasPendingChange(int partition_index) const {
  return partition_index >= 0 && static_cast<size_t>(partition_index) < pending_.size() &&
         pending_[partition_index].has_value();
}

bool MetaServer::IsWorkerAlive(NodeId worker) const { return fd_ && fd_->IsAlive(worker); }

bool MetaServer::ValidPartition(Gpid gpid) const {
  return gpid.app_id == options_.app_id && gpid.partition_index >= 0 &&
         gpid.partition_index < options_.partition_count;
}

void MetaServer::Step(Time now, const Input& input, Outbox& out) {
  step_now_ = now;
  if (std::holds_alternative<Boot>(input)) return OnBoot(now, out);
  if (stopped_) {
    PG_LOG(kDebug, "meta is fail-stopped; ignoring input");
    return;
  }
  // The host delivers Boot first: everything below needs the failure detector and the table.
  PG_ASSERT(fd_.has_value(), "an input before Boot");
  PG_ASSERT_EQ(configs_.size(), static_cast<size_t>(options_.partition_count));
  if (coord_ && CoordStep(now, input, out)) return;
  if (const auto* r = std::get_if<Receive>(&input)) return OnReceive(*r, now, out);
  if (const auto* t = std::get_if<TimerFired>(&input)) {
    if (t->timer == kCheckTimer) OnCheckTimer(now, out);
    return;
  }
  if (const auto* done = std::get_if<LogAppended>(&input)) return OnLogAppended(*done, now, out);
  if (const auto* failed = std::get_if<LogFailed>(&input)) return OnLogFailed(*failed, out);
}

void MetaServer::AdoptTable(const std::vector<std::optional<PartitionConfiguration>>& stored,
                            Outbox& out) {
  PG_ASSERT_EQ(stored.size(), configs_.size());
  // Adopted once per term, into a table just reset: nothing in flight, nothing applied.
  PG_ASSERT(!ready_ && !create_token_ && creating_.empty(), "adopting a table over a live one");
  durable_ballots_.clear();
  for (size_t i = 0; i < stored.size(); ++i) {
    // meta.log's replay and CoordTable's load both file a configuration under its own partition.
    if (stored[i]) PG_ASSERT_EQ(stored[i]->gpid.partition_index, static_cast<int32_t>(i));
    if (stored[i]) configs_[i] = *stored[i];
    durable_ballots_.push_back(configs_[i].ballot);
  }
  ready_ = std::all_of(configs_.begin(), configs_.end(),
                       [](const PartitionConfiguration& pc) { return pc.ballot > Ballot(0); });
  if (!ready_) CreateMissingPartitions(out);
}

void MetaServer::CreateMissingPartitions(Outbox& out) {
  PG_ASSERT(!ready_ && !create_token_ && creating_.empty(), "creating the table twice");
  const std::vector<PartitionConfiguration> layout =
      CreateTableLayout({.app_id = options_.app_id,
                         .partition_count = options_.partition_count,
                         .replica_count = options_.replica_count,
                         .servers = options_.replica_servers});
  PG_ASSERT_EQ(layout.size(), configs_.size());
  for (size_t i = 0; i < layout.size(); ++i) {
    if (configs_[i].ballot > Ballot(0)) continue;
    // A partition is created at ballot 1 over the empty slot of ballot 0.
    PG_ASSERT_EQ(layout[i].gpid, configs_[i].gpid);
    PG_ASSERT_EQ(layout[i].ballot, configs_[i].ballot.next(), "partition {}", layout[i].gpid);
    creating_.push_back(layout[i]);
  }
  PG_ASSERT(!creating_.empty(), "nothing to create");
  create_token_ = next_token_++;
  out.Mark("meta.create_table");
  WriteDurably(*create_token_, creating_, out);
}

void MetaServer::WriteDurably(uint64_t token, const std::vector<PartitionConfiguration>& configs,
                              Outbox& out) {
  PG_ASSERT(!configs.empty(), "an empty write {}", token);
  PG_ASSERT_LT(token, next_token_, "token {} was never issued", token);
  for (const PartitionConfiguration& pc : configs) {
    PG_ASSERT(ValidPartition(pc.gpid), "writing {}", pc.gpid);
  }
  if (coord_) return coord_->Write(token, configs, step_now_, out);
  std::string bytes;
  for (const PartitionConfiguration& pc : configs) bytes += EncodeMetaLogRecord(pc);
  out.AppendLog({.file = kMetaLogFile, .token = token, .bytes = std::move(bytes), .sync = true});
}

void MetaServer::OnLogAppended(const LogAppended& done, Time now, Outbox& out) {
  // In coordination mode meta appends to no log (CoordStep takes every log completion).
  PG_ASSERT(!coord_, "a meta.log completion in coordination mode");
  OnDurable(done.token, now, out);
}

void MetaServer::OnDurable(uint64_t token, Time now, Outbox& out) {
  // Events of a term that ended are dropped before they get here (AfterCoordInput).
  PG_ASSERT(!coord_ || leading_, "a durable write reported to a meta that does not lead");
  if (boot_sync_token_ && token == *boot_sync_token_) return OnBootSynced(now, out);
  if (create_token_ && token == *create_token_) {
    PG_ASSERT(!ready_ && !creating_.empty(), "the table's creation landed twice");
    for (const PartitionConfiguration& pc : creating_) {
      durable_ballots_[pc.gpid.partition_index] = pc.ballot;
      ApplyDurable(pc);
    }
    creating_.clear();
    create_token_.reset();
    ready_ = true;
    PG_LOG(kInfo, "table {} ({} partitions) is durable; serving", options_.app_name,
           options_.partition_count);
    ServeDeferred(now, out);
    return;
  }
  for (std::optional<PendingChange>& p : pending_) {
    if (!p || p->token != token) continue;
    // Only now, with the configuration durable, does meta apply it and tell anyone.
    PG_ASSERT(ready_, "a change in flight before the table was durable");
    const int partition = p->config.gpid.partition_index;
    PG_ASSERT(&p == &pending_[partition], "change {} filed under another partition", token);
    durable_ballots_[partition] = p->config.ballot;
    ApplyDurable(p->config);
    out.Mark("meta.config_persisted");
    if (p->reply_to) {
      Reply(
          p->reply_to->node,
          UpdateConfigResponse{
              .error = ErrorCode::kOk, .config = p->config, .request_id = p->reply_to->request_id},
          out);
    }
    p.reset();
    AdvanceBalancePlan(partition, now, out);
    return;
  }
  PG_LOG(kWarn, "durable write with unknown token {}", token);
}

void MetaServer::OnLogFailed(const LogFailed& failed, Outbox& out) {
  PG_ASSERT(!coord_, "a meta.log failure in coordination mode");
  PG_ASSERT(!stopped_, "a fail-stopped meta takes no input");
  // What reached meta.log is unknown, so meta can neither apply nor forget the change:
  // fail-stop, as Pegasus's meta exits when it cannot reach its state service.
  PG_LOG(kError, "{} append {} failed: {}; fail-stop", failed.file, failed.token,
         failed.status.ToString());
  out.Mark("meta.fail_stop");
  stopped_ = true;
  out.Exit("meta.log append failed");
}

void MetaServer::ApplyDurable(const PartitionConfiguration& config) {
  const int i = config.gpid.partition_index;
  PG_ASSERT(ValidPartition(config.gpid), "partition {}", config.gpid);
  // Ballots only grow, one step at a time (update_configuration_locally:
  // CHECK(old_pc.ballot + 1 == new_pc.ballot)).
  PG_ASSERT_EQ(config.ballot, configs_[i].ballot.next(), "partition {}", config.gpid);
  PG_ASSERT_EQ(config.ballot, durable_ballots_[i], "applying a configuration not yet durable");
  configs_[i] = config;
}

void MetaServer::Reply(NodeId to, Message msg, Outbox& out) {
  PG_ASSERT(ready_, "answering before the table is durable");
  PG_ASSERT(!stopped_ && (!coord_ || leading_), "answering as a meta that does not lead");
  ++config_replies_;
  out.Send(to, std::move(msg));
}

void MetaServer::Defer(const Receive& r) {
  PG_ASSERT(!ready_, "deferring a request the table could answer");
  PG_ASSERT(std::holds_alternative<QueryConfigRequest>(r.msg) ||
                std::holds_alternative<ConfigSyncRequest>(r.msg),
            "only config requests wait for the table, not {}", MessageName(r.msg));
  // Keep only the latest request of each type from each sender: the sender retries anyway.
  std::erase_if(deferred_, [&](const Receive& d) {
    return d.from == r.from && d.msg.index() == r.msg.index();
  });
  deferred_.push_back(r);
}

void MetaServer::OnReceive(const Receive& r, Time now, Outbox& out) {
  PG_ASSERT(fd_.has_value() && !stopped_);
  // A meta that does not lead answers in AnswerAsFollower (CoordStep).
  PG_ASSERT(!coord_ || leading_, "{} from {} reached a follower's handlers", MessageName(r.msg),
            r.from);
  if (!FromCurrentIncarnation(r, out)) return;
  if (const auto* beacon = std::get_if<Beacon>(&r.msg)) return OnBeacon(r.from, *beacon, now, out);
  const bool config_request = std::holds_alternative<QueryConfigRequest>(r.msg) ||
                              std::holds_alternative<ConfigSyncRequest>(r.msg);
  if (!ready_ && config_request) {
    // Nothing is answered before the table is durable; answered once it is.
    PG_LOG(kDebug, "deferring {} from {}: table not yet durable", MessageName(r.msg), r.from);
    return Defer(r);
  }
  if (!ready_) {
    PG_LOG(kInfo, "ignoring {} from {}: table not yet durable", MessageName(r.msg), r.from);
    return;
  }
  if (const auto* q = std::get_if<QueryConfigRequest>(&r.msg))
    return OnQueryConfig(r.from, *q, out);
  if (const auto* s = std::get_if<ConfigSyncRequest>(&r.msg)) return OnConfigSync(r.from, *s, out);
  if (const auto* u = std::get_if<UpdateConfigRequest>(&r.msg)) {
    return OnUpdateConfig(r.from, *u, out);
  }
  PG_LOG(kInfo, "ignoring {} from {}: not a meta request", MessageName(r.msg), r.from);
}

// A beacon or config sync of a server's previous incarnation, arriving after the new one's: its
// socket data outlived the process. Taken as current, an old report made the all-replicas-down
// rule rank a server below the ballot it had reached
// (scenarios/regressions/pegasus_swarm_seed2043_previous_incarnation.json).
bool MetaServer::FromCurrentIncarnation(const Receive& r, Outbox& out) {
  uint64_t incarnation = 0;
  if (const auto* b = std::get_if<Beacon>(&r.msg)) incarnation = b->incarnation;
  if (const auto* s = std::get_if<ConfigSyncRequest>(&r.msg)) incarnation = s->incarnation;
  if (incarnations_.Admit(r.from, incarnation)) return true;
  out.Mark("meta.previous_incarnation_message");
  PG_LOG(kInfo, "ignoring {} from {}: a previous incarnation's", MessageName(r.msg), r.from);
  return false;
}

void MetaServer::OnBeacon(NodeId from, const Beacon& beacon, Time now, Outbox& out) {
  PG_ASSERT(fd_.has_value() && (!coord_ || leading_), "only the leader acks as master");
  const bool known = fd_->OnBeacon(from, now);
  if (!known) PG_LOG(kInfo, "beacon from {}, which is not a replica server of this cluster", from);
  // A known worker's beacon revives it at once (a dead one is alive again).
  PG_ASSERT_EQ(fd_->IsAlive(from), known, "worker {}", from);
  // The leader's ack renews the worker's lease from the beacon's send time (§1.9); meta is the
  // leader whether or not its table is durable yet, since the failure detector does not need it.
  out.Send(from, BeaconAck{.send_time = beacon.send_time,
                           .is_master = true,
                           .allowed = known,
                           .leader = env_.id,
                           .meta_epoch = epoch_,
                           .deaths = ddd_.deaths});
}

void MetaServer::OnQueryConfig(NodeId from, const QueryConfigRequest& req, Outbox& out) {
  PG_ASSERT(ready_, "a query answered before the table is durable");
  PG_ASSERT_EQ(configs_.size(), static_cast<size_t>(options_.partition_count));
  if (req.app_name != options_.app_name) {
    PG_LOG(kInfo, "query for table {:?} from {}: no such table", req.app_name, from);
    return Reply(from, QueryConfigResponse{.error = ErrorCode::kAppNotExist}, out);
  }
  Reply(from,
        QueryConfigResponse{.error = ErrorCode::kOk,
                            .app_id = options_.app_id,
                            .partition_count = options_.partition_count,
                            .partitions = configs_,
                            .leader = env_.id},
        out);
}

void MetaServer::OnUpdateConfig(NodeId from, const UpdateConfigRequest& req, Outbox& out) {
  if (!ValidPartition(req.config.gpid)) {
    PG_LOG(kInfo, "update for unknown partition {} from {}", req.config.gpid, from);
    return Reply(
        from,
        UpdateConfigResponse{.error = ErrorCode::kObjectNotFound, .request_id = req.request_id},
        out);
  }
  const int i = req.config.gpid.partition_index;
  AssertPartitionScope scope(req.config.gpid);
  PG_ASSERT(ready_, "an update handled before the table is durable");
  PG_ASSERT_EQ(configs_[i].gpid, req.config.gpid);
  ddd_.NoteCommitted(i, req.config.last_committed_decree);
  if (pending_[i]) {
    // One change at a time per partition; the requester retries (Pegasus drops the request
    // while config_context.stage == pending_remote_sync).
    PG_LOG(kInfo, "dropping {} from {}: a change is already pending", ConfigTypeName(req.type),
           from);
    return;
  }
  if (req.type == ConfigType::kAssignPrimary && !DddApproves(i, from)) {
    PG_LOG(kInfo, "rejecting CT_ASSIGN_PRIMARY from {}: not the pick of the DDD rule", from);
    return Reply(
        from,
        UpdateConfigResponse{
            .error = ErrorCode::kInvalidState, .config = configs_[i], .request_id = req.request_id},
        out);
  }
  // The balancer's learner may join as a member past the replica count (CT_ADD_SECONDARY_FOR_LB).
  const UpdateDecision d = DecideUpdate(configs_[i], req, from, BalanceLearner(i) == req.node);
  switch (d.kind) {
    case UpdateDecision::Kind::kDuplicate:
      PG_ASSERT_EQ(d.config.ballot, configs_[i].ballot, "a duplicate of the current ballot");
      return Reply(from,
                   UpdateConfigResponse{
                       .error = ErrorCode::kOk, .config = d.config, .request_id = req.request_id},
                   out);
    case UpdateDecision::Kind::kReject:
      PG_ASSERT_NE(d.error, ErrorCode::kOk, "a rejection names its error");
      PG_LOG(kInfo, "rejecting {} from {}: {}", ConfigTypeName(req.type), from, d.why);
      return Reply(
          from,
          UpdateConfigResponse{.error = d.error, .config = d.config, .request_id = req.request_id},
          out);
    case UpdateDecision::Kind::kPersist:
      break;
  }
  out.Mark("meta.persist_update");
  PersistChange(d.config, Requester{.node = from, .request_id = req.request_id}, out);
}

void MetaServer::PersistChange(PartitionConfiguration config, std::optional<Requester> reply_to,
                               Outbox& out) {
  PG_ASSERT(ValidPartition(config.gpid), "persisting {}", config.gpid);
  PG_ASSERT(ready_ && (!coord_ || leading_), "a change persisted by a meta that does not serve");
  const int i = config.gpid.partition_index;
  PG_ASSERT(!pending_[i], "partition {} already has a change in flight", config.gpid);
  PG_ASSERT_EQ(config.ballot, configs_[i].ballot.next(), "partition {}", config.gpid);
  PG_ASSERT(!ConfigProblem(config), "partition {}", config.gpid);
  // Every persisted configuration carries the largest commit point meta has heard of.
  config.last_committed_decree = std::max(config.last_committed_decree, ddd_.known_committed[i]);
  pending_[i] =
      PendingChange{.token = next_token_++, .config = std::move(config), .reply_to = reply_to};
  WriteDurably(pending_[i]->token, {pending_[i]->config}, out);
  // Meta answers a change only once it is durable (OnDurable; Pegasus replies after the ZK
  // write). kMetaActBeforePersist answers at once: if meta crashes, or loses its lock, before
  // the write lands, the requester acts on a configuration the next meta never heard of.
  if (options_.bugs.on(Bug::kMetaActBeforePersist) && pending_[i]->reply_to) {
    Reply(pending_[i]->reply_to->node,
          UpdateConfigResponse{.error = ErrorCode::kOk,
                               .config = pending_[i]->config,
                               .request_id = pending_[i]->reply_to->request_id},
          out);
    pending_[i]->reply_to.reset();
  }
}

void MetaServer::OnCheckTimer(Time now, Outbox& out) {
  PG_ASSERT(fd_.has_value() && !stopped_);
  PG_ASSERT(!coord_ || leading_, "a follower's check campaigns instead (CoordStep)");
  out.SetTimer(kCheckTimer, options_.check_interval);
  for (NodeId dead : fd_->ExpireWorkers(now)) {
    PG_LOG(kWarn, "replica server {} declared dead: no beacon for more than {}", dead,
           options_.grace);
    out.Mark("meta.worker_dead");
    ddd_.OnWorkerDead(dead);
  }
  if (!ready_) return;
  CheckBalancePlans(now, out);
  CurePrimaries(out);
  ProposeRemovingDeadSecondaries(out);
  ProposeAddingSecondaries(now, out);
  StartBalanceRound(now, out);
}

void MetaServer::CheckInvariants() const {
  if (!fd_) return;  // not booted
  fd_->CheckInvariants();
  ddd_.CheckInvariants();
  PG_ASSERT_EQ(configs_.size(), static_cast<size_t>(options_.partition_count));
  PG_ASSERT_EQ(durable_ballots_.size(), configs_.size());
  PG_ASSERT(ready_ || config_replies_ == 0, "answered {} requests before the table was durable",
            config_replies_);
  PG_ASSERT(!(ready_ && create_token_), "ready while the table is being created");
  PG_ASSERT(!(ready_ && boot_sync_token_), "ready before the replayed meta.log is synced");
  PG_ASSERT(!coord_ || leading_ || !ready_, "a meta that does not lead serves");
  PG_ASSERT(coord_ || !leading_, "a single meta has no term");
  if (coord_) coord_->CheckInvariants();
  // Per-partition state is sized to the table (ResetTable).
  PG_ASSERT_EQ(pending_.size(), configs_.size());
  PG_ASSERT_EQ(degraded_since_.size(), configs_.size());
  PG_ASSERT_EQ(learner_targets_.size(), configs_.size());
  PG_ASSERT_EQ(balance_plans_.size(), configs_.size());
  PG_ASSERT_EQ(ddd_.collected.size(), configs_.size());
  PG_ASSERT_EQ(create_token_.has_value(), !creating_.empty(), "the creation and what it writes");
  if (create_token_) PG_ASSERT_LT(*create_token_, next_token_);
  // Requests wait only until the table is durable; then they are answered.
  PG_ASSERT(!ready_ || deferred_.empty(), "{} requests still deferred", deferred_.size());
  for (size_t i = 0; i < configs_.size(); ++i) {
    const PartitionConfiguration& pc = configs_[i];
    PG_ASSERT_EQ(pc.gpid.partition_index, static_cast<int32_t>(i));
    PG_ASSERT_EQ(pc.partition_count, options_.partition_count, "partition {}", pc.gpid);
    // Nothing is applied (and so nothing is acted on) before it is durable.
    PG_ASSERT_EQ(pc.ballot, durable_ballots_[i], "partition {}", pc.gpid);
    if (auto problem = ConfigProblem(pc)) PG_UNREACHABLE("partition {}: {}", pc.gpid, *problem);
    // max_replica_count members, one more only while the balancer's copy is in the group
    // (DecideUpdate's allow_extra_secondary) until the replica it copied from is removed.
    const size_t members = pc.secondaries.size() + (pc.primary ? 1 : 0);
    PG_ASSERT_LE(members, static_cast<size_t>(pc.max_replica_count + (options_.balance ? 1 : 0)),
                 "partition {}: members", pc.gpid);
    if (ready_) PG_ASSERT_GT(pc.ballot, Ballot(0), "partition {}", pc.gpid);
    if (balance_plans_[i]) {
      // A plan acts on the ballot it last saw land; it never runs ahead of the table.
      PG_ASSERT_LE(balance_plans_[i]->ballot, pc.ballot, "partition {}", pc.gpid);
      PG_ASSERT(!balance_plans_[i]->steps.empty(), "partition {}: a finished plan", pc.gpid);
    }
    if (pending_[i]) {
      PG_ASSERT_EQ(pending_[i]->config.ballot, pc.ballot.next(), "partition {}", pc.gpid);
      PG_ASSERT(!ConfigProblem(pending_[i]->config), "partition {}", pc.gpid);
      // Changes are made only by a meta that serves; each has its own token.
      PG_ASSERT(ready_, "partition {}: a change in flight before the table is durable", pc.gpid);
      PG_ASSERT_EQ(pending_[i]->config.gpid, pc.gpid);
      PG_ASSERT_LT(pending_[i]->token, next_token_, "partition {}", pc.gpid);
      PG_ASSERT(!create_token_ || *create_token_ != pending_[i]->token, "partition {}", pc.gpid);
    }
    if (balance_plans_[i]) {
      PG_ASSERT(ready_, "partition {}: a balancer plan before the table is durable", pc.gpid);
      PG_ASSERT_EQ(balance_plans_[i]->proposal.gpid, pc.gpid);
      PG_ASSERT_LE(balance_plans_[i]->steps.size(), size_t{2}, "partition {}", pc.gpid);
    }
    // A learner is picked only for a partition meta saw short of members.
    PG_ASSERT(!learner_targets_[i] || degraded_since_[i], "partition {}", pc.gpid);
  }
}

}  // namespace pg
