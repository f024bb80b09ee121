// Key rotation (WorkloadShape::key_rotation_ops): a client moves to fresh hashkeys every N
// operations, so that no hashkey's history outgrows what the checker can decide; and the TTLs
// the workload writes with (WorkloadShape::ttl_fraction).
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "core/client/workload.h"
#include "sim/kernel/rng.h"

namespace pg {
namespace {

std::vector<std::string> Hashkeys(int key_rotation_ops, int n, uint64_t seed) {
  WorkloadGenerator g(WorkloadShape{.process = 0,
                                    .hashkeys = 3,
                                    .sortkeys = 2,
                                    .key_rotation_ops = key_rotation_ops,
                                    .mix = {{"set", 1}, {"get", 1}, {"multi_set", 1}}});
  sim::Xoshiro256 rng(seed);
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(g.Next(rng).request.hashkey);
  return out;
}

TEST(WorkloadRotation, EveryNOperationsTheClientMovesToTheNextKeySet) {
  const std::vector<std::string> keys = Hashkeys(/*key_rotation_ops=*/5, 20, 7);
  for (int i = 0; i < 20; ++i) {
    const int index = std::stoi(keys[i].substr(1));
    const int key_set = i / 5;
    EXPECT_GE(index, key_set * 3) << "operation " << i << ": " << keys[i];
    EXPECT_LT(index, key_set * 3 + 3) << "operation " << i << ": " << keys[i];
  }
}

TEST(WorkloadRotation, OffItDrawsTheSameKeysAsBeforeAndStaysInTheFirstSet) {
  const std::vector<std::string> off = Hashkeys(0, 200, 11);
  const std::set<std::string> distinct(off.begin(), off.end());
  EXPECT_EQ(distinct, (std::set<std::string>{"h0", "h1", "h2"}));
  // Rotation draws exactly as many numbers as before: only the key set's offset differs.
  const std::vector<std::string> on = Hashkeys(1000, 200, 11);
  EXPECT_EQ(on, off);
}

// TTLs (WorkloadShape::ttl_fraction): only sets and multi_sets take one, in [1, ttl_s_max]; with
// no fraction none does.
std::vector<WorkloadOp> Ops(double ttl_fraction, int n, uint64_t seed) {
  WorkloadGenerator g(WorkloadShape{.process = 0,
                                    .hashkeys = 3,
                                    .sortkeys = 2,
                                    .mix = {{"set", 1}, {"get", 1}, {"multi_set", 1}, {"cas", 1}},
                                    .ttl_fraction = ttl_fraction,
                                    .ttl_s_max = ttl_fraction > 0 ? 4 : 0});
  sim::Xoshiro256 rng(seed);
  std::vector<WorkloadOp> out;
  for (int i = 0; i < n; ++i) out.push_back(g.Next(rng));
  return out;
}

TEST(WorkloadTtl, OnlySetsAndMultiSetsTakeATtlWithinItsBound) {
  std::set<uint32_t> ttls;
  for (const WorkloadOp& op : Ops(1, 200, 3)) {
    const bool takes_one = op.f == "set" || op.f == "multi_set";
    if (takes_one) {
      ttls.insert(op.ttl_s);
    } else {
      EXPECT_EQ(op.ttl_s, 0u) << op.f;
    }
  }
  EXPECT_EQ(ttls, (std::set<uint32_t>{1, 2, 3, 4}));
}

TEST(WorkloadTtl, WithoutAFractionNoWriteTakesOne) {
  for (const WorkloadOp& op : Ops(0, 200, 5)) EXPECT_EQ(op.ttl_s, 0u) << op.f;
}

}  // namespace
}  // namespace pg
