#include "checker/unread_values.h"

#include <algorithm>
#include <map>
#include <set>

#include "checker/assert.h"

namespace pg::checker {
namespace {

using Pair = std::pair<int32_t, int32_t>;  // (slot, value id)

// Per slot: whether it may be merged (no incr), and the values some operation names.
struct Named {
  std::vector<bool> has_incr;
  std::set<Pair> values;
};

Named FindNamed(const CompiledPartition& p) {
  Named n;
  n.has_incr.assign(p.initial.size(), false);
  for (size_t s = 0; s < p.initial.size(); ++s) n.values.insert({int32_t(s), p.initial[s]});
  for (const ModelOp& op : p.ops) {
    switch (op.f) {
      case Fn::kIncr:
        n.has_incr[op.slot] = true;
        break;
      case Fn::kGet:
        if (op.observed) n.values.insert({op.slot, op.value});
        break;
      case Fn::kMultiGet:
        if (op.observed) n.values.insert(op.kvs.begin(), op.kvs.end());
        break;
      case Fn::kCas:
        // Ok or not, whether it wrote depended on this comparison.
        n.values.insert({op.slot, op.expect});
        break;
      default:
        break;
    }
  }
  return n;
}

}  // namespace

size_t MergeUnreadValues(const CompiledPartition& p, std::vector<SearchOp>* ops) {
  // A check tells values apart by order, pattern, emptiness or integer value, and a check's
  // operand or a check_and_mutate's write is not among the pairs seen below: with any
  // extended operation (model.h), values are kept apart.
  if (std::any_of(ops->begin(), ops->end(),
                  [](const SearchOp& op) { return IsExtended(op.model); })) {
    return 0;
  }
  const Named named = FindNamed(p);
  // The merged pairs and their representative, in id order: the choice depends on ids alone.
  std::map<Pair, int32_t> to;
  std::vector<int32_t> representative(p.initial.size(), kAbsent);
  auto see = [&](int32_t slot, int32_t v) {
    if (v == kAbsent || named.has_incr[slot] || named.values.contains({slot, v})) return;
    to.emplace(Pair{slot, v}, v);
  };
  for (const SearchOp& op : *ops) {
    const ModelOp& m = op.model;
    if (m.f == Fn::kSet) see(m.slot, m.value);
    if (m.f == Fn::kCas) see(m.slot, m.cas_set);
    if (m.f == Fn::kMultiSet) {
      for (const Pair& kv : m.kvs) see(kv.first, kv.second);
    }
  }
  for (auto& [kv, rep] : to) {
    if (representative[kv.first] == kAbsent) representative[kv.first] = kv.second;
    rep = representative[kv.first];
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
    if (m.f == Fn::kMultiSet) {
      for (Pair& kv : m.kvs) map(kv.first, &kv.second);
    }
  }
  size_t merged = 0;
  for (const auto& [kv, rep] : to) merged += rep != kv.second;
  return merged;
}

}  // namespace pg::checker
