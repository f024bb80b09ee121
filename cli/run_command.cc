// pegasim run SCENARIO [--seed N] [--trace FILE] [--out DIR] [--bug NAME]... [--html FILE
// [--time-axis events|sim]]
#include <iostream>

#include "cli/commands.h"
#include "cli/html_flags.h"
#include "sim/driver/run_html.h"
#include "sim/driver/runner.h"
#include "sim/driver/sweep.h"
#include "sim/driver/trace_text.h"
#include "sim/driver/verdict.h"
#include "sim/scenario/knobs.h"

namespace pg::cli {
namespace {

struct RunFlags {
  std::string scenario;
  std::optional<std::string> seed;
  std::string trace_file;
  std::string out_dir;
  std::vector<std::string> bugs;
  std::string html_file;
  std::string time_axis = "events";
};

int Run(const RunFlags& flags) {
  Result<sim::Scenario> scenario = sim::LoadScenario(flags.scenario);
  if (!scenario.ok()) return BadInput(scenario.status().message());
  std::optional<uint64_t> seed = scenario->seed;
  if (flags.seed) {
    auto parsed = sim::ParseSeed("--seed", *flags.seed);
    if (!parsed.ok()) return BadInput(parsed.status().message());
    seed = *parsed;
  }
  if (!seed) return BadInput(flags.scenario + ": $.seed: expected a seed in the file or --seed N");
  Result<BugSet> bugs = ParseBugFlags(flags.bugs);
  if (!bugs.ok()) return BadInput(bugs.status().message());
  if (!bugs->empty() && scenario->system != "pegasus")
    return BadInput(
        "--bug: expected a scenario of the \"pegasus\" system (the switches live in its core)");
  const std::string out_dir =
      flags.out_dir.empty() ? fmt::format("out/{}-{}", scenario->name, *seed) : flags.out_dir;
  if (int bad = CheckOutputs({out_dir + "/verdict.json", out_dir + "/history.jsonl",
                              flags.trace_file, flags.html_file}))
    return bad;
  sim::Knobs knobs = sim::ResolveKnobs(*scenario, *seed);
  knobs.bugs.Enable(*bugs);
  // The page's protocol events come from the trace's marks, so --html records it too.
  sim::RunOptions options = flags.html_file.empty() ? sim::RunOptions{} : sim::RunHtmlRecording();
  options.record_trace = options.record_trace || !flags.trace_file.empty();
  options.history_jsonl = true;  // run always writes history.jsonl
  const sim::RunOutcome outcome = sim::RunKnobs(knobs, options);
  const auto verdict = sim::VerdictJson(*scenario, outcome);
  if (!WriteFile(out_dir + "/verdict.json", verdict.dump(2) + "\n")) return 2;
  if (!WriteFile(out_dir + "/history.jsonl", outcome.history_jsonl)) return 2;
  if (!flags.trace_file.empty() && !WriteFile(flags.trace_file, sim::TraceText(outcome.trace)))
    return 2;
  if (!flags.html_file.empty()) {
    auto html = sim::RunHtml(outcome, fmt::format("{} seed {}", scenario->path, *seed),
                             TimeAxisFlag(flags.time_axis));
    if (!html.ok()) return BadInput(html.status().message());
    if (!WriteFile(flags.html_file, *html)) return 2;
  }
  std::cout << sim::VerdictText(verdict) << "verdict: " << out_dir << "/verdict.json\n"
            << "replay:  " << verdict["replay"].get<std::string>() << "\n";
  return verdict["expectation"]["met"].get<bool>() ? 0 : 1;
}

}  // namespace

void AddRunCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* cmd =
      app.add_subcommand("run", "Run one scenario with one seed and write verdict.json");
  cmd->add_option("scenario", flags->scenario,
                  "Scenario file (JSON, at most 1 MiB; limits: docs/scenarios.md)")
      ->required();
  cmd->add_option("--seed", flags->seed, "Seed, decimal digits (overrides the file's \"seed\")");
  cmd->add_option("--trace", flags->trace_file, "Write the event trace, one line per event");
  cmd->add_option("--out", flags->out_dir,
                  "Directory for verdict.json and history.jsonl "
                  "(default out/NAME-SEED)");
  cmd->add_option("--bug", flags->bugs,
                  "Turn on a bug-zoo switch (repeatable; `pegasim hunt --list` names them)");
  AddHtmlOptions(*cmd, flags->html_file, flags->time_axis);
  cmd->callback([flags, exit_code] { *exit_code = Run(*flags); });
}

}  // namespace pg::cli
