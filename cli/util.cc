#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>

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

}  // namespace pg::cli
