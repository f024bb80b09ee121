#pragma once
// `pegasim check` of many histories in one process: files checked in parallel (--jobs), one
// verdict line per file in input order whatever the job count, then a summary line.
#include <vector>

#include "checker/check.h"
#include "cli/check_inputs.h"

namespace pg::cli {

struct BatchSettings {
  checker::CheckOptions check;  // per history: --timeout, --memory-cap-mb, --threads
  LoadOptions load;
  int jobs = 1;
  bool json = false;
};

// Prints the verdicts (text or one JSON document) to stdout; returns the exit code: 2 if any
// input is bad, else 1 if any history is illegal, else 3 if any is unknown, else 0.
int RunBatch(const std::vector<CheckInput>& inputs, const BatchSettings& settings);

}  // namespace pg::cli
