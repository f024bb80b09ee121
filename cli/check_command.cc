#include "cli/check_command.h"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "checker/check.h"
#include "checker/edn_history.h"
#include "checker/history.h"
#include "checker/html_report.h"
#include "cli/commands.h"
#include "sim/scenario/input_limits.h"

namespace pg::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitIllegal = 1;
constexpr int kExitBadInput = 2;
constexpr int kExitUnknown = 3;
constexpr double kMaxTimeoutS = 1e7;  // about four months: beyond it, a typo

struct CheckFlags {
  std::string history;
  std::string format = "jsonl";
  double timeout_s = 60;
  size_t memory_cap_mb = 1024;
  int threads = 1;
  std::string html;
  std::optional<std::string> initial;
  bool json = false;
};

void AddFlags(CLI::App& cmd, CheckFlags* f) {
  cmd.add_option("HISTORY", f->history, "the history file (at most 1 GiB; docs/checker.md)")
      ->required();
  cmd.add_option("--format", f->format, "history format")
      ->check(CLI::IsMember({"jsonl", "edn"}))
      ->capture_default_str();
  cmd.add_option("--timeout", f->timeout_s,
                 "seconds before the verdict is unknown (finite, 0..1e7)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd.add_option("--memory-cap-mb", f->memory_cap_mb, "memory cap of one partition's search")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd.add_option("--threads", f->threads, "partitions checked at once (never changes the report)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cmd.add_option("--initial", f->initial,
                 "edn: the registers' initial value (Knossos's cas-register starts at 0)");
  cmd.add_option("--html", f->html, "write a self-contained page drawing the verdict");
  cmd.add_flag("--json", f->json, "print the report as JSON instead of text");
}

int Run(const CheckFlags& f) {
  if (!std::isfinite(f.timeout_s) || f.timeout_s < 0 || f.timeout_s > kMaxTimeoutS) {
    std::cerr << fmt::format("pegasim check: --timeout: expected seconds in [0, {}] (got {})\n",
                             kMaxTimeoutS, f.timeout_s);
    return kExitBadInput;
  }
  auto text = sim::ReadInputFile(f.history, sim::InputLimits::kHistoryBytes, "history file");
  if (!text.ok()) {
    std::cerr << "pegasim check: " << text.status().message() << "\n";
    return kExitBadInput;
  }
  auto history = f.format == "edn"
                     ? checker::ParseEdnHistory(*text, f.history, {.initial = f.initial})
                     : checker::ParseJsonlHistory(*text, f.history);
  if (!history.ok()) {
    std::cerr << "pegasim check: " << history.error().ToString() << "\n";
    return kExitBadInput;
  }
  if (history->events.empty()) {
    // An empty file (or /dev/null) is not a history that passed: there is nothing to judge.
    std::cerr << fmt::format(
        "pegasim check: {}: expected at least one operation (got none: nothing to check)\n",
        f.history);
    return kExitBadInput;
  }
  if (!f.html.empty()) {
    if (auto problem = OutputProblem(f.html)) {
      std::cerr << "pegasim check: " << *problem << "\n";
      return kExitBadInput;
    }
  }
  checker::CheckOptions options;
  options.timeout_s = f.timeout_s;
  options.memory_cap_bytes = f.memory_cap_mb << 20;
  options.threads = f.threads;
  const checker::CheckResult result = checker::Check(*history, options);
  if (!f.html.empty()) {
    std::ofstream out(f.html, std::ios::binary);
    out << checker::HtmlReport(*history, result);
    if (!out) {
      std::cerr << fmt::format("pegasim check: {}: cannot write the page\n", f.html);
      return kExitBadInput;
    }
  }
  if (f.json) {
    std::cout << checker::ToJson(result).dump(2) << "\n";
  } else {
    std::cout << result.explanation << fmt::format("({:.3f} s)\n", result.elapsed_s);
  }
  switch (result.verdict) {
    case checker::Verdict::kOk:
      return kExitOk;
    case checker::Verdict::kIllegal:
      return kExitIllegal;
    case checker::Verdict::kUnknown:
      return kExitUnknown;
  }
  return kExitUnknown;
}

}  // namespace

void AddCheckCommand(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "check",
      "Judge a recorded history for linearizability. Exit 0 ok, 1 illegal, 3 unknown, 2 bad "
      "input.");
  auto flags = std::make_shared<CheckFlags>();
  AddFlags(*cmd, flags.get());
  cmd->callback([flags, exit_code] { *exit_code = Run(*flags); });
}

}  // namespace pg::cli
