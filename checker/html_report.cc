#include "checker/html_report.h"

#include <algorithm>
#include <map>
#include <set>

#include "checker/explain.h"

namespace pg::checker {
namespace {

constexpr size_t kMaxBars = 400;  // a page a browser draws at once
constexpr size_t kPrefixTail = 40;
constexpr double kLaneHeight = 28, kBarHeight = 16, kLeft = 110, kWidth = 1200;

std::string Escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

const PartitionResult* Focus(const CheckResult& r) {
  const PartitionResult* best = nullptr;
  for (const auto& p : r.partitions) {
    if (p.verdict == r.verdict && (!best || p.operations < best->operations)) best = &p;
  }
  return best;
}

// The operations to draw: the tail of the prefix, the blocked ones, and everything of the
// partition that overlaps them in time; for an ok history, the start of the first partition.
std::vector<size_t> Window(const History& h, const CheckResult& r, const PartitionResult* p) {
  std::set<size_t> chosen;
  if (p == nullptr) return {};
  const size_t skip = p->prefix.size() > kPrefixTail ? p->prefix.size() - kPrefixTail : 0;
  for (size_t i = skip; i < p->prefix.size(); ++i) chosen.insert(p->prefix[i]);
  for (const auto& [id, why] : p->blocked) chosen.insert(id);
  if (chosen.empty()) return {};
  size_t lo = kOpen, hi = 0;
  for (size_t id : chosen) {
    lo = std::min(lo, h.operations[id].invoke_event);
    const size_t end = h.operations[id].complete_event;
    hi = std::max(hi, end == kOpen ? h.operations[id].invoke_event : end);
  }
  for (const Operation& op : h.operations) {
    if (chosen.size() >= kMaxBars) break;
    const bool same =
        op.hashkey == p->hashkey &&
        (IsMulti(op.f) || std::binary_search(p->sortkeys.begin(), p->sortkeys.end(), op.sortkey));
    const size_t end = op.complete_event == kOpen ? h.events.size() : op.complete_event;
    if (same && op.invoke_event <= hi && end >= lo) chosen.insert(op.id);
  }
  return {chosen.begin(), chosen.end()};
}

struct Layout {
  size_t lo = 0, hi = 1;
  std::map<int64_t, size_t> lanes;  // process -> lane
  double X(size_t pos) const {
    return kLeft + kWidth * static_cast<double>(std::min(pos, hi) - lo) /
                       static_cast<double>(std::max<size_t>(1, hi - lo));
  }
};

Layout MakeLayout(const History& h, const std::vector<size_t>& ops) {
  Layout l;
  l.lo = kOpen;
  for (size_t id : ops) {
    const Operation& op = h.operations[id];
    l.lo = std::min(l.lo, op.invoke_event);
    l.hi = std::max(l.hi, op.complete_event == kOpen ? op.invoke_event + 1 : op.complete_event);
    l.lanes.emplace(op.process, 0);
  }
  l.hi += 1;
  size_t lane = 0;
  for (auto& [process, index] : l.lanes) index = lane++;
  return l;
}

std::string Bars(const History& h, const PartitionResult* p, const std::vector<size_t>& ops,
                 const Layout& l) {
  std::map<size_t, size_t> order;  // op -> position in the prefix
  for (size_t i = 0; p && i < p->prefix.size(); ++i) order[p->prefix[i]] = i + 1;
  std::map<size_t, std::string> blocked;
  if (p) {
    for (const auto& [id, why] : p->blocked) blocked.emplace(id, why);
  }
  std::string svg;
  for (const auto& [process, lane] : l.lanes) {
    svg += fmt::format("<text x='4' y='{}' class='lane'>process {}</text>\n",
                       lane * kLaneHeight + 20, process);
  }
  std::string path;
  double last_x = 0;
  std::vector<std::pair<size_t, size_t>> prefix_ops;
  for (size_t id : ops) {
    const Operation& op = h.operations[id];
    const double x0 = l.X(op.invoke_event);
    const double x1 = op.complete_event == kOpen ? l.X(l.hi) : l.X(op.complete_event);
    const double y = static_cast<double>(l.lanes.at(op.process)) * kLaneHeight + 6;
    std::string cls = std::string(OutcomeName(op.outcome));
    if (order.count(id)) cls += " lin";
    if (blocked.count(id)) cls += " bad";
    std::string title =
        DescribeOperation(h, op) + fmt::format("\ninvoked t={} ns", h.events[op.invoke_event].time);
    if (op.complete_event != kOpen) {
      title += fmt::format(", completed t={} ns", h.events[op.complete_event].time);
    }
    if (order.count(id)) title += fmt::format("\nlinearized #{}", order[id]);
    if (blocked.count(id)) title += "\ncannot be placed: " + blocked[id];
    svg += fmt::format(
        "<g class='{}'><title>{}</title><rect x='{:.1f}' y='{:.1f}' width='{:.1f}' "
        "height='{}' rx='3'/><text x='{:.1f}' y='{:.1f}'>{} {}</text></g>\n",
        cls, Escape(title), x0, y, std::max(2.0, x1 - x0), kBarHeight, x0 + 3, y + 12, FnName(op.f),
        order.count(id) ? fmt::format("#{}", order[id]) : "");
    if (order.count(id)) prefix_ops.emplace_back(order[id], id);
  }
  // The partial linearization: a line through one point of each prefix operation, in order.
  std::sort(prefix_ops.begin(), prefix_ops.end());
  for (const auto& [n, id] : prefix_ops) {
    const Operation& op = h.operations[id];
    const double x0 = l.X(op.invoke_event);
    const double x1 = op.complete_event == kOpen ? l.X(l.hi) : l.X(op.complete_event);
    const double x = std::clamp(last_x + 2, x0 + 1, std::max(x0 + 1, x1 - 1));
    const double y = static_cast<double>(l.lanes.at(op.process)) * kLaneHeight + 6 + kBarHeight / 2;
    path += fmt::format("{}{:.1f},{:.1f} ", path.empty() ? "M" : "L", x, y);
    last_x = x;
  }
  if (!path.empty()) svg += fmt::format("<path class='order' d='{}'/>\n", path);
  return svg;
}

constexpr const char* kStyle = R"(
body { font-family: sans-serif; margin: 16px; }
pre { background: #f6f6f6; padding: 8px; white-space: pre-wrap; }
svg text { font-size: 11px; pointer-events: none; }
.lane { fill: #333; }
g rect { fill: #b8c7dc; stroke: #5a6f8f; }
g.info rect { fill: #f3d9a4; stroke: #b07d1a; stroke-dasharray: 4 2; }
g.lin rect { fill: #bfe3bf; stroke: #3d8b3d; }
g.bad rect { fill: #f4a3a3; stroke: #b30000; stroke-width: 2; }
g:hover rect { stroke: #000; stroke-width: 2; }
.order { fill: none; stroke: #2a6e2a; stroke-width: 1.5; }
)";

}  // namespace

std::string HtmlReport(const History& h, const CheckResult& r) {
  const PartitionResult* p = r.verdict == Verdict::kOk ? nullptr : Focus(r);
  const std::vector<size_t> ops = Window(h, r, p);
  std::string body;
  if (ops.empty()) {
    body = "<p>Nothing to draw: every partition is linearizable.</p>";
  } else {
    const Layout l = MakeLayout(h, ops);
    body = fmt::format(
        "<p>Partition <b>{}</b>: {} operations drawn (x = event order; green = the longest "
        "linearizable prefix found, numbered, with its order as a line; red = cannot be "
        "placed; orange dashed = unknown outcome). Hover a bar for details.</p>\n"
        "<svg xmlns='http://www.w3.org/2000/svg' width='{}' height='{}'>\n{}</svg>",
        Escape(p->name), ops.size(), kLeft + kWidth + 20,
        static_cast<double>(l.lanes.size()) * kLaneHeight + 10, Bars(h, p, ops, l));
  }
  return fmt::format(
      "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>pegasim check: {} ({})</title>"
      "<style>{}</style></head><body>\n<h1>{}: {}</h1>\n{}\n<h2>Explanation</h2><pre>{}</pre>\n"
      "</body></html>\n",
      VerdictName(r.verdict), Escape(h.source), kStyle, Escape(h.source), VerdictName(r.verdict),
      body, Escape(r.explanation));
}

}  // namespace pg::checker
