#pragma once
// Before searching a partition: drop unknown-outcome operations no observation can depend on,
// bound unknown-outcome writes that an observation proves happened, and find contradictions that
// unique written values prove outright. Every rule here is exact (see prepare.cc for the
// argument of each); none returns illegal from a guess.
#include <optional>
#include <string>
#include <vector>

#include "checker/history.h"
#include "checker/partition.h"
#include "checker/search.h"

namespace pg::checker {

struct PrepareOptions {
  bool prune_unknown = true;  // rules R1, R2, R3
  bool unique_values = true;  // rules U1 (deadlines), U2 and U3 (contradictions)
};

struct Prepared {
  std::vector<SearchOp> ops;
  std::vector<size_t> search_to_compiled;  // ops[i] is compiled op search_to_compiled[i]
  size_t pruned = 0;                       // unknown-outcome operations dropped (R1-R3)
  size_t bounded = 0;                      // unknown-outcome writes given a deadline (U1)
  // An exact proof of illegality: the compiled op that cannot be placed, and why.
  std::optional<size_t> contradiction_op;
  std::string contradiction;
};

Prepared Prepare(const History& history, const CompiledPartition& partition,
                 const std::vector<std::string>& slot_names, const PrepareOptions& options);

}  // namespace pg::checker
