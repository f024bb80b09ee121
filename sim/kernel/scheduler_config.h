#pragma once
// Which delivery policy orders a run's message deliveries (schedulers.h), as a scenario's
// "scheduler" section resolves to it.
#include <cstdint>
#include <string>

namespace pg::sim {

// "timed" (the default: no policy), "random" or "pct"; depth and steps matter only for "pct".
struct SchedulerConfig {
  std::string kind = "timed";
  int depth = 3;
  int64_t steps = 2000;
  bool operator==(const SchedulerConfig&) const = default;
};

}  // namespace pg::sim
