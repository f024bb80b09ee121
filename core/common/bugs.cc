#include "core/common/bugs.h"

#include <array>

namespace pg {
namespace {

// The citations are where the bug and its fix can be read (PEGASUS.md has the protocol context).
constexpr std::array<BugInfo, kBugCount> kBugs{{
    {Bug::kStaleReadOnNewPrimary, "stale_read_new_primary", "Pegasus a4a73c300",
     "a new primary serves reads before it commits the decrees it prepared as a secondary"},
    {Bug::kReconcileOldBallot, "reconcile_old_ballot", "rDSN #496",
     "a new primary's reconciliation re-prepares uncommitted decrees under their old ballot"},
    {Bug::kNoForceUpdateBallot, "no_force_update_ballot", "rDSN #522, #525",
     "meta does not force a restarted primary to a new ballot; it resumes at the old one"},
    {Bug::kPrimaryOnEmptyReplica, "primary_on_empty_replica", "Pegasus #895",
     "after every replica was dropped, meta assigns the primary to a replica that holds no data"},
    {Bug::kDddPickByCommitted, "ddd_pick_by_committed", "Pegasus 449c9cf08",
     "all-replicas-down recovery picks the replica with the most committed, not prepared, decrees"},
    {Bug::kLeaseFromFollowerMeta, "lease_from_follower_meta", "Pegasus #239, #247; rDSN #213",
     "a beacon ack from a meta server that is not the leader renews the replica server's lease"},
    {Bug::kLeaseFromAckTime, "lease_from_ack_time", "PacificA §3.3; PEGASUS.md §1.9",
     "the replica server's lease counts from when the beacon ack arrived, not when the beacon "
     "left"},
    {Bug::kCommitOnMajority, "commit_on_majority", "PacificA §3.1",
     "the primary commits a write once a majority of the group acked it, not every member"},
    {Bug::kAckBeforeLogged, "ack_before_logged", "PacificA §3.1; PEGASUS.md §1.10",
     "a secondary acks a prepare before its mutation log write is durable"},
    {Bug::kLearnerStaleSignature, "learner_stale_signature", "Pegasus 6aa11dea4",
     "a learner applies a learn response that belongs to an earlier learning round"},
    {Bug::kPrepareListKeptAfterLearn, "prepare_list_kept_after_learn", "Pegasus 6d1edf550",
     "a learner keeps its old prepare list after it installs a learned checkpoint"},
    {Bug::kReplayPastCorrupt, "replay_past_corrupt", "PEGASUS.md §1.10",
     "log replay goes on past a torn or corrupt record instead of stopping there"},
    {Bug::kClientIncrRetry, "client_incr_retry", "Pegasus client retry semantics",
     "the client retries a timed-out incr and reports a single success"},
    {Bug::kMetaActBeforePersist, "meta_act_before_persist", "PEGASUS.md §1.8",
     "meta answers for a new configuration before the configuration is persisted"},
    {Bug::kSecondaryServesReads, "secondary_serves_reads", "PacificA §3.2",
     "a secondary answers a read (only the primary may)"},
    {Bug::kPlogAckBeforeSync, "plog_ack_before_sync",
     "Pegasus src/replica/mutation_log.cpp write_pending_mutations (plog_force_flush false)",
     "a replica counts a private-log append as logged once written, before it is synced, so "
     "a power loss can take a prepare it acknowledged"},
    {Bug::kIdempotentNoRowLock, "idempotent_no_row_lock", "Pegasus #2198, #2214",
     "with atomic_idempotent, a primary executes an atomic write (incr, check_and_set, "
     "check_and_mutate) against its applied state while earlier writes to the same hashkey are "
     "still in two-phase commit, instead of waiting for them to apply"},
    {Bug::kReprepareNoRowLock, "reprepare_no_row_lock",
     "Pegasus src/replica/mutation.cpp mutation_queue::enter_2pc (row locks of #2214 taken from "
     "client requests, which a re-prepared mutation lacks)",
     "a primary promoted from secondary re-prepares its uncommitted mutations without locking "
     "their rows, so an idempotent atomic write reads a row missing a write still re-preparing"},
    {Bug::kLearnedMutationsUnlogged, "learned_mutations_unlogged", "rDSN #137 (fb6346560)",
     "a learner prepares and commits the mutations it learned from the primary's cache or log "
     "without appending them to its own log, so a crash loses them"},
    {Bug::kIncrReadErrorResets, "incr_read_error_resets",
     "Pegasus #608 (95ac84914), a regression of #598 (e56690c2d)",
     "when an incr's engine read fails, the incr writes 0 and answers success with 0, instead "
     "of failing the write"},
    {Bug::kRangeLimitCountsIterated, "range_limit_counts_iterated",
     "Pegasus #808, fixed by #811 (c2e6ea2ea)",
     "a multi_get by sortkey range counts every in-range record it reads against the request's "
     "limit, those its filter rejects too, so it stops short while matching records remain"},
    {Bug::kRangeFilterDropped, "range_filter_dropped", "Pegasus #99 (7df9bc8d0), in on_scan",
     "a multi_get by sortkey range reads its filter from fields the request left unset, so it "
     "applies none and returns records the filter rejects"},
    {Bug::kAtomicExpiryAtApplyClock, "atomic_expiry_at_apply_clock",
     "Pegasus src/server/rocksdb_wrapper.cpp rocksdb_wrapper::get (utils::epoch_now), reached "
     "from pegasus_write_service_impl.h incr, check_and_set, check_and_mutate since #654, #655 "
     "when atomic_idempotent is false",
     "a replica re-executing an atomic write judges the old value's TTL by its own clock when it "
     "applies the mutation, not by the primary's when it took the request, so replicas that "
     "apply it at different instants or on clocks apart decide a check differently and diverge"},
    {Bug::kFullScanResumeAsHashkeyScan, "full_scan_resume_as_hashkey_scan",
     "Pegasus apache/incubator-pegasus#824 (full scan can't scan data completely when a replica "
     "server restart moves primaries), fixed by #825 in src/server/pegasus_server_impl.cpp "
     "on_get_scanner (the request's full_scan field)",
     "on_get_scanner takes a request with a start key naming a hashkey for a hashkey scan, so a "
     "full scan that resumes after a lost context (at a new primary) reads only the rest of "
     "that hashkey and completes, leaving the rest of the partition unread"},
}};

}  // namespace

std::span<const BugInfo> AllBugs() { return kBugs; }

const BugInfo& InfoOf(Bug bug) { return kBugs[static_cast<size_t>(bug)]; }

std::optional<Bug> BugByName(std::string_view name) {
  for (const BugInfo& info : kBugs) {
    if (info.name == name) return info.bug;
  }
  return std::nullopt;
}

std::vector<std::string> BugSet::Names() const {
  std::vector<std::string> names;
  for (const BugInfo& info : kBugs) {
    if (on(info.bug)) names.emplace_back(info.name);
  }
  return names;
}

}  // namespace pg
