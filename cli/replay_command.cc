// pegasim replay VERDICT.json [--trace FILE] [--html FILE [--time-axis events|sim]]: re-runs
// from the verdict's knobs, confirms the trace hash, and writes the event trace and the run's page.
#include <iostream>

#include "cli/commands.h"
#include "cli/html_flags.h"
#include "sim/driver/run_html.h"
#include "sim/driver/runner.h"
#include "sim/driver/trace_text.h"
#include "sim/driver/verdict.h"
#include "sim/scenario/knobs.h"

namespace pg::cli {
namespace {

struct ReplayFlags {
  std::string verdict;
  std::string trace_file;
  std::string html_file;
  std::string time_axis = "events";
};

int Replay(const ReplayFlags& flags) {
  auto verdict = sim::LoadVerdict(flags.verdict);
  if (!verdict.ok()) return BadInput(verdict.status().message());
  auto knobs = sim::KnobsFromJson(verdict->knobs, flags.verdict + ": $.knobs");
  if (!knobs.ok()) return BadInput(knobs.status().message());
  if (int bad = CheckOutputs({flags.trace_file, flags.html_file})) return bad;
  // The page's protocol events come from the trace's marks, so --html records it too.
  sim::RunOptions options = flags.html_file.empty() ? sim::RunOptions{} : sim::RunHtmlRecording();
  options.record_trace = options.record_trace || !flags.trace_file.empty();
  const sim::RunOutcome outcome = sim::RunKnobs(*knobs, options);
  if (!flags.trace_file.empty() && !WriteFile(flags.trace_file, sim::TraceText(outcome.trace)))
    return 2;
  if (!flags.html_file.empty()) {
    auto html = sim::RunHtml(outcome, fmt::format("{} seed {}", verdict->scenario, verdict->seed),
                             TimeAxisFlag(flags.time_axis));
    if (!html.ok()) return BadInput(html.status().message());
    if (!WriteFile(flags.html_file, *html)) return 2;
  }
  const std::string hash = sim::TraceHashHex(outcome.trace_hash);
  const std::string verdict_now = outcome.failed() ? "fail" : "ok";
  std::cout << "replayed " << verdict->scenario << " seed " << verdict->seed << ": " << verdict_now
            << (outcome.failed() ? " (" + outcome.failure->kind + ")" : "") << "\n";
  if (hash != verdict->trace_hash) {
    std::cout << "TRACE HASH MISMATCH: recorded " << verdict->trace_hash << ", replay " << hash
              << " (a different binary, or nondeterminism)\n";
    return 1;
  }
  std::cout << "trace hash " << hash << " identical\n";
  return 0;
}

}  // namespace

void AddReplayCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ReplayFlags>();
  CLI::App* cmd = app.add_subcommand("replay", "Re-run a verdict.json and confirm its trace hash");
  cmd->add_option("verdict", flags->verdict, "verdict.json of an earlier run")->required();
  cmd->add_option("--trace", flags->trace_file, "Write the event trace, one line per event");
  AddHtmlOptions(*cmd, flags->html_file, flags->time_axis);
  cmd->callback([flags, exit_code] { *exit_code = Replay(*flags); });
}

}  // namespace pg::cli
