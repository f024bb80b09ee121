#pragma once
// Pegasus's configuration vocabulary (idl/metadata.thrift, idl/dsn.layer2.thrift,
// idl/meta_admin.thrift), reduced to what pegasim's core uses. Names follow Pegasus.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/common/ids.h"
#include "core/proto/codec.h"

namespace pg {

// partition_status (PS_*). Invariant (PEGASUS.md §1.2): any change other than the listed
// same-ballot ones needs a strictly larger ballot.
enum class PartitionStatus : uint8_t {
  kInactive = 0,            // PS_INACTIVE: disconnected from meta, or waiting for a config change
  kError = 1,               // PS_ERROR: local I/O or logic error; terminal
  kPrimary = 2,             // PS_PRIMARY
  kSecondary = 3,           // PS_SECONDARY
  kPotentialSecondary = 4,  // PS_POTENTIAL_SECONDARY: a learner
};
std::string_view PartitionStatusName(PartitionStatus s);

// config_type (CT_*), idl/meta_admin.thrift.
enum class ConfigType : uint8_t {
  kAssignPrimary = 0,
  kUpgradeToPrimary = 1,
  kAddSecondary = 2,
  kUpgradeToSecondary = 3,
  kDowngradeToSecondary = 4,
  kDowngradeToInactive = 5,
  kRemove = 6,
  kAddSecondaryForLb = 7,
  kPrimaryForceUpdateBallot = 8,
  kDropPartition = 9,
};
std::string_view ConfigTypeName(ConfigType t);

// partition_configuration: meta's view of one partition. Meta accepts a change only at
// ballot + 1 and persists it before anyone acts on it.
struct PartitionConfiguration {
  Gpid gpid;
  Ballot ballot{0};
  std::optional<NodeId> primary;
  std::vector<NodeId> secondaries;
  std::vector<NodeId> last_drops;  // the most recently removed members, oldest first
  Decree last_committed_decree{0};
  int32_t max_replica_count = 3;
  // The app's partition count (Pegasus carries it in app_info beside every configuration_update
  // request). Replicas check a write's partition_hash % partition_count == partition_index.
  // 0 = unknown (the replica then answers kInvalidState).
  int32_t partition_count = 0;
  PG_FIELDS(gpid, ballot, primary, secondaries, last_drops, last_committed_decree,
            max_replica_count, partition_count);
  bool operator==(const PartitionConfiguration&) const = default;
};

// Never had a member: no primary, no secondary, and no drop (every removal adds one; Pegasus's
// on_missing_primary reads an empty last_drops the same way). Meta gives such a partition a first
// primary, which creates its replica empty.
bool IsNewPartition(const PartitionConfiguration& config);

// replica_configuration: one member's view, carried by prepare, group check and learner messages.
struct ReplicaConfiguration {
  Gpid gpid;
  Ballot ballot{0};
  std::optional<NodeId> primary;
  PartitionStatus status = PartitionStatus::kInactive;
  uint64_t learner_signature = 0;  // for potential secondaries: which learning round
  PG_FIELDS(gpid, ballot, primary, status, learner_signature);
  bool operator==(const ReplicaConfiguration&) const = default;
};

// replica_info: what a replica server reports of each replica it stores (config sync).
struct ReplicaInfo {
  Gpid gpid;
  Ballot ballot{0};
  PartitionStatus status = PartitionStatus::kInactive;
  Decree last_committed_decree{0};
  Decree last_prepared_decree{0};
  Decree last_durable_decree{0};
  PG_FIELDS(gpid, ballot, status, last_committed_decree, last_prepared_decree, last_durable_decree);
  bool operator==(const ReplicaInfo&) const = default;
};

// A replica a server does not hold (or holds failed) although meta's config-sync answer listed the
// server a member: the ballot of the newest such listing. Meta acts on the report only while that
// ballot is its configuration's, so a report delayed past a newer configuration is not taken for
// one about it.
struct MissingReplica {
  Gpid gpid;
  Ballot listed_ballot{0};
  PG_FIELDS(gpid, listed_ballot);
  bool operator==(const MissingReplica&) const = default;
};

}  // namespace pg
