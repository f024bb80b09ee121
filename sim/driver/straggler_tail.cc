#include "sim/driver/straggler_tail.h"

#include <algorithm>
#include <variant>

namespace pg::sim {

int64_t StragglerTailMs(const Knobs& knobs) {
  int64_t tail = 0;
  for (const Fault& fault : knobs.faults) {
    const auto* d = std::get_if<DelayFault>(&fault.action);
    if (d == nullptr || d->mode != "straggle" || !d->delay_ms) continue;
    const int64_t last_departure = std::min(fault.at_ms + d->duration_ms, knobs.duration_ms);
    tail = std::max(tail, last_departure + *d->delay_ms - knobs.duration_ms);
  }
  return tail;
}

bool KeepsStragglerTail(const Knobs& candidate, const Knobs& original) {
  if (candidate.liveness_ms == 0) return true;
  const int64_t bound = std::max(candidate.liveness_ms / 3, StragglerTailMs(original));
  return StragglerTailMs(candidate) <= bound;
}

}  // namespace pg::sim
