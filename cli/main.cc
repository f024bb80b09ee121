// pegasim: the command line. Thin: parses flags and calls the libraries.
#include <CLI/CLI.hpp>
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
