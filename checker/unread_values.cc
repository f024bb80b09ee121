#include "checker/unread_values.h"

#include <algorithm>
#include <map>
#include <set>

#include "checker/assert.h"

namespace pg::checker {
namespace {

using Pair = std::pair<int32_t, int32_t>;  // (slot, value id)

// Per slot: whether it may be merged (no incr reads it as a number), the checks that compare it
// (a cas by check type, check_and_mutate: (type, operand)), and the values some operation names.
struct Named {
  std::vector<bool> unmergeable;
  std::vector<std::vector<std::pair<CheckType, int32_t>>> checks;
  std::set<Pair> values;
};

Named FindNamed(const CompiledPartition& p) {
  Named n;
  n.unmergeable.assign(p.initial.size(), false);
  n.checks.resize(p.initial.size());
  for (size_t s = 0; s < p.initial.size(); ++s) n.values.insert({int32_t(s), p.initial[s]});
  for (const ModelOp& op : p.ops) {
    switch (op.f) {
      case Fn::kIncr:
        n.unmergeable[op.slot] = true;
        break;
      case Fn::kGet:
        if (op.observed) n.values.insert({op.slot, op.value});
        break;
      case Fn::kMultiGet:
        // By keys or by range, the pairs it returned.
        if (op.observed) n.values.insert(op.kvs.begin(), op.kvs.end());
        break;
      case Fn::kCas:
        // Ok or not, whether it wrote depended on this comparison; a check by another type
        // tells values apart by order, pattern or emptiness.
        if (op.checked) {
          n.checks[op.slot].emplace_back(op.check, op.operand);
        } else {
          n.values.insert({op.slot, op.expect});
        }
        break;
      case Fn::kCheckAndMutate:
        n.checks[op.slot].emplace_back(op.check, op.operand);
        break;
      default:
        // set, del, multi_set, multi_del write; sortkey_count sees only presence, which a
        // merge keeps (only present values are merged, into a present one).
        break;
    }
  }
  return n;
}

}  // namespace

size_t MergeUnreadValues(const CompiledPartition& p, std::vector<SearchOp>* ops) {
  // Two present values of a slot that no operation names or reads as a number, and on which
  // every check of the slot comes out the same, are interchangeable: every operation treats them
  // alike (a range read or sortkey_count sees only that the slot is present), so one stands for
  // both.
  const Named named = FindNamed(p);
  auto outcomes = [&](int32_t slot, int32_t v) {
    std::vector<CheckOutcome> out;
    for (const auto& [type, operand] : named.checks[slot]) {
      out.push_back(EvaluateCheck(type, v, operand, p.values));
    }
    return out;
  };
  // The merged pairs and their representative, in id order: the choice depends on ids alone.
  std::map<Pair, int32_t> to;
  std::map<std::pair<int32_t, std::vector<CheckOutcome>>, int32_t> representative;
  auto see = [&](int32_t slot, int32_t v) {
    if (v == kAbsent || named.unmergeable[slot] || named.values.contains({slot, v})) return;
    to.emplace(Pair{slot, v}, v);
  };
  for (const SearchOp& op : *ops) {
    const ModelOp& m = op.model;
    if (m.f == Fn::kSet) see(m.slot, m.value);
    if (m.f == Fn::kCas) see(m.slot, m.cas_set);
    if (m.f == Fn::kMultiSet || m.f == Fn::kCheckAndMutate) {
      for (const Pair& kv : m.kvs) see(kv.first, kv.second);
    }
  }
  for (auto& [kv, rep] : to) {
    rep = representative.try_emplace({kv.first, outcomes(kv.first, kv.second)}, kv.second)
              .first->second;
    CK_ASSERT_LE(rep, kv.second, "the representative has the smallest id");
  }
  auto map = [&](int32_t slot, int32_t* v) {
    auto it = to.find({slot, *v});
    if (it != to.end()) *v = it->second;
  };
  for (SearchOp& op : *ops) {
    ModelOp& m = op.model;
    if (m.f == Fn::kSet) map(m.slot, &m.value);
    if (m.f == Fn::kCas) map(m.slot, &m.cas_set);
    if (m.f == Fn::kMultiSet || m.f == Fn::kCheckAndMutate) {
      for (Pair& kv : m.kvs) map(kv.first, &kv.second);
    }
  }
  size_t merged = 0;
  for (const auto& [kv, rep] : to) merged += rep != kv.second;
  return merged;
}

}  // namespace pg::checker
