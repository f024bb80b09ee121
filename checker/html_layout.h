#pragma once
// The pieces of the --html page (html_report.h) that its two files share: sizes, escaping, and
// the layout that maps history positions or times to x. Internal to checker/.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checker/html_report.h"

namespace pg::checker::html {

inline constexpr size_t kMaxBars = 400;  // the checker's window: a page a browser draws at once
inline constexpr size_t kPrefixTail = 40;
inline constexpr double kLaneHeight = 28, kBarHeight = 16, kLeft = 130, kWidth = 1200,
                        kBandGap = 12;
inline constexpr double kAxisHeight = 20;  // the axis's labels, above the lanes
inline constexpr double kRowHeight = 20;   // a band row
inline constexpr double kTickHeight = 14;  // a band mark
inline constexpr double kPad = 6;          // room left of the first bar, so its mark is not cut
// Every operation drawn (HtmlOptions::every_operation): the median operation this wide (room for
// its label), every history event at least this wide, and the drawing at most this wide in all
// (browsers stop drawing far wider elements).
inline constexpr double kMedianOpWidth = 36, kMinEventWidth = 12, kMaxPageWidth = 250000;
inline constexpr double kCharWidth = 6.3;  // of the 11px font, roughly: whether a label fits
inline constexpr size_t kMaxTableRows = 300;
inline constexpr size_t kFoldAtLeast = 3;     // fewer repeats are drawn one by one
inline constexpr size_t kFoldListed = 40;     // a folded mark's tooltip lists this many
inline constexpr size_t kStripeColours = 10;  // .s0 ... .s9 in the style

inline std::string Escape(std::string_view s) {
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
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

inline std::string Ms(int64_t ns) { return fmt::format("{:.3f}", static_cast<double>(ns) / 1e6); }

inline bool Fits(std::string_view text, double width) {
  return static_cast<double>(text.size()) * kCharWidth <= width;
}

// The history position of a time: the first event at or after it.
inline size_t PositionOf(const History& h, int64_t time) {
  auto it = std::lower_bound(h.events.begin(), h.events.end(), time,
                             [](const Event& e, int64_t t) { return e.time < t; });
  return static_cast<size_t>(it - h.events.begin());
}

// Where things are drawn. x is in axis units (history positions, or ns on the time axis) mapped
// into the scrolling drawing; the lane and band labels are a separate drawing left of it.
struct Layout {
  TimeAxis axis = TimeAxis::kEvents;
  double lo = 0, hi = 1;                 // the drawn span, in axis units
  int64_t t_lo = 0, t_hi = 0;            // ... and in time: band events outside it are not drawn
  double scale = 1;                      // px per unit
  std::map<int64_t, size_t> lanes;       // process -> lane
  std::vector<std::string> band_rows;    // under the lanes, top down
  std::map<std::string, size_t> groups;  // OperationNote::group -> stripe colour
  // By operation: where an unknown outcome was recorded (the page of every operation ends its bar
  // there rather than at the edge); empty otherwise.
  std::vector<size_t> info_event;

  // The operation's completion in History::events, or its info record's; kOpen if neither.
  size_t EndEvent(const Operation& op) const {
    if (op.complete_event != kOpen || info_event.empty()) return op.complete_event;
    return info_event[op.id];
  }

  double Width() const { return kPad + (hi - lo) * scale + 40; }  // room for the last tick
  double LaneY(size_t lane) const { return kAxisHeight + static_cast<double>(lane) * kLaneHeight; }
  double BandTop() const { return LaneY(lanes.size()) + kBandGap; }
  double BandY(size_t row) const { return BandTop() + static_cast<double>(row) * kRowHeight; }
  double Height() const { return BandY(band_rows.size()) + 4; }
  bool Inside(int64_t time) const { return time >= t_lo && time <= t_hi; }
  double X(double u) const { return kPad + (std::clamp(u, lo, hi) - lo) * scale; }

  double InvokeAt(const Operation& op) const {
    return axis == TimeAxis::kEvents ? static_cast<double>(op.invoke_event)
                                     : static_cast<double>(op.invoke_time);
  }
  double CompleteAt(const Operation& op) const {
    const size_t end = EndEvent(op);
    if (end == kOpen) return hi;
    return axis == TimeAxis::kEvents ? static_cast<double>(end)
                                     : static_cast<double>(op.complete_time);
  }
  double EventAt(const History& h, int64_t time) const {
    return axis == TimeAxis::kEvents ? static_cast<double>(PositionOf(h, time))
                                     : static_cast<double>(time);
  }
};

// The band's rows top down that have an event inside the drawn span (with a layout): those
// listed, then the others in order of their first event.
std::vector<std::string> BandRows(const HtmlOptions& options, const Layout* l);
// The band drawn under the lanes.
std::string Band(const History& h, const std::vector<TimelineEvent>& band, const Layout& l);
// The band's events as a table (without a layout: all of them).
std::string BandTable(const History& h, const std::vector<TimelineEvent>& band, const Layout* l,
                      const std::vector<std::string>& rows);

// A drawing wider than this gets the overview above it.
inline constexpr double kOverviewFrom = 2 * kWidth;
// The whole drawing squeezed into the page's width, with the script that moves along it.
std::string Overview(const History& h, const PartitionResult* p, const std::vector<size_t>& ops,
                     const Layout& l, const std::vector<TimelineEvent>& band);
std::string OverviewScript();

}  // namespace pg::checker::html
