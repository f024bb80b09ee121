// The reductions that stay on where the richer operations appear (docs/checker.md "Rules"): each
// history here is legal only through an operation a careless reduction would drop or merge, so
// every configuration of the fast paths must still answer ok (CheckEveryWay holds them all to the
// plain search).
#include <gtest/gtest.h>

#include "tests/checker/ops_history.h"

namespace pg::checker::testing {
namespace {

std::string CheckAndMutate(const std::string& sortkey, const std::string& type,
                           const std::string& operand) {
  return fmt::format(
      R"({{"check_sortkey": "{}", "check": {{"type": "{}", "operand": "{}"}}, "mutations": [{{"op": "set", "sortkey": "t", "value": "x"}}]}})",
      sortkey, type, operand);
}

TEST(ExtendedReductions, UnreadValuesMergeOnlyWhereEveryCheckAgreesOnThem) {
  // "z" and "a" are never read, but the check tells them apart: merged, the check would fail.
  OpsHistory h;
  h.Set(1, "s", "z")
      .Set(1, "s", "a")
      .Op(1, "check_and_mutate", CheckAndMutate("s", "bytes_less", "m"), "true");
  EXPECT_EQ(CheckEveryWay(h.text()), Verdict::kOk);
  OpsHistory fails;
  fails.Set(1, "s", "z")
      .Set(1, "s", "a")
      .Op(1, "check_and_mutate", CheckAndMutate("s", "bytes_less", "m"), "false");
  EXPECT_EQ(CheckEveryWay(fails.text()), Verdict::kIllegal);
}

TEST(ExtendedReductions, ADeleteARangeReadSawTakeEffectIsKept) {
  // The unknown del is the only way the range read finds s absent.
  OpsHistory h;
  h.Set(1, "s", "v").Invoke(2, "del", "null", "s");
  h.Op(1, "multi_get", Range("", ""), "{}");
  EXPECT_EQ(CheckEveryWay(h.text()), Verdict::kOk);
}

TEST(ExtendedReductions, AWriteALaterSortkeyCountSawIsKept) {
  // Nothing reads "v", but the count sees the set it made.
  OpsHistory h;
  h.Invoke(2, "set", R"("v")", "s");
  h.Op(1, "sortkey_count", "null", R"("1")");
  EXPECT_EQ(CheckEveryWay(h.text()), Verdict::kOk);
  OpsHistory none;
  none.Op(1, "sortkey_count", "null", R"("1")");
  EXPECT_EQ(CheckEveryWay(none.text()), Verdict::kIllegal);
}

}  // namespace
}  // namespace pg::checker::testing
