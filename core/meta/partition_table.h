#pragma once
// Pure rules over partition configurations, kept apart from the MetaServer node so that tests can
// exercise them without a host: the initial layout of a new table, the structural invariants of
// one configuration, and meta's acceptance rule for a replica-requested change
// (server_state::on_update_configuration, PEGASUS.md §1.8).
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

// Partition i gets servers[(i + j) % n] for j in [0, replica_count): members are distinct, the
// primary (j = 0) walks round robin over the servers so primaries are balanced (max - min <= 1),
// and so are secondaries. Every configuration has ballot 1: meta persists the table before any
// replica hears of it. Precondition (asserted): 0 < replica_count <= servers.size().
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
// accepted: CT_DOWNGRADE_TO_INACTIVE of a secondary and CT_PRIMARY_FORCE_UPDATE_BALLOT, both
// requested by the current primary. The
// configuration meta persists is computed from its own current one (the request's other fields
// are not trusted), with the removed node appended to last_drops.
UpdateDecision DecideUpdate(const PartitionConfiguration& current, const UpdateConfigRequest& req,
                            NodeId from);

}  // namespace pg
