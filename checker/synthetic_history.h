#pragma once
// Synthetic register histories for benchmarks and tests: clients run get/set operations with
// random durations against a sequentially executed store, so the history is linearizable by
// construction (each operation takes effect at a random point within its interval). Written
// values are unique. Optionally one read is made stale, which makes the history illegal.
#include <cstdint>

#include "checker/history.h"

namespace pg::checker {

struct SyntheticOptions {
  uint64_t seed = 1;
  int clients = 4;
  int operations = 1000;
  int hashkeys = 1;
  int sortkeys = 1;
  double read_fraction = 0.5;     // the rest are sets
  double unknown_fraction = 0.0;  // completions turned into info (half of those take effect)
  bool corrupt = false;           // one read returns a value two writes stale
  bool witness = false;           // record each effect's position in its hashkey's order
};

History SyntheticHistory(const SyntheticOptions& options);

}  // namespace pg::checker
