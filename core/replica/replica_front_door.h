#pragma once
// Internal to core/replica. The front door's ballot rules: for every kind of message a replica
// receives, what it does when the message's ballot is older than, equal to or newer than the one
// it is compared with. The front door (replica_front_door.cc) compares once and applies the rule;
// the role handlers it then calls assume the outcome (and assert it).
//
// Pegasus spreads these rules over its handlers (on_prepare, on_group_check, on_config_sync...);
// here they sit in one table, kBallotRules, in the order of DoorKind.
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/common/ids.h"
#include "core/common/status.h"
#include "core/proto/pegasus_types.h"

namespace pg {

enum class BallotRelation : uint8_t { kOlder, kEqual, kNewer };

inline BallotRelation Relate(Ballot theirs, Ballot ours) {
  if (theirs < ours) return BallotRelation::kOlder;
  return theirs == ours ? BallotRelation::kEqual : BallotRelation::kNewer;
}

inline std::string_view BallotRelationName(BallotRelation r) {
  switch (r) {
    case BallotRelation::kOlder:
      return "older";
    case BallotRelation::kEqual:
      return "equal";
    case BallotRelation::kNewer:
      return "newer";
  }
  return "?";
}

// The status a configuration from meta gives `self`.
inline PartitionStatus StatusIn(const PartitionConfiguration& pc, NodeId self) {
  if (pc.primary == self) return PartitionStatus::kPrimary;
  if (std::find(pc.secondaries.begin(), pc.secondaries.end(), self) != pc.secondaries.end()) {
    return PartitionStatus::kSecondary;
  }
  return PartitionStatus::kInactive;
}

// The status changes a configuration of the replica's own ballot may make (replica_config.cpp:
// is_same_ballot_status_change_allowed): a learner's progress, and the return of a replica whose
// inactivity was transient (a lapsed lease, a config change it waited for).
inline bool SameBallotChangeAllowed(PartitionStatus from, PartitionStatus to, bool transient) {
  using PS = PartitionStatus;
  if (from == to) return true;
  if (from == PS::kInactive && to == PS::kPotentialSecondary) return true;
  if (from == PS::kPotentialSecondary && to == PS::kSecondary) return true;
  return from == PS::kInactive && transient && (to == PS::kSecondary || to == PS::kPrimary);
}

// The kinds of input the front door tells apart. A configuration proposal is two kinds: the
// proposals that make this replica primary (CT_UPGRADE_TO_PRIMARY, CT_ASSIGN_PRIMARY) and the
// ones a primary carries out on its members (add, remove, downgrade).
enum class DoorKind : uint8_t {
  kClientWrite,
  kClientRead,
  kPrepare,
  kPrepareAck,
  kGroupCheck,
  kGroupCheckResponse,
  kRemoveReplica,
  kConfigSync,
  kAssignProposal,
  kMemberProposal,
  kUpdateConfigResponse,
  kAddLearner,
  kLearn,
  kLearnResponse,
  kLearnCompletionNotify,
  kLearnCompletionResponse,
  kCount,
};

// What the message's ballot is compared with.
enum class BallotSource : uint8_t {
  kNone,            // no ballot rule: a status, or a learning signature, admits the message
  kReplica,         // the replica's ballot
  kPendingRequest,  // the ballot of the configuration change this replica asked meta for
};

enum class BallotAction : uint8_t {
  kHandle,  // on to the role handler
  kDrop,    // ignored with the reason logged: the sender is deposed, or answers an older request
  kRefuse,  // answered with the step's error code
  // The sender is the primary of a newer ballot: adopt its configuration (AdoptReplicaConfig,
  // Pegasus's update_local_configuration) and handle the message, or answer the step's error
  // code when that configuration cannot be adopted.
  kAdoptFromPrimary,
  // A newer configuration from meta: a primary adopts it (AdoptMetaConfig) and handles the
  // message; any other replica drops it (the message may be long stale, see kBallotRules).
  kAdoptIfPrimary,
  // Meta's configuration at the replica's own ballot: adopted only if the status change it makes
  // is one allowed within a ballot (is_same_ballot_status_change_allowed); dropped otherwise.
  kSameBallotStatusRule,
};

struct BallotStep {
  BallotAction action = BallotAction::kHandle;
  ErrorCode refusal = ErrorCode::kOk;  // kRefuse's answer, or kAdoptFromPrimary's when refused
};

struct BallotRule {
  DoorKind kind;
  std::string_view name;
  BallotSource source = BallotSource::kNone;
  BallotStep older;
  BallotStep equal;
  BallotStep newer;

  const BallotStep& At(BallotRelation r) const {
    return r == BallotRelation::kOlder ? older : r == BallotRelation::kEqual ? equal : newer;
  }
};

// Each kind's rule. Checks the front door makes before the ballot (a failed or unannounced
// replica, a malformed message) and the role it dispatches to after it are in the kind's Admit.
inline constexpr auto kBallotRules = [] {
  using A = BallotAction;
  using E = ErrorCode;
  using K = DoorKind;
  using S = BallotSource;
  return std::to_array<BallotRule>({
      // Client requests carry no ballot: the primary's status and lease admit them.
      {.kind = K::kClientWrite, .name = "client write"},
      {.kind = K::kClientRead, .name = "client read"},
      // on_prepare: a deposed primary's prepare is dropped unanswered; a newer primary's
      // configuration is adopted, or the prepare refused.
      {.kind = K::kPrepare,
       .name = "prepare",
       .source = S::kReplica,
       .older = {A::kDrop},
       .newer = {A::kAdoptFromPrimary, E::kInvalidState}},
      // on_prepare_reply: only an ack of the primary's own ballot counts.
      {.kind = K::kPrepareAck,
       .name = "prepare ack",
       .source = S::kReplica,
       .older = {A::kDrop},
       .newer = {A::kDrop}},
      // on_group_check: an older primary hears ERR_VERSION_OUTDATED; a newer one's configuration
      // is adopted, as from a prepare.
      {.kind = K::kGroupCheck,
       .name = "group check",
       .source = S::kReplica,
       .older = {A::kRefuse, E::kInvalidVersion},
       .newer = {A::kAdoptFromPrimary, E::kInvalidState}},
      {.kind = K::kGroupCheckResponse,
       .name = "group check reply",
       .source = S::kReplica,
       .older = {A::kDrop},
       .newer = {A::kDrop}},
      // on_remove: a removal of the replica's ballot or a newer one; a primary of that very ballot
      // is not removed by a peer (its Admit drops it).
      {.kind = K::kRemoveReplica, .name = "remove", .source = S::kReplica, .older = {A::kDrop}},
      // on_config_sync: an older configuration is meta's past. At the same ballot only the status
      // changes a ballot allows; a restarted primary asks for a new ballot first
      // (ForceUpdateBallot,
      // before this rule), and a lapsed primary's abandoned request is asked again whatever the
      // sync's ballot (ReissueAbandonedChange).
      {.kind = K::kConfigSync,
       .name = "config sync",
       .source = S::kReplica,
       .older = {A::kDrop},
       .equal = {A::kSameBallotStatusRule}},
      // assign_primary: the proposal must not be older than what the replica knows.
      {.kind = K::kAssignProposal,
       .name = "primary proposal",
       .source = S::kReplica,
       .older = {A::kDrop}},
      // on_config_proposal: only a primary adopts a newer configuration a proposal carries. A
      // proposal may arrive long after it was sent (held on a stalled connection), and a replica
      // that is not primary may since have been replaced (Pegasus adopts it whatever the status;
      // this departs from it: scenarios/regressions/pegasus_swarm_seed1597_stale_proposal.json).
      // A primary that resumed at an older ballot after its lease lapsed learns meta's newer one
      // this way, as it ignores config syncs
      // (scenarios/regressions/pegasus_swarm_seed525_stale_ballot_primary.json).
      {.kind = K::kMemberProposal,
       .name = "member proposal",
       .source = S::kReplica,
       .older = {A::kDrop},
       .newer = {A::kAdoptIfPrimary}},
      // on_update_configuration_on_meta_server_reply: Admit takes only the answer to the pending
      // request (its request_id; a ballot cannot tell an older request's refusal from the
      // pending one's). Behind that, a second guard: an ok reply below the requested ballot, or a
      // refusal that predates the configuration the request was based on, cannot answer it.
      // Admit compares the newest request ballot the reply can answer (an ok's own ballot, a
      // refusal's plus one) with the pending one's.
      {.kind = K::kUpdateConfigResponse,
       .name = "config update reply",
       .source = S::kPendingRequest,
       .older = {A::kDrop}},
      // on_add_learner: a learner of an older ballot is a straggler. At the same ballot a member
      // of that ballot does not learn: the handler drops it, after the signature rule.
      {.kind = K::kAddLearner, .name = "add-learner", .source = S::kReplica, .older = {A::kDrop}},
      // The learning signature names the round (it holds the primary's ballot): the handlers
      // compare it.
      {.kind = K::kLearn, .name = "learn request"},
      {.kind = K::kLearnResponse,
       .name = "learn response",
       .source = S::kReplica,
       .older = {A::kDrop},
       .newer = {A::kDrop}},
      {.kind = K::kLearnCompletionNotify, .name = "learn completion notice"},
      {.kind = K::kLearnCompletionResponse, .name = "learn completion reply"},
  });
}();

static_assert(kBallotRules.size() == static_cast<size_t>(DoorKind::kCount));
static_assert([] {
  for (size_t i = 0; i < kBallotRules.size(); ++i) {
    if (static_cast<size_t>(kBallotRules[i].kind) != i) return false;
  }
  return true;
}());

inline const BallotRule& BallotRuleOf(DoorKind kind) {
  return kBallotRules[static_cast<size_t>(kind)];
}

// One message's ballot as the front door compares it.
struct BallotClaim {
  DoorKind kind;
  BallotRelation relation;
  Ballot theirs;
  Ballot ours;                 // the replica's, or the pending request's (BallotSource)
  std::optional<NodeId> from;  // the sender, for the log
  const ReplicaConfiguration* primary_config = nullptr;  // for kAdoptFromPrimary
  const PartitionConfiguration* meta_config = nullptr;   // kAdoptIfPrimary, kSameBallotStatusRule
};

struct Admission {
  enum Verdict : uint8_t { kHandle, kDropped, kRefused };
  Verdict verdict = kDropped;
  ErrorCode refusal = ErrorCode::kOk;  // when kRefused
};

}  // namespace pg
