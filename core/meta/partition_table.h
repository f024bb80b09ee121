#pragma once
// Pure rules over partition configurations, kept apart from the MetaServer node so that tests can
// exercise them without a host: the initial layout of a new table, the structural invariants of
// one configuration, and meta's acceptance rule for a replica-requested change
// (server_state::on_update_configuration, PEGASUS.md §1.8).
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/common/ids.h"
#include "core/common/status.h"
#include "core/proto/meta_messages.h"
#include "core/proto/pegasus_types.h"

namespace pg {

struct TableLayoutOptions {
  int32_t app_id = 1;
  int partition_count = 0;
  int replica_count = 0;
  std::vector<NodeId> servers;
};

// A new table's partitions as meta persists them before any replica exists: ballot 1, no member
// and no drop. Members come afterwards, as in Pegasus (server_state::create_app persists the app
// with empty partitions; partition_guardian::on_missing_primary assigns each a primary, and
// on_missing_secondary adds the others by learning), so a server is listed only once its replica
// exists. Pegasus's empty partition has ballot 0, pegasim's ballot 1 (ballot 0 marks a partition
// meta.log does not hold yet), so every later ballot is one higher (docs/departures.md, table
// creation). Precondition (asserted): 0 < replica_count <= servers.size().
std::vector<PartitionConfiguration> CreateTableLayout(const TableLayoutOptions& options);

// Why `config` is malformed (a member twice, the primary among the secondaries), or nullopt.
std::optional<std::string> ConfigProblem(const PartitionConfiguration& config);

bool IsMember(const PartitionConfiguration& config, NodeId node);
bool IsSecondary(const PartitionConfiguration& config, NodeId node);

// Pegasus keeps the most recently dropped members (partition_guardian uses them to pick a
// primary when everybody is gone, §1.8 DDD); pegasim keeps this many.
inline constexpr size_t kMaxLastDrops = 3;

// What meta does with an UpdateConfigRequest against the current configuration.
struct UpdateDecision {
  enum class Kind : uint8_t {
    kPersist,    // persist `config` (ballot + 1), then reply kOk
    kDuplicate,  // the request equals the current configuration: reply kOk at once
    kReject,     // reply `error` with the current configuration
  };
  Kind kind = Kind::kReject;
  ErrorCode error = ErrorCode::kOk;
  PartitionConfiguration config;
  std::string why;  // for the log
};

// `from` is the replica server that sent the request. Only the changes this meta implements are
// accepted: CT_DOWNGRADE_TO_INACTIVE and CT_REMOVE of a secondary, CT_UPGRADE_TO_SECONDARY of a
// learner, CT_DOWNGRADE_TO_SECONDARY of the primary itself (the balancer's role swap) and
// CT_PRIMARY_FORCE_UPDATE_BALLOT, all requested by the current primary, CT_UPGRADE_TO_PRIMARY
// requested by a secondary of a partition without a primary (the one meta proposed it to), and
// CT_ASSIGN_PRIMARY requested by a last drop of a partition without members (whether it is the
// DDD rule's pick is the caller's to check), or by any server for a new partition (IsNewPartition:
// it created the replica, empty, on meta's proposal). The configuration meta persists is computed
// from its own current one (the request's other fields are not trusted), with the removed node
// appended to last_drops; only its last_committed_decree rises to the requester's commit point.
// `allow_extra_secondary`: meta's balancer added this learner (CT_ADD_SECONDARY_FOR_LB), so the
// group may grow one member past max_replica_count until the balancer removes the replica it
// copied (Pegasus allows the 4th).
UpdateDecision DecideUpdate(const PartitionConfiguration& current, const UpdateConfigRequest& req,
                            NodeId from, bool allow_extra_secondary = false);

// Meta's own change when the failure detector declares a partition's primary dead
// (server_state::downgrade_primary_to_inactive): ballot + 1, no primary, the old primary
// appended to last_drops; the secondaries stay. Precondition: current has a primary.
PartitionConfiguration DowngradePrimary(const PartitionConfiguration& current);

// Meta's own change for a memberless partition that never held data (DddDecision::kRenew): ballot
// + 1 and no drops, so that it is new again (IsNewPartition). Precondition: no member.
PartitionConfiguration RenewPartition(const PartitionConfiguration& current);

// Meta's own removal of a secondary whose replica failed (PS_ERROR, or no longer held) from a
// partition without a primary, where no primary can ask for it: ballot + 1, and the node added to
// last_drops, last, or just before the last if `behind_last_primary` (the most recent drop is the
// downgraded primary, which holds all it holds: MetaServer::RemoveFailedReplica says when).
// Precondition: no primary, `node` a secondary.
PartitionConfiguration RemoveSecondaryWithoutPrimary(const PartitionConfiguration& current,
                                                     NodeId node, bool behind_last_primary);

// partition_guardian::on_missing_primary with secondaries left: the alive secondary with the
// fewest primaries among `primary_counts` (ties: lowest NodeId); nullopt if none is alive.
// Any secondary is safe: PacificA commits a decree only once every member has prepared it, so
// each secondary holds every committed decree (reconciliation re-prepares the rest).
std::optional<NodeId> PickNewPrimary(const PartitionConfiguration& current,
                                     const std::function<bool(NodeId)>& alive,
                                     const std::map<NodeId, int>& primary_counts);

// partition_guardian::on_missing_primary for a new partition (IsNewPartition): the alive server
// with the fewest primaries among `primary_counts` (ties: lowest NodeId); nullopt if none is alive.
std::optional<NodeId> PickFirstPrimary(const std::vector<NodeId>& servers,
                                       const std::function<bool(NodeId)>& alive,
                                       const std::map<NodeId, int>& primary_counts);

// partition_guardian::on_missing_secondary's "emergency": a partition that never lost a member
// (a new one filling up), or one with fewer members than a write needs
// (mutation_2pc_min_replica_count) where it may have more, takes any server at once.
bool MissingSecondaryIsUrgent(const PartitionConfiguration& config, int min_2pc_replica_count);

// partition_guardian::on_missing_secondary: whom to add to a partition short of members. A node
// the partition dropped most recently comes first, at once (it still has most of the data and
// learns incrementally); any other node only after `waited_enough` (Pegasus waits
// replica_assign_delay_ms_for_dropouts for the dropped one to return, unless it is urgent:
// MissingSecondaryIsUrgent), and then the alive non-member holding the fewest replicas (ties:
// lowest NodeId). nullopt: nobody (yet).
std::optional<NodeId> PickLearner(const PartitionConfiguration& current,
                                  const std::vector<NodeId>& servers,
                                  const std::function<bool(NodeId)>& alive,
                                  const std::map<NodeId, int>& replica_counts, bool waited_enough);

}  // namespace pg
