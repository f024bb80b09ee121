#pragma once
// The bug zoo: real consistency and durability bugs of Pegasus and rDSN, each a switch that takes
// away the guard that fixed it. All are off unless a scenario's "bugs" list (or `pegasim hunt
// --bug`) turns one on; they exist so the bench can prove it catches each (results/bugzoo.md).
// Each guard reads `options.bugs.on(Bug::kX)` at the one place the real fix lives, with a comment
// naming the bug.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pg {

enum class Bug : uint8_t {
  kStaleReadOnNewPrimary,      // a new primary serves reads before committing what it prepared
  kReconcileOldBallot,         // reconciliation re-prepares with the old ballot
  kNoForceUpdateBallot,        // a restarted old primary keeps its old ballot
  kPrimaryOnEmptyReplica,      // meta makes an empty replica primary after all were dropped
  kDddPickByCommitted,         // all-down recovery picks the replica with the most committed
  kLeaseFromFollowerMeta,      // a beacon ack from a non-leader meta renews the lease
  kLeaseFromAckTime,           // the lease counts from when the ack arrived, not the beacon left
  kCommitOnMajority,           // the primary commits once a majority acked, not every member
  kAckBeforeLogged,            // a secondary acks a prepare before its log write is durable
  kLearnerStaleSignature,      // a learner accepts a response of an older learning round
  kPrepareListKeptAfterLearn,  // the prepare list is not reset after learning a checkpoint
  kReplayPastCorrupt,          // log replay goes on past a torn or corrupt record
  kClientIncrRetry,            // the client retries a timed-out incr and reports one success
  kMetaActBeforePersist,       // meta answers for a configuration before it is persisted
  kSecondaryServesReads,       // a secondary answers reads
  kPlogAckBeforeSync,          // a private-log append counts as logged before it is synced
  kIdempotentNoRowLock,        // an idempotent atomic write reads its row with writes in 2PC
  kReprepareNoRowLock,         // a new primary's re-prepared mutations lock no rows
  kLearnedMutationsUnlogged,   // a learner prepares learned mutations without logging them
  kIncrReadErrorResets,        // an incr whose engine read failed writes 0 and answers success
  kRangeLimitCountsIterated,   // a ranged multi_get counts records its filter rejected to the limit
  kRangeFilterDropped,         // a ranged multi_get applies no sortkey filter
  kAtomicExpiryAtApplyClock,   // a re-executed atomic write judges TTLs by the applier's clock
  kFullScanResumeAsHashkeyScan,  // a resumed full scan reads only the rest of one hashkey
};
inline constexpr int kBugCount = 24;

struct BugInfo {
  Bug bug;
  std::string_view name;  // as scenarios and `pegasim hunt --bug` write it
  std::string_view cite;  // the real bug: an issue, pull request or commit
  std::string_view what;  // the guard the switch removes, in a sentence
};
// Every bug, in enum order.
std::span<const BugInfo> AllBugs();
const BugInfo& InfoOf(Bug bug);
std::optional<Bug> BugByName(std::string_view name);

// The switches one run has on. Cheap to copy; every node's options carry one.
class BugSet {
 public:
  bool on(Bug bug) const { return (bits_ >> static_cast<int>(bug) & 1U) != 0; }
  void Enable(Bug bug) { bits_ |= 1U << static_cast<int>(bug); }
  void Enable(const BugSet& other) { bits_ |= other.bits_; }
  bool empty() const { return bits_ == 0; }
  // Names of the bugs on, in enum order.
  std::vector<std::string> Names() const;
  bool operator==(const BugSet&) const = default;

 private:
  uint32_t bits_ = 0;
};

}  // namespace pg
