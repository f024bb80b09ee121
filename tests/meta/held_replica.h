// What a dropped member reports holding when meta collects it for the all-replicas-down (DDD)
// rule: shared by the recovery tests and the bug zoo's DDD switches.
#pragma once

#include <cstdint>

#include "core/proto/pegasus_types.h"

namespace pg::testing {

// Three servers of a partition, named for the order in which the tests drop them.
inline constexpr NodeId kA{1}, kB{2}, kC{3};

inline ReplicaInfo Held(int64_t ballot, int64_t committed, int64_t prepared) {
  return ReplicaInfo{.gpid = {1, 0},
                     .ballot = Ballot(ballot),
                     .status = PartitionStatus::kInactive,
                     .last_committed_decree = Decree(committed),
                     .last_prepared_decree = Decree(prepared)};
}

}  // namespace pg::testing
