#pragma once
// Internal to core/replica (replica.h includes it for Replica::primary_'s type). The primary's
// private state, Pegasus's primary_context reduced to what pegasim runs: the progress of every
// prepare in flight, the client replies waiting for their commit, the writes waiting to enter
// 2PC, the pending configuration change and the learners of this ballot. Its handlers are in
// replica_primary_write.cc (writes, 2PC, prepare timeouts), replica_read.cc,
// replica_check.cc (group check), replica_reconfig.cc (config changes) and
// replica_learn_primary.cc (learners).
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/common/ids.h"
#include "core/common/time.h"
#include "core/proto/client_messages.h"
#include "core/proto/meta_messages.h"
#include "core/replica/write_queue.h"

namespace pg {

struct PrepareProgress {
  std::set<NodeId> awaiting;  // secondaries of the current ballot that have not acked
  Time sent;
};

struct PendingReply {
  NodeId client;
  ClientResponse response;
  // A re-executed atomic write: its outcome (error, new_value, cas_matched) is the primary's own
  // execution when it applies the decree.
  bool answer_from_apply = false;
};

// What the primary knows of one learner (Pegasus's remote_learner_state).
struct LearnerProgress {
  uint64_t signature = 0;
  // Set by the learner's first request: every prepare from this decree on goes to it too.
  std::optional<Decree> prepare_start;
  // Prepares sent to the learner and not yet acked, with their send time. The learner becomes
  // a secondary only with no committed one outstanding; one outstanding past prepare_timeout
  // drops it.
  std::map<Decree, Time> unacked;
  // Set by a completion notice that found committed prepares unacked: from then on a decree
  // commits only once the learner acked it too, so those drain and the learner can join. Without
  // it a learner whose link is slower than the write stream never joins (PCT-scheduled swarm:
  // scenarios/regressions/pegasus_swarm_pct_seed874_learner_never_joins.json).
  bool joining = false;
  // Added by the balancer (CT_ADD_SECONDARY_FOR_LB): it may join past the replica count, since
  // meta removes the replica it copies once it has joined.
  bool for_lb = false;
};

// Pegasus's primary_context, reduced to what pegasim runs.
struct PrimaryState {
  // Invariant: keys are in (last_committed, last_prepared].
  std::map<Decree, PrepareProgress> progress;
  // The clients a prepared mutation answers at its commit (several for a batch). Invariant: keys
  // are in (last_committed, last_prepared].
  std::map<Decree, std::vector<PendingReply>> replies;
  // Client writes not yet prepared (Pegasus's primary_context::write_queue).
  WriteQueue write_queue;
  Time last_prepare_time;
  // Set while the kPrepareTimeout timer is armed: re-arming on every prepare would push the
  // deadline of older prepares forever under a steady load.
  bool prepare_timer_armed = false;
  // Prepares a secondary answered with a transient error (kInactiveState, kTryAgain): resent
  // on kPrepareRetry while their prepare timeout has not fired (Pegasus retries them too).
  // Invariant: non-empty only while the replica is primary (SetStatus clears it on leaving).
  std::set<std::pair<Decree, NodeId>> retries;
  // Reads are refused until the commit point reaches this (a new primary's uncommitted
  // suffix may hold writes older than what it has applied; PEGASUS.md §1.8).
  Decree last_prepare_decree_on_new_primary{0};
  // Invariant: set only while PS_INACTIVE (transient), its ballot above the replica's.
  std::optional<UpdateConfigRequest> pending_change;
  // Learners of this ballot (primary_context::learners): a ballot change drops them all.
  std::map<NodeId, LearnerProgress> learners;
};

}  // namespace pg
