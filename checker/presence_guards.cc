#include "checker/presence_guards.h"

#include <algorithm>

#include "checker/assert.h"

namespace pg::checker {
namespace {

// Per slot: whether some operation may leave it absent (a delete) or expiring (a TTL value).
// Every write counts whatever its outcome: a guard must hold in every order of the operations.
std::vector<bool> MayVanish(const CompiledPartition& p, const std::vector<SearchOp>& ops) {
  std::vector<bool> vanish(p.initial.size(), false);
  auto write = [&](int32_t slot, int32_t v) {
    CK_ASSERT(slot >= 0 && static_cast<size_t>(slot) < vanish.size(), "slot {}", slot);
    if (v == kAbsent || p.values.TtlOf(v) != nullptr) vanish[slot] = true;
  };
  for (const SearchOp& op : ops) {
    const ModelOp& m = op.model;
    if (m.f == Fn::kSet) write(m.slot, m.value);
    if (m.f == Fn::kDel) write(m.slot, kAbsent);
    if (m.f == Fn::kCas) write(m.slot, m.cas_set);
    // multi_del's pairs are (slot, absent); check_and_mutate's the net effect of its mutations.
    if (m.f == Fn::kMultiSet || m.f == Fn::kMultiDel || m.f == Fn::kCheckAndMutate) {
      for (const auto& [slot, v] : m.kvs) write(slot, v);
    }
    // incr writes a number, present and without a TTL, or nothing.
  }
  return vanish;
}

// The slots an ok operation saw absent. A range read cut off by its limit may have left out a
// present slot, so only one that returned fewer than its limit saw its unreturned slots absent.
std::vector<int32_t> SeenAbsent(const ModelOp& m) {
  std::vector<int32_t> out;
  if (!m.observed) return out;
  if (m.f == Fn::kGet && m.value == kAbsent) out.push_back(m.slot);
  if (m.f == Fn::kCas && !m.checked && m.cas_result && m.expect == kAbsent) {
    out.push_back(m.slot);
  }
  if (m.f == Fn::kMultiGet && !m.ranged) {
    for (const auto& [slot, v] : m.kvs) {
      if (v == kAbsent) out.push_back(slot);
    }
  }
  if (m.f == Fn::kMultiGet && m.ranged && static_cast<int64_t>(m.kvs.size()) < m.limit) {
    for (int32_t slot : m.range) {
      const bool returned =
          std::any_of(m.kvs.begin(), m.kvs.end(), [&](const auto& kv) { return kv.first == slot; });
      if (!returned) out.push_back(slot);
    }
  }
  return out;
}

// The slots an unknown-outcome operation surely leaves present once accepted.
std::vector<int32_t> LeavesPresent(const ModelOp& m) {
  if (m.observed) return {};
  if (m.f == Fn::kSet || m.f == Fn::kIncr) return {m.slot};
  std::vector<int32_t> out;
  if (m.f == Fn::kMultiSet) {
    for (const auto& [slot, v] : m.kvs) out.push_back(slot);
  }
  return out;
}

}  // namespace

size_t AddPresenceGuards(const CompiledPartition& p, std::vector<SearchOp>* ops) {
  const std::vector<bool> vanish = MayVanish(p, *ops);
  std::vector<std::vector<size_t>> absent_reads(vanish.size());  // per lasting slot: calls
  for (const SearchOp& op : *ops) {
    for (int32_t slot : SeenAbsent(op.model)) {
      if (!vanish[slot]) absent_reads[slot].push_back(op.call_pos);
    }
  }
  size_t guarded = 0;
  for (SearchOp& op : *ops) {
    std::vector<size_t> after;
    for (int32_t slot : LeavesPresent(op.model)) {
      // A set of a present value: a slot it writes is lasting only if no op (itself included)
      // writes it absent or with a TTL, which MayVanish saw.
      if (vanish[slot]) continue;
      after.insert(after.end(), absent_reads[slot].begin(), absent_reads[slot].end());
    }
    std::sort(after.begin(), after.end());
    after.erase(std::unique(after.begin(), after.end()), after.end());
    guarded += after.empty() ? 0 : 1;
    op.after_calls = std::move(after);
  }
  return guarded;
}

}  // namespace pg::checker
