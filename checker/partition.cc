#include "checker/partition.h"

#include <algorithm>
#include <map>

#include "checker/assert.h"

namespace pg::checker {
namespace {

std::vector<std::string> TouchedSortkeys(const Operation& op) {
  if (op.outcome == Outcome::kFail) return {};
  if (!IsMulti(op.f)) return {op.sortkey};
  std::vector<std::string> keys;
  for (const auto& [k, v] : op.kvs) keys.push_back(k);
  return keys;  // an info multi_get has no kvs: it knows nothing and changes nothing
}

// Union-find over the sortkeys of one hashkey.
class SortkeyGroups {
 public:
  std::string Find(const std::string& k) {
    auto it = parent_.try_emplace(k, k).first;
    if (it->second == k) return k;
    std::string root = Find(it->second);
    parent_[k] = root;
    return root;
  }
  void Join(const std::string& a, const std::string& b) {
    std::string ra = Find(a), rb = Find(b);
    if (ra != rb) parent_[std::max(ra, rb)] = std::min(ra, rb);
  }

 private:
  std::map<std::string, std::string> parent_;
};

}  // namespace

std::vector<Partition> SplitPartitions(const History& history) {
  std::map<std::string, SortkeyGroups> groups;
  for (const Operation& op : history.operations) {
    auto keys = TouchedSortkeys(op);
    for (const auto& k : keys) groups[op.hashkey].Join(keys.front(), k);
  }
  // (hashkey, root sortkey) -> partition; std::map keeps the output order deterministic.
  std::map<std::pair<std::string, std::string>, Partition> parts;
  for (const Operation& op : history.operations) {
    auto keys = TouchedSortkeys(op);
    if (keys.empty()) continue;
    Partition& p = parts[{op.hashkey, groups[op.hashkey].Find(keys.front())}];
    p.hashkey = op.hashkey;
    p.op_ids.push_back(op.id);
    for (const auto& k : keys) p.sortkeys.push_back(k);
  }
  std::map<std::string, size_t> per_hashkey;
  for (const auto& [key, p] : parts) ++per_hashkey[key.first];
  std::vector<Partition> out;
  for (auto& [key, p] : parts) {
    std::sort(p.sortkeys.begin(), p.sortkeys.end());
    p.sortkeys.erase(std::unique(p.sortkeys.begin(), p.sortkeys.end()), p.sortkeys.end());
    p.name = per_hashkey[key.first] == 1
                 ? p.hashkey
                 : fmt::format("{} [{}]", p.hashkey, fmt::join(p.sortkeys, ", "));
    // Compile's binary search needs sorted slots; the search needs ops in invocation order.
    CK_ASSERT(!p.op_ids.empty() && !p.sortkeys.empty(), "partition {}", p.name);
    CK_ASSERT(std::is_sorted(p.op_ids.begin(), p.op_ids.end()), "partition {}", p.name);
    out.push_back(std::move(p));
  }
  return out;
}

CompiledPartition Compile(const History& history, const Partition& partition) {
  CompiledPartition c;
  auto slot = [&](const std::string& k) {
    const auto s = static_cast<int32_t>(
        std::lower_bound(partition.sortkeys.begin(), partition.sortkeys.end(), k) -
        partition.sortkeys.begin());
    // Every sortkey an operation of the partition touches is one of its slots.
    CK_ASSERT(static_cast<size_t>(s) < partition.sortkeys.size() && partition.sortkeys[s] == k,
              "sortkey {:?} is not a slot of {}", k, partition.name);
    return s;
  };
  c.initial.assign(partition.sortkeys.size(), c.values.Intern(history.initial_value));
  for (size_t id : partition.op_ids) {
    CK_ASSERT_LT(id, history.operations.size());
    const Operation& op = history.operations[id];
    CK_ASSERT(op.outcome != Outcome::kFail && op.hashkey == partition.hashkey, "op {}", id);
    ModelOp m;
    m.op_id = id;
    m.f = op.f;
    m.observed = op.outcome == Outcome::kOk;
    if (!IsMulti(op.f)) m.slot = slot(op.sortkey);
    if (op.f == Fn::kSet) m.value = c.values.Intern(op.arg);
    if (op.f == Fn::kGet && m.observed) m.value = c.values.Intern(op.result);
    if (op.f == Fn::kIncr) {
      CK_ASSERT(op.arg && ParseInteger(*op.arg), "op {}: BuildHistory lets only integers by", id);
      CK_ASSERT(!m.observed || (op.result && ParseInteger(*op.result)), "op {}", id);
      m.delta = ParseInteger(*op.arg).value_or(0);  // validated by BuildHistory
      if (m.observed) m.incr_result = ParseInteger(*op.result).value_or(0);
    }
    if (op.f == Fn::kCas) {
      m.expect = c.values.Intern(op.cas.expect);
      m.cas_set = c.values.Intern(op.cas.set);
      m.cas_result = op.cas_result;
    }
    for (const auto& [k, v] : op.kvs) m.kvs.emplace_back(slot(k), c.values.Intern(v));
    c.ops.push_back(std::move(m));
  }
  return c;
}

}  // namespace pg::checker
