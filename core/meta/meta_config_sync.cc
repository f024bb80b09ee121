// Meta's answer to a replica server's config sync (RPC_CM_CONFIG_SYNC, Pegasus
// src/meta/server_state.cpp on_config_sync): which stored replicas the server should close, which
// members it no longer holds, and the partitions that name it.
#include <algorithm>

#include "core/common/log.h"
#include "core/meta/meta_server.h"
#include "core/meta/partition_table.h"

namespace pg {

// RPC_CM_CONFIG_SYNC: every partition naming the node, and the stored replicas meta no longer
// lists there (the node closes them). A replica of a partition with a change in flight that
// would list the node is kept.
void MetaServer::OnConfigSync(NodeId from, const ConfigSyncRequest& req, Outbox& out) {
  PG_ASSERT(ready_, "a config sync answered before the table is durable");
  PG_ASSERT(pending_.size() == configs_.size() && learner_targets_.size() == configs_.size());
  if (ddd_.FreshReport(from, epoch_, req.acked_meta_epoch, req.acked_deaths)) {
    ddd_.OnConfigSync(from, req.stored_replicas, options_.app_id);
  } else {
    out.Mark("meta.report_before_return");
    ddd_.OnStaleConfigSync(req.stored_replicas, options_.app_id);
  }
  ConfigSyncResponse resp{.sync_id = req.sync_id};
  CollectStoredReplicas(from, req, resp, out);
  RemoveMembersWithoutReplica(from, req, out);
  ListPartitionsOf(from, resp, out);
  Reply(from, std::move(resp), out);
}

// The stored replicas the node should close (gc_replicas), and the failed ones it reports.
void MetaServer::CollectStoredReplicas(NodeId from, const ConfigSyncRequest& req,
                                       ConfigSyncResponse& resp, Outbox& out) {
  PG_ASSERT(resp.gc_replicas.empty() && resp.partitions.empty());
  for (const ReplicaInfo& info : req.stored_replicas) {
    if (!ValidPartition(info.gpid)) {
      resp.gc_replicas.push_back(info.gpid);
      continue;
    }
    const int i = info.gpid.partition_index;
    const bool listed =
        IsMember(configs_[i], from) || (pending_[i] && IsMember(pending_[i]->config, from));
    // A replica meta dropped stays while it may still serve: a recently dropped member learns
    // incrementally when it is added back, and a learner is on its way in.
    const bool recently_dropped =
        std::find(configs_[i].last_drops.begin(), configs_[i].last_drops.end(), from) !=
        configs_[i].last_drops.end();
    const bool learning = info.status == PartitionStatus::kPotentialSecondary &&
                          (learner_targets_[i] == from || BalanceLearner(i) == from);
    const bool keep = info.status != PartitionStatus::kError && (recently_dropped || learning);
    if (!listed && !keep) resp.gc_replicas.push_back(info.gpid);
    if (!listed || info.status != PartitionStatus::kError) continue;
    if (!ReportIsCurrent(req, info.gpid, info.ballot, configs_[i].ballot)) {
      out.Mark("meta.stale_failure_report");
      continue;
    }
    RemoveFailedReplica(from, i, out);
  }
}

// A failure or absence report is about the configuration in force only if the replica held that
// ballot, or meta's answer listed the server at it: a report sent before the server was made a
// member again (a new replica, learned) and delayed in the network must not remove the healthy
// member, a primary holding its lease among them. Pegasus's server reports such a replica with
// remove_replica_on_meta_server, a request based on the configuration meta listed, which meta's
// on_update_configuration refuses once the ballot moved on.
bool MetaServer::ReportIsCurrent(const ConfigSyncRequest& req, Gpid gpid, Ballot replica_ballot,
                                 Ballot current) {
  PG_ASSERT_GT(current, Ballot(0), "partition {}", gpid);
  if (replica_ballot >= current) return true;
  return std::any_of(req.missing.begin(), req.missing.end(), [&](const MissingReplica& m) {
    return m.gpid == gpid && m.listed_ballot >= current;
  });
}

// A member whose server no longer holds the replica (its disk replaced, or the replica dropped)
// is treated like a failed one. A server is listed only once its replica exists (a new
// partition's first primary creates it before asking; learners before they are upgraded), so a
// member without one lost it.
void MetaServer::RemoveMembersWithoutReplica(NodeId from, const ConfigSyncRequest& req,
                                             Outbox& out) {
  PG_ASSERT(ready_);
  for (size_t i = 0; i < configs_.size(); ++i) {
    const PartitionConfiguration& pc = configs_[i];
    if (!IsMember(pc, from)) continue;
    const bool reported =
        std::any_of(req.stored_replicas.begin(), req.stored_replicas.end(),
                    [&](const ReplicaInfo& info) { return info.gpid == pc.gpid; });
    if (reported) continue;
    if (!ReportIsCurrent(req, pc.gpid, Ballot(0), pc.ballot)) {
      out.Mark("meta.stale_absence_report");
      continue;
    }
    out.Mark("meta.member_without_replica");
    RemoveFailedReplica(from, pc.gpid.partition_index, out);
  }
}

// Whether the most recent drop of a partition without primary is the primary whose downgrade
// left it so. A failed or replica-less secondary removed then is filed behind that primary: after
// it, it would become the most recent drop, which the all-replicas-down rule refuses when it lost
// its replica (it might have committed alone, meta_recovery.h), though a secondary of a partition
// without primary committed nothing alone and holds nothing its primary lacks; the partition
// stayed down for good once its last secondary went so
// (scenarios/regressions/pegasus_swarm_seed6342_missing_secondary_drop.json). Only meta's own
// downgrade of a dead or failed primary leaves a partition without primary and that primary
// last among the drops; the balancer's role swap steps the primary down to a secondary, the most
// recent drop may then be any earlier one, so a secondary removed during the swap is appended.
bool MetaServer::MostRecentDropIsLastPrimary(int partition) const {
  const PartitionConfiguration& pc = configs_[partition];
  PG_ASSERT(!pc.primary, "partition {} has a primary", pc.gpid);
  return !pc.last_drops.empty() && !BalanceOwns(partition);
}

// Listed last, so that a change this very sync started (a failed replica's removal, above) is
// already in flight and its partition left out: a reordered network could otherwise hand the
// node this answer after the next one, which collects the replica, and a server back with failed
// replicas would take up a role meta is taking from it (regression file
// pegasus_swarm_seed1238_invariant_single_primary.json).
void MetaServer::ListPartitionsOf(NodeId from, ConfigSyncResponse& resp, Outbox& out) const {
  PG_ASSERT(resp.partitions.empty());
  for (size_t i = 0; i < configs_.size(); ++i) {
    const PartitionConfiguration& pc = configs_[i];
    // Not while a change of the node's role is being persisted (a dead primary's downgrade,
    // say): the node, back with a fresh lease, would take up the role meta is taking from it and
    // serve beside its successor
    // (scenarios/regressions/pegasus_swarm_seed60_invariant_single_primary.json). It learns the
    // outcome at its next sync. Nor to the partition's primary while any change is: a primary whose
    // lease lapsed gave up waiting for its own request's reply, and told the configuration being
    // replaced, it resumes at that ballot; once the change is persisted nothing tells it, since a
    // primary ignores config syncs, and the new ballot's members are never prepared to
    // (scenarios/regressions/pegasus_swarm_seed1232_primary_behind_meta.json).
    if (!IsMember(pc, from)) continue;
    const bool concerns_node =
        pending_[i] && (pc.primary == from || pending_[i]->config.primary == from ||
                        IsMember(pending_[i]->config, from) != IsMember(pc, from));
    if (concerns_node) {
      out.Mark("meta.sync_skips_pending_change");
      continue;
    }
    resp.partitions.push_back(pc);
  }
}

// A replica that failed (PS_ERROR: an I/O error, fail-stop) on a live node is reported at config
// sync; meta treats it as it treats a dead node's replica: a failed primary is downgraded, a
// failed secondary's removal is proposed to its primary (in Pegasus the replica closes itself,
// and meta removes replicas a node no longer reports).
void MetaServer::RemoveFailedReplica(NodeId node, int partition, Outbox& out) {
  PG_ASSERT(partition >= 0 && static_cast<size_t>(partition) < configs_.size(), "{}", partition);
  PG_ASSERT(ready_);
  const PartitionConfiguration& pc = configs_[partition];
  if (pending_[partition]) return;  // one change at a time; the next sync reports it again
  // Both callers found the node listed: in the table, or in the change in flight (gone above).
  PG_ASSERT(IsMember(pc, node), "{} is not a member of {}", node, pc.gpid);
  if (!pc.primary && IsSecondary(pc, node)) {
    // No primary to ask: meta removes it itself, so that failover picks a healthy secondary.
    out.Mark("meta.remove_failed_secondary_without_primary");
    return PersistChange(
        RemoveSecondaryWithoutPrimary(pc, node, MostRecentDropIsLastPrimary(partition)),
        std::nullopt, out);
  }
  if (pc.primary == node) {
    PG_LOG(kWarn, "partition {}: primary {} reports PS_ERROR; downgrading it", pc.gpid, node);
    out.Mark("meta.downgrade_failed_primary");
    return PersistChange(DowngradePrimary(pc), std::nullopt, out);
  }
  if (pc.primary && IsSecondary(pc, node) && fd_->IsAlive(*pc.primary)) {
    out.Mark("meta.propose_remove_failed_secondary");
    out.Send(*pc.primary,
             ConfigProposal{.type = ConfigType::kDowngradeToInactive, .config = pc, .node = node});
  }
}

}  // namespace pg
