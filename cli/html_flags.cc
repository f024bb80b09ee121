#include "cli/html_flags.h"

namespace pg::cli {

void AddHtmlOptions(CLI::App& cmd, std::string& html_file, std::string& time_axis) {
  cmd.add_option("--html", html_file,
                 "Write the run's page: every operation with who served it (server, ballot), the "
                 "failing ones marked, faults and protocol events in a band under them");
  cmd.add_option("--time-axis", time_axis,
                 "The page's x axis: events (history order, each event equally wide; the "
                 "default) or sim (simulated time)")
      ->check(CLI::IsMember({"events", "sim"}));
}

checker::TimeAxis TimeAxisFlag(const std::string& time_axis) {
  return time_axis == "sim" ? checker::TimeAxis::kSimTime : checker::TimeAxis::kEvents;
}

}  // namespace pg::cli
