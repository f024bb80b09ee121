#include "checker/check.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "checker/assert.h"
#include "checker/explain.h"
#include "checker/greedy_order.h"
#include "checker/partition.h"
#include "checker/prepare.h"
#include "checker/presence_guards.h"
#include "checker/staged_search.h"
#include "checker/unread_values.h"
#include "checker/version_refute.h"
#include "checker/witness.h"
#include "checker/zones.h"

namespace pg::checker {
namespace {

// When unique values prove a partition illegal, a search this long looks for the longest
// linearizable prefix to show; a step count keeps the report independent of machine speed.
constexpr uint64_t kExplainSteps = 2'000'000;

std::string ShowState(const State& s, const ValueTable& values,
                      const std::vector<std::string>& names) {
  CK_ASSERT_EQ(s.size(), names.size(), "one name per slot");
  std::vector<std::string> parts;
  for (size_t i = 0; i < s.size(); ++i) {
    parts.push_back(fmt::format("{} = {}", names[i], values.Show(s[i])));
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

// The operations that cannot be placed right after the prefix: the one whose return the search
// could not pass, then every other pending operation the state rejects.
void FillBlocked(const History& h, const Prepared& prep, const SearchOutcome& s,
                 CompiledPartition* c, const std::vector<std::string>& names, PartitionResult* r) {
  CK_ASSERT_LT(s.blocked, prep.ops.size());
  std::vector<bool> in_prefix(prep.ops.size(), false);
  for (size_t i : s.linearization) {
    CK_ASSERT(i < prep.ops.size() && !in_prefix[i], "op {} twice in the prefix", i);
    in_prefix[i] = true;
  }
  CK_ASSERT(!in_prefix[s.blocked], "the blocked op {} is in the prefix", s.blocked);
  const SearchOp& blocked = prep.ops[s.blocked];
  auto reason = [&](const SearchOp& op) -> std::optional<std::string> {
    State st = s.state;
    if (Step(op.model, &st, &c->values)) return std::nullopt;
    return WhyRejected(op.model, s.state, c->values, names);
  };
  auto why = reason(blocked);
  // The search blocks only at a return: the blocked op has one (its own, or a deadline).
  CK_ASSERT_NE(blocked.return_pos, kNoReturn, "op {}", blocked.model.op_id);
  if (!why && !blocked.model.observed) {
    why = fmt::format(
        "its value was observed by an operation completing at line {}, so it must "
        "take effect by then, and no order allows it",
        h.events[blocked.return_pos].line);
  }
  r->blocked.emplace_back(blocked.model.op_id,
                          why.value_or("it fits here, but every order of the operations "
                                       "concurrent with it fails later"));
  for (size_t i = 0; i < prep.ops.size(); ++i) {
    const SearchOp& op = prep.ops[i];
    if (i == s.blocked || in_prefix[i] || !op.model.observed) continue;
    if (op.call_pos > blocked.return_pos) break;
    if (auto w = reason(op)) r->blocked.emplace_back(op.model.op_id, *w);
  }
}

// search: false stops before the search a partition the fast paths leave undecided (verdict
// unknown, decided_by empty); an illegal one still gets its explanation's bounded search.
// The fast paths and the pruning rules reason about values that stay until overwritten; a value
// with a TTL may vanish on its own (model_expiry.cc), so a partition holding one is searched
// with none of them. Its verdicts then rest on the search alone, and on what holds for any model:
// a witness is verified by the model, the staged search and the memo's dominance only need Step
// to be a function of the state and the operation (twins also compare the windows an expiring
// value is judged by: search.cc), and the presence guards treat a TTL as a way to vanish.
CheckOptions ForPartition(const CompiledPartition& c, const CheckOptions& o) {
  if (!c.has_expiry()) return o;
  CheckOptions plain = o;
  plain.prune_unknown = false;
  plain.unique_values = false;
  plain.merge_unread = false;
  plain.versions = false;
  return plain;
}

PartitionResult CheckPartition(const History& h, const Partition& part, const CheckOptions& options,
                               const SearchBudget& budget, bool search) {
  PartitionResult r;
  r.name = part.name;
  r.hashkey = part.hashkey;
  r.sortkeys = part.sortkeys;
  r.operations = part.op_ids.size();
  CompiledPartition c = Compile(h, part);
  const CheckOptions o = ForPartition(c, options);
  std::vector<size_t> order;
  if (o.use_witness && VerifyWitness(h, &c, &order)) {
    r.verdict = Verdict::kOk;
    r.decided_by = "witness";
    return r;
  }
  const Prepared prep = Prepare(
      h, c, part.sortkeys, {.prune_unknown = o.prune_unknown, .unique_values = o.unique_values});
  r.pruned = prep.pruned;
  r.bounded = prep.bounded;
  if (prep.contradiction_op) {
    r.verdict = Verdict::kIllegal;
    r.decided_by = "unique values";
    r.blocked.emplace_back(c.ops[*prep.contradiction_op].op_id, prep.contradiction);
    return r;
  }
  std::optional<ZoneVerdict> zones;
  if (o.unique_values) zones = DecideByZones(h, c, prep.ops);
  if (zones && zones->verdict == Verdict::kOk) {
    r.verdict = Verdict::kOk;
    r.decided_by = "unique values";
    return r;
  }
  const char* decided_by = "unique values";
  if (o.versions && !zones) {
    if (auto versions = BuildVersions(h, c, prep.ops)) {
      zones = RefuteByVersions(h, c, prep.ops, *versions);
      decided_by = "versions";
      if (!zones && GreedyOrder(h, &c, prep.ops, *versions)) {
        r.verdict = Verdict::kOk;
        r.decided_by = "greedy order";
        return r;
      }
    }
  }
  if (!zones && !search) return r;
  SearchBudget limited = budget;
  if (zones) limited.max_steps = kExplainSteps;  // only to find a prefix for the explanation
  std::vector<SearchOp> ops = prep.ops;
  if (o.merge_unread) MergeUnreadValues(c, &ops);
  if (o.presence_guards) AddPresenceGuards(c, &ops);
  SearchOutcome s =
      SearchInStages(ops, c.initial, &c.values, limited,
                     {.staged = o.staged_search, .search = {.dominance = o.dominance}});
  // The zone test and the search agree whenever the search finishes.
  CK_ASSERT(!zones || s.verdict != Verdict::kOk, "zones found {} illegal, the search did not",
            part.name);
  CK_ASSERT(s.verdict == Verdict::kUnknown || s.unknown_reason.empty(), "{}", part.name);
  r.verdict = zones ? Verdict::kIllegal : s.verdict;
  r.decided_by = zones ? decided_by : "search";
  if (zones) r.blocked.emplace_back(zones->ops.front(), zones->why);
  r.steps = s.steps;
  r.memo_entries = s.memo_entries;
  r.unknown_reason = zones ? "" : s.unknown_reason;
  if (s.verdict == Verdict::kOk) return r;
  for (size_t i : s.linearization) r.prefix.push_back(prep.ops[i].model.op_id);
  r.state = ShowState(s.state, c.values, part.sortkeys);
  if (s.blocked != kNoReturn) FillBlocked(h, prep, s, &c, part.sortkeys, &r);
  return r;
}

// CheckPartition on parts[which[..]], into result->partitions. Workers take partitions in
// order; each result lands in its own slot, so the report is the same whatever the thread count.
void CheckEach(const History& history, const std::vector<Partition>& parts,
               const CheckOptions& options, const SearchBudget& budget,
               const std::vector<size_t>& which, bool search, CheckResult* result) {
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t k = next++; k < which.size(); k = next++) {
      const size_t i = which[k];
      result->partitions[i] = CheckPartition(history, parts[i], options, budget, search);
    }
  };
  const size_t threads = std::min(which.size(), static_cast<size_t>(std::max(1, options.threads)));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  CK_ASSERT_GE(next.load(), which.size(), "a partition left unchecked");
}

// The search pass, round by round (CheckOptions::search_rounds): a partition goes on to the next
// round only when its steps ran out, and reports the steps of every round it was searched in.
// One partition left has no other to starve: it goes straight to the last round, since every
// round searches from the start again.
void SearchInRounds(const History& history, const std::vector<Partition>& parts,
                    const CheckOptions& options, const SearchBudget& budget,
                    std::vector<size_t> pending, CheckResult* result) {
  CK_ASSERT(!options.search_rounds.empty(), "no search round");
  std::vector<uint64_t> spent(parts.size(), 0);
  for (size_t round = 0; round < options.search_rounds.size() && !pending.empty(); ++round) {
    if (pending.size() == 1) round = options.search_rounds.size() - 1;
    SearchBudget limited = budget;
    limited.max_steps = options.search_rounds[round];
    CheckEach(history, parts, options, limited, pending, true, result);
    std::vector<size_t> next;
    for (size_t i : pending) {
      PartitionResult& p = result->partitions[i];
      p.steps += spent[i];
      spent[i] = p.steps;
      const bool last = round + 1 == options.search_rounds.size();
      if (!last && p.verdict == Verdict::kUnknown && p.unknown_reason == "step limit") {
        next.push_back(i);
      }
    }
    pending = std::move(next);
  }
}

}  // namespace

CheckResult Check(const History& history, const CheckOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  CheckResult result;
  result.operations = history.operations.size();
  if (auto err = CheckableHistory(history)) {
    // Not a verdict on the history: it cannot be judged as given (check.h's callers see unknown).
    result.verdict = Verdict::kUnknown;
    result.explanation = "cannot check: " + err->ToString();
    return result;
  }
  const std::vector<Partition> parts = SplitPartitions(history);
  result.partitions.resize(parts.size());
  SearchBudget budget;
  budget.deadline = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                std::chrono::duration<double>(std::max(0.0, options.timeout_s)));
  MemoryAccount own(options.memory_cap_bytes);
  budget.memory = options.memory != nullptr ? options.memory : &own;
  // First the fast paths on every partition, then the search on those they leave undecided,
  // unless one is already illegal: the history is, and the search would only spend the budget
  // (10 partitions of 10k operations: the 9 legal ones a search each). Both passes depend on the
  // history alone, so which partitions are searched never depends on threads or time.
  std::vector<size_t> all(parts.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  CheckEach(history, parts, options, budget, all, false, &result);
  std::vector<size_t> undecided;
  bool illegal = false;
  for (size_t i = 0; i < parts.size(); ++i) {
    const PartitionResult& p = result.partitions[i];
    illegal = illegal || p.verdict == Verdict::kIllegal;
    if (p.decided_by.empty()) undecided.push_back(i);
  }
  if (!illegal) SearchInRounds(history, parts, options, budget, undecided, &result);
  for (size_t i : undecided) {
    PartitionResult& p = result.partitions[i];
    if (!p.decided_by.empty()) continue;
    p.decided_by = "not searched";
    p.unknown_reason = "another partition is illegal";
  }
  result.verdict = Verdict::kOk;
  for (const auto& p : result.partitions) {
    if (p.verdict == Verdict::kIllegal) result.verdict = Verdict::kIllegal;
    if (p.verdict == Verdict::kUnknown && result.verdict == Verdict::kOk) {
      result.verdict = Verdict::kUnknown;
    }
  }
  result.explanation = Explain(history, result);
  result.elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

nlohmann::json ToJson(const CheckResult& r, bool include_elapsed) {
  using nlohmann::json;
  // Built by assignment, each value moved in: an initializer list copies every value it holds (the
  // partitions twice), and a report of a run with rotating keys holds thousands of partitions.
  // json keeps keys sorted, so the text is the same either way.
  json parts = json::array();
  parts.get_ref<json::array_t&>().reserve(r.partitions.size());
  for (const auto& p : r.partitions) {
    json blocked = json::array();
    for (const auto& [id, why] : p.blocked) blocked.push_back({{"op", id}, {"why", why}});
    json part = json::object();
    part["name"] = p.name;
    part["hashkey"] = p.hashkey;
    part["sortkeys"] = p.sortkeys;
    part["verdict"] = VerdictName(p.verdict);
    part["decided_by"] = p.decided_by;
    part["operations"] = p.operations;
    part["pruned"] = p.pruned;
    part["bounded"] = p.bounded;
    part["steps"] = p.steps;
    part["memo_entries"] = p.memo_entries;
    part["unknown_reason"] = p.unknown_reason;
    part["prefix"] = p.prefix;
    part["state"] = p.state;
    part["blocked"] = std::move(blocked);
    parts.push_back(std::move(part));
  }
  json j = json::object();
  j["verdict"] = VerdictName(r.verdict);
  j["operations"] = r.operations;
  j["partitions"] = std::move(parts);
  j["explanation"] = r.explanation;
  if (include_elapsed) j["elapsed_s"] = r.elapsed_s;
  return j;
}

}  // namespace pg::checker
