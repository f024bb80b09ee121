// The band under the operations (faults, protocol marks, the failure), its table, and the
// overview of the whole drawing.
#include <set>

#include "checker/html_layout.h"

namespace pg::checker::html {
namespace {

// One mark of the band: an event, or a run of events folded into one.
struct BandMark {
  size_t row = 0;
  std::vector<const TimelineEvent*> events;
  bool folded() const { return events.size() >= kFoldAtLeast; }
};

// The band's marks in time order (of their first event). Events outside the drawn span are left
// out and counted in `outside` when there is a layout.
std::vector<BandMark> BandMarks(const History& h, const std::vector<TimelineEvent>& band,
                                const Layout* l, const std::vector<std::string>& rows,
                                size_t* outside) {
  std::vector<BandMark> marks;
  std::map<size_t, size_t> open;  // row -> its last mark
  for (const TimelineEvent& e : band) {
    if (l != nullptr && !l->Inside(e.time)) {
      ++*outside;
      continue;
    }
    const size_t row =
        static_cast<size_t>(std::find(rows.begin(), rows.end(), e.row) - rows.begin());
    auto last = open.find(row);
    if (last != open.end() && !e.fold.empty() && marks[last->second].events[0]->fold == e.fold) {
      marks[last->second].events.push_back(&e);
      continue;
    }
    open[row] = marks.size();
    marks.push_back({.row = row, .events = {&e}});
  }
  // A run too short to fold is drawn one by one.
  std::vector<BandMark> out;
  for (BandMark& m : marks) {
    if (m.events.size() == 1 || m.folded()) {
      out.push_back(std::move(m));
      continue;
    }
    for (const TimelineEvent* e : m.events) out.push_back({.row = m.row, .events = {e}});
  }
  std::stable_sort(out.begin(), out.end(), [](const BandMark& a, const BandMark& b) {
    return a.events[0]->time < b.events[0]->time;
  });
  return out;
}

std::string MarkTitle(const BandMark& m) {
  const TimelineEvent& first = *m.events[0];
  if (!m.folded()) return fmt::format("t={} ms: {}", Ms(first.time), first.label);
  std::string title = fmt::format("{} \u00d7{}, t={} to {} ms:", first.fold, m.events.size(),
                                  Ms(first.time), Ms(m.events.back()->time));
  for (size_t i = 0; i < m.events.size() && i < kFoldListed; ++i)
    title += fmt::format("\nt={} ms: {}", Ms(m.events[i]->time), m.events[i]->label);
  if (m.events.size() > kFoldListed)
    title += fmt::format("\n... and {} more", m.events.size() - kFoldListed);
  return title;
}

constexpr double kOverviewUnits = 1000;  // the overview's viewBox width
constexpr double kOverviewHeight = 44;

// Keeps the overview's frame on the part of the timeline in view; a click on the overview
// centres the timeline there.
constexpr const char* kScript = R"(<script>
(function() {
  var t = document.getElementById('timeline'), o = document.getElementById('overview');
  var v = document.getElementById('view'), units = %UNITS%;
  function sync() {
    v.setAttribute('x', t.scrollLeft / t.scrollWidth * units);
    v.setAttribute('width', t.clientWidth / t.scrollWidth * units);
  }
  t.addEventListener('scroll', sync);
  o.addEventListener('click', function(e) {
    var r = o.getBoundingClientRect();
    t.scrollLeft = (e.clientX - r.left) / r.width * t.scrollWidth - t.clientWidth / 2;
  });
  sync();
})();
</script>
)";

}  // namespace

// The band's rows top down that have an event inside the drawn span (with a layout): those
// listed, then the others in order of their first event.
std::vector<std::string> BandRows(const HtmlOptions& options, const Layout* l) {
  std::vector<std::string> rows;
  std::set<std::string> used;
  for (const TimelineEvent& e : options.band) {
    if (l == nullptr || l->Inside(e.time)) used.insert(e.row);
  }
  for (const std::string& row : options.band_rows) {
    if (used.count(row) && std::find(rows.begin(), rows.end(), row) == rows.end())
      rows.push_back(row);
  }
  for (const TimelineEvent& e : options.band) {
    if (used.count(e.row) && std::find(rows.begin(), rows.end(), e.row) == rows.end())
      rows.push_back(e.row);
  }
  return rows;
}

// The band: a row per band row, a tick per event at its time, runs of one repeated event folded
// into one mark; faults and failures also get a rule through the lanes so the operations they
// cut are visible. A mark's short name is written beside it when the row has room.
std::string Band(const History& h, const std::vector<TimelineEvent>& band, const Layout& l) {
  std::string svg;
  if (band.empty()) return svg;
  const double top = l.BandTop() - kBandGap / 2;
  svg += fmt::format("<line class='bandsep' x1='0' y1='{0:.1f}' x2='{1:.1f}' y2='{0:.1f}'/>\n", top,
                     l.Width());
  size_t outside = 0;
  const std::vector<BandMark> marks = BandMarks(h, band, &l, l.band_rows, &outside);
  // Where the next mark of each row starts, to know how much room a label has.
  std::vector<double> next_x(marks.size(), l.Width());
  std::map<size_t, size_t> later;  // row -> the mark after, scanning backwards
  for (size_t i = marks.size(); i-- > 0;) {
    if (auto it = later.find(marks[i].row); it != later.end())
      next_x[i] = l.X(l.EventAt(h, marks[it->second].events[0]->time)) - 2;
    later[marks[i].row] = i;
  }
  for (size_t i = 0; i < marks.size(); ++i) {
    const BandMark& m = marks[i];
    const TimelineEvent& first = *m.events[0];
    const double x0 = l.X(l.EventAt(h, first.time));
    const double x1 = l.X(l.EventAt(h, m.events.back()->time));
    const double y = l.BandY(m.row) + (kRowHeight - kTickHeight) / 2;
    const std::string cls = "ev ev-" + Escape(first.Kind());
    if (first.Kind() != "protocol") {
      for (const TimelineEvent* e : m.events) {
        const double x = l.X(l.EventAt(h, e->time));
        svg += fmt::format("<line class='rule {}' x1='{:.1f}' y1='{}' x2='{:.1f}' y2='{:.1f}'/>\n",
                           cls, x, kAxisHeight, x, l.BandY(m.row));
      }
    }
    std::string label;
    double text_x = x0 + 5;
    if (m.folded()) {
      svg += fmt::format(
          "<g class='{} fold'><title>{}</title><rect x='{:.1f}' y='{:.1f}' width='{:.1f}' "
          "height='{}' rx='2'/>",
          cls, Escape(MarkTitle(m)), x0 - 2, y, x1 - x0 + 5, kTickHeight);
      for (const TimelineEvent* e : m.events) {
        svg += fmt::format("<line x1='{0:.1f}' y1='{1:.1f}' x2='{0:.1f}' y2='{2:.1f}'/>",
                           l.X(l.EventAt(h, e->time)), y, y + 3);
      }
      svg += "</g>\n";
      label = fmt::format("{} \u00d7{}", first.brief.empty() ? first.fold : first.brief,
                          m.events.size());
      // Inside the span when it is wide enough, else after it.
      if (!Fits(label, x1 - x0 - 4)) text_x = x1 + 5;
    } else {
      svg += fmt::format(
          "<g class='{}'><title>{}</title><rect x='{:.1f}' y='{:.1f}' width='5' height='{}' "
          "rx='1'/></g>\n",
          cls, Escape(MarkTitle(m)), x0 - 2, y, kTickHeight);
      label = first.brief;
    }
    const double room = next_x[i] - text_x;
    if (!label.empty() && !Fits(label, room) && m.folded())
      label = fmt::format("\u00d7{}", m.events.size());
    if (!label.empty() && Fits(label, room)) {
      svg += fmt::format("<text class='mark' x='{:.1f}' y='{:.1f}'>{}</text>\n", text_x,
                         y + kTickHeight - 3, Escape(label));
    }
  }
  return svg;
}

// The band's events as a table: those inside the drawn window (a folded run on one line that
// opens to list them), then a count of the rest.
std::string BandTable(const History& h, const std::vector<TimelineEvent>& band, const Layout* l,
                      const std::vector<std::string>& rows) {
  if (band.empty()) return "";
  size_t outside = 0;
  const std::vector<BandMark> marks = BandMarks(h, band, l, rows, &outside);
  std::string out;
  size_t shown = 0;
  for (const BandMark& m : marks) {
    if (++shown > kMaxTableRows) continue;
    const TimelineEvent& first = *m.events[0];
    std::string what = Escape(first.label);
    std::string when = Ms(first.time);
    if (m.folded()) {
      when += "&ndash;" + Ms(m.events.back()->time);
      std::string list;
      for (const TimelineEvent* e : m.events)
        list += fmt::format("<br>{}: {}", Ms(e->time), Escape(e->label));
      what = fmt::format("<details><summary>{} \u00d7{}</summary>{}</details>", Escape(first.fold),
                         m.events.size(), list);
    }
    out += fmt::format("<tr class='ev-{}'><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                       Escape(first.Kind()), when, Escape(first.row), what);
  }
  std::string more;
  if (shown > kMaxTableRows) more += fmt::format(" {} more not listed.", shown - kMaxTableRows);
  if (outside > 0) more += fmt::format(" {} more outside the drawn window.", outside);
  return fmt::format(
      "<h2>Timeline events</h2><p>Faults injected, protocol events and the failure, drawn in the "
      "band under the operations; a run of one repeated event is folded into one line.{}</p>\n"
      "<table class='events'><tr><th>time (ms)</th><th>row</th><th>event</th></tr>\n{}</table>\n",
      more, out);
}

// The whole drawing squeezed into the page's width, above it: a tick per operation (red: cannot
// be placed, orange: unknown outcome, grey: failed), the faults, the protocol marks and the
// failure, and the part the timeline shows now; a click scrolls the timeline there.
std::string Overview(const History& h, const PartitionResult* p, const std::vector<size_t>& ops,
                     const Layout& l, const std::vector<TimelineEvent>& band) {
  std::set<size_t> blocked;
  if (p != nullptr) {
    for (const auto& [id, why] : p->blocked) blocked.insert(id);
  }
  const double k = kOverviewUnits / l.Width();
  std::string svg;
  // Plain ok operations first, so that the others are drawn over them.
  for (const bool plain : {true, false}) {
    for (size_t id : ops) {
      const Operation& op = h.operations[id];
      const bool is_plain = op.outcome == Outcome::kOk && !blocked.count(id);
      if (is_plain != plain) continue;
      const std::string cls = blocked.count(id) ? "bad" : std::string(OutcomeName(op.outcome));
      svg += fmt::format("<rect class='o-{}' x='{:.2f}' y='2' width='{:.2f}' height='12'/>", cls,
                         l.X(l.InvokeAt(op)) * k,
                         std::max(0.6, (l.X(l.CompleteAt(op)) - l.X(l.InvokeAt(op))) * k));
    }
  }
  for (const TimelineEvent& e : band) {
    if (!l.Inside(e.time)) continue;
    const bool protocol = e.Kind() == "protocol";
    svg += fmt::format("<rect class='o-ev ev-{}' x='{:.2f}' y='{}' width='0.8' height='{}'/>",
                       Escape(e.Kind()), l.X(l.EventAt(h, e.time)) * k, protocol ? 30 : 16,
                       protocol ? 12 : 26);
  }
  return fmt::format(
      "<div class='timeline overview'><svg class='names' width='{}' height='{}'><text x='6' "
      "y='12' class='lane'>whole run</text><text x='6' y='26' class='lane band'>faults</text>"
      "<text x='6' y='40' class='lane band'>protocol</text></svg><svg id='overview' "
      "xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {} {}' preserveAspectRatio='none' "
      "height='{}'>{}<rect id='view' x='0' y='0' width='0' height='{}'/></svg></div>\n",
      kLeft, kOverviewHeight, kOverviewUnits, kOverviewHeight, kOverviewHeight, svg,
      kOverviewHeight);
}

std::string OverviewScript() {
  std::string script = kScript;
  script.replace(script.find("%UNITS%"), 7, fmt::format("{}", kOverviewUnits));
  return script;
}

}  // namespace pg::checker::html
