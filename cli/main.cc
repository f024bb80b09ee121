// pegasim: the command line. Thin: parses flags and calls the libraries.
#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
  CLI::App app{"pegasim: a deterministic test bench for a Pegasus-like replicated KV store"};
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
