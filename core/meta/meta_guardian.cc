// The partition guardian (Pegasus src/meta/partition_guardian.cpp, server_state.cpp): what meta
// does at every check for partitions that miss a member. A dead primary is downgraded and an alive
// secondary proposed as the new one; a dead secondary's removal is proposed to its primary; a
// partition short of secondaries gets a learner proposed to its primary (CT_ADD_SECONDARY).
// Proposals are re-sent every check until the configuration changes: the network may lose them.
#include <algorithm>

#include "core/common/log.h"
#include "core/meta/meta_server.h"
#include "core/meta/partition_table.h"

namespace pg {

void MetaServer::CurePrimaries(Outbox& out) {
  PG_ASSERT(ready_ && fd_.has_value(), "curing a table that is not durable");
  PG_ASSERT_EQ(pending_.size(), configs_.size());
  std::map<NodeId, int> primary_counts;
  for (const PartitionConfiguration& pc : configs_) {
    if (pc.primary) ++primary_counts[*pc.primary];
  }
  auto alive = [this](NodeId n) { return fd_->IsAlive(n); };
  for (size_t i = 0; i < configs_.size(); ++i) {
    const PartitionConfiguration& pc = configs_[i];
    if (pending_[i] || BalanceOwns(static_cast<int>(i))) continue;
    if (pc.primary && !alive(*pc.primary)) {
      // The dead primary's lease has expired (lease < grace): no one serves this partition now.
      PG_LOG(kWarn, "partition {}: primary {} is dead; downgrading it", pc.gpid, *pc.primary);
      out.Mark("meta.downgrade_primary");
      PersistChange(DowngradePrimary(pc), std::nullopt, out);
      PG_ASSERT(pending_[i].has_value() && !pending_[i]->config.primary, "partition {}", pc.gpid);
      continue;
    }
    if (pc.primary) continue;
    if (IsNewPartition(pc)) {
      ProposeFirstPrimary(static_cast<int>(i), primary_counts, out);
      continue;
    }
    if (pc.secondaries.empty()) {
      CureDdd(static_cast<int>(i), out);  // all replicas down: meta_recovery.cc
      continue;
    }
    if (std::optional<NodeId> next = PickNewPrimary(pc, alive, primary_counts)) {
      // Only a secondary holds every committed decree (PacificA): never anyone else.
      PG_ASSERT(IsSecondary(pc, *next), "{} picked for {} is not a secondary", *next, pc.gpid);
      // Re-sent every check until it takes: the proposal or the request may be lost.
      out.Mark("meta.propose_upgrade_to_primary");
      out.Send(*next,
               ConfigProposal{.type = ConfigType::kUpgradeToPrimary, .config = pc, .node = *next});
      ++primary_counts[*next];
    } else {
      out.Mark("meta.partition_without_alive_member");
    }
  }
}

// on_missing_primary for a partition that never had a member: the alive server with the fewest
// primaries creates the replica, empty, and asks to become its primary (CT_ASSIGN_PRIMARY). Re-sent
// every check: the server takes it up once its replica's creation is durable.
void MetaServer::ProposeFirstPrimary(int partition, std::map<NodeId, int>& primary_counts,
                                     Outbox& out) {
  const PartitionConfiguration& pc = configs_[partition];
  PG_ASSERT(IsNewPartition(pc) && !pending_[partition], "partition {}", pc.gpid);
  const std::optional<NodeId> first = PickFirstPrimary(
      options_.replica_servers, [this](NodeId n) { return fd_->IsAlive(n); }, primary_counts);
  if (!first) {
    out.Mark("meta.partition_without_alive_member");
    return;
  }
  out.Mark("meta.propose_first_primary");
  out.Send(*first,
           ConfigProposal{.type = ConfigType::kAssignPrimary, .config = pc, .node = *first});
  ++primary_counts[*first];
}

// server_state::downgrade_secondary_to_inactive: meta does not change the configuration itself,
// it asks the primary, which then requests CT_DOWNGRADE_TO_INACTIVE (ballot + 1).
void MetaServer::ProposeRemovingDeadSecondaries(Outbox& out) {
  PG_ASSERT(ready_ && fd_.has_value(), "proposing over a table that is not durable");
  for (size_t i = 0; i < configs_.size(); ++i) {
    const PartitionConfiguration& pc = configs_[i];
    if (pending_[i] || BalanceOwns(static_cast<int>(i)) || !pc.primary ||
        !fd_->IsAlive(*pc.primary)) {
      continue;
    }
    for (NodeId s : pc.secondaries) {
      if (fd_->IsAlive(s)) continue;
      // The primary is alive and s is dead: they differ (ConfigProblem keeps them apart anyway).
      PG_ASSERT_NE(*pc.primary, s, "partition {}", pc.gpid);
      out.Mark("meta.propose_downgrade_secondary");
      out.Send(*pc.primary,
               ConfigProposal{.type = ConfigType::kDowngradeToInactive, .config = pc, .node = s});
      break;  // one change per partition at a time
    }
  }
}

// partition_guardian::on_missing_secondary: a partition whose primary is alive and that has fewer
// members than its replica count gets a learner: a recently dropped node at once, another only
// after add_secondary_delay (counted from when meta first saw the partition short) unless the
// partition is new or too small to write (MissingSecondaryIsUrgent).
void MetaServer::ProposeAddingSecondaries(Time now, Outbox& out) {
  std::map<NodeId, int> replica_counts;
  for (const PartitionConfiguration& pc : configs_) {
    if (pc.primary) ++replica_counts[*pc.primary];
    for (NodeId s : pc.secondaries) ++replica_counts[s];
  }
  auto alive = [this](NodeId n) { return fd_->IsAlive(n); };
  PG_ASSERT(ready_, "proposing learners over a table that is not durable");
  PG_ASSERT(degraded_since_.size() == configs_.size() &&
            learner_targets_.size() == configs_.size());
  for (size_t i = 0; i < configs_.size(); ++i) {
    const PartitionConfiguration& pc = configs_[i];
    const bool short_of_members =
        static_cast<int32_t>(pc.secondaries.size()) + 1 < pc.max_replica_count;
    if (!short_of_members) {
      degraded_since_[i].reset();
      learner_targets_[i].reset();
      continue;
    }
    if (!degraded_since_[i]) degraded_since_[i] = now;
    if (pending_[i] || BalanceOwns(static_cast<int>(i)) || !pc.primary || !alive(*pc.primary)) {
      continue;
    }
    std::optional<NodeId> target = learner_targets_[i];
    const bool target_usable = target && alive(*target) && !IsMember(pc, *target);
    if (!target_usable) {
      const bool waited_enough =
          now - *degraded_since_[i] >= options_.add_secondary_delay ||
          MissingSecondaryIsUrgent(pc, options_.mutation_2pc_min_replica_count);
      target = PickLearner(pc, options_.replica_servers, alive, replica_counts, waited_enough);
    }
    learner_targets_[i] = target;
    if (!target) continue;
    // A learner joins from outside the group: never a member (PickLearner, or kept while usable).
    PG_ASSERT(!IsMember(pc, *target), "learner {} is a member of {}", *target, pc.gpid);
    out.Mark("meta.propose_add_secondary");
    out.Send(*pc.primary,
             ConfigProposal{.type = ConfigType::kAddSecondary, .config = pc, .node = *target});
    ++replica_counts[*target];
  }
}

}  // namespace pg
