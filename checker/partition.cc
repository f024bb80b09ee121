#include "checker/partition.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <string_view>

#include "checker/assert.h"

namespace pg::checker {
namespace {

// Views into the history's own strings, which outlive the split: a history has thousands of
// operations, and a copy of each key for every map it passes through would be most of the work.
// A ranged read's other sortkeys come from the rest of its hashkey (ReadsWholeHashkey).
// Into *keys (cleared first: one vector serves every operation, most of which touch one key).
void TouchedSortkeys(const Operation& op, std::vector<std::string_view>* keys) {
  keys->clear();
  if (op.outcome == Outcome::kFail) return;
  if (!IsMulti(op.f)) {
    keys->push_back(op.sortkey);
    return;
  }
  if (op.f == Fn::kMultiDel) keys->assign(op.keys.begin(), op.keys.end());
  if (op.f == Fn::kCheckAndMutate) {
    keys->push_back(op.cam.check_sortkey);
    for (const Mutation& m : op.cam.mutations) keys->push_back(m.sortkey);
  }
  for (const auto& [k, v] : op.kvs) keys->push_back(k);
  // An info multi_get has no kvs: it knows nothing and changes nothing.
}

// Whether an operation belongs to a partition: it changes or observes some state. An ok
// sortkey_count or ranged multi_get observes the whole hashkey even when it touches no sortkey.
bool InSomePartition(const Operation& op, const std::vector<std::string_view>& keys) {
  return !keys.empty() || ReadsWholeHashkey(op);
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

// The operations model.h's IsExtended names. A cas whose check is bytes_equal or
// value_not_exist is the expect form (docs/checker.md: expect X is bytes_equal X, null is
// value_not_exist), and compiles as it does, so the fast paths for cas still apply.
template <class SlotOf>
void CompileExtended(const Operation& op, const Partition& p, const SlotOf& slot,
                     ValueTable* values, ModelOp* m) {
  auto compile_check = [&](const CheckArgs& check) {
    m->checked = true;
    m->check = check.type;
    m->operand = values->Intern(check.operand);
  };
  if (op.f == Fn::kCas && op.cas.check) {
    const CheckArgs& check = *op.cas.check;
    if (check.type == CheckType::kBytesEqual) {
      m->expect = values->Intern(check.operand);
    } else if (check.type == CheckType::kValueNotExist) {
      m->expect = kAbsent;
    } else {
      compile_check(check);
    }
  }
  if (op.f == Fn::kMultiGet && op.range) {
    m->ranged = true;
    m->limit = op.range->limit.value_or(std::numeric_limits<int64_t>::max());
    for (size_t i = 0; i < p.sortkeys.size(); ++i) {
      if (InRange(*op.range, p.sortkeys[i])) m->range.push_back(static_cast<int32_t>(i));
    }
    if (op.range->reverse) std::reverse(m->range.begin(), m->range.end());
  }
  if (op.f == Fn::kSortkeyCount && m->observed) {
    CK_ASSERT(op.result && ParseInteger(*op.result), "op {}: BuildHistory checks counts", op.id);
    m->count = ParseInteger(*op.result).value_or(0);
  }
  std::map<int32_t, int32_t> net;  // slot -> value, the last mutation of each slot winning
  if (op.f == Fn::kMultiDel) {
    for (const std::string& k : op.keys) net[slot(k)] = kAbsent;
  }
  if (op.f == Fn::kCheckAndMutate) {
    m->slot = slot(op.cam.check_sortkey);
    m->cas_result = op.cas_result;
    compile_check(op.cam.check);
    for (const Mutation& mu : op.cam.mutations) net[slot(mu.sortkey)] = values->Intern(mu.value);
  }
  if (!net.empty()) m->kvs.assign(net.begin(), net.end());
}

}  // namespace

std::vector<Partition> SplitPartitions(const History& history) {
  // A hashkey some operation reads whole is one partition, whose slots are every sortkey any of
  // its operations names: a sortkey none names is absent throughout, so a range sees exactly the
  // slots (range semantics need this finite set; CheckableHistory rules out an initial value).
  std::set<std::string_view> whole;
  std::map<std::string_view, SortkeyGroups> groups;
  // Per operation, its hashkey's groups (map nodes stay put): one lookup per operation.
  std::vector<SortkeyGroups*> group_of(history.operations.size(), nullptr);
  std::vector<std::string_view> keys;
  for (const Operation& op : history.operations) {
    if (ReadsWholeHashkey(op)) whole.insert(op.hashkey);
    TouchedSortkeys(op, &keys);
    if (keys.empty()) continue;
    SortkeyGroups& g = groups[op.hashkey];
    group_of[op.id] = &g;
    // One key joins nothing; Find registers it in the second pass.
    for (size_t i = 1; i < keys.size(); ++i) g.Join(keys.front(), keys[i]);
  }
  auto root = [&](const Operation& op, const std::vector<std::string_view>& keys) {
    return whole.contains(op.hashkey) ? std::string_view() : group_of[op.id]->Find(keys.front());
  };
  // (hashkey, root sortkey) -> partition, with every sortkey its operations touch (views, made
  // strings once sorted and unique); std::map keeps the output order deterministic.
  struct Building {
    Partition p;
    std::vector<std::string_view> touched;
  };
  std::map<std::pair<std::string_view, std::string_view>, Building> parts;
  for (const Operation& op : history.operations) {
    TouchedSortkeys(op, &keys);
    if (!InSomePartition(op, keys)) continue;
    Building& b = parts[{op.hashkey, root(op, keys)}];
    if (b.p.op_ids.empty()) b.p.hashkey = op.hashkey;
    b.p.op_ids.push_back(op.id);
    // Sorted and made unique below; a run of one key (a register's every operation) is one entry.
    for (std::string_view k : keys) {
      if (b.touched.empty() || b.touched.back() != k) b.touched.push_back(k);
    }
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
    // Only a hashkey read whole may have no slot (a sortkey_count of a hashkey nothing wrote).
    CK_ASSERT(!p.op_ids.empty() && (!p.sortkeys.empty() || whole.contains(p.hashkey)),
              "partition {}", p.name);
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
    m.call_ns = op.invoke_time;
    if (m.observed) m.return_ns = op.complete_time;
    auto written = [&](const OptValue& v) {
      CK_ASSERT(v.has_value(), "op {}: a write's value is a string", id);
      return op.ttl ? c.values.InternExpiring(*v, *op.ttl) : c.values.Intern(v);
    };
    if (op.f == Fn::kSet) m.value = written(op.arg);
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
    for (const auto& [k, v] : op.kvs) {
      m.kvs.emplace_back(slot(k), op.f == Fn::kMultiSet ? written(v) : c.values.Intern(v));
    }
    CompileExtended(op, partition, slot, &c.values, &m);
    c.ops.push_back(std::move(m));
  }
  return c;
}

}  // namespace pg::checker
