#pragma once
// Learning: how a new or returning replica catches up with the primary before it joins the group
// (Pegasus src/replica/replica_learn.cpp, idl/replica_admin... learn_request/learn_response;
// PEGASUS.md §1.7). Every learner-bound message carries the learning signature: a learner that
// was dropped and re-added gets a new one, so answers meant for an earlier round are refused
// (Pegasus 6aa11dea4).
#include <cstdint>
#include <optional>
#include <vector>

#include "core/common/status.h"
#include "core/proto/codec.h"
#include "core/proto/kv_data.h"
#include "core/proto/pegasus_types.h"
#include "core/proto/replication_messages.h"

namespace pg {

// learn_type: where the learned state comes from.
enum class LearnType : uint8_t {
  kCache = 0,  // LT_CACHE: the primary's in-memory recent mutations
  kLog = 1,    // LT_LOG: the primary's private log
  kApp = 2,    // LT_APP: a checkpoint of the primary's engine (the learner's state is replaced)
};
std::string_view LearnTypeName(LearnType t);

// RPC_LEARN_ADD_LEARNER, primary -> learner (Pegasus sends a group_check_request with status
// PS_POTENTIAL_SECONDARY). config.learner_signature names the learning round.
struct AddLearnerRequest {
  static constexpr std::string_view kName = "AddLearnerRequest";
  ReplicaConfiguration config;
  int32_t partition_count = 0;
  PG_FIELDS(config, partition_count);
  bool operator==(const AddLearnerRequest&) const = default;
};

// RPC_LEARN, learner -> primary.
struct LearnRequest {
  static constexpr std::string_view kName = "LearnRequest";
  Gpid gpid;
  uint64_t signature = 0;
  // The learner's nth request of its round. rDSN matches an RPC's reply to its call and drops
  // the reply of a call that timed out; the learner keeps only the answer to its latest request.
  uint32_t request_in_round = 0;
  Decree last_committed_decree_in_app{0};
  PG_FIELDS(gpid, signature, request_in_round, last_committed_decree_in_app);
  bool operator==(const LearnRequest&) const = default;
};

struct LearnResponse {
  static constexpr std::string_view kName = "LearnResponse";
  Gpid gpid;
  ErrorCode error = ErrorCode::kOk;
  ReplicaConfiguration config;    // ballot, primary, signature of the round
  uint32_t request_in_round = 0;  // the request this answers
  LearnType type = LearnType::kCache;
  // 2PC covers the learner from this decree on: the primary sends it every prepare >= this.
  Decree prepare_start_decree{0};
  Decree last_committed_decree{0};  // the primary's commit point when it answered
  // kCache, kLog: committed mutations from the learner's next decree on, in decree order.
  std::vector<Mutation> mutations;
  // kApp: the primary's whole engine state.
  std::optional<Checkpoint> checkpoint;
  PG_FIELDS(gpid, error, config, request_in_round, type, prepare_start_decree,
            last_committed_decree, mutations, checkpoint);
  bool operator==(const LearnResponse&) const = default;
};

// RPC_LEARN_COMPLETION_NOTIFY, learner -> primary: it has learned everything below the prepare
// start decree and logged the prepares since.
struct LearnCompletionNotify {
  static constexpr std::string_view kName = "LearnCompletionNotify";
  Gpid gpid;
  uint64_t signature = 0;
  Decree last_committed_decree_in_app{0};
  PG_FIELDS(gpid, signature, last_committed_decree_in_app);
  bool operator==(const LearnCompletionNotify&) const = default;
};

struct LearnCompletionResponse {
  static constexpr std::string_view kName = "LearnCompletionResponse";
  Gpid gpid;
  uint64_t signature = 0;
  ErrorCode error = ErrorCode::kOk;  // kTryAgain: prepares still unacknowledged
  PG_FIELDS(gpid, signature, error);
  bool operator==(const LearnCompletionResponse&) const = default;
};

}  // namespace pg
