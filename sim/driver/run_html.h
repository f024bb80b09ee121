#pragma once
// `replay --html`: the checker's timeline of a run's history, with the failing operations marked
// and, under them, a band of what happened to the system: the faults the nemesis injected, the
// protocol events the nodes marked (primary changes and their ballots, fail-stops, removals), and
// the run's failure when it happened at one event (an invariant, an assertion).
#include <string>
#include <vector>

#include "checker/html_report.h"
#include "sim/driver/runner.h"

namespace pg::sim {

// The band's events in time order. Protocol events come from the trace's Mark effects, so the
// outcome must have been recorded with RunOptions::record_trace (without it: faults and failure
// only).
std::vector<checker::TimelineEvent> TimelineOf(const RunOutcome& outcome);

// The page. kInvalidArgument if the outcome's history does not parse (a bug in the bench).
Result<std::string> RunHtml(const RunOutcome& outcome, const std::string& title);

}  // namespace pg::sim
