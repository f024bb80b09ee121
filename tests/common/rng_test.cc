// The host-handed randomness the core draws from (core/common/rng.h): each helper's boundaries,
// against a source whose next draw the test sets.
#include "core/common/rng.h"

#include <gtest/gtest.h>

namespace pg {
namespace {

class SetDraw final : public Rng {
 public:
  uint64_t NextU64() override { return next; }
  uint64_t next = 0;
};

// NextDouble is u in [0, 1) from the top 53 bits; Chance(p) is u < p, so that it holds with
// probability exactly p: a draw equal to p is not a success.
TEST(Rng, ChanceIsADrawBelowP) {
  SetDraw rng;
  rng.next = uint64_t{1} << 63;  // u = 0.5 exactly
  EXPECT_EQ(rng.NextDouble(), 0.5);
  EXPECT_FALSE(rng.Chance(0.5));
  rng.next = (uint64_t{1} << 63) - (uint64_t{1} << 11);  // the largest u below 0.5
  EXPECT_TRUE(rng.Chance(0.5));
  rng.next = 0;  // u = 0: never a success of probability 0, always one of any p above it
  EXPECT_FALSE(rng.Chance(0.0));
  EXPECT_TRUE(rng.Chance(1e-9));
  rng.next = ~uint64_t{0};  // the largest u
  EXPECT_TRUE(rng.Chance(1.0));
  EXPECT_FALSE(rng.Chance(0.999));
}

}  // namespace
}  // namespace pg
