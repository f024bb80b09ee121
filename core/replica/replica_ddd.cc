// assign_primary for CT_ASSIGN_PRIMARY (Pegasus src/replica/replica_config.cpp): after all replicas
// of a partition went down, meta picked this replica, one of the last drops, by the DDD rule
// (core/meta/meta_recovery.h). It asks meta to become the partition's only member at meta's
// ballot + 1; once meta persisted that, BecomePrimary reconciles: every decree it prepared above
// its commit point is prepared again in the new ballot and committed, then the guardian adds the
// other drops back as learners.
#include <algorithm>

#include "core/common/assert.h"
#include "core/common/log.h"
#include "core/replica/replica.h"

namespace pg {

void Replica::AssignPrimaryFromDrops(Time now, const ConfigProposal& p, Outbox& out) {
  PG_ASSERT_EQ(p.type, ConfigType::kAssignPrimary);
  const NodeId self = host_->self();
  const bool dropped = std::find(p.config.last_drops.begin(), p.config.last_drops.end(), self) !=
                       p.config.last_drops.end();
  const bool memberless = !p.config.primary && p.config.secondaries.empty();
  // A restarted replica (its log replayed, PS_INACTIVE) is the usual candidate; a secondary meta
  // removed while it could not hear is one too. A learner's state is partial; a failed replica's
  // log may lack what it acked.
  const bool eligible =
      status_ == PartitionStatus::kInactive || status_ == PartitionStatus::kSecondary;
  // Never serve without a decree meta knows committed (meta checked it too, on its view; Pegasus
  // #895: an empty replica must not serve a partition that has data). kPrimaryOnEmptyReplica
  // takes this side of the rule away along with meta's.
  const bool holds_committed = plist_.max_decree() >= p.config.last_committed_decree ||
                               host_->options().bugs.on(Bug::kPrimaryOnEmptyReplica);
  if (p.node != self || !memberless || !dropped || !eligible || !announced_ ||
      primary_.pending_change || p.config.ballot < ballot_ || !holds_committed) {
    PG_LOG(kDebug, "replica {}: ignoring CT_ASSIGN_PRIMARY at ballot {} ({}@{}, prepared {}{})",
           gpid_, p.config.ballot, PartitionStatusName(status_), ballot_, plist_.max_decree(),
           primary_.pending_change ? ", a change pending" : "");
    return;
  }
  PartitionConfiguration next = p.config;
  next.ballot = p.config.ballot.next();
  next.primary = self;
  std::erase(next.last_drops, self);
  assign_from_restart_ = status_ == PartitionStatus::kInactive && !inactive_is_transient_;
  out.Mark("replica.assign_primary_ddd");
  RequestConfigUpdate(
      now, UpdateConfigRequest{.type = ConfigType::kAssignPrimary, .config = next, .node = self},
      ballot_, out);
}

}  // namespace pg
