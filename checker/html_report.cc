#include "checker/html_report.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "checker/explain.h"
#include "checker/html_layout.h"

namespace pg::checker {
namespace html {
namespace {

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

// The scale that gives the median completed operation kMedianOpWidth.
double MedianScale(const std::vector<size_t>& ops, const Layout& l, const History& h) {
  std::vector<double> took;
  for (size_t id : ops) {
    const Operation& op = h.operations[id];
    if (l.EndEvent(op) != kOpen) took.push_back(l.CompleteAt(op) - l.InvokeAt(op));
  }
  if (took.empty()) return 0;
  std::nth_element(took.begin(), took.begin() + static_cast<std::ptrdiff_t>(took.size() / 2),
                   took.end());
  return kMedianOpWidth / std::max(took[took.size() / 2], 1.0);
}

// By operation: the position of its info record, or kOpen. The reads of a scan share its
// invocation (scan_lowering.h), so the record is found by the invocation's position.
std::vector<size_t> InfoEvents(const History& h) {
  std::map<size_t, size_t> info_of;  // invocation position -> its info record's
  std::map<int64_t, size_t> open;    // process -> its open invocation's position
  for (size_t pos = 0; pos < h.events.size(); ++pos) {
    const Event& e = h.events[pos];
    if (e.type == EventType::kInvoke) {
      open[e.process] = pos;
      continue;
    }
    auto it = open.find(e.process);
    if (it == open.end()) continue;
    if (e.type == EventType::kInfo) info_of[it->second] = pos;
    open.erase(it);
  }
  std::vector<size_t> out(h.operations.size(), kOpen);
  for (const Operation& op : h.operations) {
    auto it = info_of.find(op.invoke_event);
    if (it != info_of.end()) out[op.id] = it->second;
  }
  return out;
}

// Every operation, one bar per invocation: of a scan's reads (which share it), the one on the
// focused partition's hashkey when there is one, else the first.
std::vector<size_t> OneBarPerInvocation(const History& h, const PartitionResult* p) {
  std::vector<size_t> out;
  for (const Operation& op : h.operations) {
    if (out.empty() || h.operations[out.back()].invoke_event != op.invoke_event) {
      out.push_back(op.id);
    } else if (p != nullptr && op.hashkey == p->hashkey) {
      out.back() = op.id;
    }
  }
  return out;
}

Layout MakeLayout(const History& h, const std::vector<size_t>& ops, const HtmlOptions& options) {
  Layout l;
  l.axis = options.axis;
  if (options.every_operation) l.info_event = InfoEvents(h);
  l.lo = std::numeric_limits<double>::max();
  l.hi = 0;
  l.t_lo = std::numeric_limits<int64_t>::max();
  const bool events = l.axis == TimeAxis::kEvents;
  for (size_t id : ops) {
    const Operation& op = h.operations[id];
    l.lo = std::min(l.lo, l.InvokeAt(op));
    l.t_lo = std::min(l.t_lo, op.invoke_time);
    if (l.EndEvent(op) != kOpen) {
      l.hi = std::max(l.hi, l.CompleteAt(op));
      l.t_hi = std::max(l.t_hi, op.complete_time);
    } else {  // open to the end of the history
      l.hi = std::max(l.hi, events ? static_cast<double>(h.events.size())
                                   : static_cast<double>(h.events.back().time));
      l.t_hi = std::max(l.t_hi, h.events.back().time);
    }
    l.lanes.emplace(op.process, 0);
  }
  // The failure is drawn even after the last operation (at the edge, on the event axis).
  if (options.focus_time) {
    l.t_hi = std::max(l.t_hi, *options.focus_time);
    if (!events) l.hi = std::max(l.hi, static_cast<double>(*options.focus_time));
  }
  l.hi = std::max(l.hi, l.lo) + (events ? 1 : std::max(1.0, (l.hi - l.lo) / 100));
  size_t lane = 0;
  for (auto& [process, index] : l.lanes) index = lane++;
  const double span = l.hi - l.lo;
  l.scale = kWidth / span;
  if (options.every_operation) {
    l.scale = std::max(l.scale, MedianScale(ops, l, h));
    if (events) l.scale = std::max(l.scale, kMinEventWidth);
    l.scale = std::min(l.scale, kMaxPageWidth / span);
  }
  std::set<std::string> groups;
  for (size_t id : ops) {
    const Operation& op = h.operations[id];
    auto note = options.notes.find(op.complete_event);
    if (note != options.notes.end() && !note->second.group.empty())
      groups.insert(note->second.group);
  }
  for (const std::string& g : groups) l.groups.emplace(g, l.groups.size() % kStripeColours);
  return l;
}

// Ticks along the top, every 1, 2 or 5 times a power of ten units, at least 90 px apart, with a
// faint rule through the lanes.
std::string Axis(const Layout& l) {
  const double unit = l.axis == TimeAxis::kEvents ? 1 : 1e6;  // an event, or a millisecond
  const double min_step = 90 / l.scale / unit;
  double step = std::pow(10, std::floor(std::log10(std::max(min_step, 1e-9))));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * step >= min_step) {
      step *= m;
      break;
    }
  }
  if (l.axis == TimeAxis::kEvents) step = std::max(step, 1.0);
  std::string svg;
  const double bottom = l.LaneY(l.lanes.size());
  for (double t = std::ceil(l.lo / unit / step) * step; t * unit <= l.hi; t += step) {
    const double x = l.X(t * unit);
    const std::string label = l.axis == TimeAxis::kEvents
                                  ? fmt::format("{}", static_cast<int64_t>(t))
                                  : fmt::format("{:.{}f} ms", t, step < 1 ? 3 : 0);
    svg += fmt::format(
        "<line class='grid' x1='{0:.1f}' y1='{1}' x2='{0:.1f}' y2='{2:.1f}'/><text class='axis' "
        "x='{3:.1f}' y='13'>{4}</text>\n",
        x, kAxisHeight - 4, bottom, x + 2, label);
  }
  return svg;
}

// A bar's tooltip: the operation, its times, the note's detail, its place in the prefix
// (`position`, 0 when outside it) and why it cannot be placed (`blocked`, empty when it can).
std::string BarTitle(const History& h, const Operation& op, size_t end, const OperationNote* note,
                     size_t position, const std::string& blocked) {
  std::string title = DescribeOperation(h, op) + "\ninvoked t=" + Ms(op.invoke_time) + " ms";
  if (op.complete_event != kOpen) {
    title += fmt::format(", completed t={} ms (took {} ms)", Ms(op.complete_time),
                         Ms(op.complete_time - op.invoke_time));
  } else if (end != kOpen) {
    title += fmt::format(
        ", given up t={} ms (unknown outcome: it may take effect at any later "
        "time)",
        Ms(op.complete_time));
  }
  if (note != nullptr && !note->detail.empty()) title += "\n" + note->detail;
  if (position != 0) title += fmt::format("\nlinearized #{}", position);
  if (!blocked.empty()) title += "\ncannot be placed: " + blocked;
  return title;
}

// The partial linearization: a line through one point of each prefix operation, in order.
// `prefix_ops` holds (position, op id) pairs.
std::string OrderPath(const History& h, std::vector<std::pair<size_t, size_t>> prefix_ops,
                      const Layout& l) {
  std::sort(prefix_ops.begin(), prefix_ops.end());
  std::string path;
  double last_x = 0;
  for (const auto& [n, id] : prefix_ops) {
    const Operation& op = h.operations[id];
    const double x0 = l.X(l.InvokeAt(op));
    const double x1 = l.X(l.CompleteAt(op));
    const double x = std::clamp(last_x + 2, x0 + 1, std::max(x0 + 1, x1 - 1));
    const double y = l.LaneY(l.lanes.at(op.process)) + 6 + kBarHeight / 2;
    path += fmt::format("{}{:.1f},{:.1f} ", path.empty() ? "M" : "L", x, y);
    last_x = x;
  }
  return path.empty() ? std::string() : fmt::format("<path class='order' d='{}'/>\n", path);
}

std::string Bars(const History& h, const PartitionResult* p, const std::vector<size_t>& ops,
                 const Layout& l, const HtmlOptions& options) {
  std::map<size_t, size_t> order;  // op -> position in the prefix
  for (size_t i = 0; p && i < p->prefix.size(); ++i) order[p->prefix[i]] = i + 1;
  std::map<size_t, std::string> blocked;
  if (p) {
    for (const auto& [id, why] : p->blocked) blocked.emplace(id, why);
  }
  std::string svg;
  std::vector<std::pair<size_t, size_t>> prefix_ops;
  for (size_t id : ops) {
    const Operation& op = h.operations[id];
    const double x0 = l.X(l.InvokeAt(op));
    const double w = std::max(2.0, l.X(l.CompleteAt(op)) - x0);
    const double y = l.LaneY(l.lanes.at(op.process)) + 6;
    const size_t end = l.EndEvent(op);
    const auto note_it = end == kOpen ? options.notes.end() : options.notes.find(end);
    const OperationNote* note = note_it == options.notes.end() ? nullptr : &note_it->second;
    std::string cls = std::string(OutcomeName(op.outcome));
    if (order.count(id)) cls += " lin";
    if (blocked.count(id)) cls += " bad";
    const std::string title = BarTitle(h, op, end, note, order.count(id) ? order[id] : 0,
                                       blocked.count(id) ? blocked[id] : std::string());
    // The label: the function, its place in the prefix, and the note; when they do not all fit,
    // the note (who served it, on the run's page), else the function.
    std::string label(FnName(RecordedFn(h, op)));
    if (order.count(id)) label += fmt::format(" #{}", order[id]);
    if (note != nullptr && !note->label.empty()) {
      if (Fits(label + " " + note->label, w - 4)) {
        label += " " + note->label;
      } else if (Fits(note->label, w - 4)) {
        label = note->label;
      }
    }
    if (!Fits(label, w - 4) && options.every_operation) label.clear();
    std::string stripe;
    if (note != nullptr && l.groups.count(note->group)) {
      stripe = fmt::format(
          "<rect class='stripe s{}' x='{:.1f}' y='{:.1f}' width='{:.1f}' "
          "height='3'/>",
          l.groups.at(note->group), x0 + 1, y + kBarHeight - 3.5, std::max(1.0, w - 2));
    }
    svg += fmt::format(
        "<g class='{}'><title>{}</title><rect x='{:.1f}' y='{:.1f}' width='{:.1f}' "
        "height='{}' rx='3'/>{}",
        cls, Escape(title), x0, y, w, kBarHeight, stripe);
    if (!label.empty())
      svg += fmt::format("<text x='{:.1f}' y='{:.1f}'>{}</text>", x0 + 3, y + 11, Escape(label));
    svg += "</g>\n";
    if (order.count(id)) prefix_ops.emplace_back(order[id], id);
  }
  return svg + OrderPath(h, std::move(prefix_ops), l);
}

// The stripe colours' legend, when the notes name groups.
std::string Legend(const Layout& l) {
  if (l.groups.empty()) return "";
  std::string out = "<p class='legend'>Served by (the stripe under each bar): ";
  for (const auto& [name, colour] : l.groups) {
    out += fmt::format(
        "<svg width='14' height='10'><rect class='stripe s{}' width='14' "
        "height='10'/></svg> {} &nbsp; ",
        colour, Escape(name));
  }
  return out + "</p>\n";
}

// Where the page opens scrolled to: the first operation the checker cannot place, else the
// focus time; nullopt: the start.
std::optional<double> ScrollTo(const History& h, const PartitionResult* p, const Layout& l,
                               const HtmlOptions& options) {
  std::optional<double> x;
  if (p != nullptr) {
    for (const auto& [id, why] : p->blocked) {
      const double at = l.X(l.InvokeAt(h.operations[id]));
      x = x ? std::min(*x, at) : at;
    }
  }
  if (!x && options.focus_time) x = l.X(l.EventAt(h, *options.focus_time));
  return x;
}

constexpr const char* kStyle = R"(
body { font-family: sans-serif; margin: 16px; }
pre { background: #f6f6f6; padding: 8px; white-space: pre-wrap; }
.timeline { display: flex; align-items: flex-start; border: 1px solid #ddd; }
.timeline .scroll { overflow-x: auto; flex: 1; }
.timeline svg.names { flex: none; background: #fafafa; border-right: 1px solid #ddd; }
svg text { font-size: 11px; pointer-events: none; }
.lane { fill: #333; }
.axis { fill: #777; font-size: 10px; }
.grid { stroke: #eee; }
g rect { fill: #b8c7dc; stroke: #5a6f8f; }
g.info rect { fill: #f3d9a4; stroke: #b07d1a; stroke-dasharray: 4 2; }
g.fail rect { fill: #e4e4e4; stroke: #888; }
g.lin rect { fill: #bfe3bf; stroke: #3d8b3d; }
g.bad rect { fill: #f4a3a3; stroke: #b30000; stroke-width: 2; }
g:hover rect { stroke: #000; stroke-width: 2; }
g rect.stripe, rect.stripe { stroke: none; }
.s0 { fill: #1f77b4 !important; } .s1 { fill: #ff7f0e !important; } .s2 { fill: #2ca02c !important; }
.s3 { fill: #d62728 !important; } .s4 { fill: #9467bd !important; } .s5 { fill: #8c564b !important; }
.s6 { fill: #e377c2 !important; } .s7 { fill: #7f7f7f !important; } .s8 { fill: #bcbd22 !important; }
.s9 { fill: #17becf !important; }
.order { fill: none; stroke: #2a6e2a; stroke-width: 1.5; }
.band { fill: #555; }
.bandsep { stroke: #999; }
g.ev rect { fill: #5a6f8f; stroke: none; }
g.ev.fold rect { fill: #dfe5ee; stroke: #5a6f8f; stroke-width: 1; }
g.ev.fold line { stroke: #5a6f8f; stroke-width: 1; }
g.ev-faults rect { fill: #d9822b; }
g.ev-failure rect { fill: #b30000; }
text.mark { fill: #333; font-size: 10px; }
.rule { stroke-width: 1; stroke-dasharray: 3 3; }
.rule.ev-faults { stroke: #d9822b; }
.rule.ev-failure { stroke: #b30000; stroke-width: 2; }
.overview { margin-bottom: 6px; cursor: pointer; }
.overview #overview { flex: 1; width: 100%; background: #fff; }
.o-ok { fill: #c9d4e3; } .o-info { fill: #e0a030; } .o-fail { fill: #999; } .o-bad { fill: #b30000; }
.o-ev { fill: #5a6f8f; } .o-ev.ev-faults { fill: #d9822b; } .o-ev.ev-failure { fill: #b30000; }
#view { fill: rgba(90, 111, 143, 0.12); stroke: #5a6f8f; stroke-width: 1;
  vector-effect: non-scaling-stroke; }
table.events { border-collapse: collapse; font-size: 12px; }
table.events td, table.events th { border: 1px solid #ddd; padding: 2px 6px; text-align: left;
  vertical-align: top; }
tr.ev-failure td { color: #b30000; font-weight: bold; }
summary { cursor: pointer; }
)";

// The labels left of the drawing: a lane per process, a row per band row.
std::string Names(const Layout& l) {
  std::string svg;
  for (const auto& [process, lane] : l.lanes) {
    svg += fmt::format("<text x='6' y='{}' class='lane'>process {}</text>\n", l.LaneY(lane) + 20,
                       process);
  }
  for (size_t row = 0; row < l.band_rows.size(); ++row) {
    svg += fmt::format("<text x='6' y='{:.1f}' class='lane band'>{}</text>\n",
                       l.BandY(row) + kRowHeight - 6, Escape(l.band_rows[row]));
  }
  return svg;
}

std::string Page(const History& h, const CheckResult& r, const HtmlOptions& options) {
  const PartitionResult* p = r.verdict == Verdict::kOk ? nullptr : Focus(r);
  std::vector<size_t> ops;
  bool focused = false;
  if (options.every_operation) {
    ops = OneBarPerInvocation(h, p);
  } else {
    ops = Window(h, r, p);
    focused = ops.empty() && options.focus_time.has_value();
    if (focused) ops = FocusWindow(h, *options.focus_time);
  }
  std::string body = options.intro;
  std::optional<Layout> layout;
  if (ops.empty()) {
    body += "<p>Nothing to draw: every partition is linearizable.</p>";
  } else {
    layout = MakeLayout(h, ops, options);
    layout->band_rows = BandRows(options, &*layout);
    std::string what;
    if (options.every_operation) {
      what = fmt::format("All {} operations", ops.size());
      if (p != nullptr) what += fmt::format(", the failing partition <b>{}</b>", Escape(p->name));
    } else if (focused) {
      what = fmt::format(
          "The history is linearizable; the {} operations around the failure are "
          "drawn",
          ops.size());
    } else {
      what = fmt::format("Partition <b>{}</b>: {} operations drawn", Escape(p->name), ops.size());
    }
    const std::string axis = layout->axis == TimeAxis::kEvents
                                 ? "x = event order, every history event equally wide"
                                 : "x = simulated time";
    const bool overview = options.every_operation && layout->Width() > kOverviewFrom;
    body += fmt::format(
        "<p>{} ({}; green = the longest linearizable prefix found, numbered, with its order as "
        "a line; red = cannot be placed; orange dashed = unknown outcome; grey = failed). Hover "
        "a bar or a mark for details{}.</p>\n{}{}"
        "<div class='timeline'><svg class='names' xmlns='http://www.w3.org/2000/svg' width='{}' "
        "height='{:.0f}'>\n{}</svg><div class='scroll' id='timeline'>"
        "<svg xmlns='http://www.w3.org/2000/svg' width='{:.0f}' height='{:.0f}'>\n{}{}{}</svg>"
        "</div></div>\n",
        what, axis, overview ? "; click the overview to move along the run" : "", Legend(*layout),
        overview ? Overview(h, p, ops, *layout, options.band) : "", kLeft, layout->Height(),
        Names(*layout), layout->Width(), layout->Height(), Axis(*layout),
        Bars(h, p, ops, *layout, options), Band(h, options.band, *layout));
    if (const auto x = ScrollTo(h, p, *layout, options); x && *x > 300) {
      body += fmt::format(
          "<script>document.getElementById('timeline').scrollLeft = {:.0f};</script>\n", *x - 200);
    }
    if (overview) body += OverviewScript();
  }
  body += BandTable(h, options.band, layout ? &*layout : nullptr,
                    layout ? layout->band_rows : BandRows(options, nullptr));
  const std::string title = options.title.empty() ? h.source : options.title;
  const std::string verdict =
      options.verdict.empty() ? std::string(VerdictName(r.verdict)) : options.verdict;
  return fmt::format(
      "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>pegasim check: {} ({})</title>"
      "<style>{}</style></head><body>\n<h1>{}: {}</h1>\n{}\n<h2>Explanation</h2><pre>{}</pre>\n"
      "</body></html>\n",
      Escape(verdict), Escape(title), kStyle, Escape(title), Escape(verdict), body,
      Escape(r.explanation));
}

}  // namespace
}  // namespace html

std::string HtmlReport(const History& h, const CheckResult& r) { return HtmlReport(h, r, {}); }

std::string HtmlReport(const History& h, const CheckResult& r, const HtmlOptions& options) {
  return html::Page(h, r, options);
}

}  // namespace pg::checker
