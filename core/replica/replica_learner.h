#pragma once
// Internal to core/replica (replica.h includes it for Replica::learning_'s type). The learner's
// own state while PS_POTENTIAL_SECONDARY, Pegasus's potential_secondary_context. Its handlers are
// in replica_learner.cc.
#include <cstdint>
#include <optional>

#include "core/common/ids.h"

namespace pg {

struct LearnerState {
  uint64_t signature = 0;
  Decree prepare_start{0};  // 0 until the first response
  bool caught_up = false;   // learned everything below prepare_start; notifying the primary
  int unanswered = 0;       // requests sent since the last response
  // Learn requests sent in this round; an answer to an earlier one is late and ignored (the
  // retry asked again, and its answer may already have brought newer state).
  uint32_t requests = 0;
  // The latest request's answer was taken. A second answer to it is stale the same way: a
  // request the network duplicated, or one a removed replica of this gpid sent under the same
  // signature and number, is answered twice, and the answer served first may arrive last.
  bool answer_taken = false;
  // Set while the completion notice waits for the log appends issued up to this token (the
  // learned mutations among them) to complete.
  std::optional<uint64_t> completion_after_token;
};

}  // namespace pg
