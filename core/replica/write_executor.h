#pragma once
// Turns a client write into the updates a mutation replicates, on the primary. Atomic operations
// (incr, check_and_set) are executed here against the primary's applied state and replicated as
// their RESULT, a plain put (Pegasus's atomic_idempotent mode, apache/incubator-pegasus#2197):
// every replica then applies the same bytes and a re-prepared mutation cannot execute twice.
// The caller guarantees the row is quiet (no uncommitted mutation touches the hashkey), which is
// what Pegasus's per-partition-hash row lock gives it.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/common/result.h"
#include "core/common/status.h"
#include "core/common/time.h"
#include "core/proto/client_messages.h"
#include "core/proto/replication_messages.h"
#include "core/storage/kv_engine.h"

namespace pg {

inline bool IsAtomicWrite(OpKind k) { return k == OpKind::kIncr || k == OpKind::kCheckAndSet; }

// Argument checks that need no state: kInvalidArgument with why, or Ok. A client can send
// anything, so nothing here asserts.
Status ValidateClientRequest(const ClientRequest& req);

struct ExecutedWrite {
  Status status;                     // kInvalidArgument (no effect) or kIoError (engine)
  std::vector<WriteUpdate> updates;  // empty for a check_and_set that did not match
  int64_t new_value = 0;             // incr
  bool cas_matched = false;          // check_and_set
};

// Precondition (asserted): IsWrite(req.kind) and ValidateClientRequest(req).ok().
ExecutedWrite ExecuteWrite(const ClientRequest& req, const KvEngine& engine, Time now);

// The engine batch of a mutation's updates, in order; kCorruption for an update that is not a
// put or delete.
Result<WriteBatch> ToWriteBatch(const std::vector<WriteUpdate>& updates);

// Pegasus's incr parses the stored value as a decimal int64 (empty = 0); nullopt when it is not.
std::optional<int64_t> ParseIncrValue(std::string_view v);

}  // namespace pg
