#pragma once
// A point on the simulated timeline, in milliseconds after time zero: the one spelling every
// test uses, so test files compiled together in one batch share it instead of each defining it.
#include <cstdint>

#include "core/common/time.h"

namespace pg::testing {

inline Time At(int64_t ms) { return Time::Zero() + Millis(ms); }

}  // namespace pg::testing
