// pegasim hunt [SCENARIO...] --bug NAME|all [--seeds A..B] [--jobs J] [--quick [--min-seeds N]]
//              [--shrink-runs N] [--json FILE] [--markdown FILE] | --list
// The default sweep (every "pegasus" scenario under scenarios/) with one bug-zoo switch on, seed
// by seed: the first detecting seed, detecting seeds per 100, what caught it, the shrunk size.
#include <unistd.h>

#include <iostream>

#include "cli/commands.h"
#include "sim/driver/hunt.h"
#include "sim/driver/hunt_report.h"

namespace pg::cli {
namespace {

struct HuntFlags {
  std::vector<std::string> scenarios{"scenarios"};
  std::vector<std::string> bugs;
  std::string seeds = "1..200";
  int jobs = 1;
  bool quick = false;
  int64_t min_seeds = 0;
  int shrink_runs = 0;
  std::string json;
  std::string markdown;
  bool list = false;
};

void List() {
  for (const BugInfo& info : AllBugs())
    std::cout << fmt::format("{:<30} {}: {}\n", info.name, info.cite, info.what);
}

int Hunt(const HuntFlags& flags) {
  if (flags.list) {
    List();
    return 0;
  }
  if (flags.bugs.empty()) return BadInput("--bug: expected a switch name or \"all\" (or --list)");
  std::vector<Bug> bugs;
  if (flags.bugs.size() == 1 && flags.bugs[0] == "all") {
    for (const BugInfo& info : AllBugs()) bugs.push_back(info.bug);
  } else {
    for (const std::string& name : flags.bugs) {
      Result<BugSet> one = ParseBugFlags({name});
      if (!one.ok()) return BadInput(one.status().message());
      bugs.push_back(*BugByName(name));
    }
  }
  auto paths = sim::ExpandScenarioPaths(flags.scenarios);
  if (!paths.ok()) return BadInput(paths.status().message());
  auto seeds = sim::ParseSeedRange(flags.seeds);
  if (!seeds.ok()) return BadInput(seeds.status().message());
  if (flags.jobs < 1 || flags.jobs > 256) return BadInput("--jobs: expected 1..256");
  if (flags.min_seeds < 0 || (flags.min_seeds > 0 && !flags.quick))
    return BadInput("--min-seeds: expected a count >= 0, and only with --quick");
  if (flags.shrink_runs < 0 || flags.shrink_runs > 100'000)
    return BadInput("--shrink-runs: expected 0..100000");
  if (int bad = CheckOutputs({flags.json, flags.markdown})) return bad;
  const bool tty = isatty(STDERR_FILENO) != 0;
  std::vector<sim::HuntResult> results;
  bool all_caught = true;
  for (Bug bug : bugs) {
    const std::string name(InfoOf(bug).name);
    sim::HuntOptions options{.bug = bug,
                             .scenario_paths = *paths,
                             .seeds = *seeds,
                             .jobs = flags.jobs,
                             .stop_at_first = flags.quick,
                             .min_seeds = static_cast<uint64_t>(flags.min_seeds),
                             .shrink_runs = flags.shrink_runs,
                             .on_seed = [&name, tty](uint64_t seed, size_t failing) {
                               if (tty) {
                                 std::cerr << "\r" << name << ": seed " << seed << std::flush;
                               } else if (failing > 0 || seed % 20 == 0) {
                                 std::cerr << name << ": seed " << seed << ", " << failing
                                           << " failing runs\n";
                               }
                             }};
    Result<sim::HuntResult> result = sim::RunHunt(options);
    if (tty) std::cerr << "\r";
    if (!result.ok()) return BadInput(result.status().message());
    std::cout << sim::HuntLine(*result) << std::endl;
    all_caught = all_caught && result->caught();
    results.push_back(std::move(*result));
  }
  std::cout << fmt::format("median seeds to first detection: {}\n",
                           sim::MedianSeedsToDetection(results));
  if (!flags.json.empty() && !WriteFile(flags.json, sim::HuntJson(results).dump(2) + "\n"))
    return 2;
  if (!flags.markdown.empty() && !WriteFile(flags.markdown, sim::HuntMarkdown(results))) return 2;
  return all_caught ? 0 : 1;
}

}  // namespace

void AddHuntCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<HuntFlags>();
  CLI::App* cmd = app.add_subcommand(
      "hunt", "Run the default sweep with a bug-zoo switch on; report how soon it is caught");
  cmd->add_option("scenarios", flags->scenarios,
                  "Scenario files or directories (default: scenarios; only \"pegasus\" ones run)");
  cmd->add_option("--bug", flags->bugs, "A switch name (repeatable), or \"all\"");
  cmd->add_option("--seeds", flags->seeds, "Seed range A..B (inclusive; default 1..200)");
  cmd->add_option("--jobs,-j", flags->jobs, "Worker threads (each run is single-threaded)");
  cmd->add_flag("--quick", flags->quick, "Stop each switch's hunt at its first detecting seed");
  cmd->add_option("--min-seeds", flags->min_seeds,
                  "With --quick: run at least N seeds before stopping (the rate's floor)");
  cmd->add_option("--shrink-runs", flags->shrink_runs,
                  "Shrink the first detecting run with at most N runs (default 0: no shrink)");
  cmd->add_option("--json", flags->json, "Write the results as JSON here");
  cmd->add_option("--markdown", flags->markdown, "Write the results table here");
  cmd->add_flag("--list", flags->list, "List the switches and the bugs they bring back");
  cmd->callback([flags, exit_code] { *exit_code = Hunt(*flags); });
}

}  // namespace pg::cli
