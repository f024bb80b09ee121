#pragma once
// `pegasim check HISTORY...`: judge recorded histories. Exit 0 ok, 1 illegal, 3 unknown, 2 bad
// input; with several, the worst: 2, then 1, then 3. Links the checker only (no core/, no sim/),
// so the slim pegasim-check binary (cli/check_main.cc) can serve the same command.
#include <CLI/CLI.hpp>

namespace pg::cli {

// Registers the `check` subcommand; when it runs, *exit_code receives its exit status. Flag
// errors are the caller's: main turns CLI11's ParseError into exit 2.
void AddCheckCommand(CLI::App& app, int* exit_code);

// The same flags and action on an app of its own (pegasim-check's root).
void ConfigureCheck(CLI::App& cmd, int* exit_code);

}  // namespace pg::cli
