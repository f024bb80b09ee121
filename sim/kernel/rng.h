#pragma once
// The simulator's generator: xoshiro256** (Blackman & Vigna, 2018), seeded through splitmix64.
// Fast (about 1 ns a draw), 2^256 - 1 period, passes BigCrush; not cryptographic, which a
// simulator does not need. Named streams are forked from one root seed by hashing the name, so
// the network's draws never shift when, say, the workload draws one more value.
#include <array>
#include <cstdint>
#include <string_view>

#include "core/common/rng.h"

namespace pg::sim {

class Xoshiro256 final : public Rng {
 public:
  explicit Xoshiro256(uint64_t seed);
  uint64_t NextU64() override;

  // A generator for the named stream of this root seed: ForkStream(seed, "network").
  static Xoshiro256 ForkStream(uint64_t root_seed, std::string_view stream_name);

 private:
  std::array<uint64_t, 4> s_;
};

// splitmix64's output function: a bijective 64-bit mixer.
uint64_t SplitMix64(uint64_t& state);
// FNV-1a 64 of a byte string: names to stream ids.
uint64_t Fnv1a64(std::string_view bytes);

}  // namespace pg::sim
