#include "checker/zones.h"

#include <algorithm>
#include <limits>
#include <map>

#include "checker/assert.h"
#include "checker/explain.h"

namespace pg::checker {
namespace {

constexpr int64_t kNever = std::numeric_limits<int64_t>::max();  // an unknown outcome's return
constexpr int64_t kBeforeAll = -1;                               // the initial value's write

struct Cluster {
  size_t write = kOpen;  // History op id; kOpen for the initial value
  int64_t min_ret = kNever, max_inv = kBeforeAll;
  size_t min_ret_op = kOpen, max_inv_op = kOpen;
  bool has_reads = false;
  bool forward() const { return min_ret < max_inv; }
};

void Touch(Cluster* c, int64_t inv, int64_t ret, size_t id) {
  CK_ASSERT_LT(inv, ret, "op {}: an operation returns after its invocation", id);
  if (ret < c->min_ret) c->min_ret = ret, c->min_ret_op = id;
  if (inv > c->max_inv) c->max_inv = inv, c->max_inv_op = id;
}

std::string Line(const History& h, size_t id, bool completion) {
  if (id == kOpen) return "the start";
  const Operation& op = h.operations[id];
  return fmt::format("line {}", h.events[completion ? op.complete_event : op.invoke_event].line);
}

std::string Span(const History& h, const Cluster& c, const ValueTable& values, int32_t v) {
  return fmt::format("{} must hold from {} (when {} completed) to {} (when {} was invoked)",
                     values.Show(v), Line(h, c.min_ret_op, true),
                     c.min_ret_op == kOpen ? std::string("nothing")
                                           : DescribeOperation(h, h.operations[c.min_ret_op]),
                     Line(h, c.max_inv_op, false),
                     DescribeOperation(h, h.operations[c.max_inv_op]));
}

// The zones of the values, each a cluster of its write and reads: forward zones must be
// disjoint, and no backward zone may lie within a forward one.
ZoneVerdict JudgeZones(const History& h, const CompiledPartition& p,
                       const std::map<int32_t, Cluster>& clusters) {
  std::vector<const Cluster*> judged;
  std::vector<int32_t> values;
  for (const auto& [v, c] : clusters) {
    if (c.write == kOpen && !c.has_reads) continue;
    judged.push_back(&c);
    values.push_back(v);
  }
  const std::optional<ZoneConflict> conflict = FindZoneConflict(judged);
  if (!conflict) return ZoneVerdict{};
  const Cluster& a = *judged[conflict->first];
  const Cluster& b = *judged[conflict->second];
  const int32_t av = values[conflict->first];
  const int32_t bv = values[conflict->second];
  if (!conflict->backward_inside) {
    return ZoneVerdict{Verdict::kIllegal,
                       {a.max_inv_op, b.max_inv_op},
                       fmt::format("{}, and {}: the two spans overlap", Span(h, a, p.values, av),
                                   Span(h, b, p.values, bv))};
  }
  return ZoneVerdict{
      Verdict::kIllegal,
      {a.max_inv_op, b.write},
      fmt::format("{}, yet {} wrote {} entirely within that span", Span(h, a, p.values, av),
                  DescribeOperation(h, h.operations[b.write]), p.values.Show(bv))};
}

}  // namespace

std::optional<ZoneVerdict> DecideByZones(const History& h, const CompiledPartition& p,
                                         const std::vector<SearchOp>& ops) {
  if (p.initial.size() != 1) return std::nullopt;
  std::map<int32_t, Cluster> clusters;  // value id -> cluster
  clusters[p.initial[0]].min_ret = kBeforeAll;
  for (const SearchOp& s : ops) {
    const ModelOp& m = s.model;
    if (m.f != Fn::kSet || m.value == p.initial[0]) {
      if (m.f != Fn::kGet) return std::nullopt;
      continue;
    }
    CK_ASSERT_EQ(m.slot, 0, "a one-sortkey partition has one slot");
    Cluster& c = clusters[m.value];
    if (c.write != kOpen) return std::nullopt;  // written twice
    c.write = m.op_id;
    const Operation& op = h.operations[m.op_id];
    Touch(&c, static_cast<int64_t>(op.invoke_event),
          op.complete_event == kOpen ? kNever : static_cast<int64_t>(op.complete_event), m.op_id);
  }
  for (const SearchOp& s : ops) {
    const ModelOp& m = s.model;
    if (m.f != Fn::kGet) continue;
    if (!m.observed) return std::nullopt;
    auto it = clusters.find(m.value);
    if (it == clusters.end() || (it->second.write == kOpen && m.value != p.initial[0])) {
      return std::nullopt;  // a read of a value never written: left to the search
    }
    const Operation& op = h.operations[m.op_id];
    CK_ASSERT_NE(op.complete_event, kOpen, "op {}: an observed read completed", m.op_id);
    const auto inv = static_cast<int64_t>(op.invoke_event);
    const auto ret = static_cast<int64_t>(op.complete_event);
    Cluster& c = it->second;
    if (c.write != kOpen && ret < static_cast<int64_t>(h.operations[c.write].invoke_event)) {
      return ZoneVerdict{Verdict::kIllegal,
                         {m.op_id, c.write},
                         fmt::format("it read {} before {} was invoked", p.values.Show(m.value),
                                     DescribeOperation(h, h.operations[c.write]))};
    }
    c.has_reads = true;
    Touch(&c, inv, ret, m.op_id);
  }
  return JudgeZones(h, p, clusters);
}

}  // namespace pg::checker
