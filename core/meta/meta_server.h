#pragma once
// MetaServer: Pegasus's configuration manager (PEGASUS.md §1.1, §1.8, §1.9), one table. It owns
// partition membership: every change is appended to meta.log and synced *before* it is applied
// in memory or answered (server_state.cpp: update_configuration_on_remote ->
// on_update_configuration_on_remote_reply -> update_configuration_locally). It runs the master
// side of the failure detector, proposes CT_DOWNGRADE_TO_INACTIVE to the primary of every
// partition that has a dead secondary (server_state::downgrade_secondary_to_inactive), and
// answers clients' config queries and replica servers' config syncs.
//
// Primary failover: a dead primary is downgraded by meta itself (ballot + 1, no primary), then an
// alive secondary is proposed CT_UPGRADE_TO_PRIMARY and, once meta persisted its request, becomes
// primary and reconciles (replays its prepare list in the new ballot).
// A partition short of members gets a learner proposed to its primary (meta_guardian.cc); the
// primary asks for CT_UPGRADE_TO_SECONDARY once it has caught up.
// A partition with no member left waits for its last drops and picks a primary by Pegasus's rule
// (meta_recovery.h), or stays unavailable.
// The load balancer, when options.balance is set, carries out ProposeBalance's moves
// (meta_balance.cc).
//
// Several meta servers (options.coord): the table lives in the coordination service instead of
// meta.log, and one meta, the holder of its leader lock, acts (meta_leadership.cc, coord_table.h).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/common/bugs.h"
#include "core/meta/balancer.h"
#include "core/meta/coord_table.h"
#include "core/meta/meta_recovery.h"
#include "core/meta/server_incarnations.h"
#include "core/meta/worker_failure_detector.h"
#include "core/node/node.h"
#include "core/proto/message.h"

namespace pg {

struct MetaServerOptions {
  std::vector<NodeId> replica_servers;
  std::string app_name = "temp";
  int32_t app_id = 1;
  int partition_count = 0;
  int replica_count = 0;
  Duration grace = Millis(7000);
  Duration check_interval = Millis(1000);
  // The workers' lease; asserted < grace (perfect FD, §1.9).
  Duration replica_lease = Millis(5000);
  // How long a partition short of members waits for a dropped node to return before a new node
  // is added (Pegasus: replica_assign_delay_ms_for_dropouts, 5 minutes; scaled down here).
  Duration add_secondary_delay = Millis(10000);
  // Fewer members than this and a partition takes any server as learner at once (Pegasus:
  // mutation_2pc_min_replica_count, on_missing_secondary's emergency).
  int mutation_2pc_min_replica_count = 2;
  // Set when several meta servers share one table: the coordination client's options (server,
  // session timing; its two timers are MetaServer's and are overwritten). Unset: the single meta
  // keeps its table in meta.log.
  std::optional<CoordClientOptions> coord;
  // The load balancer (meta_balance.cc, PEGASUS.md §1.13): off by default, as Pegasus's meta
  // starts at function level `steady` (cure only).
  bool balance = false;
  BalancerOptions balancer;
  // A balancer action whose current step has not landed within this is abandoned (Pegasus drops
  // an lb action whose learning is abnormal); the guardian then cures what it left.
  Duration balance_step_timeout = Millis(30000);
  BugSet bugs;  // the bug zoo (core/common/bugs.h): all off but in bug hunts
};

class MetaServer final : public Node {
 public:
  MetaServer(const NodeEnv& env, MetaServerOptions options);

  void Step(Time now, const Input& input, Outbox& out) override;
  void CheckInvariants() const override;

  // ---- Observation (tests, invariants) ----
  // True once the table is durable and meta answers queries.
  bool ready() const { return ready_; }
  const std::vector<PartitionConfiguration>& partitions() const { return configs_; }
  // What the host built it with (tests read the timing a scenario's set gave it).
  const MetaServerOptions& options() const { return options_; }
  bool HasPendingChange(int partition_index) const;
  // The balancer's action in flight for the partition (nullopt: none).
  std::optional<BalanceProposal> BalanceInFlight(int partition_index) const;
  bool IsWorkerAlive(NodeId worker) const;
  // Whether this meta leads (coordination mode: holds the lock at `now` and has a term; a single
  // meta always leads once booted).
  bool IsLeader(Time now) const;
  const CoordTable* coord_table() const { return coord_ ? &*coord_ : nullptr; }

 private:
  static constexpr TimerId kCheckTimer{1};
  static constexpr TimerId kCoordKeepAliveTimer{2};
  static constexpr TimerId kCoordRetryTimer{3};

  // The replica server that requested a change, and its request's id (echoed in the answer).
  struct Requester {
    NodeId node;
    uint64_t request_id = 0;
  };
  // A configuration appended to meta.log and not yet acknowledged by the disk.
  struct PendingChange {
    uint64_t token = 0;
    PartitionConfiguration config;
    std::optional<Requester> reply_to;  // the replica that requested it
  };

  // meta_boot.cc
  void OnBoot(Time now, Outbox& out);
  // A single meta's table from meta.log: adopted at once, or once a sync of what was read lands.
  void LoadMetaLog(Outbox& out);
  // Files meta.log's last intact record of each partition into `stored`; false after a
  // fail-stop (a damaged record).
  bool ReplayMetaLog(const std::string& bytes,
                     std::vector<std::optional<PartitionConfiguration>>& stored, Outbox& out);
  void OnBootSynced(Time now, Outbox& out);
  void ServeDeferred(Time now, Outbox& out);
  void CreateMissingPartitions(Outbox& out);
  // Fills the table from `stored` (per partition, its durable configuration if any) and creates
  // the partitions that have none.
  void AdoptTable(const std::vector<std::optional<PartitionConfiguration>>& stored, Outbox& out);
  void OnLogAppended(const LogAppended& done, Time now, Outbox& out);
  // The write with `token` (meta.log append or coordination write) is durable.
  void OnDurable(uint64_t token, Time now, Outbox& out);
  // Writes `configs` durably under `token`: to meta.log, or to the coordination service.
  void WriteDurably(uint64_t token, const std::vector<PartitionConfiguration>& configs,
                    Outbox& out);
  void OnLogFailed(const LogFailed& failed, Outbox& out);
  void OnReceive(const Receive& r, Time now, Outbox& out);
  void OnBeacon(NodeId from, const Beacon& beacon, Time now, Outbox& out);
  bool FromCurrentIncarnation(const Receive& r, Outbox& out);
  void OnQueryConfig(NodeId from, const QueryConfigRequest& req, Outbox& out);
  void OnConfigSync(NodeId from, const ConfigSyncRequest& req, Outbox& out);
  void CollectStoredReplicas(NodeId from, const ConfigSyncRequest& req, ConfigSyncResponse& resp,
                             Outbox& out);
  void RemoveMembersWithoutReplica(NodeId from, const ConfigSyncRequest& req, Outbox& out);
  // Of a partition without primary: whether its most recent drop is the primary whose downgrade
  // left it so (meta_config_sync.cc).
  bool MostRecentDropIsLastPrimary(int partition) const;
  // Whether a sync's report that a replica failed or is gone is about the configuration at
  // `current` (meta_config_sync.cc).
  static bool ReportIsCurrent(const ConfigSyncRequest& req, Gpid gpid, Ballot replica_ballot,
                              Ballot current);
  void ListPartitionsOf(NodeId from, ConfigSyncResponse& resp, Outbox& out) const;
  void OnUpdateConfig(NodeId from, const UpdateConfigRequest& req, Outbox& out);
  void OnCheckTimer(Time now, Outbox& out);
  void ProposeRemovingDeadSecondaries(Outbox& out);
  void ProposeAddingSecondaries(Time now, Outbox& out);
  // Failover (server_state + partition_guardian::cure): downgrade dead primaries, then propose
  // CT_UPGRADE_TO_PRIMARY to an alive secondary of each partition without a primary.
  void CurePrimaries(Outbox& out);
  void RemoveFailedReplica(NodeId node, int partition, Outbox& out);
  // All replicas down (meta_recovery.cc): the rule over what meta collected; the check's cure;
  // whether a CT_ASSIGN_PRIMARY request from `from` is the rule's pick.
  DddDecision DecideDdd(int partition) const;
  void CureDdd(int partition, Outbox& out);
  void ProposeFirstPrimary(int partition, std::map<NodeId, int>& primary_counts, Outbox& out);
  bool DddApproves(int partition, NodeId from) const;
  // ---- The balancer (meta_balance.cc) ----
  // One step of a balancer action: a proposal meta sends to `target` about `node`.
  struct BalanceStep {
    ConfigType type{};
    NodeId target;
    NodeId node;
  };
  // A proposal being carried out (Pegasus's config_context::lb_actions): its remaining steps,
  // the ballot the front step acts on, and since when it is the front step.
  struct BalancePlan {
    BalanceProposal proposal;
    std::vector<BalanceStep> steps;
    Ballot ballot{0};
    Time since;
  };
  // At every check, before the guardian: advances or abandons each plan; after it, removes a
  // redundant secondary (a copy abandoned midway) and, when the balancer is on, every partition
  // healthy and no plan in flight, starts the balancer's next round.
  void CheckBalancePlans(Time now, Outbox& out);
  void StartBalanceRound(Time now, Outbox& out);
  // Once a change of the partition is durable: the plan's step landed (next step sent at once)
  // or the ballot moved for another reason (plan abandoned).
  void AdvanceBalancePlan(int partition, Time now, Outbox& out);
  // Whether a plan owns the partition: the guardian leaves it alone meanwhile.
  bool BalanceOwns(int partition) const { return balance_plans_[partition].has_value(); }
  // The node the partition's plan is adding as a learner, if that is its current step.
  std::optional<NodeId> BalanceLearner(int partition) const;
  void AbandonBalancePlan(int partition, std::string_view why, Outbox& out);
  void SendBalanceStep(int partition, Outbox& out);
  // partition_guardian::on_redundant_secondary: a group left with a member too many (a copy
  // abandoned between its add and its remove) loses its most loaded secondary.
  void ProposeRemovingRedundantSecondaries(Outbox& out);
  void ApplyDurable(const PartitionConfiguration& config);
  // Appends `config` (ballot + 1 of partition's current one) to meta.log as the partition's
  // pending change; applied, and answered to `reply_to`, once durable.
  void PersistChange(PartitionConfiguration config, std::optional<Requester> reply_to, Outbox& out);
  void Reply(NodeId to, Message msg, Outbox& out);
  // Requests that arrive before the table is durable wait here (one per sender and type).
  void Defer(const Receive& r);
  bool ValidPartition(Gpid gpid) const;

  // ---- Coordination mode (meta_leadership.cc) ----
  // Handles `input` if it is the coordination client's, or if this meta does not lead; returns
  // whether it did. Steps down at once when the lock is no longer held.
  bool CoordStep(Time now, const Input& input, Outbox& out);
  void AfterCoordInput(Time now, Outbox& out);
  void BecomeLeader(Time now, Outbox& out);
  void StepDown(const std::string& why, Time now, Outbox& out);
  // Forgets the table and everything in flight (a follower knows no table).
  void ResetTable();
  void AnswerAsFollower(const Receive& r, Outbox& out);

  NodeEnv env_;
  MetaServerOptions options_;
  std::optional<WorkerFailureDetector> fd_;
  // Set once every partition is durable. Invariant: !ready_ implies no configuration answer
  // has been sent (config_replies_ == 0).
  bool ready_ = false;
  // Fail-stop after a log write failed: durability of meta.log is unknown (§2 of DESIGN.md).
  bool stopped_ = false;
  uint64_t config_replies_ = 0;
  // The applied table, indexed by partition. Invariant: every entry is durable:
  // configs_[i].ballot == durable_ballots_[i]; a partition not yet created has ballot 0.
  std::vector<PartitionConfiguration> configs_;
  std::vector<Ballot> durable_ballots_;
  // At most one change in flight per partition (Pegasus's config_context pending_remote_sync).
  // Invariant: pending_[i]->config.ballot == configs_[i].ballot + 1.
  std::vector<std::optional<PendingChange>> pending_;
  // Per partition: since when meta has seen it short of members (local time), and the node it
  // proposes as a learner (kept while usable, so a learner is not abandoned for another).
  std::vector<std::optional<Time>> degraded_since_;
  std::vector<std::optional<NodeId>> learner_targets_;
  // Per partition: the balancer's plan in flight, if any.
  std::vector<std::optional<BalancePlan>> balance_plans_;
  // Token of the append that creates the table's missing partitions, while in flight.
  std::optional<uint64_t> create_token_;
  std::vector<PartitionConfiguration> creating_;  // what that append writes
  // Token of the sync of meta.log a boot issues before it serves what it replayed, and that
  // table while the sync is in flight (meta_boot.cc).
  std::optional<uint64_t> boot_sync_token_;
  std::vector<std::optional<PartitionConfiguration>> boot_table_;
  uint64_t next_token_ = 1;
  // This process's epoch (IncarnationId of its boot): stamps its beacon acks (BeaconAck).
  uint64_t epoch_ = 0;
  std::vector<Receive> deferred_;
  // Which incarnation of each replica server is current (beacons and config syncs of an older one
  // are ignored).
  ServerIncarnations incarnations_;
  // Replica reports collected at config sync, for partitions left without members.
  DddState ddd_;
  // Coordination mode: the lock and the table's store; leading_ while this meta's term lasts
  // (from acquiring the lock until it steps down). Invariant: !leading_ => !ready_.
  std::optional<CoordTable> coord_;
  bool leading_ = false;
  // The time of the current Step, for the coordination client (PersistChange has no `now`).
  Time step_now_;
};

}  // namespace pg
