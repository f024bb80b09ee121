#pragma once
// The checker's in-process API: Check(history) -> verdict, per-partition results, explanation.
// Deterministic: the verdict and report depend on the history alone, never on the thread count
// or the run -- unless a budget runs out, which only ever yields "unknown".
#include <cstddef>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "checker/history.h"
#include "checker/memory_account.h"
#include "checker/search.h"

namespace pg::checker {

struct CheckOptions {
  double timeout_s = 60;  // wall clock for the whole check
  // The memos and saved states of every search the check runs at once stay under this together
  // (with one thread, one search at a time). With `memory`, the caller's account is used
  // instead, and its cap: shared with other checks (the CLI shares one across its files).
  size_t memory_cap_bytes = size_t{1} << 30;
  MemoryAccount* memory = nullptr;
  // The step budgets of the search, round by round (docs/checker.md "Budget"): every partition
  // the fast paths leave undecided is searched with the first; those that ran out of steps are
  // searched again with the next, and so on, the last being the one left when it runs out. So
  // a hard partition cannot spend the deadline before an easy one after it is searched, and
  // which partitions a round decides depends on the history alone.
  std::vector<uint64_t> search_rounds = {uint64_t{1} << 20, uint64_t{1} << 23, uint64_t{1} << 26,
                                         std::numeric_limits<uint64_t>::max()};
  int threads = 1;
  // The fast paths, on by default; tests turn them off to compare against plain search.
  bool use_witness = true;
  bool prune_unknown = true;
  bool unique_values = true;
  bool staged_search = true;  // search without the unknown-outcome operations first
  bool dominance = true;      // SearchOptions::dominance
  bool merge_unread = true;   // MergeUnreadValues: values nothing reads are interchangeable
  // AddPresenceGuards: an unknown-outcome write of a sortkey nothing deletes or writes with a TTL
  // waits for the ok reads that saw it absent (presence_guards.h).
  bool presence_guards = true;
  // A one-sortkey register of get, set, del and cas: refutation by the versions unique values
  // make visible (version_refute.h), then a greedy order verified by the model (greedy_order.h).
  bool versions = true;
};

struct PartitionResult {
  std::string name;  // "h1" or "h1 [s0, s1]"
  std::string hashkey;
  std::vector<std::string> sortkeys;
  Verdict verdict = Verdict::kUnknown;
  // "witness", "search", "unique values", "versions", "greedy order"
  std::string decided_by;
  size_t operations = 0;  // operations in the partition (failed ones excluded)
  size_t pruned = 0;      // unknown-outcome operations dropped as irrelevant
  size_t bounded = 0;     // unknown-outcome writes given a deadline by a unique value
  uint64_t steps = 0;
  size_t memo_entries = 0;
  std::string unknown_reason;
  // Not ok: the longest linearizable prefix found (History operation ids, in order), the state it
  // leaves, and the operations that cannot be placed after it with the reason for each.
  std::vector<size_t> prefix;
  std::string state;
  std::vector<std::pair<size_t, std::string>> blocked;
};

struct CheckResult {
  Verdict verdict = Verdict::kOk;
  size_t operations = 0;
  std::vector<PartitionResult> partitions;  // in (hashkey, sortkey) order
  std::string explanation;                  // text for a person
  double elapsed_s = 0;                     // the one field that varies from run to run
};

CheckResult Check(const History& history, const CheckOptions& options);

// The report as JSON; elapsed_s is included only when asked, so that two reports compare equal.
nlohmann::json ToJson(const CheckResult& result, bool include_elapsed = true);

}  // namespace pg::checker
