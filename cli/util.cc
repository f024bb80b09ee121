#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/check_inputs.h"
#include "cli/commands.h"

namespace pg::cli {

int BadInput(const std::string& message) {
  std::cerr << "pegasim: " << message << "\n";
  return 2;
}

Result<BugSet> ParseBugFlags(const std::vector<std::string>& names) {
  BugSet bugs;
  for (const std::string& name : names) {
    const std::optional<Bug> bug = BugByName(name);
    if (!bug) {
      std::string known;
      for (const BugInfo& info : AllBugs())
        known += fmt::format("{}{}", known.empty() ? "" : ", ", info.name);
      return Status(ErrorCode::kInvalidArgument,
                    fmt::format("--bug: expected one of {} (got \"{}\")", known, name));
    }
    bugs.Enable(*bug);
  }
  return bugs;
}

bool WriteFile(const std::string& path, const std::string& text) {
  const std::filesystem::path p(path);
  std::error_code ec;
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) {
    std::cerr << "pegasim: " << path << ": cannot write file\n";
    return false;
  }
  return true;
}

std::optional<std::string> OutputProblem(const std::string& path) {
  return CheckOutputProblem(path);  // one rule for every command (check_inputs.h)
}

std::optional<std::string> OutputDirProblem(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  // Nothing is created: the nearest existing ancestor must be a directory we may write in.
  fs::path existing(dir);
  while (!existing.empty() && !fs::exists(existing, ec)) existing = existing.parent_path();
  if (existing.empty()) existing = ".";
  if (!fs::is_directory(existing, ec)) {
    return fmt::format("{}: cannot create the directory: {} is not a directory", dir,
                       existing.string());
  }
  if (::access(existing.c_str(), W_OK) != 0) {
    return fmt::format("{}: cannot write in {}: {}", dir, existing.string(), std::strerror(errno));
  }
  return std::nullopt;
}

int CheckOutputs(const std::vector<std::string>& paths) {
  for (const std::string& path : paths) {
    if (path.empty()) continue;
    if (auto problem = OutputProblem(path)) return BadInput(*problem);
  }
  return 0;
}

}  // namespace pg::cli
