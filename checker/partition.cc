#include "checker/partition.h"

#include <algorithm>
#include <map>
#include <string_view>

#include "checker/assert.h"

namespace pg::checker {
namespace {

// Views into the history's own strings, which outlive the split: a history has thousands of
// operations, and a copy of each key for every map it passes through would be most of the work.
std::vector<std::string_view> TouchedSortkeys(const Operation& op) {
  if (op.outcome == Outcome::kFail) return {};
  if (!IsMulti(op.f)) return {op.sortkey};
  std::vector<std::string_view> keys;
  keys.reserve(op.kvs.size());
  for (const auto& [k, v] : op.kvs) keys.push_back(k);
  return keys;  // an info multi_get has no kvs: it knows nothing and changes nothing
}

// Union-find over the sortkeys of one hashkey. A group's root is its least sortkey (Join makes
// the lesser root the parent), so the roots do not depend on the order of the joins.
class SortkeyGroups {
 public:
  std::string_view Find(std::string_view k) {
    auto it = parent_.try_emplace(k, k).first;
    if (it->second == k) return k;
    const std::string_view root = Find(it->second);
    it->second = root;
    return root;
  }
  void Join(std::string_view a, std::string_view b) {
    const std::string_view ra = Find(a), rb = Find(b);
    if (ra != rb) parent_[std::max(ra, rb)] = std::min(ra, rb);
  }

 private:
  std::map<std::string_view, std::string_view> parent_;
};

}  // namespace

std::vector<Partition> SplitPartitions(const History& history) {
  std::map<std::string_view, SortkeyGroups> groups;
  for (const Operation& op : history.operations) {
    const auto keys = TouchedSortkeys(op);
    if (keys.empty()) continue;
    SortkeyGroups& g = groups[op.hashkey];
    for (std::string_view k : keys) g.Join(keys.front(), k);
  }
  // (hashkey, root sortkey) -> partition, with every sortkey its operations touch (views, made
  // strings once sorted and unique); std::map keeps the output order deterministic.
  struct Building {
    Partition p;
    std::vector<std::string_view> touched;
  };
  std::map<std::pair<std::string_view, std::string_view>, Building> parts;
  for (const Operation& op : history.operations) {
    const auto keys = TouchedSortkeys(op);
    if (keys.empty()) continue;
    Building& b = parts[{op.hashkey, groups[op.hashkey].Find(keys.front())}];
    if (b.p.op_ids.empty()) b.p.hashkey = op.hashkey;
    b.p.op_ids.push_back(op.id);
    b.touched.insert(b.touched.end(), keys.begin(), keys.end());
  }
  std::map<std::string_view, size_t> per_hashkey;
  for (const auto& [key, b] : parts) ++per_hashkey[key.first];
  std::vector<Partition> out;
  out.reserve(parts.size());
  for (auto& [key, b] : parts) {
    std::sort(b.touched.begin(), b.touched.end());
    b.touched.erase(std::unique(b.touched.begin(), b.touched.end()), b.touched.end());
    Partition& p = b.p;
    p.sortkeys.assign(b.touched.begin(), b.touched.end());
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
