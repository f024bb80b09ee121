// The explanation of an illegal history with the operations docs/checker.md adds says what the
// state was and what the operation claimed, in words.
#include <gtest/gtest.h>

#include "tests/checker/ops_history.h"

namespace pg::checker {
namespace {

using testing::OpsHistory;

// The explanation of an illegal history.
std::string IllegalBecause(const OpsHistory& h) {
  const CheckResult r = Check(testing::MustParse(h.text()), {});
  EXPECT_EQ(r.verdict, Verdict::kIllegal) << h.text();
  return r.explanation;
}

void ExpectSays(const std::string& explanation, const std::string& words) {
  EXPECT_NE(explanation.find(words), std::string::npos) << explanation;
}

TEST(OpsExplain, RangeReads) {
  OpsHistory missing;
  missing.Set(0, "a", "1").Set(0, "b", "2");
  missing.Op(1, "multi_get", testing::Range("", "", R"("limit": 1)", true), R"({"a": "1"})");
  const std::string why = IllegalBecause(missing);
  ExpectSays(why, "multi_get h [first, last] reverse limit 1 -> {a=\"1\"}");
  ExpectSays(why,
             "did not return b = \"2\", which the range holds (its present sortkey 1 in the "
             "range's order, limit 1)");
  OpsHistory outside;
  outside.Set(0, "a", "1").Op(1, "multi_get", testing::Range("b", "c"), R"({"a": "1"})");
  ExpectSays(IllegalBecause(outside), "that sortkey is outside the range");
  OpsHistory extra;
  extra.Set(0, "a", "1").Op(1, "multi_get", testing::Range("", ""), R"({"a": "1", "b": "1"})");
  ExpectSays(IllegalBecause(extra), "b = \"1\"");
}

TEST(OpsExplain, CountsAndChecks) {
  OpsHistory count;
  count.Set(0, "a", "1").Op(1, "sortkey_count", "null", R"("2")");
  ExpectSays(IllegalBecause(count), "sortkey_count returned 2 but 1 sortkeys were present");
  OpsHistory cam;
  cam.Set(0, "a", "1")
      .Op(1, "check_and_mutate",
          R"({"check_sortkey": "a", "check": {"type": "int_greater", "operand": )"
          R"("0"}, "mutations": [{"op": "del", "sortkey": "a"}]})",
          "false");
  const std::string why = IllegalBecause(cam);
  ExpectSays(why, "if a int_greater \"0\" then del a -> false");
  ExpectSays(why, "returned false but the value was \"1\", so the check passes");
  OpsHistory invalid;
  invalid.Set(0, "a", "x")
      .Op(1, "cas", R"({"check": {"type": "int_less", "operand": "3"}, "set": "y"})", "false", "a");
  ExpectSays(IllegalBecause(invalid), "the check is an invalid argument");
}

}  // namespace
}  // namespace pg::checker
