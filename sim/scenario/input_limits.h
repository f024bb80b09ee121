#pragma once
// The limits every input file is held to (docs/scenarios.md "Limits", docs/checker.md "Limits"),
// and the one way a file is read: its size is checked before anything is allocated for it, so a
// huge or endless file (/dev/zero) is a clear exit-2 error, never an out-of-memory crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/common/result.h"

namespace pg::sim {

struct InputLimits {
  static constexpr size_t kScenarioBytes = size_t{1} << 20;  // 1 MiB
  static constexpr size_t kVerdictBytes = size_t{64} << 20;  // 64 MiB
  static constexpr size_t kHistoryBytes = size_t{1} << 30;   // 1 GiB
  // Nesting of arrays and objects (JSON) or collections (EDN); real files need under 10.
  static constexpr int kJsonDepth = 64;
  static constexpr int kEdnDepth = 64;
  static constexpr size_t kFaults = 10'000;  // faults in one scenario or one verdict's knobs
  // Seeds in one --seeds range, and runs (scenarios x seeds) in one sweep.
  static constexpr uint64_t kSeedRange = 1'000'000'000;
  static constexpr uint64_t kSweepRuns = 10'000'000;
};

// Reads a whole file of at most max_bytes. Errors (kInvalidArgument) name the file and say why:
//   FILE: cannot open the scenario file: No such file or directory
//   FILE: expected a file (got a directory)
//   FILE: expected at most 1048576 bytes (got more)
// A regular file's size is checked before reading; any other file (a pipe, /dev/zero) is read
// only up to the limit.
Result<std::string> ReadInputFile(const std::string& path, size_t max_bytes, std::string_view what);

}  // namespace pg::sim
