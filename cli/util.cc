#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.h"

namespace pg::cli {

int BadInput(const std::string& message) {
  std::cerr << "pegasim: " << message << "\n";
  return 2;
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
