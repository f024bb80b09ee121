#pragma once
// Turns a client write into the updates a mutation replicates (on the primary), and a mutation's
// updates into the engine batch every replica applies. Atomic operations (incr, check_and_set,
// check_and_mutate) take one of two paths, as Pegasus's table option atomic_idempotent chooses:
//  - re-executed (Pegasus's default): the update carries the request, and each replica executes
//    it when it applies the mutation, against its own state (ApplyUpdates); the primary answers
//    the client from its own execution;
//  - idempotent (apache/incubator-pegasus#2197): executed here against the primary's applied
//    state and replicated as the RESULT, plain puts and deletes, so every replica applies the
//    same bytes.
//    The caller guarantees the row is quiet (no uncommitted mutation touches the hashkey).
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/common/bugs.h"
#include "core/common/result.h"
#include "core/common/status.h"
#include "core/common/time.h"
#include "core/proto/client_messages.h"
#include "core/proto/replication_messages.h"
#include "core/storage/kv_engine.h"

namespace pg {

inline bool IsAtomicWrite(OpKind k) {
  return k == OpKind::kIncr || k == OpKind::kCheckAndSet || k == OpKind::kCheckAndMutate;
}

// Argument checks that need no state: kInvalidArgument with why, or Ok. A client can send
// anything, so nothing here asserts.
Status ValidateClientRequest(const ClientRequest& req);

struct ExecutedWrite {
  Status status;                     // kInvalidArgument (no effect) or kIoError (engine)
  std::vector<WriteUpdate> updates;  // empty for a check that did not pass
  int64_t new_value = 0;             // incr
  bool cas_matched = false;          // check_and_set, check_and_mutate
};

// Precondition (asserted): IsWrite(req.kind) and ValidateClientRequest(req).ok(). With
// `atomic_idempotent` false an atomic operation is not executed: its update carries the request
// and reads nothing. `bugs`: the bug zoo's switches on this path (incr_read_error_resets).
ExecutedWrite ExecuteWrite(const ClientRequest& req, const KvEngine& engine, Time now,
                           bool atomic_idempotent, const BugSet& bugs);

// What applying one update did, for the primary's answer: an atomic update's outcome (status
// kInvalidArgument: no effect, as Pegasus's empty_put), or Ok for the others.
struct AppliedUpdate {
  Status status;
  int64_t new_value = 0;     // incr
  bool cas_matched = false;  // check_and_set, check_and_mutate: the check passed
};

struct AppliedUpdates {
  WriteBatch batch;
  std::vector<AppliedUpdate> outcomes;  // one per update, in order
};

// The engine batch of a mutation's updates, in order, executing atomic updates against `engine`'s
// state as the earlier updates of the same mutation leave it, judging TTLs at each update's
// timestamp (the primary's clock when it took the request; `apply_clock`, the applier's, with
// the switch atomic_expiry_at_apply_clock, as Pegasus does). kCorruption for an update of a kind
// no primary replicates; kIoError (or another engine error) when a read fails. `bugs` as for
// ExecuteWrite.
Result<AppliedUpdates> ApplyUpdates(const std::vector<WriteUpdate>& updates, const KvEngine& engine,
                                    const BugSet& bugs, Time apply_clock);

}  // namespace pg
