// pegasim shrink VERDICT.json [--out DIR] [--max-runs N] [--probe-seeds N]: reduces a failing run
// to the smallest scenario that still fails the same way and writes it as a regression scenario.
#include <unistd.h>

#include <iostream>

#include "cli/commands.h"
#include "sim/driver/shrink.h"

namespace pg::cli {
namespace {

struct ShrinkFlags {
  std::string verdict;
  std::string out_dir = "scenarios/regressions";
  int max_runs = 200;
  int probe_seeds = 10;
};

void PrintStep(const sim::ShrinkStep& step, bool tty) {
  // On a terminal every run updates one line; otherwise only kept steps print (logs stay short).
  if (!tty && !step.kept) return;
  const sim::ShrinkSizes& s = step.sizes;
  std::cout << (tty ? "\r\033[K" : "")
            << fmt::format(
                   "[{:>3}/{}] {:<15} {:<4}  faults {} clients {} ops {} servers {} "
                   "duration {} ms",
                   step.run, step.max_runs, step.what, step.kept ? "kept" : "no", s.faults,
                   s.clients, s.ops, s.replica_servers, s.duration_ms)
            << (tty ? "" : "\n") << std::flush;
}

int Shrink(const ShrinkFlags& flags) {
  if (auto problem = OutputDirProblem(flags.out_dir)) return BadInput(*problem);
  const bool tty = isatty(STDOUT_FILENO) != 0;
  sim::ShrinkOptions options{.max_runs = flags.max_runs, .probe_seeds = flags.probe_seeds};
  options.on_step = [tty](const sim::ShrinkStep& step) { PrintStep(step, tty); };
  auto file = sim::ShrinkVerdictFile(flags.verdict, options);
  if (tty) std::cout << "\r\033[K";
  if (!file.ok()) {
    if (file.status().code() == ErrorCode::kInvalidArgument)
      return BadInput(file.status().message());
    std::cerr << "pegasim: " << file.status().message() << "\n";
    return 1;
  }
  const sim::ShrinkResult& r = file->result;
  const std::string path = flags.out_dir + "/" + file->name + ".json";
  if (!WriteFile(path, file->scenario.dump(2) + "\n")) return 2;
  std::cout << fmt::format("shrunk seed {} ({}) in {} runs{}\n", r.knobs.seed, r.failure_kind,
                           r.runs, r.budget_exhausted ? " (run budget spent: --max-runs)" : "")
            << "  " << sim::SizesChange(sim::SizesOf(r.original), sim::SizesOf(r.knobs)) << "\n";
  if (flags.probe_seeds > 0) {
    std::cout << fmt::format(
        "  seeds 1..{} failing the same way: {}\n", flags.probe_seeds,
        r.probe_seeds_failing.empty()
            ? "none (a sweep must include seed " + std::to_string(r.knobs.seed) + " to see it)"
            : fmt::format("{}", fmt::join(r.probe_seeds_failing, ", ")));
  }
  for (const auto& [kind, seeds] : r.probe_other_kinds) {
    std::cout << fmt::format("  seeds failing with {}: {} (so \"expect\" names no kind)\n", kind,
                             fmt::join(seeds, ", "));
  }
  std::cout << "wrote:   " << path << "\n"
            << "replay:  pegasim run " << path << " --seed " << r.knobs.seed << "\n";
  return 0;
}

}  // namespace

void AddShrinkCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ShrinkFlags>();
  CLI::App* cmd = app.add_subcommand(
      "shrink", "Reduce a failing verdict.json to the smallest scenario that fails the same way");
  cmd->add_option("verdict", flags->verdict, "verdict.json of a failing run")->required();
  cmd->add_option("--out", flags->out_dir,
                  "Directory for the regression scenario (default scenarios/regressions)");
  cmd->add_option("--max-runs", flags->max_runs, "Candidate runs at most (default 200)")
      ->check(CLI::Range(1, 1'000'000));
  cmd->add_option("--probe-seeds", flags->probe_seeds,
                  "Afterwards, try the shrunk scenario on seeds 1..N (default 10; 0: skip)")
      ->check(CLI::Range(0, 10'000));
  cmd->callback([flags, exit_code] { *exit_code = Shrink(*flags); });
}

}  // namespace pg::cli
