#pragma once
// The pegasim subcommands. Each Add* registers one subcommand on the app; when it runs, it stores
// the process exit code in *exit_code: 0 ok, 1 a run failed (or a check found a violation), 2 bad
// input (a flag, a scenario, a verdict or a history), 3 unknown (the checker ran out of budget).
#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/common/bugs.h"
#include "core/common/result.h"

namespace pg::cli {

void AddRunCommand(CLI::App& app, int* exit_code);
void AddSweepCommand(CLI::App& app, int* exit_code);
void AddReplayCommand(CLI::App& app, int* exit_code);
void AddExploreCommand(CLI::App& app, int* exit_code);
void AddMergeCommand(CLI::App& app, int* exit_code);
void AddDiffCommand(CLI::App& app, int* exit_code);
// Exit 0 written, 1 the verdict's failure did not reproduce, 2 bad input (or a passing verdict).
void AddShrinkCommand(CLI::App& app, int* exit_code);

// pegasim hunt: the default sweep with a bug-zoo switch on; exit 1 when a switch goes uncaught.
void AddHuntCommand(CLI::App& app, int* exit_code);

// pegasim scenarios: one row per scenario file; exit 2 naming the first file that does not load.
void AddScenariosCommand(CLI::App& app, int* exit_code);

// --bug flags: each a bug-zoo switch name (core/common/bugs.h); kInvalidArgument naming the flag.
Result<BugSet> ParseBugFlags(const std::vector<std::string>& names);

// Prints "pegasim: <message>" to stderr and returns 2.
int BadInput(const std::string& message);
// Writes text to a file, creating its directory; false (with a message on stderr) on failure.
bool WriteFile(const std::string& path, const std::string& text);
// Before a run: creates an output file's directory and the file (keeping what it holds), so that
// an output that cannot be written is bad input at once, not an error after a long run. The
// problem, naming the path and the reason, or nullopt.
std::optional<std::string> OutputProblem(const std::string& path);
// The same for an output directory, with nothing created: it, or the nearest ancestor that
// exists, is a directory we may write in.
std::optional<std::string> OutputDirProblem(const std::string& dir);
// OutputProblem of each non-empty path: 0, or 2 after printing the first problem.
int CheckOutputs(const std::vector<std::string>& paths);

}  // namespace pg::cli
