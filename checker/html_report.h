#pragma once
// `--html FILE`: one self-contained offline page. A lane per process, operations as bars over
// (event) time, the operations that cannot be placed in red, the longest linearizable prefix in
// green with its order drawn as a line through the bars; hover a bar for its details.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "checker/check.h"
#include "checker/history.h"

namespace pg::checker {

std::string HtmlReport(const History& history, const CheckResult& result);

// Something that happened to the system while the history was recorded, drawn in a band under
// the operations at its time: a fault injected, a protocol event (a primary change, a ballot, a
// fail-stop), the run's failure. The checker only draws them; the caller knows what they mean.
struct TimelineEvent {
  int64_t time = 0;  // on the history's clock (ns)
  std::string row;   // the band's row, e.g. "faults", "replica/1 1.3", "failure"
  std::string label;
  std::string kind;  // its colour and the table's column: "faults", "protocol", ...; empty: row
  // Events that follow one another in a row with the same non-empty fold (e.g. a periodic
  // checkpoint's mark) are drawn as one mark, "fold ×N", listing them in its tooltip.
  std::string fold;
  std::string brief;  // a short name written beside the mark when the row has room; empty: none
  const std::string& Kind() const { return kind.empty() ? row : kind; }
};

// What the caller knows about an operation beyond its history line, e.g. who served it.
struct OperationNote {
  std::string label;   // short, written on the bar when it fits
  std::string detail;  // a line of the bar's tooltip
  std::string group;   // bars of one group share a stripe colour (e.g. the serving node)
};

enum class TimeAxis : uint8_t {
  kEvents,   // x = position in the history: every event equally wide (the default)
  kSimTime,  // x = the events' time: gaps and slow operations at their true length
};

struct HtmlOptions {
  std::string title;  // replaces the history's source in the heading when set
  std::vector<TimelineEvent> band;
  std::vector<std::string> band_rows;  // the rows' order, top down; unlisted rows follow
  // When the history itself is linearizable (e.g. the run failed an invariant), draw the
  // operations around this time instead of nothing.
  std::optional<int64_t> focus_time;
  // Draw every operation (a run's page), in a page as wide as they need, scrolled to the
  // failing operations or the focus, instead of the checker's window of at most a few hundred.
  bool every_operation = false;
  std::map<size_t, OperationNote> notes;  // by the operation's completion, a History::events index
  TimeAxis axis = TimeAxis::kEvents;
  std::string intro;  // a paragraph under the heading (already HTML)
  // The heading's verdict instead of the checker's (a run that failed an invariant may have a
  // linearizable history).
  std::string verdict;
};

// The page above, with the band of timeline events under the operations, a vertical rule through
// the lanes at each fault and failure, and a table of the events in the drawn window.
std::string HtmlReport(const History& history, const CheckResult& result,
                       const HtmlOptions& options);

}  // namespace pg::checker
