// pegasim-check: `pegasim check` as a binary of its own, the fast path for checking files. It
// links the checker alone -- no RocksDB, no simulator -- so it starts in about a millisecond,
// where pegasim pays the dynamic loader's relocations of RocksDB first (docs/checker.md
// "Start-up"). Same flags, output and exit codes as `pegasim check`.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/check_command.h"

int main(int argc, char** argv) {
  CLI::App app{"pegasim-check: judge recorded histories for linearizability (= pegasim check)"};
  int exit_code = 0;
  pg::cli::ConfigureCheck(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // Every flag error is bad input: exit 2, with CLI11's message naming the flag.
    std::cerr << "pegasim-check: " << e.what() << "\n";
    return 2;
  }
  return exit_code;
}
