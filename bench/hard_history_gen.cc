// Writes the hard histories of checker/hard_history.h as JSON-lines files, so that any checker
// (pegasim check, or another tool after a format conversion) can be timed on the same inputs:
//   build/hard_history_gen OUT_DIR [FIRST_SEED LAST_SEED]     (default seeds 1..10)
// writes OUT_DIR/single-s<seed>-{legal,corrupt}.jsonl (16 clients x 10k ops, one key) and
// OUT_DIR/tenkeys-s<seed>-{legal,corrupt}.jsonl (64 clients x 100k ops over 10 keys), 5 % of the
// writes with unknown outcome. Deterministic: a seed is a file, byte for byte.
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "checker/hard_history.h"
#include "checker/history.h"

int main(int argc, char** argv) {
  if (argc != 2 && argc != 4) {
    std::cerr << "usage: hard_history_gen OUT_DIR [FIRST_SEED LAST_SEED]\n";
    return 2;
  }
  const std::string dir = argv[1];
  const uint64_t first = argc == 4 ? std::strtoull(argv[2], nullptr, 10) : 1;
  const uint64_t last = argc == 4 ? std::strtoull(argv[3], nullptr, 10) : 10;
  std::filesystem::create_directories(dir);
  for (uint64_t seed = first; seed <= last; ++seed) {
    for (const bool corrupt : {false, true}) {
      for (const auto& [shape, options] :
           {std::pair{"single", pg::checker::HardSingleKey(seed, corrupt)},
            std::pair{"tenkeys", pg::checker::HardTenKeys(seed, corrupt)}}) {
        const std::string path =
            fmt::format("{}/{}-s{}-{}.jsonl", dir, shape, seed, corrupt ? "corrupt" : "legal");
        std::ofstream out(path, std::ios::binary);
        out << pg::checker::WriteJsonlHistory(pg::checker::HardHistory(options));
        if (!out) {
          std::cerr << path << ": cannot write\n";
          return 1;
        }
      }
    }
  }
  return 0;
}
