// Meta's load balancer at work (PEGASUS.md §1.13; Pegasus src/meta/greedy_load_balancer.cpp,
// server_state.cpp check_all_partitions, partition_guardian.cpp from_proposals and reconfig).
// ProposeBalance (balancer.h) is the pure rule; this carries its proposals out, one plan of
// steps per partition, each step a proposal meta sends to a replica, as Pegasus's lb_actions:
//  * move primary: CT_DOWNGRADE_TO_SECONDARY to the primary (it asks meta to step down to a
//    secondary, ballot + 1, no primary), then CT_UPGRADE_TO_PRIMARY to the chosen secondary (it
//    asks to become primary, ballot + 1, and reconciles). No data moves.
//  * copy secondary: CT_ADD_SECONDARY_FOR_LB to the primary (it adds the target as a learner,
//    which may make the group one member larger than its replica count once the primary asks
//    for CT_UPGRADE_TO_SECONDARY), then CT_REMOVE to the primary about the node copied from
//    (ballot + 1, the node to last_drops).
// Every change is the replica's request, persisted by meta before anyone acts on it, as every
// other change (OnUpdateConfig -> PersistChange).
// A plan owns its partition while it runs: the guardian leaves owned partitions alone, and a
// plan is abandoned (Pegasus clears lb_actions when from_proposals finds an action invalid) when
// its partition's ballot moved other than by its own step, a node of the partition or of the
// step is dead, the step no longer applies, or the step has not landed within
// balance_step_timeout. The guardian then cures whatever the plan left.
// Where pegasim differs: Pegasus checks only the step's target and node for liveness; pegasim
// abandons on any dead member, so that the guardian's removal of a dead secondary never waits
// for a balancer action. A round starts only with no plan in flight.
#include <algorithm>

#include "core/common/log.h"
#include "core/meta/meta_server.h"
#include "core/meta/partition_table.h"

namespace pg {
namespace {

// Whether the configuration shows the step done.
bool StepLanded(ConfigType type, NodeId node, const PartitionConfiguration& pc) {
  switch (type) {
    case ConfigType::kDowngradeToSecondary:
      return !pc.primary && IsSecondary(pc, node);
    case ConfigType::kUpgradeToPrimary:
      return pc.primary == node;
    case ConfigType::kAddSecondaryForLb:
      return IsSecondary(pc, node);
    case ConfigType::kRemove:
      return !IsMember(pc, node);
    default:
      return false;
  }
}

// partition_guardian::from_proposals: whether the step still applies to the configuration.
bool StepApplies(ConfigType type, NodeId target, NodeId node, const PartitionConfiguration& pc) {
  switch (type) {
    case ConfigType::kDowngradeToSecondary:
      return target == node && pc.primary == node;
    case ConfigType::kUpgradeToPrimary:
      return target == node && !pc.primary && IsSecondary(pc, node);
    case ConfigType::kAddSecondaryForLb:
      return pc.primary == target && !IsMember(pc, node);
    case ConfigType::kRemove:
      return pc.primary == target && IsSecondary(pc, node);
    default:
      return false;
  }
}

}  // namespace

std::optional<BalanceProposal> MetaServer::BalanceInFlight(int partition_index) const {
  if (partition_index < 0 || static_cast<size_t>(partition_index) >= balance_plans_.size() ||
      !balance_plans_[partition_index]) {
    return std::nullopt;
  }
  return balance_plans_[partition_index]->proposal;
}

std::optional<NodeId> MetaServer::BalanceLearner(int partition) const {
  PG_ASSERT(partition >= 0 && static_cast<size_t>(partition) < balance_plans_.size(), "{}",
            partition);
  const std::optional<BalancePlan>& plan = balance_plans_[partition];
  if (!plan || plan->steps.empty() || plan->steps.front().type != ConfigType::kAddSecondaryForLb) {
    return std::nullopt;
  }
  return plan->steps.front().node;
}

void MetaServer::AbandonBalancePlan(int partition, std::string_view why, Outbox& out) {
  PG_ASSERT(balance_plans_[partition].has_value(), "partition {}: no plan to abandon", partition);
  PG_LOG(kInfo, "partition {}: abandoning balancer action {} {} -> {}: {}",
         configs_[partition].gpid, BalanceKindName(balance_plans_[partition]->proposal.kind),
         balance_plans_[partition]->proposal.from, balance_plans_[partition]->proposal.to, why);
  out.Mark("balance.abandon");
  balance_plans_[partition].reset();
}

void MetaServer::SendBalanceStep(int partition, Outbox& out) {
  PG_ASSERT(balance_plans_[partition].has_value(), "partition {}: no plan", partition);
  const BalancePlan& plan = *balance_plans_[partition];
  PG_ASSERT(!plan.steps.empty(), "partition {}: a finished plan", partition);
  // The step acts on the configuration the plan last saw land: the one it proposes against.
  PG_ASSERT_EQ(plan.ballot, configs_[partition].ballot, "partition {}", partition);
  const BalanceStep& step = plan.steps.front();
  out.Send(step.target,
           ConfigProposal{.type = step.type, .config = configs_[partition], .node = step.node});
}

void MetaServer::AdvanceBalancePlan(int partition, Time now, Outbox& out) {
  std::optional<BalancePlan>& plan = balance_plans_[partition];
  if (!plan) return;
  // A change in flight lands first: both callers come after it (OnDurable, CheckBalancePlans).
  PG_ASSERT(!pending_[partition], "partition {}", partition);
  const PartitionConfiguration& pc = configs_[partition];
  PG_ASSERT_LE(plan->ballot, pc.ballot, "partition {}: a plan ahead of the table", pc.gpid);
  if (pc.ballot == plan->ballot) return;
  const BalanceStep step = plan->steps.front();
  if (pc.ballot != plan->ballot.next() || !StepLanded(step.type, step.node, pc)) {
    return AbandonBalancePlan(partition, "the partition changed otherwise", out);
  }
  plan->steps.erase(plan->steps.begin());
  plan->ballot = pc.ballot;
  plan->since = now;
  if (step.type == ConfigType::kRemove) out.Mark("balance.remove_after_copy");
  if (plan->steps.empty()) {
    PG_LOG(kInfo, "partition {}: balancer action {} {} -> {} done", pc.gpid,
           BalanceKindName(plan->proposal.kind), plan->proposal.from, plan->proposal.to);
    out.Mark(plan->proposal.kind == BalanceKind::kMovePrimary ? "balance.move_primary_done"
                                                              : "balance.copy_secondary_done");
    plan.reset();
    return;
  }
  // The next step at once (the next check would re-send it anyway): a partition between a
  // downgrade and an upgrade has no primary.
  if (plan->steps.front().type == ConfigType::kUpgradeToPrimary) {
    out.Mark("balance.upgrade_after_downgrade");
  }
  SendBalanceStep(partition, out);
}

void MetaServer::CheckBalancePlans(Time now, Outbox& out) {
  PG_ASSERT(ready_ && fd_.has_value(), "plans run only over a durable table");
  PG_ASSERT_EQ(balance_plans_.size(), configs_.size());
  auto alive = [this](NodeId n) { return fd_->IsAlive(n); };
  for (size_t i = 0; i < balance_plans_.size(); ++i) {
    const int p = static_cast<int>(i);
    if (!balance_plans_[i] || pending_[i]) continue;  // a change in flight lands first
    AdvanceBalancePlan(p, now, out);
    if (!balance_plans_[i]) continue;
    const PartitionConfiguration& pc = configs_[i];
    PG_ASSERT_EQ(balance_plans_[i]->ballot, pc.ballot, "partition {}: not advanced", pc.gpid);
    const BalanceStep& step = balance_plans_[i]->steps.front();
    const bool members_alive = (!pc.primary || alive(*pc.primary)) &&
                               std::all_of(pc.secondaries.begin(), pc.secondaries.end(), alive);
    if (!members_alive || !alive(step.target) || !alive(step.node)) {
      AbandonBalancePlan(p, "a node is dead", out);
    } else if (!StepApplies(step.type, step.target, step.node, pc)) {
      AbandonBalancePlan(p, "the step no longer applies", out);
    } else if (now - balance_plans_[i]->since >= options_.balance_step_timeout) {
      AbandonBalancePlan(p, "the step did not land in time", out);
    } else {
      // Re-sent every check until it lands: the proposal or the replica's request may be lost.
      SendBalanceStep(p, out);
    }
  }
}

void MetaServer::ProposeRemovingRedundantSecondaries(Outbox& out) {
  PG_ASSERT(ready_ && fd_.has_value(), "proposing over a table that is not durable");
  std::map<NodeId, int> replica_counts;
  for (const PartitionConfiguration& pc : configs_) {
    if (pc.primary) ++replica_counts[*pc.primary];
    for (NodeId s : pc.secondaries) ++replica_counts[s];
  }
  for (size_t i = 0; i < configs_.size(); ++i) {
    const PartitionConfiguration& pc = configs_[i];
    if (pending_[i] || balance_plans_[i] || !pc.primary || !fd_->IsAlive(*pc.primary) ||
        static_cast<int32_t>(pc.secondaries.size()) < pc.max_replica_count) {
      continue;
    }
    // The most loaded secondary; ties: the first listed (on_redundant_secondary).
    PG_ASSERT(!pc.secondaries.empty(), "partition {}", pc.gpid);
    NodeId victim = pc.secondaries.front();
    for (NodeId s : pc.secondaries) {
      if (replica_counts[s] > replica_counts[victim]) victim = s;
    }
    PG_ASSERT(IsSecondary(pc, victim) && victim != *pc.primary, "partition {}", pc.gpid);
    out.Mark("meta.propose_remove_redundant_secondary");
    out.Send(*pc.primary,
             ConfigProposal{.type = ConfigType::kRemove, .config = pc, .node = victim});
  }
}

void MetaServer::StartBalanceRound(Time now, Outbox& out) {
  PG_ASSERT(ready_, "balancing a table that is not durable");
  ProposeRemovingRedundantSecondaries(out);
  if (!options_.balance) return;
  const bool busy =
      std::any_of(pending_.begin(), pending_.end(), [](const auto& p) { return p.has_value(); }) ||
      std::any_of(balance_plans_.begin(), balance_plans_.end(),
                  [](const auto& p) { return p.has_value(); });
  if (busy) return;
  std::vector<NodeId> alive_nodes;
  for (NodeId n : options_.replica_servers) {
    if (fd_->IsAlive(n)) alive_nodes.push_back(n);
  }
  // ProposeBalance proposes nothing unless every partition is healthy (UnhealthyForBalance).
  for (const BalanceProposal& p : ProposeBalance(configs_, alive_nodes, options_.balancer)) {
    const int i = p.gpid.partition_index;
    const PartitionConfiguration& pc = configs_[i];
    PG_ASSERT(ValidPartition(p.gpid) && p.ballot == pc.ballot && pc.primary,
              "a proposal for {} not computed against the table", p.gpid);
    // ProposeBalance proposes at most one action per partition; no plan was in flight.
    PG_ASSERT(!balance_plans_[i] && !pending_[i], "partition {}: proposed twice", p.gpid);
    BalancePlan plan{.proposal = p, .ballot = pc.ballot, .since = now};
    if (p.kind == BalanceKind::kMovePrimary) {
      out.Mark("balance.move_primary");
      plan.steps = {{.type = ConfigType::kDowngradeToSecondary, .target = p.from, .node = p.from},
                    {.type = ConfigType::kUpgradeToPrimary, .target = p.to, .node = p.to}};
    } else {
      out.Mark("balance.copy_secondary");
      plan.steps = {{.type = ConfigType::kAddSecondaryForLb, .target = *pc.primary, .node = p.to},
                    {.type = ConfigType::kRemove, .target = *pc.primary, .node = p.from}};
    }
    PG_LOG(kInfo, "partition {}: balancer {} {} -> {} at ballot {}", pc.gpid,
           BalanceKindName(p.kind), p.from, p.to, pc.ballot);
    balance_plans_[i] = std::move(plan);
    SendBalanceStep(i, out);
  }
}

}  // namespace pg
