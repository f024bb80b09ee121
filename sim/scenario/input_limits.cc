#include "sim/scenario/input_limits.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace pg::sim {
namespace {

Status Bad(const std::string& path, const std::string& why) {
  return Status(ErrorCode::kInvalidArgument, fmt::format("{}: {}", path, why));
}

std::string TooBig(size_t max_bytes) {
  return fmt::format("expected at most {} bytes (got more)", max_bytes);
}

}  // namespace

Result<std::string> ReadInputFile(const std::string& path, size_t max_bytes,
                                  std::string_view what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Bad(path, fmt::format("cannot open the {}: {}", what, std::strerror(errno)));
  }
  if (S_ISDIR(st.st_mode)) return Bad(path, fmt::format("expected a {} (got a directory)", what));
  if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) > max_bytes) {
    return Bad(path, TooBig(max_bytes));
  }
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Bad(path, fmt::format("cannot open the {}: {}", what, std::strerror(errno)));
  std::string text;
  if (S_ISREG(st.st_mode)) text.reserve(static_cast<size_t>(st.st_size));
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    const auto n = static_cast<size_t>(in.gcount());
    if (text.size() + n > max_bytes) return Bad(path, TooBig(max_bytes));
    text.append(buffer, n);
  }
  if (in.bad()) return Bad(path, fmt::format("cannot read the {}: {}", what, std::strerror(errno)));
  return text;
}

}  // namespace pg::sim
