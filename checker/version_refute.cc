// Why each rule is exact. Take any linearization and give each operation a point inside its
// interval, increasing along the order (possible exactly because the order respects real time;
// an unknown-outcome operation's interval never ends). Every cluster's operations are in it: its
// writer and readers surely took effect (versions.h). A cluster of value x spans the points from
// its writer (the initial one: before everything) to its last reader. Its readers lie inside:
// after the writer, the only one of x, and before any later sure write W, since W leaves a value
// other than x (a del writes absent, which is never a unique value once a del exists; a set or
// cas writes x only if it is x's writer) and x never returns. So for two clusters X and Y with
// X's writer first, every point of X is at or before Y's writer: spans are disjoint but for a
// shared end, which is a successful cas reading x and writing Y's value. Then:
//   V1 a reader of x completes after x's writer was invoked;
//   V2 at most one reader of x writes (two cas succeeding on x: the second saw the first's value);
//   V3 a reader of x that writes (a cas) is x's last reader: no reader of x is invoked after it
//      completed;
//   V4 the zones of Gibbons and Korach (zones.h) over the clusters: a cluster's span covers
//      [earliest return, latest call] (the operation returning first has its point before, the one
//      called last after), so two forward zones [min_ret, max_inv] never meet, and a backward zone
//      [max_inv, min_ret] never lies within a forward one (the backward cluster's span reaches
//      before its min_ret and after its max_inv, so it cannot fit before or after the other span).
// Operations left out of the clusters (failed cas, reads of values written twice or of absent
// when dels exist, unknown-outcome writes nobody read) only add constraints; ignoring them can
// miss an illegal history, never invent one.
#include "checker/version_refute.h"

#include <algorithm>

#include "checker/assert.h"
#include "checker/explain.h"

namespace pg::checker {
// A named namespace: the batched build compiles this file with others whose file-local helpers
// may share names.
namespace version_rules {

struct Context {
  const History& h;
  const CompiledPartition& p;
  const std::vector<SearchOp>& ops;
  const Versions& v;

  size_t Id(size_t i) const { return ops[i].model.op_id; }
  std::string Op(size_t i) const {
    if (i == kInitialWriter) return "the initial value";
    return DescribeOperation(h, h.operations[Id(i)]);
  }
  size_t LineOf(int64_t pos) const { return h.events[static_cast<size_t>(pos)].line; }
  std::string Value(const VersionCluster& c) const { return p.values.Show(c.value); }
  // "\"v3\" must hold from line 10 (when ... completed) to line 50 (when ... was invoked)"
  std::string Span(const VersionCluster& c) const {
    const std::string from =
        c.min_ret_op == kInitialWriter
            ? std::string("the start")
            : fmt::format("line {} (when {} completed)", LineOf(c.min_ret), Op(c.min_ret_op));
    return fmt::format("{} must hold from {} to line {} (when {} was invoked)", Value(c), from,
                       LineOf(c.max_inv), Op(c.max_inv_op));
  }
  std::string WriterOf(const VersionCluster& c) const {
    return c.writer == kInitialWriter ? "the initial value" : Op(c.writer);
  }
};

bool Writes(const Context& x, size_t i) { return x.v.writes_cluster[i] >= 0; }

// V1, V2, V3 within one cluster.
std::optional<ZoneVerdict> JudgeCluster(const Context& x, const VersionCluster& c) {
  std::optional<size_t> replacer;  // the reader that also writes
  for (size_t r : c.readers) {
    if (c.writer != kInitialWriter && x.v.ret[r] < x.v.inv[c.writer]) {
      return ZoneVerdict{Verdict::kIllegal,
                         {x.Id(r), x.Id(c.writer)},
                         fmt::format("it read {}, which only {} writes, and completed before "
                                     "that write was invoked",
                                     x.Value(c), x.Op(c.writer))};
    }
    if (!Writes(x, r)) continue;
    if (replacer) {
      return ZoneVerdict{
          Verdict::kIllegal,
          {x.Id(r), x.Id(*replacer)},
          fmt::format("it and {} both read {} and replaced it; {} is written only by {} and "
                      "never returns once replaced, so whichever took effect second would have "
                      "read the other's value",
                      x.Op(*replacer), x.Value(c), x.Value(c), x.WriterOf(c))};
    }
    replacer = r;
  }
  if (!replacer) return std::nullopt;
  for (size_t r : c.readers) {
    if (r == *replacer || x.v.inv[r] < x.v.ret[*replacer]) continue;
    return ZoneVerdict{
        Verdict::kIllegal,
        {x.Id(r), x.Id(*replacer)},
        fmt::format("it read {} but was invoked after {} completed, which had replaced it; {} "
                    "is written only by {} and never returns once replaced",
                    x.Value(c), x.Op(*replacer), x.Value(c), x.WriterOf(c))};
  }
  return std::nullopt;
}

// The operation to show first for a cluster: its latest-called reader, else its writer.
size_t Shown(const Context& x, const VersionCluster& c) {
  if (c.max_inv_op != kInitialWriter) return x.Id(c.max_inv_op);
  CK_ASSERT_NE(c.writer, kInitialWriter, "a cluster with no reader has a writer");
  return x.Id(c.writer);
}

std::string BackwardWhat(const Context& x, const VersionCluster& b) {
  if (b.readers.empty()) {
    return fmt::format("{} wrote {} entirely within that span (lines {}-{})", x.Op(b.writer),
                       x.Value(b), x.LineOf(b.max_inv), x.LineOf(b.min_ret));
  }
  return fmt::format(
      "{} wrote {} and {} operation(s) read it, all of them open at once from line {} to line "
      "{}, within that span",
      x.Op(b.writer), x.Value(b), b.readers.size(), x.LineOf(b.max_inv), x.LineOf(b.min_ret));
}

// V4.
std::optional<ZoneVerdict> JudgeZones(const Context& x) {
  std::vector<const VersionCluster*> judged;
  for (const VersionCluster& c : x.v.clusters) {
    if (c.writer == kInitialWriter && c.readers.empty()) continue;
    judged.push_back(&c);
  }
  const std::optional<ZoneConflict> conflict = FindZoneConflict(judged);
  if (!conflict) return std::nullopt;
  const VersionCluster& f = *judged[conflict->first];
  const VersionCluster& b = *judged[conflict->second];
  if (!conflict->backward_inside) {
    return ZoneVerdict{Verdict::kIllegal,
                       {Shown(x, b), Shown(x, f)},
                       fmt::format("{}, and {}: the two spans overlap, but a value written once "
                                   "holds from its write to its last read and never returns, so "
                                   "one of the two writes came between the other's write and its "
                                   "last read",
                                   x.Span(f), x.Span(b))};
  }
  CK_ASSERT(b.writer != kInitialWriter, "the initial cluster's zone starts before all");
  return ZoneVerdict{
      Verdict::kIllegal,
      {Shown(x, f), x.Id(b.writer)},
      fmt::format("{}, yet {}: that write took effect after {} and before {} read {}, and {}, "
                  "written once, never returns once replaced",
                  x.Span(f), BackwardWhat(x, b), x.WriterOf(f), x.Op(f.max_inv_op), x.Value(f),
                  x.Value(f))};
}

}  // namespace version_rules

std::optional<ZoneVerdict> RefuteByVersions(const History& h, const CompiledPartition& p,
                                            const std::vector<SearchOp>& ops, const Versions& v) {
  using namespace version_rules;  // NOLINT: this file's own helpers
  CK_ASSERT_EQ(v.inv.size(), ops.size(), "versions of these ops");
  const Context x{h, p, ops, v};
  for (const VersionCluster& c : v.clusters) {
    if (auto bad = JudgeCluster(x, c)) return bad;
  }
  return JudgeZones(x);
}

}  // namespace pg::checker
