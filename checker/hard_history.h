#pragma once
// The hard benchmark shape of issue 18: register histories with cas and del, where the checker's
// unique-value shortcuts no longer apply as they do to plain get/set. Clients run operations back
// to back against a sequentially executed store (each takes effect at a random point of its
// interval), so a legal history is linearizable by construction.
//   mix: 45 % get, 40 % set of a unique value, 10 % cas (half expect the current value and
//   succeed, half an older value or absent and fail), 5 % del;
//   unknown_fraction of the writes (set, cas, del) end "info" (half of those take effect).
// Corrupted: one late read returns the value of a write W0 that two acknowledged writes W1, W2
// later overwrote (W0 < W1 < W2 < read in real time): illegal whatever the order, since values
// are written once and W1, W2 each replace the value (a set, a del or a successful cas).
#include <cstdint>
#include <string>

#include "checker/history.h"

namespace pg::checker {

struct HardOptions {
  uint64_t seed = 1;
  int clients = 16;
  int operations = 10'000;
  int keys = 1;  // hashkeys h0.., one sortkey s0 each: independent partitions
  double unknown_fraction = 0.05;
  bool corrupt = false;
};

// The two shapes the issue names: 16 clients x 10k ops on one key, and 64 x 100k over 10 keys.
inline HardOptions HardSingleKey(uint64_t seed, bool corrupt) {
  return {.seed = seed, .clients = 16, .operations = 10'000, .keys = 1, .corrupt = corrupt};
}
inline HardOptions HardTenKeys(uint64_t seed, bool corrupt) {
  return {.seed = seed, .clients = 64, .operations = 100'000, .keys = 10, .corrupt = corrupt};
}

// The history; when corrupt, *corrupted_line (if given) is the corrupted read's completion line.
History HardHistory(const HardOptions& options, size_t* corrupted_line = nullptr);

}  // namespace pg::checker
