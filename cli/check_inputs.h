#pragma once
// What `pegasim check` reads: the arguments expanded into history files (a directory means the
// history files directly in it), and one file read and parsed into a history. Links the checker
// only, never core/ or sim/, so that the slim pegasim-check binary stays free of RocksDB.
#include <optional>
#include <string>
#include <vector>

#include "checker/history.h"

namespace pg::cli {

struct CheckInput {
  std::string path;
  std::string format;                  // "jsonl" or "edn"
  std::optional<std::string> problem;  // bad before reading (a directory with no history)
};

// Each argument in order. A directory becomes the history files directly in it (not in its
// subdirectories), sorted by name: regular files whose name ends in ".jsonl" or ".edn" (only
// the one of --format when it is not auto) and does not start with "."; a directory with none is
// one bad input naming it. A file is taken as named. Format "auto": ".edn" is EDN, any other
// name JSON lines.
std::vector<CheckInput> ExpandInputs(const std::vector<std::string>& args,
                                     const std::string& format);

// True when the arguments are one file (not a directory): the single-history output.
bool IsSingleFile(const std::vector<std::string>& args);

struct LoadOptions {
  std::optional<std::string> initial;  // EDN registers' initial value
  checker::Order order = checker::Order::kLines;
};

// Reads (at most 1 GiB, checked before reading) and parses one history. Bad input -- a missing
// file, a directory, a malformed line, no operation at all -- is the message naming the file,
// the line and field, and what was expected.
checker::Result<checker::History> LoadHistory(const CheckInput& input, const LoadOptions& options);

// An output file (--html) that cannot be written, checked before any check starts: creates its
// directory and the file (keeping what it holds). The problem naming the path, or nullopt. Every
// command's OutputProblem (cli/util.cc) is this rule; it lives here because the slim binary
// cannot link util.cc (it needs core/).
std::optional<std::string> CheckOutputProblem(const std::string& path);

}  // namespace pg::cli
