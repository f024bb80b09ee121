#include "checker/versions.h"

#include <limits>
#include <vector>

#include "checker/assert.h"

namespace pg::checker {
// A named namespace: the batched build compiles this file with others whose file-local helpers
// may share names.
namespace versions_build {

// The value a write leaves; absent for a del.
int32_t Written(const ModelOp& m) {
  if (m.f == Fn::kSet) return m.value;
  if (m.f == Fn::kCas) return m.cas_set;
  CK_ASSERT_EQ(m.f, Fn::kDel, "op {} writes", m.op_id);
  return kAbsent;
}

// The value an operation read, when it surely read one: an ok get, an ok successful cas, or a
// cas that is sure (taken effect) and writes, hence succeeded.
std::optional<int32_t> SurelyRead(const ModelOp& m, bool sure) {
  if (m.f == Fn::kGet && m.observed) return m.value;
  if (m.f == Fn::kCas && sure && (!m.observed || m.cas_result)) return m.expect;
  return std::nullopt;
}

// Indexed by value id (dense: the partition's ValueTable), not keyed in maps: this runs on every
// partition of every history.
struct Writers {
  explicit Writers(size_t values) : count(values, 0), op(values, 0) {}
  // How many sets and cas write value x (none write absent).
  size_t Count(int32_t x) const { return x >= 0 ? count[static_cast<size_t>(x)] : 0; }
  std::vector<size_t> count;
  std::vector<size_t> op;  // per value: the last of them (the only one when unique)
  bool del = false;        // some del, of any outcome, writes absent
};

// Sure: ok operations, and writes whose unique value a sure operation read (they took effect,
// and a cas among them succeeded). A worklist, since a sure cas makes its expected value's
// writer sure in turn. False when an op reads its own write (Prepare's contradiction).
template <class Unique>
bool MarkSure(const std::vector<SearchOp>& ops, const Writers& w, const Unique& unique,
              Versions* v) {
  const size_t n = ops.size();
  v->sure.assign(n, false);
  std::vector<size_t> work;
  for (size_t i = 0; i < n; ++i) {
    if (ops[i].model.observed) v->sure[i] = true, work.push_back(i);
  }
  while (!work.empty()) {
    const size_t i = work.back();
    work.pop_back();
    const auto x = SurelyRead(ops[i].model, true);
    if (!x || *x == v->initial || !unique(*x)) continue;
    const size_t writer = w.op[static_cast<size_t>(*x)];  // unique: written, so not absent
    if (writer == i) return false;
    if (!v->sure[writer]) v->sure[writer] = true, work.push_back(writer);
  }
  return true;
}

// Each op's call and return positions into v, and who writes what into w. False when an op is
// not one of a register's (get, set, cas by equality, del): no versions then.
bool IndexOps(const History& h, const std::vector<SearchOp>& ops, Versions* v, Writers* w) {
  for (size_t i = 0; i < ops.size(); ++i) {
    const ModelOp& m = ops[i].model;
    const Operation& op = h.operations[m.op_id];
    v->inv.push_back(static_cast<int64_t>(op.invoke_event));
    v->ret.push_back(op.complete_event == kOpen ? kNeverReturns
                                                : static_cast<int64_t>(op.complete_event));
    if (m.f == Fn::kGet) continue;
    if (m.f != Fn::kSet && m.f != Fn::kCas && m.f != Fn::kDel) return false;
    if (IsExtended(m)) return false;  // a cas by check type: not a version read
    if (m.f == Fn::kDel) {
      w->del = true;
      continue;
    }
    const int32_t x = Written(m);
    if (x == kAbsent) continue;  // never unique: only the initial value and dels count for absent
    ++w->count[static_cast<size_t>(x)];
    w->op[static_cast<size_t>(x)] = i;
  }
  return true;
}

}  // namespace versions_build

std::optional<Versions> BuildVersions(const History& h, const CompiledPartition& p,
                                      const std::vector<SearchOp>& ops) {
  using namespace versions_build;  // NOLINT: this file's own helpers
  if (p.initial.size() != 1) return std::nullopt;
  Versions v;
  v.initial = p.initial[0];
  const size_t n = ops.size();
  Writers w(p.values.size());
  if (!IndexOps(h, ops, &v, &w)) return std::nullopt;
  // Absent is never the value of a set or cas: only the initial value and dels leave it.
  auto unique = [&](int32_t x) {
    if (x == v.initial) return x == kAbsent ? !w.del : w.Count(x) == 0;
    return x != kAbsent && w.Count(x) == 1;
  };
  if (!MarkSure(ops, w, unique, &v)) return std::nullopt;
  // Per value id, its cluster when the value is unique; absent's (the initial value) apart.
  constexpr size_t kNone = std::numeric_limits<size_t>::max();
  std::vector<size_t> cluster_of(p.values.size(), kNone);
  size_t absent_cluster = kNone;
  auto cluster_slot = [&](int32_t x) -> size_t& {
    return x == kAbsent ? absent_cluster : cluster_of[static_cast<size_t>(x)];
  };
  if (unique(v.initial)) {
    VersionCluster c;
    c.value = v.initial;
    c.unique = true;
    c.min_ret = -1;  // before everything
    cluster_slot(v.initial) = 0;
    v.clusters.push_back(c);
  }
  v.writes_cluster.assign(n, -1);
  for (size_t i = 0; i < n; ++i) {
    const ModelOp& m = ops[i].model;
    const bool writes = m.f == Fn::kSet || m.f == Fn::kDel || (m.f == Fn::kCas && m.cas_result) ||
                        (m.f == Fn::kCas && !m.observed);
    if (!v.sure[i] || !writes) continue;
    VersionCluster c;
    c.value = Written(m);
    c.writer = i;
    c.unique = m.f != Fn::kDel && unique(c.value);
    if (c.unique) cluster_slot(c.value) = v.clusters.size();
    v.writes_cluster[i] = static_cast<int32_t>(v.clusters.size());
    v.clusters.push_back(c);
  }
  for (size_t i = 0; i < n; ++i) {
    const auto x = SurelyRead(ops[i].model, v.sure[i]);
    if (!x || !unique(*x)) continue;
    const size_t cluster = cluster_slot(*x);
    if (cluster == kNone) return std::nullopt;  // a value nothing writes: Prepare's
    v.clusters[cluster].readers.push_back(i);
  }
  for (VersionCluster& c : v.clusters) {
    if (c.writer != kInitialWriter) c.Touch(c.writer, v.inv[c.writer], v.ret[c.writer]);
    for (size_t r : c.readers) c.Touch(r, v.inv[r], v.ret[r]);
    CK_ASSERT(c.writer == kInitialWriter || v.sure[c.writer], "a cluster's writer is sure");
  }
  return v;
}

}  // namespace pg::checker
