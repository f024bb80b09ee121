#pragma once
// `run --html` and `replay --html`: the page of a run. Every operation as a bar in its client's
// lane, each naming who served it (the replica server whose reply completed it, with that
// replica's ballot and status then; served_by.h), the operations the checker cannot place in red,
// and under them a band of what happened to the system: the faults the nemesis injected, the
// protocol events the nodes marked (a row per node and partition; a run of one repeated mark
// folded into one), and the run's failure when it happened at one event (an invariant, an
// assertion).
#include <string>
#include <vector>

#include "checker/html_report.h"
#include "sim/driver/runner.h"

namespace pg::sim {

// The band's events in time order. Protocol events come from the trace's Mark effects, so the
// outcome must have been recorded with RunOptions::record_trace (without it: faults and failure
// only).
std::vector<checker::TimelineEvent> TimelineOf(const RunOutcome& outcome);

// The page. Who served each operation comes from outcome.served_by (RunOptions::
// record_served_by). kInvalidArgument if the outcome's history does not parse (a bug in the
// bench).
Result<std::string> RunHtml(const RunOutcome& outcome, const std::string& title,
                            checker::TimeAxis axis = checker::TimeAxis::kEvents);

// The options a run that will be drawn needs: the trace (for the marks) and who served what.
RunOptions RunHtmlRecording();

// `text` with the paths of this source tree made relative to its root (an assertion names its
// file as the compiler saw it, a scenario as the command line did), and the same for the current
// directory's: the page names no absolute path of the machine it was made on.
std::string RepoRelative(std::string text);

}  // namespace pg::sim
