// pegasim diff A.trace B.trace: names the first event at which two traces of one run diverge
// (sim/driver/trace_diff.h). Exit 0 identical, 1 diverged, 2 unreadable.
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "sim/driver/trace_diff.h"

namespace pg::cli {
namespace {

struct DiffFlags {
  std::string a;
  std::string b;
};

Result<std::vector<sim::TraceLine>> ReadTrace(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(ErrorCode::kInvalidArgument, path + ": cannot open file");
  std::stringstream text;
  text << in.rdbuf();
  return sim::ParseTraceText(text.str(), path);
}

int Diff(const DiffFlags& flags) {
  auto a = ReadTrace(flags.a);
  if (!a.ok()) return BadInput(a.status().message());
  auto b = ReadTrace(flags.b);
  if (!b.ok()) return BadInput(b.status().message());
  const auto divergence = sim::FirstDivergence(*a, *b);
  if (!divergence) {
    std::cout << "traces identical: " << a->size() << " lines\n";
    return 0;
  }
  std::cout << sim::DivergenceText(*divergence, flags.a, flags.b);
  return 1;
}

}  // namespace

void AddDiffCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<DiffFlags>();
  CLI::App* cmd = app.add_subcommand(
      "diff", "Name the first event at which two traces of one run diverge (--trace files)");
  cmd->add_option("a", flags->a, "A trace written by run/replay/sweep")->required();
  cmd->add_option("b", flags->b, "The same run's trace from another process or build")->required();
  cmd->callback([flags, exit_code] { *exit_code = Diff(*flags); });
}

}  // namespace pg::cli
