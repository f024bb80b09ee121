// pegasim sweep SCENARIO... --seeds A..B [--jobs J] [--shard K/N] [--out DIR]
//                [--markdown FILE] [--trace-run SCENARIO:SEED]...
#include <unistd.h>

#include <algorithm>
#include <iostream>

#include "cli/commands.h"
#include "sim/driver/sweep.h"
#include "sim/driver/sweep_summary.h"
#include "sim/driver/trace_text.h"

namespace pg::cli {
namespace {

struct SweepFlags {
  std::vector<std::string> scenarios;
  std::string seeds;
  int jobs = 1;
  std::string shard = "0/1";
  std::string out_dir;
  std::vector<std::string> trace_runs;
  std::string markdown;
};

// A progress bar on a terminal; on a pipe (CI logs) one line per failure and per tenth.
void Progress(const sim::RunRecord& r, size_t done, size_t total, bool tty) {
  if (!r.expectation_met) {
    std::cerr << (tty ? "\r" : "") << "FAIL " << r.scenario << " seed " << r.seed << ": " << r.why
              << "\n";
  }
  if (tty) {
    const int width = 40;
    const int filled = static_cast<int>(width * done / total);
    std::cerr << "\r[" << std::string(filled, '#') << std::string(width - filled, ' ') << "] "
              << done << "/" << total << std::flush;
    if (done == total) std::cerr << "\n";
  } else if (total >= 10 && done % (total / 10) == 0) {
    std::cerr << "progress: " << done << "/" << total << " runs\n";
  }
}

int Sweep(const SweepFlags& flags) {
  auto paths = sim::ExpandScenarioPaths(flags.scenarios);
  if (!paths.ok()) return BadInput(paths.status().message());
  auto seeds = sim::ParseSeedRange(flags.seeds);
  if (!seeds.ok()) return BadInput(seeds.status().message());
  auto shard = sim::ParseShard(flags.shard);
  if (!shard.ok()) return BadInput(shard.status().message());
  if (flags.jobs < 1 || flags.jobs > 256) return BadInput("--jobs: expected 1..256");
  const bool tty = isatty(STDERR_FILENO) != 0;
  sim::SweepOptions options{
      .scenario_paths = *paths, .seeds = *seeds, .shard = *shard, .jobs = flags.jobs};
  for (const std::string& ref : flags.trace_runs) {
    auto run = sim::ParseRunRef(ref);
    if (!run.ok()) return BadInput(run.status().message());
    const bool in_sweep = std::find(paths->begin(), paths->end(), run->first) != paths->end() &&
                          run->second >= seeds->first && run->second <= seeds->last &&
                          run->second % shard->count == shard->index;
    if (!in_sweep) {
      return BadInput(
          fmt::format("--trace-run: expected a run of this sweep (got \"{}\"; "
                      "scenario paths are as hashes.txt gives them)",
                      ref));
    }
    options.trace_runs.push_back(*run);
  }
  if (!options.trace_runs.empty() && flags.out_dir.empty())
    return BadInput("--trace-run: expected --out DIR too (traces go to DIR/traces/)");
  if (int bad = CheckOutputs({flags.markdown,
                              flags.out_dir.empty() ? "" : flags.out_dir + "/summary.json",
                              flags.out_dir.empty() ? "" : flags.out_dir + "/hashes.txt"}))
    return bad;
  options.on_run = [tty](const sim::RunRecord& r, size_t done, size_t total) {
    Progress(r, done, total, tty);
  };
  auto result = sim::RunSweep(options);
  if (!result.ok()) return BadInput(result.status().message());
  const sim::SweepTally tally = sim::TallyOf(*result, options);
  std::cout << sim::SummaryText(tally);
  if (!flags.markdown.empty() && !WriteFile(flags.markdown, sim::SummaryMarkdown(tally))) return 2;
  if (!flags.out_dir.empty()) {
    const auto summary = sim::SummaryJson(tally);
    if (!WriteFile(flags.out_dir + "/summary.json", summary.dump(2) + "\n")) return 2;
    for (const sim::RunRecord& r : result->runs) {
      if (r.expectation_met) continue;
      // Named by directory and file (register-steady-17): scenario names repeat across systems.
      if (!WriteFile(fmt::format("{}/failures/{}/verdict.json", flags.out_dir,
                                 sim::RunFileName(r.scenario, r.seed)),
                     r.verdict.dump(2) + "\n"))
        return 2;
    }
    // One line per run, in (scenario, seed) order: two sweeps are identical iff these files are.
    std::string hashes;
    for (const sim::RunRecord& r : result->runs) {
      hashes += fmt::format("{} {} {} {}\n", r.scenario, r.seed, r.trace_hash,
                            r.failed ? r.failure_kind : "ok");
    }
    if (!WriteFile(flags.out_dir + "/hashes.txt", hashes)) return 2;
    for (const sim::RunRecord& r : result->runs) {
      if (r.trace.empty()) continue;
      const std::string path =
          fmt::format("{}/traces/{}.trace", flags.out_dir, sim::RunFileName(r.scenario, r.seed));
      if (!WriteFile(path, sim::TraceText(r.trace))) return 2;
      std::cout << "trace: " << path << "\n";
    }
    std::cout << "summary: " << flags.out_dir << "/summary.json\n";
  }
  return result->unmet() > 0 ? 1 : 0;
}

}  // namespace

void AddSweepCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<SweepFlags>();
  CLI::App* cmd = app.add_subcommand("sweep", "Run scenarios over a range of seeds, summarize");
  cmd->add_option("scenarios", flags->scenarios, "Scenario files or directories")->required();
  cmd->add_option("--seeds", flags->seeds,
                  "Seed range A..B (inclusive, decimal; at most 10^9 seeds and 10^7 runs)")
      ->required();
  cmd->add_option("--jobs,-j", flags->jobs, "Worker threads (each run is single-threaded)");
  cmd->add_option("--shard", flags->shard, "Run only seeds with seed % N == K (K/N, 0-based)");
  cmd->add_option("--out", flags->out_dir, "Write summary.json and failing verdicts here");
  cmd->add_option("--markdown", flags->markdown,
                  "Write the summary for people (results/SUMMARY.md's body) here");
  cmd->add_option("--trace-run", flags->trace_runs,
                  "Also write this run's event trace to DIR/traces/ (SCENARIO:SEED, repeatable; "
                  "the scenario path as hashes.txt gives it)");
  cmd->callback([flags, exit_code] { *exit_code = Sweep(*flags); });
}

}  // namespace pg::cli
