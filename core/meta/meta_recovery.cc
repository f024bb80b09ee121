#include "core/meta/meta_recovery.h"

#include <algorithm>
#include <optional>

#include "core/common/assert.h"
#include "core/common/log.h"
#include "core/meta/meta_server.h"
#include "core/meta/partition_table.h"

namespace pg {

namespace {

// One last drop as the rule sees it. A node that does not hold the replica, or holds it failed,
// counts as Pegasus's "replica info doesn't exist" entry: ballot 0, decrees -1.
struct Candidate {
  NodeId node;
  bool lost = false;
  int64_t ballot = 0;
  int64_t committed = -1;
  int64_t prepared = -1;
};

Candidate Collect(NodeId node, const std::map<NodeId, ReplicaInfo>& collected) {
  auto it = collected.find(node);
  if (it == collected.end() || it->second.status == PartitionStatus::kError) {
    return Candidate{.node = node, .lost = true};
  }
  return Candidate{.node = node,
                   .ballot = it->second.ballot.value(),
                   .committed = it->second.last_committed_decree.value(),
                   .prepared = it->second.last_prepared_decree.value()};
}

DddDecision Wait(std::string why) {
  return {.kind = DddDecision::Kind::kWait, .why = std::move(why)};
}
DddDecision Refuse(std::string why) {
  return {.kind = DddDecision::Kind::kRefuse, .why = std::move(why)};
}

// Pegasus's order between the two last drops: larger ballot, then larger committed, then larger
// prepared (a tie goes to the most recent drop). A reported commit point is only what the log's
// later headers prove, so the larger ballot may report the smaller one: a lone primary that
// committed on its own and crashed before its next header
// (scenarios/regressions/all_replicas_crash_slow_log_seed92_lone_primary.json).
// Pegasus refuses that pair and waits for an administrator; here the larger ballot is picked
// when its log covers the other's commit point, as a member of the newer configuration holds the
// older ones' committed decrees (PacificA), and what it alone committed is only in its log.
// nullopt: the larger ballot's log stops short of the other's commit point.
std::optional<Candidate> PickByRule(const Candidate& previous, const Candidate& recent) {
  const int64_t ballot_gap = previous.ballot - recent.ballot;
  const int64_t committed_gap = previous.committed - recent.committed;
  if ((ballot_gap > 0 && committed_gap < 0 && previous.prepared < recent.committed) ||
      (ballot_gap < 0 && committed_gap > 0 && recent.prepared < previous.committed)) {
    return std::nullopt;
  }
  if (ballot_gap != 0) return ballot_gap > 0 ? previous : recent;
  if (committed_gap != 0) return committed_gap > 0 ? previous : recent;
  return previous.prepared > recent.prepared ? previous : recent;
}

// The bug zoo's kDddPickByCommitted (Pegasus 449c9cf08 fixed it): the pick goes by the committed
// decree a replica reported, ignoring its ballot and what it prepared (a tie goes to the most
// recent drop). After a restart a replica's committed decree is only what its log's later
// headers prove, so it lags the partition's true commit point; the acknowledged writes past it
// live in the prepared suffix, which this pick may throw away.
Candidate PickByCommitted(const Candidate& previous, const Candidate& recent) {
  return previous.committed > recent.committed ? previous : recent;
}

}  // namespace

DddDecision DecideDddPrimary(const DddView& view) {
  PG_ASSERT(view.config != nullptr && view.collected != nullptr);
  const PartitionConfiguration& pc = *view.config;
  PG_ASSERT(!pc.primary && pc.secondaries.empty(), "partition {} is not DDD", pc.gpid);
  PG_ASSERT(!IsNewPartition(pc), "partition {} is new: it gets a first primary, not DDD", pc.gpid);
  // The last two drops, oldest first (Pegasus looks no further back).
  const size_t n = std::min<size_t>(2, pc.last_drops.size());
  const std::vector<NodeId> drops(pc.last_drops.end() - static_cast<std::ptrdiff_t>(n),
                                  pc.last_drops.end());
  for (NodeId node : drops) {
    if (!view.alive(node)) return Wait(fmt::format("last drop {} has not come back", node));
    if (!view.synced(node)) return Wait(fmt::format("last drop {} has not reported yet", node));
  }
  const Candidate recent = Collect(drops.back(), *view.collected);
  // Pegasus #895: a last drop that no longer holds the replica (or holds it failed) must not be
  // made primary, nor stand in for what it alone committed. kPrimaryOnEmptyReplica takes the
  // refusal away: the empty replica competes as Pegasus's "replica info doesn't exist" entry.
  const bool empty_ok = view.bugs.on(Bug::kPrimaryOnEmptyReplica);
  const bool never_committed =
      view.known_committed == Decree(0) && pc.last_committed_decree == Decree(0);
  if (recent.lost && !empty_ok && pc.last_drops.size() == 1 && never_committed) {
    return {.kind = DddDecision::Kind::kRenew,
            .why = fmt::format("the only drop {} lost its replica; the partition never held data",
                               recent.node)};
  }
  if (recent.lost && !empty_ok) {
    return Refuse(
        fmt::format("the most recent drop {} lost its replica; what it alone committed is unknown",
                    recent.node));
  }
  Candidate chosen = recent;
  int64_t larger_committed = recent.committed;
  if (n == 2) {
    const Candidate previous = Collect(drops.front(), *view.collected);
    std::optional<Candidate> pick = view.bugs.on(Bug::kDddPickByCommitted)
                                        ? PickByCommitted(previous, recent)  // Pegasus 449c9cf08
                                        : PickByRule(previous, recent);
    if (!pick) {
      return Refuse(fmt::format("{} has the larger ballot but lacks the other's committed decrees",
                                previous.ballot > recent.ballot ? previous.node : recent.node));
    }
    chosen = *pick;
    larger_committed = std::max(previous.committed, recent.committed);
  }
  PG_ASSERT(empty_ok || !chosen.lost,
            "a lost replica has ballot 0 and cannot win against a held one");
  const Decree meta_committed = std::max(view.known_committed, pc.last_committed_decree);
  const int64_t needed = std::max(larger_committed, meta_committed.value());
  // Pegasus #895 again: the chosen replica must hold every decree known committed, so an empty
  // one never serves a partition that has data (kPrimaryOnEmptyReplica skips the check).
  if (chosen.prepared < needed && !empty_ok) {
    return Refuse(fmt::format("{} prepared only up to {} < committed {} (meta knows {})",
                              chosen.node, chosen.prepared, needed, meta_committed));
  }
  // The pick is one of the last two drops, both of which came back and reported.
  PG_ASSERT(std::find(drops.begin(), drops.end(), chosen.node) != drops.end(),
            "{} is not a last drop of {}", chosen.node, pc.gpid);
  return {.kind = DddDecision::Kind::kRecover,
          .primary = chosen.node,
          .why = fmt::format("{}: ballot {}, committed {}, prepared {}", chosen.node, chosen.ballot,
                             chosen.committed, chosen.prepared)};
}

// ---- DddState ----------------------------------------------------------------------------------

void DddState::Reset(int partition_count) {
  PG_ASSERT_GT(partition_count, 0);
  collected.assign(partition_count, {});
  known_committed.assign(partition_count, Decree(0));
  synced.clear();
  dead_at.clear();
}

namespace {

// The partition a stored replica's report is about, if it is one of the table's.
std::optional<size_t> ReportedPartition(const ReplicaInfo& info, int32_t app_id,
                                        size_t partitions) {
  const int i = info.gpid.partition_index;
  if (info.gpid.app_id != app_id || i < 0 || static_cast<size_t>(i) >= partitions) {
    return std::nullopt;
  }
  return static_cast<size_t>(i);
}

}  // namespace

void DddState::OnConfigSync(NodeId node, const std::vector<ReplicaInfo>& stored, int32_t app_id) {
  PG_ASSERT(!collected.empty() && collected.size() == known_committed.size(), "not Reset");
  std::vector<std::optional<ReplicaInfo>> before(collected.size());
  for (size_t i = 0; i < collected.size(); ++i) {
    if (auto it = collected[i].find(node); it != collected[i].end()) before[i] = it->second;
    collected[i].erase(node);
  }
  for (const ReplicaInfo& info : stored) {
    const std::optional<size_t> partition = ReportedPartition(info, app_id, collected.size());
    if (!partition) continue;
    const size_t i = *partition;
    // A replica's ballot is durable and never falls, so a healthy report at a lower ballot than
    // the node's last one was sent before it: a sync its kernel still delivered after the
    // process died. Taking it would let the all-replicas-down rule rank the node below what it
    // holds (docs/departures.md, "stale config sync reports"). A failure report always counts.
    if (before[i] && before[i]->status != PartitionStatus::kError &&
        info.status != PartitionStatus::kError && info.ballot < before[i]->ballot) {
      collected[i][node] = *before[i];
      continue;
    }
    collected[i][node] = info;
    // Any replica's commit point is a committed prefix of the partition (a failed replica
    // reports none).
    if (info.status != PartitionStatus::kError) {
      NoteCommitted(static_cast<int>(i), info.last_committed_decree);
    }
  }
  synced.insert(node);
}

bool DddState::FreshReport(NodeId node, uint64_t epoch, uint64_t acked_epoch,
                           uint64_t acked_deaths) const {
  auto it = dead_at.find(node);
  return it == dead_at.end() || (acked_epoch == epoch && acked_deaths >= it->second);
}

void DddState::OnStaleConfigSync(const std::vector<ReplicaInfo>& stored, int32_t app_id) {
  for (const ReplicaInfo& info : stored) {
    const std::optional<size_t> i = ReportedPartition(info, app_id, collected.size());
    if (i && info.status != PartitionStatus::kError) {
      NoteCommitted(static_cast<int>(*i), info.last_committed_decree);
    }
  }
}

void DddState::OnWorkerDead(NodeId node) {
  PG_ASSERT_EQ(collected.size(), known_committed.size(), "not Reset");
  dead_at[node] = ++deaths;
  synced.erase(node);
  for (std::map<NodeId, ReplicaInfo>& per_node : collected) per_node.erase(node);
}

void DddState::NoteCommitted(int partition, Decree d) {
  PG_ASSERT(partition >= 0 && static_cast<size_t>(partition) < known_committed.size());
  known_committed[partition] = std::max(known_committed[partition], d);
}

void DddState::CheckInvariants() const {
  PG_ASSERT_EQ(collected.size(), known_committed.size());
  for (size_t i = 0; i < collected.size(); ++i) {
    // Starts at 0 and only rises.
    PG_ASSERT_GE(known_committed[i], Decree(0), "partition {}", i);
    for (const auto& [node, info] : collected[i]) {
      PG_ASSERT(synced.contains(node), "a report kept from {}, which has not synced", node);
      PG_ASSERT_EQ(info.gpid.partition_index, static_cast<int32_t>(i), "reported by {}", node);
    }
  }
}

// ---- MetaServer hooks --------------------------------------------------------------------------

DddDecision MetaServer::DecideDdd(int partition) const {
  PG_ASSERT(partition >= 0 && static_cast<size_t>(partition) < configs_.size(), "{}", partition);
  PG_ASSERT_EQ(ddd_.collected.size(), configs_.size(), "DddState sized to the table");
  const PartitionConfiguration& pc = configs_[partition];
  return DecideDddPrimary(
      DddView{.config = &pc,
              .known_committed = ddd_.known_committed[partition],
              .alive = [this](NodeId node) { return fd_->IsAlive(node); },
              .synced = [this](NodeId node) { return ddd_.synced.contains(node); },
              .collected = &ddd_.collected[partition],
              .bugs = options_.bugs});
}

// partition_guardian::on_missing_primary, the DDD branch: re-evaluated at every check; the
// proposal is re-sent until the configuration changes (it may be lost).
void MetaServer::CureDdd(int partition, Outbox& out) {
  const PartitionConfiguration& pc = configs_[partition];
  // CurePrimaries' last branch: no change in flight, no member left.
  PG_ASSERT(!pending_[partition], "partition {}", pc.gpid);
  PG_ASSERT(!pc.primary && pc.secondaries.empty(), "partition {} is not DDD", pc.gpid);
  const DddDecision d = DecideDdd(partition);
  switch (d.kind) {
    case DddDecision::Kind::kWait:
      PG_LOG(kInfo, "partition {} has no member: waiting ({})", pc.gpid, d.why);
      out.Mark("meta.ddd_wait");
      return;
    case DddDecision::Kind::kRefuse:
      PG_LOG(kWarn, "partition {} has no member: no safe primary, staying unavailable ({})",
             pc.gpid, d.why);
      out.Mark("meta.ddd_refuse");
      return;
    case DddDecision::Kind::kRenew:
      PG_LOG(kWarn, "partition {} has no member: starting over as new ({})", pc.gpid, d.why);
      // The argument that nothing was ever prepared needs a write to need two members.
      PG_ASSERT_GE(options_.mutation_2pc_min_replica_count, 2, "partition {}", pc.gpid);
      out.Mark("meta.ddd_renew_unwritten");
      return PersistChange(RenewPartition(pc), std::nullopt, out);
    case DddDecision::Kind::kRecover:
      break;
  }
  PG_ASSERT(d.primary.has_value(), "partition {}: a recovery names its primary", pc.gpid);
  PG_LOG(kInfo, "partition {} has no member: proposing CT_ASSIGN_PRIMARY to {}", pc.gpid, d.why);
  out.Mark("meta.ddd_recover");
  out.Send(*d.primary,
           ConfigProposal{.type = ConfigType::kAssignPrimary, .config = pc, .node = *d.primary});
}

// A CT_ASSIGN_PRIMARY request is accepted only from the replica the rule picks now, on what meta
// collected by now (the proposal may be old, or the node's report may have changed since).
bool MetaServer::DddApproves(int partition, NodeId from) const {
  PG_ASSERT(ready_ && !pending_[partition], "judged only with no change in flight");
  const PartitionConfiguration& pc = configs_[partition];
  // DecideUpdate judges the request: members left, or a new partition's first primary.
  if (pc.primary || !pc.secondaries.empty() || IsNewPartition(pc)) return true;
  const DddDecision d = DecideDdd(partition);
  return d.kind == DddDecision::Kind::kRecover && d.primary == from;
}

}  // namespace pg
