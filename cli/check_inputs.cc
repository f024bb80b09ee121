#include "cli/check_inputs.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "checker/edn_history.h"

namespace pg::cli {
namespace {

namespace fs = std::filesystem;

// docs/checker.md "Limits"; the same as sim/scenario/input_limits.h's kHistoryBytes.
constexpr size_t kHistoryBytes = size_t{1} << 30;

checker::Error Bad(const std::string& path, std::string message) {
  return checker::Error{.source = path, .message = std::move(message)};
}

bool EndsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::string FormatOf(const std::string& path, const std::string& flag) {
  if (flag != "auto") return flag;
  return EndsWith(path, ".edn") ? "edn" : "jsonl";
}

bool IsHistoryName(const std::string& name, const std::string& flag) {
  if (name.empty() || name[0] == '.') return false;
  if (flag == "jsonl") return EndsWith(name, ".jsonl");
  if (flag == "edn") return EndsWith(name, ".edn");
  return EndsWith(name, ".jsonl") || EndsWith(name, ".edn");
}

void ExpandDirectory(const std::string& dir, const std::string& flag,
                     std::vector<CheckInput>* out) {
  std::error_code ec;
  std::vector<std::string> names;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::error_code type_ec;
    if (IsHistoryName(name, flag) && fs::is_regular_file(it->path(), type_ec)) {
      names.push_back(name);
    }
  }
  if (ec) {
    out->push_back(
        {.path = dir, .problem = fmt::format("cannot list the directory: {}", ec.message())});
    return;
  }
  // Directory order is the filesystem's: sort, so the output is the same everywhere.
  std::sort(names.begin(), names.end());
  if (names.empty()) {
    const std::string kinds = flag == "auto" ? "*.jsonl or *.edn" : "*." + flag;
    out->push_back({.path = dir,
                    .problem = fmt::format("expected at least one history file ({}) in the "
                                           "directory; subdirectories are not searched (got none)",
                                           kinds)});
    return;
  }
  const std::string prefix = EndsWith(dir, "/") ? dir : dir + "/";
  for (const std::string& name : names) {
    out->push_back({.path = prefix + name, .format = FormatOf(name, flag)});
  }
}

bool IsDirectory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

checker::Result<std::string> ReadLimited(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Bad(path, fmt::format("cannot open the history file: {}", std::strerror(errno)));
  }
  if (S_ISDIR(st.st_mode)) return Bad(path, "expected a history file (got a directory)");
  const std::string too_big = fmt::format("expected at most {} bytes (got more)", kHistoryBytes);
  if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) > kHistoryBytes) {
    return Bad(path, too_big);
  }
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Bad(path, fmt::format("cannot open the history file: {}", std::strerror(errno)));
  std::string text;
  if (S_ISREG(st.st_mode)) text.reserve(static_cast<size_t>(st.st_size));
  // Any other file (a pipe, /dev/zero) is read only up to the limit.
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    const auto n = static_cast<size_t>(in.gcount());
    if (text.size() + n > kHistoryBytes) return Bad(path, too_big);
    text.append(buffer, n);
  }
  if (in.bad()) {
    return Bad(path, fmt::format("cannot read the history file: {}", std::strerror(errno)));
  }
  return text;
}

}  // namespace

std::vector<CheckInput> ExpandInputs(const std::vector<std::string>& args,
                                     const std::string& format) {
  std::vector<CheckInput> out;
  for (const std::string& arg : args) {
    if (IsDirectory(arg)) {
      ExpandDirectory(arg, format, &out);
    } else {
      out.push_back({.path = arg, .format = FormatOf(arg, format)});
    }
  }
  return out;
}

bool IsSingleFile(const std::vector<std::string>& args) {
  return args.size() == 1 && !IsDirectory(args[0]);
}

checker::Result<checker::History> LoadHistory(const CheckInput& input, const LoadOptions& options) {
  if (input.problem) return Bad(input.path, *input.problem);
  auto text = ReadLimited(input.path);
  if (!text.ok()) return text.error();
  auto history = input.format == "edn"
                     ? checker::ParseEdnHistory(
                           *text, input.path, {.initial = options.initial, .order = options.order})
                     : checker::ParseJsonlHistory(*text, input.path, options.order);
  if (!history.ok()) return history.error();
  if (history->events.empty()) {
    // An empty file (or /dev/null) is not a history that passed: there is nothing to judge.
    return Bad(input.path, "expected at least one operation (got none: nothing to check)");
  }
  return history;
}

std::optional<std::string> CheckOutputProblem(const std::string& path) {
  const fs::path p(path);
  std::error_code ec;
  if (p.has_parent_path()) {
    fs::create_directories(p.parent_path(), ec);
    if (ec) {
      return fmt::format("{}: cannot create the directory {}: {}", path, p.parent_path().string(),
                         ec.message());
    }
  }
  errno = 0;
  std::FILE* f = std::fopen(path.c_str(), "a");  // creates it, keeps what is there
  if (f == nullptr) return fmt::format("{}: cannot write the file: {}", path, std::strerror(errno));
  std::fclose(f);
  return std::nullopt;
}

}  // namespace pg::cli
