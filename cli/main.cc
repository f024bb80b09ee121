// pegasim: the command line. Thin: parses flags and calls the libraries.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>

#include "cli/check_command.h"
#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"pegasim: a deterministic test bench for a Pegasus-like replicated KV store"};
  app.require_subcommand(1);
  int exit_code = 0;
  pg::cli::AddRunCommand(app, &exit_code);
  pg::cli::AddSweepCommand(app, &exit_code);
  pg::cli::AddReplayCommand(app, &exit_code);
  pg::cli::AddCheckCommand(app, &exit_code);
  pg::cli::AddExploreCommand(app, &exit_code);
  pg::cli::AddMergeCommand(app, &exit_code);
  pg::cli::AddDiffCommand(app, &exit_code);
  pg::cli::AddShrinkCommand(app, &exit_code);
  pg::cli::AddHuntCommand(app, &exit_code);
  pg::cli::AddScenariosCommand(app, &exit_code);
  const auto& subs = app.get_subcommands([](const CLI::App*) { return true; });
  const bool known = argc > 1 && std::any_of(subs.begin(), subs.end(), [&](const CLI::App* s) {
                       return s->get_name() == argv[1];
                     });
  if (argc > 1 && argv[1][0] != '-' && !known) {
    std::cerr
        << "pegasim: unknown subcommand \"" << argv[1]
        << "\": expected one of run, sweep, replay, check, explore, merge, diff, shrink, hunt, "
           "scenarios (see pegasim --help)\n";
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // Every flag error is bad input: exit 2, with CLI11's message naming the flag.
    std::cerr << "pegasim: " << e.what() << "\n";
    return 2;
  }
  return exit_code;
}
