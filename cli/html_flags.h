#pragma once
// --html FILE and --time-axis events|sim, shared by `run` and `replay` (sim/driver/run_html.h).
#include <CLI/CLI.hpp>
#include <string>

#include "checker/html_report.h"

namespace pg::cli {

void AddHtmlOptions(CLI::App& cmd, std::string& html_file, std::string& time_axis);

// The axis a validated --time-axis names.
checker::TimeAxis TimeAxisFlag(const std::string& time_axis);

}  // namespace pg::cli
