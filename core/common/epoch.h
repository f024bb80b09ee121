#pragma once
// Pegasus's epoch seconds (utils::epoch_now): the unit of a value's expire_ts, which the client
// computes from its clock (pegasus_client_impl.cpp) and the serving replica compares with its own.
#include <cstdint>

#include "core/common/time.h"

namespace pg {

// The node's local clock reads 0 at Pegasus's epoch_begin: seconds since then, clamped to u32.
uint32_t EpochSeconds(Time now);

}  // namespace pg
