#pragma once
// The meta server's node id in every step-level harness (meta, replica): one definition, so
// that test files built together in one batch agree on it.
#include "core/common/ids.h"

namespace pg::testing {

inline constexpr NodeId kMeta{0};

}  // namespace pg::testing
