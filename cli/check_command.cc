#include "cli/check_command.h"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "checker/check.h"
#include "checker/html_report.h"
#include "cli/check_batch.h"
#include "cli/check_inputs.h"

namespace pg::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitIllegal = 1;
constexpr int kExitBadInput = 2;
constexpr int kExitUnknown = 3;
constexpr double kMaxTimeoutS = 1e7;  // about four months: beyond it, a typo

struct CheckFlags {
  std::vector<std::string> inputs;
  std::string format = "auto";
  std::string order = "lines";
  double timeout_s = 60;
  size_t memory_cap_mb = 1024;
  int threads = 1;
  int jobs = 1;
  std::string html;
  std::optional<std::string> initial;
  bool json = false;
};

void AddFlags(CLI::App& cmd, CheckFlags* f) {
  cmd.add_option("HISTORY", f->inputs,
                 "history files (at most 1 GiB each) or directories; a directory means the "
                 "files directly in it named *.jsonl or *.edn (not starting with '.'), in name "
                 "order; a directory with none is bad input (docs/checker.md)")
      ->required();
  cmd.add_option("--format", f->format,
                 "history format; auto: a name ending in .edn is EDN, any other JSON lines")
      ->check(CLI::IsMember({"auto", "jsonl", "edn"}))
      ->capture_default_str();
  cmd.add_option("--order", f->order,
                 "real-time order: lines (a completion line before an invocation line: this "
                 "project's histories) or time (by the events' times, closed intervals: equal "
                 "times overlap, as Porcupine and Jepsen judge)")
      ->check(CLI::IsMember({"lines", "time"}))
      ->capture_default_str();
  cmd.add_option("--timeout", f->timeout_s,
                 "seconds per history before its verdict is unknown (finite, 0..1e7)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd.add_option(
         "--memory-cap-mb", f->memory_cap_mb,
         "memory cap of the process's searches: every partition of every history checked at once "
         "counts against it together")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd.add_option("--threads", f->threads,
                 "partitions of one history checked at once (never changes the report)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cmd.add_option("--jobs", f->jobs,
                 "history files checked at once (never changes the report: verdicts print in "
                 "input order)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cmd.add_option("--initial", f->initial,
                 "edn: the registers' initial value (Knossos's cas-register starts at 0)");
  cmd.add_option("--html", f->html,
                 "write a self-contained page drawing the verdict (one history file only)");
  cmd.add_flag("--json", f->json,
               "print the report as JSON instead of text (several histories: one document with "
               "a report per file and a summary)");
}

checker::CheckOptions CheckOptionsOf(const CheckFlags& f) {
  checker::CheckOptions options;
  options.timeout_s = f.timeout_s;
  options.memory_cap_bytes = f.memory_cap_mb << 20;
  options.threads = f.threads;
  return options;
}

LoadOptions LoadOptionsOf(const CheckFlags& f) {
  return {.initial = f.initial,
          .order = f.order == "time" ? checker::Order::kTime : checker::Order::kLines};
}

int ExitCodeOf(checker::Verdict verdict) {
  switch (verdict) {
    case checker::Verdict::kOk:
      return kExitOk;
    case checker::Verdict::kIllegal:
      return kExitIllegal;
    case checker::Verdict::kUnknown:
      return kExitUnknown;
  }
  return kExitUnknown;
}

// One history file: the full report (text or JSON) and, with --html, its page.
int RunSingle(const CheckFlags& f, const CheckInput& input) {
  auto history = LoadHistory(input, LoadOptionsOf(f));
  if (!history.ok()) {
    std::cerr << "pegasim check: " << history.error().ToString() << "\n";
    return kExitBadInput;
  }
  const checker::CheckResult result = checker::Check(*history, CheckOptionsOf(f));
  if (f.json) {
    std::cout << checker::ToJson(result).dump(2) << "\n";
  } else {
    std::cout << result.explanation << fmt::format("({:.3f} s)\n", result.elapsed_s);
  }
  if (!f.html.empty()) {
    std::ofstream out(f.html, std::ios::binary);
    out << checker::HtmlReport(*history, result);
    if (!out) {
      // Checked writable before the check; reported after the verdict it failed to draw.
      std::cerr << fmt::format("pegasim check: {}: cannot write the page\n", f.html);
      return kExitBadInput;
    }
  }
  return ExitCodeOf(result.verdict);
}

int Run(const CheckFlags& f) {
  if (!std::isfinite(f.timeout_s) || f.timeout_s < 0 || f.timeout_s > kMaxTimeoutS) {
    std::cerr << fmt::format("pegasim check: --timeout: expected seconds in [0, {}] (got {})\n",
                             kMaxTimeoutS, f.timeout_s);
    return kExitBadInput;
  }
  const bool single = IsSingleFile(f.inputs);
  if (!f.html.empty()) {
    // One page draws one history: refused, before any check, for a directory or several files.
    if (!single) {
      std::cerr << fmt::format(
          "pegasim check: --html: expected one history file (got {} arguments{}): the page "
          "draws one history; check the others without --html\n",
          f.inputs.size(), f.inputs.size() == 1 ? ", a directory" : "");
      return kExitBadInput;
    }
    if (auto problem = CheckOutputProblem(f.html)) {
      std::cerr << "pegasim check: " << *problem << "\n";
      return kExitBadInput;
    }
  }
  const std::vector<CheckInput> inputs = ExpandInputs(f.inputs, f.format);
  if (single) return RunSingle(f, inputs.front());
  // One memory cap for the process: every search of every file checked at once draws on it.
  checker::MemoryAccount memory(f.memory_cap_mb << 20);
  checker::CheckOptions check = CheckOptionsOf(f);
  check.memory = &memory;
  return RunBatch(inputs,
                  {.check = check, .load = LoadOptionsOf(f), .jobs = f.jobs, .json = f.json});
}

}  // namespace

void ConfigureCheck(CLI::App& cmd, int* exit_code) {
  auto flags = std::make_shared<CheckFlags>();
  AddFlags(cmd, flags.get());
  cmd.callback([flags, exit_code] { *exit_code = Run(*flags); });
}

void AddCheckCommand(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "check",
      "Judge recorded histories for linearizability: one file, or many files and directories "
      "in one process (a verdict line per file and a summary). Exit 0 all ok, 1 any illegal, "
      "3 any unknown, 2 any bad input (the worst wins: 2, then 1, then 3).");
  ConfigureCheck(*cmd, exit_code);
}

}  // namespace pg::cli
