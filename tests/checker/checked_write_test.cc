// multi_del, check_and_mutate and cas by check type (docs/checker.md), with each family of
// Pegasus's cas_check_type: existence, emptiness, pattern, bytes and integer comparisons.
#include <gtest/gtest.h>

#include "tests/checker/ops_history.h"

namespace pg::checker {
namespace {

using testing::CheckEveryWay;
using testing::OpsHistory;
using testing::Range;

std::string Cam(const std::string& check_sortkey, const std::string& type,
                const std::string& operand, const std::string& mutations) {
  return fmt::format(
      R"({{"check_sortkey": "{}", "check": {{"type": "{}", "operand": "{}"}}, "mutations": [{}]}})",
      check_sortkey, type, operand, mutations);
}
const char* const kSetB9 = R"({"op": "set", "sortkey": "b", "value": "9"})";
const char* const kDelA = R"({"op": "del", "sortkey": "a"})";

std::string CasCheck(const std::string& type, const std::string& operand, const std::string& set) {
  return fmt::format(R"({{"check": {{"type": "{}", "operand": "{}"}}, "set": "{}"}})", type,
                     operand, set);
}

// a = value; then a cas by check on a that reports result; then a get of a reading after.
Verdict CasOn(const std::string& value, const std::string& type, const std::string& operand,
              bool result, const std::string& after) {
  OpsHistory h;
  h.Set(0, "a", value);
  h.Op(1, "cas", CasCheck(type, operand, "new"), result ? "true" : "false", "a");
  h.Op(2, "get", "null", "\"" + after + "\"", "a");
  return CheckEveryWay(h.text());
}

TEST(MultiDel, DeletesAllItsKeysAtOnce) {
  OpsHistory h;
  h.Set(0, "a", "1").Set(0, "b", "2").Invoke(0, "multi_del", R"(["a", "b"])");
  h.Op(1, "multi_get", "null", R"({"a": "1", "b": "2"})");
  h.Op(2, "multi_get", "null", R"({"a": null, "b": null})");
  h.Complete(0, "multi_del", "null");
  EXPECT_EQ(CheckEveryWay(h.text()), Verdict::kOk);
}

TEST(MultiDel, PartlyVisibleIsIllegal) {
  OpsHistory h;
  h.Set(0, "a", "1").Set(0, "b", "2").Invoke(0, "multi_del", R"(["a", "b"])");
  h.Op(1, "multi_get", "null", R"({"a": null, "b": "2"})");
  h.Complete(0, "multi_del", "null");
  EXPECT_EQ(CheckEveryWay(h.text()), Verdict::kIllegal);
  OpsHistory range;
  range.Set(0, "a", "1").Set(0, "b", "2").Op(0, "multi_del", R"(["a", "b"])", "null", {}, "info");
  range.Op(1, "multi_get", Range("", ""), R"({"b": "2"})");
  EXPECT_EQ(CheckEveryWay(range.text()), Verdict::kIllegal);
}

TEST(CheckAndMutate, AppliedOnlyWhenTheCheckPasses) {
  OpsHistory h;
  h.Set(0, "a", "1").Op(1, "check_and_mutate", Cam("a", "value_exist", "", kSetB9), "true");
  h.Op(2, "multi_get", "null", R"({"a": "1", "b": "9"})");
  EXPECT_EQ(CheckEveryWay(h.text()), Verdict::kOk);
  OpsHistory failed;  // the check fails, yet b was written
  failed.Set(0, "a", "1")
      .Op(1, "check_and_mutate", Cam("a", "value_not_exist", "", kSetB9), "false");
  failed.Op(2, "get", "null", R"("9")", "b");
  EXPECT_EQ(CheckEveryWay(failed.text()), Verdict::kIllegal);
  OpsHistory claimed;  // reported applied although the check fails
  claimed.Set(0, "a", "1")
      .Op(1, "check_and_mutate", Cam("a", "value_not_exist", "", kSetB9), "true");
  EXPECT_EQ(CheckEveryWay(claimed.text()), Verdict::kIllegal);
}

TEST(CheckAndMutate, ReportedFalseWhenTheCheckMustPassIsIllegal) {
  OpsHistory h;
  h.Set(0, "a", "5").Op(1, "check_and_mutate", Cam("a", "int_greater", "3", kSetB9), "false");
  EXPECT_EQ(CheckEveryWay(h.text()), Verdict::kIllegal);
}

TEST(CheckAndMutate, MutationsApplyInOrderAtomically) {
  const std::string set_then_del =
      std::string(R"({"op": "set", "sortkey": "a", "value": "2"}, )") + kDelA + ", " + kSetB9;
  OpsHistory h;
  h.Set(0, "a", "1").Invoke(0, "check_and_mutate", Cam("a", "bytes_equal", "1", set_then_del));
  h.Op(1, "multi_get", "null", R"({"a": "1", "b": null})");
  h.Op(2, "multi_get", "null", R"({"a": null, "b": "9"})");
  h.Complete(0, "check_and_mutate", "true");
  EXPECT_EQ(CheckEveryWay(h.text()), Verdict::kOk);
  h.Op(2, "get", "null", R"("2")", "a");  // the set of a was overridden by the del
  EXPECT_EQ(CheckEveryWay(h.text()), Verdict::kIllegal);
}

TEST(CheckAndMutate, AnIntCheckOnANonIntegerCannotComplete) {
  OpsHistory h;
  h.Set(0, "a", "x").Op(1, "check_and_mutate", Cam("a", "int_less", "3", kSetB9), "false");
  EXPECT_EQ(CheckEveryWay(h.text()), Verdict::kIllegal);
  OpsHistory operand;
  operand.Set(0, "a", "1").Op(1, "check_and_mutate", Cam("a", "int_less", "y", kSetB9), "false");
  EXPECT_EQ(CheckEveryWay(operand.text()), Verdict::kIllegal);
  OpsHistory absent;  // an absent value fails the check before any parsing
  absent.Op(1, "check_and_mutate", Cam("a", "int_less", "y", kSetB9), "false");
  EXPECT_EQ(CheckEveryWay(absent.text()), Verdict::kOk);
  OpsHistory unknown;  // refused: no effect at all
  unknown.Set(0, "a", "x")
      .Op(1, "check_and_mutate", Cam("a", "int_less", "3", kSetB9), "null", {}, "info");
  unknown.Op(2, "get", "null", R"("9")", "b");
  EXPECT_EQ(CheckEveryWay(unknown.text()), Verdict::kIllegal);
}

TEST(CasByCheck, ExistenceAndEmptiness) {
  EXPECT_EQ(CasOn("", "value_not_exist_or_empty", "", true, "new"), Verdict::kOk);
  EXPECT_EQ(CasOn("", "value_not_empty", "", true, "new"), Verdict::kIllegal);
  EXPECT_EQ(CasOn("v", "value_not_empty", "", true, "new"), Verdict::kOk);
  EXPECT_EQ(CasOn("v", "value_exist", "", false, "v"), Verdict::kIllegal);
  EXPECT_EQ(CasOn("v", "no_check", "", true, "new"), Verdict::kOk);
  EXPECT_EQ(CasOn("v", "value_not_exist", "", false, "v"), Verdict::kOk);
}

TEST(CasByCheck, Patterns) {
  EXPECT_EQ(CasOn("hello", "match_prefix", "he", true, "new"), Verdict::kOk);
  EXPECT_EQ(CasOn("hello", "match_prefix", "lo", true, "new"), Verdict::kIllegal);
  EXPECT_EQ(CasOn("hello", "match_postfix", "lo", true, "new"), Verdict::kOk);
  EXPECT_EQ(CasOn("hello", "match_anywhere", "ell", false, "hello"), Verdict::kIllegal);
  EXPECT_EQ(CasOn("hello", "match_anywhere", "", true, "new"), Verdict::kOk);
}

TEST(CasByCheck, BytesCompareUnsigned) {
  EXPECT_EQ(CasOn("b", "bytes_less", "c", true, "new"), Verdict::kOk);
  EXPECT_EQ(CasOn("b", "bytes_less", "b", true, "new"), Verdict::kIllegal);
  EXPECT_EQ(CasOn("b", "bytes_less_or_equal", "b", true, "new"), Verdict::kOk);
  EXPECT_EQ(CasOn("b", "bytes_greater", "ab", true, "new"), Verdict::kOk);
  EXPECT_EQ(CasOn("\xc3\xa9", "bytes_greater", "z", true, "new"), Verdict::kOk);  // 0xc3 > 'z'
  EXPECT_EQ(CasOn("b", "bytes_greater_or_equal", "c", true, "new"), Verdict::kIllegal);
}

TEST(CasByCheck, IntegersCompareAsNumbers) {
  EXPECT_EQ(CasOn("10", "int_greater", "9", true, "new"), Verdict::kOk);  // bytes would say less
  EXPECT_EQ(CasOn("10", "int_less", "9", true, "new"), Verdict::kIllegal);
  EXPECT_EQ(CasOn("-3", "int_less_or_equal", "-3", true, "new"), Verdict::kOk);
  EXPECT_EQ(CasOn("7", "int_equal", "7", false, "7"), Verdict::kIllegal);
  EXPECT_EQ(CasOn("7", "int_greater_or_equal", "8", false, "7"), Verdict::kOk);
  // A non-integer value: refused, never ok whichever the result.
  EXPECT_EQ(CasOn("x", "int_equal", "7", false, "x"), Verdict::kIllegal);
  EXPECT_EQ(CasOn("x", "int_equal", "7", true, "new"), Verdict::kIllegal);
}

TEST(CasByCheck, TheExpectFormIsBytesEqualOrValueNotExist) {
  EXPECT_EQ(CasOn("v", "bytes_equal", "v", true, "new"), Verdict::kOk);
  EXPECT_EQ(CasOn("v", "bytes_equal", "w", true, "new"), Verdict::kIllegal);
  OpsHistory h;
  h.Op(1, "cas", CasCheck("value_not_exist", "", "n"), "true", "a");
  h.Op(1, "cas", R"({"expect": null, "set": "m"})", "false", "a");
  h.Op(1, "cas", R"({"expect": "n", "set": "m"})", "true", "a");
  EXPECT_EQ(CheckEveryWay(h.text()), Verdict::kOk);
}

}  // namespace
}  // namespace pg::checker
