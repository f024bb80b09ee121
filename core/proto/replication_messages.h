#pragma once
// Replica <-> replica messages of PacificA as Pegasus implements it (src/replica/replica_2pc.cpp,
// replica_check.cpp; PEGASUS.md §1.5, §1.6).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/common/status.h"
#include "core/proto/client_messages.h"
#include "core/proto/codec.h"
#include "core/proto/pegasus_types.h"

namespace pg {

// One write as replicated. A put, delete, multi-put or multi-remove is replicated as it is. An
// atomic operation (incr, check_and_set, check_and_mutate) is replicated as the request itself and
// executed by every replica when it applies the mutation, against its own state (Pegasus's default,
// atomic_idempotent false); or, in the atomic_idempotent mode (apache/incubator-pegasus#2197),
// executed on the primary and replicated as its result, puts and deletes (nothing for a check that
// failed).
struct WriteUpdate {
  // kSet, kDel, kMultiSet, kMultiDel; kIncr, kCheckAndSet or kCheckAndMutate when re-executed
  OpKind kind = OpKind::kSet;
  std::string hashkey;
  std::string sortkey;                     // check_and_mutate: the check sortkey
  std::string value;                       // a put's value; check_and_set's new value
  std::map<std::string, std::string> kvs;  // kMultiSet
  uint32_t expire_ts = 0;
  int64_t increment = 0;              // kIncr
  CasCheck check;                     // kCheckAndSet, kCheckAndMutate
  std::vector<std::string> sortkeys;  // kMultiDel
  std::vector<Mutate> mutations;      // kCheckAndMutate
  // Atomic updates: the primary's clock when it took the request (Pegasus's mutation header
  // timestamp), at which every replica judges the old value's TTL, so that replicas whose clocks
  // differ execute alike.
  Time timestamp;
  PG_FIELDS(kind, hashkey, sortkey, value, kvs, expire_ts, increment, check, sortkeys, mutations,
            timestamp);
  bool operator==(const WriteUpdate&) const = default;
};

// A mutation: (ballot, decree) plus the commit point known when it was prepared. No updates =
// an empty write (carries the commit point; fills reconciliation holes).
struct Mutation {
  Ballot ballot{0};
  Decree decree{0};
  Decree last_committed_decree{0};
  std::vector<WriteUpdate> updates;
  PG_FIELDS(ballot, decree, last_committed_decree, updates);
  bool operator==(const Mutation&) const = default;
};

// RPC_PREPARE, primary -> secondaries and learners.
struct PrepareRequest {
  static constexpr std::string_view kName = "PrepareRequest";
  ReplicaConfiguration config;  // the receiver's expected configuration
  Mutation mutation;
  PG_FIELDS(config, mutation);
  bool operator==(const PrepareRequest&) const = default;
};

// prepare_ack.
struct PrepareAck {
  static constexpr std::string_view kName = "PrepareAck";
  Gpid gpid;
  ErrorCode error = ErrorCode::kOk;
  Ballot ballot{0};
  Decree decree{0};
  Decree last_committed_decree_in_app{0};
  Decree last_committed_decree_in_prepare_list{0};
  PG_FIELDS(gpid, error, ballot, decree, last_committed_decree_in_app,
            last_committed_decree_in_prepare_list);
  bool operator==(const PrepareAck&) const = default;
};

// RPC_GROUP_CHECK, primary -> members.
struct GroupCheckRequest {
  static constexpr std::string_view kName = "GroupCheckRequest";
  ReplicaConfiguration config;
  Decree last_committed_decree{0};
  PG_FIELDS(config, last_committed_decree);
  bool operator==(const GroupCheckRequest&) const = default;
};

struct GroupCheckResponse {
  static constexpr std::string_view kName = "GroupCheckResponse";
  Gpid gpid;
  ErrorCode error = ErrorCode::kOk;
  Ballot ballot{0};
  Decree last_committed_decree_in_app{0};
  Decree last_committed_decree_in_prepare_list{0};
  PG_FIELDS(gpid, error, ballot, last_committed_decree_in_app,
            last_committed_decree_in_prepare_list);
  bool operator==(const GroupCheckResponse&) const = default;
};

// RPC_REMOVE_REPLICA (one-way), primary -> a removed member.
struct RemoveReplica {
  static constexpr std::string_view kName = "RemoveReplica";
  ReplicaConfiguration config;
  PG_FIELDS(config);
  bool operator==(const RemoveReplica&) const = default;
};

}  // namespace pg
