// Meta failover (PEGASUS.md §1.1, §1.8, §1.9): with several meta servers, one leads: the holder of
// the coordination service's leader lock (Pegasus: meta_service::start campaigns for the
// "dsn.meta.server.leader" lock and serves only once it holds it and has read the table back,
// server_state::initialize_data_structure). The others answer every request with a forward to
// the leader they last saw (ERR_FORWARD_TO_OTHERS), and their beacon acks say is_master = false,
// so they renew no lease (XiaoMi/rdsn PR #213).
//
// A term: the lock is acquired -> the failure detector restarts with every worker alive as of
// now, so a worker is declared dead only after a full grace (it may hold a lease the previous
// leader granted) -> the table is read from the coordination service; partitions without a
// znode are created -> only then does meta serve. Every configuration is written there with a
// compare-and-set before it is applied or answered (coord_table.h for why a deposed leader's
// write cannot land). The term ends at the first step at which the lock is no longer known held,
// or when a write fails or its outcome is unknown: meta forgets its table, closes its session
// (so the lock goes at once and nothing of the old session can still take effect) and campaigns
// again at its next check. Pegasus's meta exits instead; re-campaigning is the same as a restart
// for everything the others can see.
#include <algorithm>

#include "core/common/log.h"
#include "core/meta/meta_server.h"

namespace pg {

bool MetaServer::IsLeader(Time now) const {
  if (!fd_ || stopped_) return false;
  return !coord_ || (leading_ && coord_->HoldsLock(now));
}

void MetaServer::ResetTable() {
  PG_ASSERT_GT(options_.partition_count, 0);
  // Called at boot, at the start of a term and at its end: a single meta never leads a term.
  PG_ASSERT(coord_ || !leading_, "a term without a coordination service");
  configs_.assign(options_.partition_count, PartitionConfiguration{});
  for (int i = 0; i < options_.partition_count; ++i) {
    configs_[i].gpid = Gpid{.app_id = options_.app_id, .partition_index = i};
    configs_[i].max_replica_count = options_.replica_count;
    configs_[i].partition_count = options_.partition_count;
  }
  durable_ballots_.assign(options_.partition_count, Ballot(0));
  pending_.assign(options_.partition_count, std::nullopt);
  degraded_since_.assign(options_.partition_count, std::nullopt);
  learner_targets_.assign(options_.partition_count, std::nullopt);
  ddd_.Reset(options_.partition_count);
  balance_plans_.assign(options_.partition_count, std::nullopt);
  create_token_.reset();
  creating_.clear();
  deferred_.clear();
  ready_ = false;
  // Counts this term's answers (the invariant: none before the table is durable).
  config_replies_ = 0;
}

bool MetaServer::CoordStep(Time now, const Input& input, Outbox& out) {
  PG_ASSERT(coord_.has_value() && fd_.has_value() && !stopped_);
  // Nothing is done in a step at which the lock is not known held (coord_client.h: the holder
  // must check at the moment it acts).
  if (leading_ && !coord_->HoldsLock(now))
    StepDown("the leader lock is no longer known held", now, out);
  if (const auto* r = std::get_if<Receive>(&input)) {
    if (coord_->OnMessage(r->from, r->msg, now, out)) {
      AfterCoordInput(now, out);
      return true;
    }
    if (leading_) return false;
    AnswerAsFollower(*r, out);
    return true;
  }
  if (const auto* t = std::get_if<TimerFired>(&input)) {
    if (coord_->OnTimer(t->timer, now, out)) {
      AfterCoordInput(now, out);
      return true;
    }
    if (t->timer != kCheckTimer || leading_) return false;
    // A follower's check: campaign (the lock's answer arrives as a coordination message).
    out.SetTimer(kCheckTimer, options_.check_interval);
    coord_->Campaign(now, out);
    AfterCoordInput(now, out);
    return true;
  }
  // Log completions: in coordination mode meta writes no meta.log.
  return true;
}

void MetaServer::AfterCoordInput(Time now, Outbox& out) {
  PG_ASSERT(coord_.has_value());
  if (leading_ && !coord_->HoldsLock(now)) {
    StepDown("the leader lock is no longer known held", now, out);
  }
  for (int round = 0; round < 2; ++round) {
    for (CoordTable::Event& e : coord_->TakeEvents()) {
      if (!leading_) continue;  // of a term that ended
      switch (e.kind) {
        case CoordTable::EventKind::kLoaded:
          PG_ASSERT_EQ(e.table.size(), configs_.size(), "a load covers the whole table");
          out.Mark("meta.table_loaded");
          // A table that exists was written by an earlier term: leadership changed hands (or
          // came back to this meta after a restart or a step-down).
          if (std::any_of(e.table.begin(), e.table.end(),
                          [](const auto& pc) { return pc.has_value(); })) {
            out.Mark("meta.leader_change");
          }
          AdoptTable(e.table, out);
          if (ready_) {
            PG_LOG(kInfo, "table {} read back from the coordination service; serving",
                   options_.app_name);
            std::vector<Receive> deferred = std::move(deferred_);
            deferred_.clear();
            for (const Receive& r : deferred) OnReceive(r, now, out);
          }
          break;
        case CoordTable::EventKind::kWritten:
          PG_ASSERT_LT(e.token, next_token_, "token {} was never issued", e.token);
          OnDurable(e.token, now, out);
          break;
        case CoordTable::EventKind::kFailed:
          StepDown(e.why, now, out);
          break;
      }
    }
    if (leading_ || !coord_->HoldsLock(now)) return;
    BecomeLeader(now, out);  // its load may finish at once (no session): round two
  }
  // Round two follows a BecomeLeader, which leaves leading_ set: the loop always returns.
  PG_UNREACHABLE("a second election in one step");
}

void MetaServer::BecomeLeader(Time now, Outbox& out) {
  PG_ASSERT(!leading_ && coord_->HoldsLock(now));
  PG_LOG(kInfo, "meta {} holds the leader lock: reading the table", env_.id);
  out.Mark("meta.leader_elected");
  leading_ = true;
  ResetTable();
  PG_ASSERT(!ready_ && deferred_.empty(), "a term starts with no table");
  // register_worker(node, is_connected=true) for every worker: a full grace before any is dead.
  fd_.emplace(options_.replica_servers, now, options_.grace);
  coord_->Load(now, out);
}

void MetaServer::StepDown(const std::string& why, Time now, Outbox& out) {
  PG_ASSERT(coord_.has_value() && leading_, "stepping down without a term: {}", why);
  PG_LOG(kWarn, "meta {} steps down: {}", env_.id, why);
  out.Mark("meta.step_down");
  leading_ = false;
  ResetTable();
  coord_->Resign(now, out);
  PG_ASSERT(!ready_ && !coord_->HoldsLock(now), "a meta that stepped down still serves");
}

void MetaServer::AnswerAsFollower(const Receive& r, Outbox& out) {
  PG_ASSERT(coord_.has_value() && !leading_ && !ready_, "the leader answering as a follower");
  const std::optional<NodeId> leader = coord_->LeaderHint();
  if (const auto* beacon = std::get_if<Beacon>(&r.msg)) {
    // Renews nothing: only the leader's acks do.
    out.Send(
        r.from,
        BeaconAck{
            .send_time = beacon->send_time, .is_master = false, .allowed = true, .leader = leader});
    return;
  }
  if (std::holds_alternative<QueryConfigRequest>(r.msg)) {
    out.Mark("meta.forward");
    out.Send(r.from, QueryConfigResponse{.error = ErrorCode::kForwardToOthers, .leader = leader});
    return;
  }
  if (const auto* sync = std::get_if<ConfigSyncRequest>(&r.msg)) {
    out.Send(r.from,
             ConfigSyncResponse{.error = ErrorCode::kForwardToOthers, .sync_id = sync->sync_id});
    return;
  }
  // An update request is dropped: the primary retries it, to the leader once its beacons found
  // it. (A refusal would make the primary give the change up.)
  PG_LOG(kDebug, "not the leader: ignoring {} from {}", MessageName(r.msg), r.from);
}

}  // namespace pg
