#pragma once
// `pegasim check HISTORY`: judge a recorded history. Exit 0 ok, 1 illegal, 3 unknown, 2 bad input.
#include <CLI/CLI.hpp>

namespace pg::cli {

// Registers the `check` subcommand; when it runs, *exit_code receives its exit status. Flag
// errors are the caller's: main turns CLI11's ParseError into exit 2.
void AddCheckCommand(CLI::App& app, int* exit_code);

}  // namespace pg::cli
