#pragma once
// Runs the pegasim executable as a user does, for the CLI tests: exit code and output.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace pg::testing {

struct Ran {
  int code = -1;
  std::string output;  // stdout and stderr
};

// Runs `binary args`, capturing stdout and stderr together.
inline Ran RunBinary(const std::string& binary, const std::string& args) {
  const std::string cmd = binary + " " + args + " 2>&1";
  Ran r;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf{};
  while (size_t n = fread(buf.data(), 1, buf.size(), pipe)) r.output.append(buf.data(), n);
  const int status = pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline Ran Pegasim(const std::string& args) { return RunBinary(PG_PEGASIM_BIN, args); }

// A fresh, empty directory under the system's temp directory.
inline std::string TempDir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("pegasim-cli-test-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace pg::testing
