#include "core/meta/partition_table.h"

#include <algorithm>
#include <set>

#include "core/common/assert.h"

namespace pg {

std::vector<PartitionConfiguration> CreateTableLayout(const TableLayoutOptions& options) {
  PG_ASSERT(options.replica_count > 0, "replica_count {}", options.replica_count);
  PG_ASSERT_LE(static_cast<size_t>(options.replica_count), options.servers.size(),
               "not enough replica servers");
  PG_ASSERT_GT(options.partition_count, 0);
  std::vector<PartitionConfiguration> table;
  for (int i = 0; i < options.partition_count; ++i) {
    PartitionConfiguration pc;
    pc.gpid = Gpid{.app_id = options.app_id, .partition_index = i};
    pc.ballot = Ballot(1);
    pc.max_replica_count = options.replica_count;
    pc.partition_count = options.partition_count;
    PG_ASSERT(IsNewPartition(pc));
    table.push_back(std::move(pc));
  }
  return table;
}

std::optional<std::string> ConfigProblem(const PartitionConfiguration& config) {
  // A handful of members, checked after every meta step: pairwise, without allocating.
  const std::vector<NodeId>& secs = config.secondaries;
  for (auto it = secs.begin(); it != secs.end(); ++it) {
    if (std::find(secs.begin(), it, *it) != it) {
      return fmt::format("secondary {} listed twice", *it);
    }
  }
  if (config.primary && IsSecondary(config, *config.primary)) {
    return fmt::format("primary {} is also a secondary", *config.primary);
  }
  if (config.ballot < Ballot(0)) return fmt::format("negative ballot {}", config.ballot);
  return std::nullopt;
}

bool IsSecondary(const PartitionConfiguration& config, NodeId node) {
  return std::find(config.secondaries.begin(), config.secondaries.end(), node) !=
         config.secondaries.end();
}

bool IsMember(const PartitionConfiguration& config, NodeId node) {
  return config.primary == node || IsSecondary(config, node);
}

namespace {

// The alive candidate with the smallest count (absent: 0); ties go to the lowest NodeId.
std::optional<NodeId> LeastLoaded(const std::vector<NodeId>& candidates,
                                  const std::function<bool(NodeId)>& eligible,
                                  const std::map<NodeId, int>& counts) {
  std::optional<NodeId> best;
  int best_count = 0;
  for (NodeId n : candidates) {
    if (!eligible(n)) continue;
    auto it = counts.find(n);
    const int count = it == counts.end() ? 0 : it->second;
    if (!best || count < best_count || (count == best_count && n < *best)) {
      best = n;
      best_count = count;
    }
  }
  return best;
}

// Pegasus's is_partition_config_equal: same ballot, primary and members.
bool SameMembership(const PartitionConfiguration& a, const PartitionConfiguration& b) {
  return a.gpid == b.gpid && a.ballot == b.ballot && a.primary == b.primary &&
         a.secondaries == b.secondaries;
}

UpdateDecision Reject(const PartitionConfiguration& current, ErrorCode error, std::string why) {
  PG_ASSERT_NE(error, ErrorCode::kOk, "a rejection names its error: {}", why);
  return {.kind = UpdateDecision::Kind::kReject,
          .error = error,
          .config = current,
          .why = std::move(why)};
}

// CT_DOWNGRADE_TO_INACTIVE of a secondary (replica_failover.cpp: handle_remote_failure ->
// downgrade_to_inactive_on_primary): only the primary asks, and the result is the current
// membership minus that secondary.
UpdateDecision DowngradeSecondary(const PartitionConfiguration& current,
                                  const UpdateConfigRequest& req, NodeId from) {
  PG_ASSERT(req.type == ConfigType::kDowngradeToInactive || req.type == ConfigType::kRemove, "{}",
            ConfigTypeName(req.type));
  if (current.primary != from) {
    return Reject(current, ErrorCode::kInvalidState,
                  fmt::format("requester {} is not the primary", from));
  }
  if (!IsSecondary(current, req.node)) {
    return Reject(current, ErrorCode::kInvalidArgument,
                  fmt::format("node {} is not a secondary", req.node));
  }
  PartitionConfiguration next = current;
  next.ballot = current.ballot.next();
  std::erase(next.secondaries, req.node);
  next.last_drops.push_back(req.node);
  if (next.last_drops.size() > kMaxLastDrops) next.last_drops.erase(next.last_drops.begin());
  if (req.config.primary != next.primary || req.config.secondaries != next.secondaries) {
    return Reject(current, ErrorCode::kInvalidArgument,
                  "requested membership is not the current one minus the node");
  }
  // The node leaves the group (it was listed once) and is remembered as a drop.
  PG_ASSERT(!IsMember(next, req.node), "{}: {} still a member", current.gpid, req.node);
  PG_ASSERT_LE(next.last_drops.size(), kMaxLastDrops);
  return {.kind = UpdateDecision::Kind::kPersist, .config = std::move(next)};
}

// CT_PRIMARY_FORCE_UPDATE_BALLOT (rDSN #522/#525): a primary that restarted while meta still
// lists it must not resume at the ballot it had; it asks for ballot + 1 with the membership
// unchanged, so that everything it prepares afterwards carries a ballot no one has seen.
UpdateDecision ForceUpdateBallot(const PartitionConfiguration& current,
                                 const UpdateConfigRequest& req, NodeId from) {
  PG_ASSERT(req.type == ConfigType::kPrimaryForceUpdateBallot, "{}", ConfigTypeName(req.type));
  if (current.primary != from || req.node != from) {
    return Reject(current, ErrorCode::kInvalidState,
                  fmt::format("requester {} is not the primary", from));
  }
  if (req.config.primary != current.primary || req.config.secondaries != current.secondaries) {
    return Reject(current, ErrorCode::kInvalidArgument, "membership must not change");
  }
  PartitionConfiguration next = current;
  next.ballot = current.ballot.next();
  return {.kind = UpdateDecision::Kind::kPersist, .config = std::move(next)};
}

// CT_UPGRADE_TO_PRIMARY (replica_config.cpp: assign_primary ->
// update_configuration_on_meta_server): the secondary meta proposed, of a partition whose primary
// meta downgraded, asks to become primary; the other secondaries stay.
UpdateDecision UpgradeToPrimary(const PartitionConfiguration& current,
                                const UpdateConfigRequest& req, NodeId from) {
  PG_ASSERT(req.type == ConfigType::kUpgradeToPrimary, "{}", ConfigTypeName(req.type));
  if (current.primary) {
    return Reject(current, ErrorCode::kInvalidState,
                  fmt::format("partition already has primary {}", *current.primary));
  }
  if (req.node != from || !IsSecondary(current, from)) {
    return Reject(current, ErrorCode::kInvalidState,
                  fmt::format("requester {} is not a secondary", from));
  }
  PartitionConfiguration next = current;
  next.ballot = current.ballot.next();
  next.primary = from;
  std::erase(next.secondaries, from);
  if (req.config.primary != next.primary || req.config.secondaries != next.secondaries) {
    return Reject(current, ErrorCode::kInvalidArgument,
                  "requested membership is not the requester promoted");
  }
  // The group keeps its size: one secondary fewer, a primary more.
  PG_ASSERT_EQ(next.secondaries.size() + 1, current.secondaries.size(), "{}", current.gpid);
  return {.kind = UpdateDecision::Kind::kPersist, .config = std::move(next)};
}

// CT_ASSIGN_PRIMARY after all replicas went down (partition_guardian::on_missing_primary, DDD): a
// last drop becomes the only member; it leaves last_drops, the earlier drops stay (the guardian
// adds them back as learners first); or a new partition's first primary, which created its replica
// empty on meta's proposal.
UpdateDecision AssignPrimary(const PartitionConfiguration& current, const UpdateConfigRequest& req,
                             NodeId from) {
  PG_ASSERT(req.type == ConfigType::kAssignPrimary, "{}", ConfigTypeName(req.type));
  if (current.primary || !current.secondaries.empty()) {
    return Reject(current, ErrorCode::kInvalidState, "the partition still has members");
  }
  const bool dropped = std::find(current.last_drops.begin(), current.last_drops.end(), from) !=
                       current.last_drops.end();
  if (req.node != from || (!dropped && !IsNewPartition(current))) {
    return Reject(current, ErrorCode::kInvalidState,
                  fmt::format("requester {} is not a last drop", from));
  }
  PartitionConfiguration next = current;
  next.ballot = current.ballot.next();
  next.primary = from;
  std::erase(next.last_drops, from);
  if (req.config.primary != next.primary || !req.config.secondaries.empty()) {
    return Reject(current, ErrorCode::kInvalidArgument,
                  "requested membership is not the requester alone");
  }
  // The lone member, no longer among the drops.
  PG_ASSERT(
      std::find(next.last_drops.begin(), next.last_drops.end(), from) == next.last_drops.end(),
      "{}: primary {} still a drop", current.gpid, from);
  return {.kind = UpdateDecision::Kind::kPersist, .config = std::move(next)};
}

// CT_UPGRADE_TO_SECONDARY (replica_learn.cpp: upgrade_to_secondary_on_primary): the primary asks
// to add a learner that has caught up; it leaves last_drops.
UpdateDecision UpgradeToSecondary(const PartitionConfiguration& current,
                                  const UpdateConfigRequest& req, NodeId from,
                                  bool allow_extra_secondary) {
  PG_ASSERT(req.type == ConfigType::kUpgradeToSecondary, "{}", ConfigTypeName(req.type));
  if (current.primary != from) {
    return Reject(current, ErrorCode::kInvalidState,
                  fmt::format("requester {} is not the primary", from));
  }
  if (IsMember(current, req.node)) {
    return Reject(current, ErrorCode::kInvalidArgument,
                  fmt::format("node {} is already a member", req.node));
  }
  const int32_t max_members = current.max_replica_count + (allow_extra_secondary ? 1 : 0);
  if (static_cast<int32_t>(current.secondaries.size()) + 1 >= max_members) {
    return Reject(current, ErrorCode::kInvalidState, "the partition has all its members");
  }
  PartitionConfiguration next = current;
  next.ballot = current.ballot.next();
  next.secondaries.push_back(req.node);
  std::erase(next.last_drops, req.node);
  if (req.config.primary != next.primary || req.config.secondaries != next.secondaries) {
    return Reject(current, ErrorCode::kInvalidArgument,
                  "requested membership is not the current one plus the learner");
  }
  // At most one member past the replica count, and only for the balancer's learner.
  PG_ASSERT_LE(static_cast<int32_t>(next.secondaries.size()) + 1, max_members, "{}", current.gpid);
  return {.kind = UpdateDecision::Kind::kPersist, .config = std::move(next)};
}

// CT_DOWNGRADE_TO_SECONDARY (replica_config.cpp: downgrade_to_secondary_on_primary): the
// balancer's role swap begins with the primary stepping down on meta's proposal; it stays a
// secondary (no data moves) and the partition has no primary until meta's chosen secondary asks
// for CT_UPGRADE_TO_PRIMARY.
UpdateDecision DowngradeToSecondary(const PartitionConfiguration& current,
                                    const UpdateConfigRequest& req, NodeId from) {
  PG_ASSERT(req.type == ConfigType::kDowngradeToSecondary, "{}", ConfigTypeName(req.type));
  if (current.primary != from || req.node != from) {
    return Reject(current, ErrorCode::kInvalidState,
                  fmt::format("requester {} is not the primary stepping down", from));
  }
  PartitionConfiguration next = current;
  next.ballot = current.ballot.next();
  next.primary.reset();
  next.secondaries.push_back(from);
  if (req.config.primary != next.primary || req.config.secondaries != next.secondaries) {
    return Reject(current, ErrorCode::kInvalidArgument,
                  "requested membership is not the primary turned secondary");
  }
  // No data moves: the same members, none of them primary.
  PG_ASSERT_EQ(next.secondaries.size(), current.secondaries.size() + 1, "{}", current.gpid);
  return {.kind = UpdateDecision::Kind::kPersist, .config = std::move(next)};
}

}  // namespace

std::optional<NodeId> PickLearner(const PartitionConfiguration& current,
                                  const std::vector<NodeId>& servers,
                                  const std::function<bool(NodeId)>& alive,
                                  const std::map<NodeId, int>& replica_counts, bool waited_enough) {
  PG_ASSERT(static_cast<bool>(alive), "PickLearner needs a liveness test");
  for (auto it = current.last_drops.rbegin(); it != current.last_drops.rend(); ++it) {
    if (alive(*it) && !IsMember(current, *it)) return *it;
  }
  if (!waited_enough) return std::nullopt;
  const std::optional<NodeId> best = LeastLoaded(
      servers, [&](NodeId n) { return alive(n) && !IsMember(current, n); }, replica_counts);
  PG_ASSERT(!best || !IsMember(current, *best), "{}: learner {} is a member", current.gpid, *best);
  return best;
}

PartitionConfiguration RemoveSecondaryWithoutPrimary(const PartitionConfiguration& current,
                                                     NodeId node, bool behind_last_primary) {
  PG_ASSERT(!current.primary.has_value(), "partition {} has primary", current.gpid);
  PG_ASSERT(IsSecondary(current, node), "{} is not a secondary of {}", node, current.gpid);
  PartitionConfiguration next = current;
  next.ballot = current.ballot.next();
  std::erase(next.secondaries, node);
  const bool behind = behind_last_primary && !next.last_drops.empty();
  next.last_drops.insert(behind ? next.last_drops.end() - 1 : next.last_drops.end(), node);
  if (next.last_drops.size() > kMaxLastDrops) next.last_drops.erase(next.last_drops.begin());
  PG_ASSERT(!IsMember(next, node), "{}: {} still a member", current.gpid, node);
  PG_ASSERT_LE(next.last_drops.size(), kMaxLastDrops);
  return next;
}

PartitionConfiguration RenewPartition(const PartitionConfiguration& current) {
  PG_ASSERT(!current.primary && current.secondaries.empty(), "partition {} has members",
            current.gpid);
  PartitionConfiguration next = current;
  next.ballot = current.ballot.next();
  next.last_drops.clear();
  PG_ASSERT(IsNewPartition(next));
  return next;
}

PartitionConfiguration DowngradePrimary(const PartitionConfiguration& current) {
  PG_ASSERT(current.primary.has_value(), "partition {} has no primary to downgrade", current.gpid);
  PartitionConfiguration next = current;
  next.ballot = current.ballot.next();
  next.last_drops.push_back(*current.primary);
  if (next.last_drops.size() > kMaxLastDrops) next.last_drops.erase(next.last_drops.begin());
  next.primary.reset();
  PG_ASSERT_LE(next.last_drops.size(), kMaxLastDrops);
  return next;
}

std::optional<NodeId> PickNewPrimary(const PartitionConfiguration& current,
                                     const std::function<bool(NodeId)>& alive,
                                     const std::map<NodeId, int>& primary_counts) {
  PG_ASSERT(static_cast<bool>(alive), "PickNewPrimary needs a liveness test");
  const std::optional<NodeId> best = LeastLoaded(current.secondaries, alive, primary_counts);
  PG_ASSERT(!best || IsSecondary(current, *best), "{}", current.gpid);
  return best;
}

std::optional<NodeId> PickFirstPrimary(const std::vector<NodeId>& servers,
                                       const std::function<bool(NodeId)>& alive,
                                       const std::map<NodeId, int>& primary_counts) {
  PG_ASSERT(static_cast<bool>(alive), "PickFirstPrimary needs a liveness test");
  return LeastLoaded(servers, alive, primary_counts);
}

bool MissingSecondaryIsUrgent(const PartitionConfiguration& config, int min_2pc_replica_count) {
  const int members = static_cast<int>(config.secondaries.size()) + (config.primary ? 1 : 0);
  const bool too_few =
      config.max_replica_count > min_2pc_replica_count && members < min_2pc_replica_count;
  return config.last_drops.empty() || too_few;
}

UpdateDecision DecideUpdate(const PartitionConfiguration& current, const UpdateConfigRequest& req,
                            NodeId from, bool allow_extra_secondary) {
  if (SameMembership(current, req.config)) {
    // A retry or a network duplicate of a request meta already applied (Pegasus answers
    // ERR_OK with the current configuration).
    return {.kind = UpdateDecision::Kind::kDuplicate, .config = current};
  }
  if (req.config.ballot != current.ballot.next()) {
    return Reject(current, ErrorCode::kInvalidVersion,
                  fmt::format("ballot {} is not {} + 1", req.config.ballot, current.ballot));
  }
  UpdateDecision d;
  switch (req.type) {
    case ConfigType::kDowngradeToInactive:
      d = DowngradeSecondary(current, req, from);
      break;
    case ConfigType::kRemove:
      // The balancer's CT_REMOVE drops the copied-from secondary as a failure's removal does:
      // to last_drops (Pegasus's maintain_drops treats both alike).
      d = DowngradeSecondary(current, req, from);
      break;
    case ConfigType::kDowngradeToSecondary:
      d = DowngradeToSecondary(current, req, from);
      break;
    case ConfigType::kPrimaryForceUpdateBallot:
      d = ForceUpdateBallot(current, req, from);
      break;
    case ConfigType::kUpgradeToPrimary:
      d = UpgradeToPrimary(current, req, from);
      break;
    case ConfigType::kUpgradeToSecondary:
      d = UpgradeToSecondary(current, req, from, allow_extra_secondary);
      break;
    case ConfigType::kAssignPrimary:
      d = AssignPrimary(current, req, from);
      break;
    default:
      return Reject(current, ErrorCode::kInvalidArgument,
                    fmt::format("{} is not implemented by this meta", ConfigTypeName(req.type)));
  }
  // Pegasus's update_configuration_on_meta_server sends the replica's commit point with every
  // request; meta keeps the largest (the DDD rule compares prepared decrees against it).
  if (d.kind == UpdateDecision::Kind::kPersist) {
    d.config.last_committed_decree =
        std::max(current.last_committed_decree, req.config.last_committed_decree);
    // Computed from meta's own configuration: one ballot on, the same partition, well formed.
    PG_ASSERT_EQ(d.config.ballot, current.ballot.next(), "{}", current.gpid);
    PG_ASSERT_EQ(d.config.gpid, current.gpid);
    PG_ASSERT(!ConfigProblem(d.config), "{}: {}", current.gpid, *ConfigProblem(d.config));
  }
  return d;
}

}  // namespace pg
