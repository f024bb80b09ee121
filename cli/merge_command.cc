// pegasim merge DIR... [--out DIR] [--markdown FILE]: adds up the shards of one sweep (`sweep
// --shard K/N --out DIR` on N machines) into the summary the unsharded sweep writes: summary.json,
// hashes.txt in (scenario, seed) order, and the failing runs' verdicts. Exit 0, 1 (the merged sweep
// has unmet runs), 2 (unreadable or mismatched shards).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "sim/driver/sweep_summary.h"
#include "sim/scenario/json_reader.h"

namespace pg::cli {
namespace {

struct MergeFlags {
  std::vector<std::string> dirs;
  std::string out_dir;
  std::string markdown;
};

std::optional<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct HashLine {
  size_t scenario_rank = 0;
  uint64_t seed = 0;
  std::string text;
};

// hashes.txt lines are "SCENARIO SEED HASH OUTCOME"; the merge sorts them into sweep order.
Result<std::vector<HashLine>> ReadHashes(const std::string& path,
                                         const std::vector<std::string>& scenarios) {
  auto text = ReadText(path);
  if (!text) return Status(ErrorCode::kInvalidArgument, path + ": cannot open file");
  std::vector<HashLine> out;
  std::istringstream in(*text);
  size_t line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    std::istringstream fields(line);
    std::string scenario, hash, outcome;
    uint64_t seed = 0;
    const auto rank = [&] {
      return std::find(scenarios.begin(), scenarios.end(), scenario) - scenarios.begin();
    };
    if (!(fields >> scenario >> seed >> hash >> outcome) ||
        static_cast<size_t>(rank()) == scenarios.size()) {
      return Status(ErrorCode::kInvalidArgument,
                    fmt::format("{}:{}: expected \"SCENARIO SEED HASH OUTCOME\" with a scenario "
                                "of the summary's",
                                path, line_no));
    }
    out.push_back({static_cast<size_t>(rank()), seed, line + "\n"});
  }
  return out;
}

// The failing runs' verdicts, copied as they are.
bool CopyFailures(const std::string& from, const std::string& to) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(from + "/failures", ec)) return true;
  fs::create_directories(to + "/failures", ec);
  fs::copy(from + "/failures", to + "/failures",
           fs::copy_options::recursive | fs::copy_options::overwrite_existing, ec);
  if (ec) std::cerr << "pegasim: " << from << "/failures: cannot copy: " << ec.message() << "\n";
  return !ec;
}

int Merge(const MergeFlags& flags) {
  std::vector<sim::SweepTally> shards;
  std::vector<std::string> sources;
  for (const std::string& dir : flags.dirs) {
    const std::string path = dir + "/summary.json";
    auto text = ReadText(path);
    if (!text) return BadInput(path + ": cannot open file (expected a sweep --out directory)");
    auto json = sim::ParseJsonText(*text, path);
    if (!json.ok()) return BadInput(json.status().message());
    auto tally = sim::TallyFromJson(*json, path);
    if (!tally.ok()) return BadInput(tally.status().message());
    shards.push_back(std::move(*tally));
    sources.push_back(path);
  }
  auto merged = sim::MergeTallies(shards, sources);
  if (!merged.ok()) return BadInput(merged.status().message());
  std::cout << sim::SummaryText(*merged);
  if (!flags.markdown.empty() && !WriteFile(flags.markdown, sim::SummaryMarkdown(*merged)))
    return 2;
  if (!flags.out_dir.empty()) {
    std::vector<HashLine> hashes;
    for (const std::string& dir : flags.dirs) {
      auto lines = ReadHashes(dir + "/hashes.txt", merged->scenarios);
      if (!lines.ok()) return BadInput(lines.status().message());
      hashes.insert(hashes.end(), lines->begin(), lines->end());
      if (!CopyFailures(dir, flags.out_dir)) return 2;
    }
    std::sort(hashes.begin(), hashes.end(), [](const HashLine& a, const HashLine& b) {
      return std::tie(a.scenario_rank, a.seed) < std::tie(b.scenario_rank, b.seed);
    });
    std::string text;
    for (const HashLine& h : hashes) text += h.text;
    if (!WriteFile(flags.out_dir + "/hashes.txt", text)) return 2;
    if (!WriteFile(flags.out_dir + "/summary.json", sim::SummaryJson(*merged).dump(2) + "\n"))
      return 2;
    std::cout << "summary: " << flags.out_dir << "/summary.json\n";
  }
  return merged->unmet() > 0 ? 1 : 0;
}

}  // namespace

void AddMergeCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<MergeFlags>();
  CLI::App* cmd = app.add_subcommand(
      "merge", "Add up the shards of one sweep (sweep --shard K/N --out DIR) into one summary");
  cmd->add_option("dirs", flags->dirs, "The shards' --out directories, all N of them")->required();
  cmd->add_option("--out", flags->out_dir, "Write the merged summary.json and hashes.txt here");
  cmd->add_option("--markdown", flags->markdown,
                  "Write the merged summary for people (results/SUMMARY.md's body) here");
  cmd->callback([flags, exit_code] { *exit_code = Merge(*flags); });
}

}  // namespace pg::cli
