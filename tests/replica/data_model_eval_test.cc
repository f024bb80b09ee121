// The pure rules of Pegasus's richer operations: check_and_set/check_and_mutate's checks
// (validate_check) and multi_get's sortkey ranges (on_multi_get).
#include <gtest/gtest.h>

#include "core/replica/cas_check.h"
#include "core/replica/sortkey_range.h"

namespace pg::testing {
namespace {

std::optional<bool> Check(CheckType t, std::string operand, std::optional<std::string> value) {
  return EvaluateCheck(CasCheck{t, std::move(operand)}, value);
}

const std::optional<std::string> kAbsent = std::nullopt;

TEST(CasCheckRule, PresenceChecksReadOnlyWhetherTheValueExistsOrIsEmpty) {
  EXPECT_EQ(Check(CheckType::kNoCheck, "", kAbsent), true);
  EXPECT_EQ(Check(CheckType::kValueNotExist, "", kAbsent), true);
  EXPECT_EQ(Check(CheckType::kValueNotExist, "", ""), false);
  EXPECT_EQ(Check(CheckType::kValueNotExistOrEmpty, "", ""), true);
  EXPECT_EQ(Check(CheckType::kValueNotExistOrEmpty, "", "a"), false);
  EXPECT_EQ(Check(CheckType::kValueExist, "", ""), true);
  EXPECT_EQ(Check(CheckType::kValueExist, "", kAbsent), false);
  EXPECT_EQ(Check(CheckType::kValueNotEmpty, "", ""), false);
  EXPECT_EQ(Check(CheckType::kValueNotEmpty, "", "a"), true);
}

TEST(CasCheckRule, MatchChecksFailOnAbsentAndAnEmptyOperandMatchesAnything) {
  EXPECT_EQ(Check(CheckType::kMatchAnywhere, "", kAbsent), false);
  EXPECT_EQ(Check(CheckType::kMatchAnywhere, "", "abc"), true);
  EXPECT_EQ(Check(CheckType::kMatchAnywhere, "b", "abc"), true);
  EXPECT_EQ(Check(CheckType::kMatchAnywhere, "abcd", "abc"), false);
  EXPECT_EQ(Check(CheckType::kMatchPrefix, "ab", "abc"), true);
  EXPECT_EQ(Check(CheckType::kMatchPrefix, "bc", "abc"), false);
  EXPECT_EQ(Check(CheckType::kMatchPostfix, "bc", "abc"), true);
  EXPECT_EQ(Check(CheckType::kMatchPostfix, "ab", "abc"), false);
}

TEST(CasCheckRule, ByteComparisonsCompareValueWithOperand) {
  EXPECT_EQ(Check(CheckType::kBytesEqual, "b", kAbsent), false);
  for (auto [t, less, equal, greater] :
       {std::tuple{CheckType::kBytesLess, true, false, false},
        std::tuple{CheckType::kBytesLessOrEqual, true, true, false},
        std::tuple{CheckType::kBytesEqual, false, true, false},
        std::tuple{CheckType::kBytesGreaterOrEqual, false, true, true},
        std::tuple{CheckType::kBytesGreater, false, false, true}}) {
    EXPECT_EQ(Check(t, "b", "a"), less) << CheckTypeName(t);
    EXPECT_EQ(Check(t, "b", "b"), equal) << CheckTypeName(t);
    EXPECT_EQ(Check(t, "b", "ba"), greater) << CheckTypeName(t);
  }
}

TEST(CasCheckRule, IntComparisonsCompareNumbersAndRefuseNonIntegers) {
  for (auto [t, less, equal, greater] :
       {std::tuple{CheckType::kIntLess, true, false, false},
        std::tuple{CheckType::kIntLessOrEqual, true, true, false},
        std::tuple{CheckType::kIntEqual, false, true, false},
        std::tuple{CheckType::kIntGreaterOrEqual, false, true, true},
        std::tuple{CheckType::kIntGreater, false, false, true}}) {
    // As numbers, not bytes: "9" < "10".
    EXPECT_EQ(Check(t, "10", "9"), less) << CheckTypeName(t);
    EXPECT_EQ(Check(t, "10", "10"), equal) << CheckTypeName(t);
    EXPECT_EQ(Check(t, "10", "11"), greater) << CheckTypeName(t);
    EXPECT_EQ(Check(t, "10", kAbsent), false) << CheckTypeName(t);
    EXPECT_EQ(Check(t, "10", "c1-2"), std::nullopt) << "a value that is no integer is invalid";
    EXPECT_EQ(Check(t, "x", "10"), std::nullopt) << "an operand that is no integer is invalid";
    EXPECT_EQ(Check(t, "10", ""), std::nullopt) << "empty is no integer here (buf2int64)";
  }
}

TEST(CasCheckRule, NamesRoundTripAndUnknownTypesAreUnsupported) {
  for (uint8_t i = 0; i < kCheckTypeCount; ++i) {
    const auto t = static_cast<CheckType>(i);
    EXPECT_EQ(ParseCheckType(CheckTypeName(t)), t);
    EXPECT_TRUE(CheckTypeSupported(t));
  }
  EXPECT_FALSE(CheckTypeSupported(static_cast<CheckType>(kCheckTypeCount)));
  EXPECT_EQ(ParseCheckType("CT_VALUE_EXIST"), std::nullopt);
}

std::vector<SortkeyValue> Records() {
  return {{"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}, {"e", "5"}};
}

std::string Keys(const std::vector<SortkeyValue>& kvs) {
  std::string out;
  for (const SortkeyValue& kv : kvs) out += kv.sortkey;
  return out;
}

TEST(SortkeyRangeRule, BoundsAreInclusiveOrNotAndEmptyBoundsAreOpen) {
  EXPECT_EQ(Keys(SelectRange(Records(), {.start = "b", .stop = "d"}, {})), "bc");
  EXPECT_EQ(Keys(SelectRange(
                Records(),
                {.start = "b", .start_inclusive = false, .stop = "d", .stop_inclusive = true}, {})),
            "cd");
  EXPECT_EQ(Keys(SelectRange(Records(), {}, {})), "abcde");
  EXPECT_EQ(Keys(SelectRange(Records(), {.start = "c"}, {})), "cde");
  EXPECT_EQ(Keys(SelectRange(Records(), {.stop = "c", .stop_inclusive = true}, {})), "abc");
  EXPECT_EQ(Keys(SelectRange(Records(), {.start = "d", .stop = "b"}, {})), "")
      << "stop before start";
  EXPECT_EQ(Keys(SelectRange(Records(), {.start = "c", .stop = "c"}, {})), "") << "c not < c";
  EXPECT_EQ(Keys(SelectRange(Records(), {.start = "c", .stop = "c", .stop_inclusive = true}, {})),
            "c");
}

TEST(SortkeyRangeRule, ALimitKeepsTheFirstInReadingOrderAndReverseReadsFromTheTop) {
  EXPECT_EQ(Keys(SelectRange(Records(), {.limit = 2}, {})), "ab");
  EXPECT_EQ(Keys(SelectRange(Records(), {.limit = 2, .reverse = true}, {})), "ed");
  EXPECT_EQ(
      Keys(SelectRange(Records(), {.start = "b", .stop = "e", .limit = 2, .reverse = true}, {})),
      "dc");
  EXPECT_EQ(Keys(SelectRange(Records(), {.limit = 9}, {})), "abcde");
}

TEST(SortkeyRangeRule, FiltersKeepMatchingSortkeysBeforeTheLimitCounts) {
  std::vector<SortkeyValue> r{{"s1", ""}, {"s10", ""}, {"s2", ""}, {"t1", ""}};
  auto keys = [&](FilterType f, std::string pattern, uint32_t limit = 0) {
    std::string out;
    for (const SortkeyValue& kv :
         SelectRange(r, {.filter = f, .pattern = std::move(pattern), .limit = limit}, {})) {
      out += kv.sortkey + " ";
    }
    return out;
  };
  EXPECT_EQ(keys(FilterType::kPrefix, "s1"), "s1 s10 ");
  EXPECT_EQ(keys(FilterType::kPostfix, "1"), "s1 t1 ");
  EXPECT_EQ(keys(FilterType::kAnywhere, "10"), "s10 ");
  EXPECT_EQ(keys(FilterType::kPostfix, "1", 1), "s1 ") << "the limit counts what passed";
  EXPECT_EQ(keys(FilterType::kPrefix, ""), "s1 s10 s2 t1 ") << "an empty pattern keeps all";
  EXPECT_FALSE(ValidateRange({.filter = static_cast<FilterType>(kFilterTypeCount)}).ok());
}

}  // namespace
}  // namespace pg::testing
