#pragma once
// `--html FILE`: one self-contained offline page. A lane per process, operations as bars over
// (event) time, the operations that cannot be placed in red, the longest linearizable prefix in
// green with its order drawn as a line through the bars; hover a bar for its details.
#include <cstdint>
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
  std::string row;   // the band's row, e.g. "faults", "protocol", "failure"
  std::string label;
};

struct HtmlOptions {
  std::string title;  // replaces the history's source in the heading when set
  std::vector<TimelineEvent> band;
  std::vector<std::string> band_rows;  // the rows' order, top down; unlisted rows follow
  // When the history itself is linearizable (e.g. the run failed an invariant), draw the
  // operations around this time instead of nothing.
  std::optional<int64_t> focus_time;
};

// The page above, with the band of timeline events under the operations, a vertical rule through
// the lanes at each fault and failure, and a table of the events in the drawn window.
std::string HtmlReport(const History& history, const CheckResult& result,
                       const HtmlOptions& options);

}  // namespace pg::checker
