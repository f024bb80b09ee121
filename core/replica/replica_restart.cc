// A replica's start: the boot-time replay of its private log (Pegasus src/replica/replica_init.cpp:
// init_app_and_prepare_list, replay_mutation) and its announcement (the replica index entry that
// makes a new replica durable; until then it takes no role).
#include <algorithm>

#include "core/common/assert.h"
#include "core/common/log.h"
#include "core/replica/replica.h"

namespace pg {

void Replica::Replay(const SegmentedRead& read, Ballot init_ballot, Outbox& out) {
  PG_ASSERT(status_ == PartitionStatus::kInactive && !inactive_is_transient_,
            "replay happens once, at Boot");
  PG_ASSERT(plist_.slots().empty());
  PG_ASSERT_EQ(ballot_, Ballot(0), "replay starts from the persisted ballot");
  // init_app_and_prepare_list: _config.ballot = init_info().init_ballot, before the replay.
  ballot_ = init_ballot;
  ballot_high_ = init_ballot;
  const std::vector<LogRecord>* records = &read.records;
  if (!read.status.ok()) {
    // Damage in the middle of the log (intact records follow it) is not a torn tail: what the
    // damaged record held is gone, and the records after it may commit on top of it. Replay stops
    // and the replica fail-stops; the group re-learns it (PEGASUS.md §1.10). Bug zoo:
    // replay_past_corrupt skips the damaged record and replays on, leaving a hole that a later
    // reconciliation fills with an empty write.
    if (!read.damaged || !host_->options().bugs.on(Bug::kReplayPastCorrupt)) {
      if (read.damaged) out.Mark("replica.plog_damaged");
      return Fail(out, read.status);
    }
    out.Mark("replica.plog_replay_past_corrupt");
    records = &read.records_past_damage;
  }
  if (read.cut_tail) {
    PG_LOG(kInfo, "replica {}: plog torn tail cut: {}", gpid_, read.cut_reason);
    out.Mark("replica.plog_torn_tail");
  }
  log_empty_ = records->empty();
  logged_ballot_at_boot_ = Ballot(0);
  for (const LogRecord& r : *records) {
    logged_ballot_at_boot_ = std::max(*logged_ballot_at_boot_, r.ballot);
    // A record of an older incarnation of this decree is superseded by any later record of it.
    if (r.ballot > ballot_) {
      ballot_ = r.ballot;  // replay_mutation: a logged ballot above the replica's raises it
      ballot_high_ = r.ballot;
    }
    if (r.decree <= plist_.last_committed()) continue;  // already in the engine
    Result<std::vector<WriteUpdate>> updates = Decode<std::vector<WriteUpdate>>(r.payload);
    if (!updates.ok() || r.last_committed >= r.decree) {
      return Fail(out,
                  Status(ErrorCode::kCorruption,
                         fmt::format("plog record {}@{} does not decode", r.decree, r.ballot)));
    }
    // What later headers prove committed (commit is never logged, PEGASUS.md §1.10).
    if (Status s = CommitSoft(r.last_committed); !s.ok()) return Fail(out, s);
    if (r.decree <= plist_.last_committed()) continue;
    Mutation mu{.ballot = r.ballot,
                .decree = r.decree,
                .last_committed_decree = r.last_committed,
                .updates = std::move(*updates)};
    if (!plist_.Prepare(std::move(mu))) continue;  // the slot holds a larger ballot
    plist_.GetMutable(r.decree)->logged = true;
  }
  config_.ballot = ballot_;
  // replay_mutation raises the ballot through update_local_configuration, which persists it.
  if (ballot_ > init_ballot) PersistBallot(out);
  log_gc_decree_ = Decree(std::max<int64_t>(
      0, engine_->last_durable().value() - host_->options().plog_gc_reserve_decrees));
  PG_LOG(kInfo, "replica {}: replayed {} records: ballot {}, committed {}, prepared {}", gpid_,
         records->size(), ballot_, plist_.last_committed(), plist_.max_decree());
  PG_ASSERT_EQ(ballot_, ballot_high_);
}

void Replica::MarkAnnounced(Time now, Outbox& out) {
  PG_ASSERT(!announced_, "announced twice");
  PG_ASSERT(status_ != PartitionStatus::kPrimary, "an unannounced replica takes no role");
  announced_ = true;
  std::optional<PartitionConfiguration> stashed = std::move(stashed_config_);
  stashed_config_.reset();
  if (stashed && host_->LeaseValid(now)) OnConfigSync(now, *stashed, out);
  PG_ASSERT(!stashed_config_);
}

}  // namespace pg
