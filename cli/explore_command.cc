// pegasim explore SCENARIO --mode pct|random|exhaustive ...
//  - pct / random: runs the seeds with that delivery policy (sim/kernel/schedulers.h) until a
//    run fails its checks, and prints how many runs it took and the command that replays the
//    failing one.
//  - exhaustive: walks every delivery interleaving of one seed within a bound of choice points,
//    with state hashing (sim/explore/exhaustive.h); prints runs and states explored, and for a
//    violation the --choices that replay it. With --choices it replays that one run.
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "sim/driver/runner.h"
#include "sim/driver/sweep.h"
#include "sim/explore/exhaustive.h"
#include "sim/scenario/knobs.h"

namespace pg::cli {
namespace {

struct ExploreFlags {
  std::string scenario;
  std::string mode;
  std::optional<std::string> seed;
  std::string seeds = "1..100";
  int depth = 3;
  int64_t steps = 2000;
  size_t max_choices = 10;
  uint64_t max_runs = 100'000;
  std::string choices;
};

Result<std::vector<uint32_t>> ParseChoices(const std::string& text) {
  std::vector<uint32_t> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (item.empty() || item.find_first_not_of("0123456789") != std::string::npos ||
        item.size() > 9) {
      return Status(ErrorCode::kInvalidArgument,
                    fmt::format("--choices: expected comma-separated indices (got {:?})", text));
    }
    out.push_back(static_cast<uint32_t>(std::stoul(item)));
  }
  return out;
}

std::string FailureText(const sim::Failure& f) { return f.kind + ": " + f.detail; }

int RunSeeds(const ExploreFlags& flags, const sim::Scenario& scenario) {
  auto seeds = sim::ParseSeedRange(flags.seeds);
  if (!seeds.ok()) return BadInput(seeds.status().message());
  uint64_t runs = 0;
  for (uint64_t seed = seeds->first; seed <= seeds->last; ++seed) {
    sim::Knobs knobs = sim::ResolveKnobs(scenario, seed);
    knobs.scheduler = {.kind = flags.mode, .depth = flags.depth, .steps = flags.steps};
    const sim::RunOutcome outcome = sim::RunKnobs(knobs, {});
    ++runs;
    if (!outcome.failed()) continue;
    std::cout << fmt::format("{}: violation after {} run(s), seed {}: {}\n", flags.mode, runs, seed,
                             FailureText(*outcome.failure))
              << fmt::format(
                     "replay: pegasim explore {} --mode {} --depth {} --steps {} --seeds {}..{}\n",
                     flags.scenario, flags.mode, flags.depth, flags.steps, seed, seed);
    return 1;
  }
  std::cout << fmt::format("{}: no violation in {} run(s)\n", flags.mode, runs);
  return 0;
}

std::string JoinChoices(const std::vector<uint32_t>& choices) {
  return fmt::format("{}", fmt::join(choices, ","));
}

int Exhaustive(const ExploreFlags& flags, const sim::Scenario& scenario) {
  std::optional<uint64_t> flag_seed;
  if (flags.seed) {
    auto parsed = sim::ParseSeed("--seed", *flags.seed);
    if (!parsed.ok()) return BadInput(parsed.status().message());
    flag_seed = *parsed;
  }
  const uint64_t seed = sim::SeedFor(scenario, flag_seed);
  const sim::Knobs knobs = sim::ResolveKnobs(scenario, seed);
  if (!flags.choices.empty()) {
    auto choices = ParseChoices(flags.choices);
    if (!choices.ok()) return BadInput(choices.status().message());
    const sim::RunOutcome outcome = sim::ReplayChoices(knobs, *choices);
    std::cout << fmt::format("replayed seed {} choices {}: {} (trace {:016x})\n", seed,
                             flags.choices, outcome.failed() ? FailureText(*outcome.failure) : "ok",
                             outcome.trace_hash);
    return outcome.failed() ? 1 : 0;
  }
  const sim::ExhaustiveResult r =
      sim::ExploreExhaustive(knobs, {.max_choices = flags.max_choices, .max_runs = flags.max_runs});
  std::cout << fmt::format(
      "exhaustive: seed {}, {} runs, {} states, {} runs pruned at a visited state, deepest {} "
      "choice points (bound {}), {}\n",
      seed, r.runs, r.states, r.pruned_runs, r.deepest, flags.max_choices,
      r.exhausted ? "exhausted" : (r.failure ? "stopped at a violation" : "run budget spent"));
  if (!r.failure) return 0;
  std::cout << "violation: " << FailureText(*r.failure) << "\n"
            << fmt::format("replay: pegasim explore {} --mode exhaustive --seed {} --choices {}\n",
                           flags.scenario, seed, JoinChoices(r.failing_choices));
  return 1;
}

int Explore(const ExploreFlags& flags) {
  Result<sim::Scenario> scenario = sim::LoadScenario(flags.scenario);
  if (!scenario.ok()) return BadInput(scenario.status().message());
  if (flags.mode == "exhaustive") return Exhaustive(flags, *scenario);
  return RunSeeds(flags, *scenario);
}

}  // namespace

void AddExploreCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ExploreFlags>();
  CLI::App* cmd = app.add_subcommand(
      "explore", "Systematic exploration of delivery orders: PCT, random, or bounded exhaustive");
  cmd->add_option("scenario", flags->scenario, "Scenario file (JSON)")->required();
  cmd->add_option("--mode", flags->mode, "pct | random | exhaustive")
      ->required()
      ->check(CLI::IsMember({"pct", "random", "exhaustive"}));
  cmd->add_option("--seeds", flags->seeds, "pct/random: seed range A..B (default 1..100)");
  cmd->add_option("--seed", flags->seed, "exhaustive: the seed, decimal (default: the file's)");
  cmd->add_option("--depth", flags->depth, "pct: depth d (d-1 priority change points)")
      ->check(CLI::Range(1, 10));
  cmd->add_option("--steps", flags->steps, "pct: ticks the change points are drawn over")
      ->check(CLI::Range(int64_t{1}, int64_t{100'000'000}));
  cmd->add_option("--max-choices", flags->max_choices, "exhaustive: choice points per run")
      ->check(CLI::Range(1, 64));
  cmd->add_option("--max-runs", flags->max_runs, "exhaustive: run budget")
      ->check(CLI::Range(uint64_t{1}, uint64_t{100'000'000}));
  cmd->add_option("--choices", flags->choices, "exhaustive: replay this choice sequence (0,1,..)");
  cmd->callback([flags, exit_code] { *exit_code = Explore(*flags); });
}

}  // namespace pg::cli
