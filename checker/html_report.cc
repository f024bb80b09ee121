#include "checker/html_report.h"

#include <algorithm>
#include <map>
#include <set>

#include "checker/explain.h"

namespace pg::checker {
namespace {

constexpr size_t kMaxBars = 400;  // a page a browser draws at once
constexpr size_t kPrefixTail = 40;
constexpr double kLaneHeight = 28, kBarHeight = 16, kLeft = 110, kWidth = 1200, kBandGap = 12;
constexpr size_t kMaxTableRows = 300;

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

// The history position of a time: the first event at or after it.
size_t PositionOf(const History& h, int64_t time) {
  auto it = std::lower_bound(h.events.begin(), h.events.end(), time,
                             [](const Event& e, int64_t t) { return e.time < t; });
  return static_cast<size_t>(it - h.events.begin());
}

// A linearizable history of a failed run: the operations open around the failure's time.
std::vector<size_t> FocusWindow(const History& h, int64_t focus_time) {
  constexpr size_t kBefore = 120, kAfter = 30;  // history events either side
  const size_t at = PositionOf(h, focus_time);
  const size_t lo = at > kBefore ? at - kBefore : 0;
  const size_t hi = at + kAfter;
  std::vector<size_t> out;
  for (const Operation& op : h.operations) {
    const size_t end = op.complete_event == kOpen ? h.events.size() : op.complete_event;
    if (op.invoke_event <= hi && end >= lo && out.size() < kMaxBars) out.push_back(op.id);
  }
  return out;
}

struct Layout {
  size_t lo = 0, hi = 1;
  std::map<int64_t, size_t> lanes;     // process -> lane
  std::vector<std::string> band_rows;  // under the lanes, top down
  double BandY(size_t row) const {
    return static_cast<double>(lanes.size() + row) * kLaneHeight + kBandGap;
  }
  double Height() const { return BandY(band_rows.size()) + 4; }
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

void AddBandRows(const HtmlOptions& options, Layout& l) {
  auto used = [&options](const std::string& row) {
    return std::any_of(options.band.begin(), options.band.end(),
                       [&row](const TimelineEvent& e) { return e.row == row; });
  };
  for (const std::string& row : options.band_rows) {
    if (used(row)) l.band_rows.push_back(row);
  }
  for (const TimelineEvent& e : options.band) {
    if (std::find(l.band_rows.begin(), l.band_rows.end(), e.row) == l.band_rows.end())
      l.band_rows.push_back(e.row);
  }
}

// The band: one row per kind of event, a tick per event at its time; faults and failures also
// get a rule through the lanes so the operations they cut are visible.
std::string Band(const History& h, const std::vector<TimelineEvent>& band, const Layout& l) {
  std::string svg;
  if (band.empty()) return svg;
  const double top = static_cast<double>(l.lanes.size()) * kLaneHeight + kBandGap / 2;
  svg += fmt::format("<line class='bandsep' x1='0' y1='{0:.1f}' x2='{1:.1f}' y2='{0:.1f}'/>\n", top,
                     kLeft + kWidth + 20);
  for (size_t row = 0; row < l.band_rows.size(); ++row) {
    svg += fmt::format("<text x='4' y='{:.1f}' class='lane band'>{}</text>\n", l.BandY(row) + 14,
                       Escape(l.band_rows[row]));
  }
  for (const TimelineEvent& e : band) {
    const size_t pos = PositionOf(h, e.time);
    if (pos < l.lo || pos > l.hi) continue;
    const size_t row = static_cast<size_t>(
        std::find(l.band_rows.begin(), l.band_rows.end(), e.row) - l.band_rows.begin());
    const double x = l.X(pos);
    const std::string cls = "ev ev-" + Escape(e.row);
    if (e.row != "protocol") {
      svg += fmt::format("<line class='rule {}' x1='{:.1f}' y1='0' x2='{:.1f}' y2='{:.1f}'/>\n",
                         cls, x, x, l.BandY(row));
    }
    svg += fmt::format(
        "<g class='{}'><title>{}</title><rect x='{:.1f}' y='{:.1f}' width='5' height='{}' "
        "rx='1'/></g>\n",
        cls, Escape(fmt::format("t={:.3f} ms: {}", static_cast<double>(e.time) / 1e6, e.label)),
        x - 2, l.BandY(row) + 2, kBarHeight);
  }
  return svg;
}

// The band's events as a table: those inside the drawn window, then a count of the rest.
std::string BandTable(const History& h, const std::vector<TimelineEvent>& band, const Layout* l) {
  if (band.empty()) return "";
  std::string rows;
  size_t shown = 0, outside = 0;
  for (const TimelineEvent& e : band) {
    const size_t pos = PositionOf(h, e.time);
    if (l != nullptr && (pos < l->lo || pos > l->hi)) {
      ++outside;
      continue;
    }
    if (++shown > kMaxTableRows) continue;
    rows +=
        fmt::format("<tr class='ev-{}'><td>{:.3f}</td><td>{}</td><td>{}</td></tr>\n", Escape(e.row),
                    static_cast<double>(e.time) / 1e6, Escape(e.row), Escape(e.label));
  }
  std::string more;
  if (shown > kMaxTableRows) more += fmt::format(" {} more not listed.", shown - kMaxTableRows);
  if (outside > 0) more += fmt::format(" {} more outside the drawn window.", outside);
  return fmt::format(
      "<h2>Timeline events</h2><p>Faults injected, protocol events and the failure, drawn in the "
      "band under the operations.{}</p>\n<table class='events'><tr><th>time (ms)</th>"
      "<th>row</th><th>event</th></tr>\n{}</table>\n",
      more, rows);
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
.band { fill: #555; font-style: italic; }
.bandsep { stroke: #999; }
g.ev rect { fill: #5a6f8f; stroke: none; }
g.ev-faults rect { fill: #d9822b; }
g.ev-failure rect { fill: #b30000; }
.rule { stroke-width: 1; stroke-dasharray: 3 3; }
.rule.ev-faults { stroke: #d9822b; }
.rule.ev-failure { stroke: #b30000; stroke-width: 2; }
table.events { border-collapse: collapse; font-size: 12px; }
table.events td, table.events th { border: 1px solid #ddd; padding: 2px 6px; text-align: left; }
tr.ev-failure td { color: #b30000; font-weight: bold; }
)";

}  // namespace

std::string HtmlReport(const History& h, const CheckResult& r) { return HtmlReport(h, r, {}); }

std::string HtmlReport(const History& h, const CheckResult& r, const HtmlOptions& options) {
  const PartitionResult* p = r.verdict == Verdict::kOk ? nullptr : Focus(r);
  std::vector<size_t> ops = Window(h, r, p);
  const bool focused = ops.empty() && options.focus_time.has_value();
  if (focused) ops = FocusWindow(h, *options.focus_time);
  std::string body;
  std::optional<Layout> layout;
  if (ops.empty()) {
    body = "<p>Nothing to draw: every partition is linearizable.</p>";
  } else {
    layout = MakeLayout(h, ops);
    AddBandRows(options, *layout);
    const std::string what =
        focused
            ? fmt::format(
                  "The history is linearizable; the {} operations around the "
                  "failure are drawn",
                  ops.size())
            : fmt::format("Partition <b>{}</b>: {} operations drawn", Escape(p->name), ops.size());
    body = fmt::format(
        "<p>{} (x = event order; green = the longest linearizable prefix found, numbered, with "
        "its order as a line; red = cannot be placed; orange dashed = unknown outcome). Hover a "
        "bar for details.</p>\n"
        "<svg xmlns='http://www.w3.org/2000/svg' width='{}' height='{}'>\n{}{}</svg>",
        what, kLeft + kWidth + 20, layout->Height(), Bars(h, p, ops, *layout),
        Band(h, options.band, *layout));
  }
  body += BandTable(h, options.band, layout ? &*layout : nullptr);
  const std::string title = options.title.empty() ? h.source : options.title;
  return fmt::format(
      "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>pegasim check: {} ({})</title>"
      "<style>{}</style></head><body>\n<h1>{}: {}</h1>\n{}\n<h2>Explanation</h2><pre>{}</pre>\n"
      "</body></html>\n",
      VerdictName(r.verdict), Escape(title), kStyle, Escape(title), VerdictName(r.verdict), body,
      Escape(r.explanation));
}

}  // namespace pg::checker
