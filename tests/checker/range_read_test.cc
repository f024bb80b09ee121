// multi_get by sort-key range and sortkey_count (docs/checker.md): a range read asserts the
// absence of every in-range sortkey it does not return (the limit aside), so it is judged
// against the whole hashkey.
#include <gtest/gtest.h>

#include "tests/checker/ops_history.h"

namespace pg::checker {
namespace {

using testing::CheckEveryWay;
using testing::OpsHistory;
using testing::Range;

// a, b, c set one after another; then one range read.
OpsHistory ThreeKeys() {
  OpsHistory h;
  h.Set(0, "a", "1").Set(0, "b", "2").Set(0, "c", "3");
  return h;
}

TEST(RangeRead, ReturningEveryPresentKeyInRangeIsOk) {
  auto h = ThreeKeys().Op(1, "multi_get", Range("a", "b"), R"({"a": "1", "b": "2"})");
  EXPECT_EQ(CheckEveryWay(h.text()), Verdict::kOk);
  auto all = ThreeKeys().Op(1, "multi_get", Range("", ""), R"({"a": "1", "b": "2", "c": "3"})");
  EXPECT_EQ(CheckEveryWay(all.text()), Verdict::kOk);
}

TEST(RangeRead, MissingAnInRangePresentKeyIsIllegal) {
  auto h = ThreeKeys().Op(1, "multi_get", Range("a", "c"), R"({"a": "1", "c": "3"})");
  EXPECT_EQ(CheckEveryWay(h.text()), Verdict::kIllegal);
}

TEST(RangeRead, AKeyOutsideTheRangeIsIllegal) {
  const std::string exclusive =
      R"({"start": "a", "start_inclusive": false, "stop": "c", "stop_inclusive": false, "reverse": false})";
  EXPECT_EQ(CheckEveryWay(ThreeKeys().Op(1, "multi_get", exclusive, R"({"b": "2"})").text()),
            Verdict::kOk);
  auto h = ThreeKeys().Op(1, "multi_get", exclusive, R"({"a": "1", "b": "2"})");
  EXPECT_EQ(CheckEveryWay(h.text()), Verdict::kIllegal);
}

TEST(RangeRead, StopBeforeStartReturnsNothing) {
  EXPECT_EQ(CheckEveryWay(ThreeKeys().Op(1, "multi_get", Range("c", "a"), "{}").text()),
            Verdict::kOk);
  EXPECT_EQ(CheckEveryWay(ThreeKeys().Op(1, "multi_get", Range("c", "a"), R"({"a": "1"})").text()),
            Verdict::kIllegal);
}

TEST(RangeRead, TheLimitCutsInOrderAndReverseCountsFromTheEnd) {
  auto first =
      ThreeKeys().Op(1, "multi_get", Range("", "", R"("limit": 2)"), R"({"a": "1", "b": "2"})");
  EXPECT_EQ(CheckEveryWay(first.text()), Verdict::kOk);
  auto beyond = ThreeKeys().Op(1, "multi_get", Range("", "", R"("limit": 2)"),
                               R"({"a": "1", "b": "2", "c": "3"})");
  EXPECT_EQ(CheckEveryWay(beyond.text()), Verdict::kIllegal);
  auto last = ThreeKeys().Op(1, "multi_get", Range("", "", R"("limit": 2)", true),
                             R"({"b": "2", "c": "3"})");
  EXPECT_EQ(CheckEveryWay(last.text()), Verdict::kOk);
  auto wrong_end = ThreeKeys().Op(1, "multi_get", Range("", "", R"("limit": 2)", true),
                                  R"({"a": "1", "b": "2"})");
  EXPECT_EQ(CheckEveryWay(wrong_end.text()), Verdict::kIllegal);
}

TEST(RangeRead, TheFilterSelectsSortkeys) {
  OpsHistory base;
  base.Set(0, "xa", "1").Set(0, "ya", "2").Set(0, "xb", "3");
  const std::string prefix = R"("filter": {"type": "prefix", "pattern": "x"})";
  auto ok = base;
  ok.Op(1, "multi_get", Range("", "", prefix), R"({"xa": "1", "xb": "3"})");
  EXPECT_EQ(CheckEveryWay(ok.text()), Verdict::kOk);
  auto unfiltered = base;
  unfiltered.Op(1, "multi_get", Range("", "", prefix), R"({"xa": "1", "xb": "3", "ya": "2"})");
  EXPECT_EQ(CheckEveryWay(unfiltered.text()), Verdict::kIllegal);
  auto postfix = base;
  postfix.Op(1, "multi_get", Range("", "", R"("filter": {"type": "postfix", "pattern": "a"})"),
             R"({"xa": "1"})");
  EXPECT_EQ(CheckEveryWay(postfix.text()), Verdict::kIllegal);  // ya too
  auto anywhere = base;
  anywhere.Op(1, "multi_get", Range("", "", R"("filter": {"type": "anywhere", "pattern": ""})"),
              R"({"xa": "1", "xb": "3", "ya": "2"})");
  EXPECT_EQ(CheckEveryWay(anywhere.text()), Verdict::kOk);  // an empty pattern matches all
}

TEST(RangeRead, ASortkeyNothingWroteIsIllegal) {
  auto h =
      ThreeKeys().Op(1, "multi_get", Range("", ""), R"({"a": "1", "b": "2", "c": "3", "d": "4"})");
  EXPECT_EQ(CheckEveryWay(h.text()), Verdict::kIllegal);
  OpsHistory alone;
  alone.Op(1, "multi_get", Range("", ""), R"({"d": "4"})");
  EXPECT_EQ(CheckEveryWay(alone.text()), Verdict::kIllegal);
}

TEST(RangeRead, AConcurrentWriteMayOrMayNotBeSeen) {
  OpsHistory h;
  h.Set(0, "a", "1").Invoke(0, "del", "null", "b");
  h.Op(1, "multi_get", Range("", ""), R"({"a": "1"})");
  h.Op(2, "multi_get", Range("", ""), R"({"a": "1"})");
  h.Complete(0, "del", "null", "b");
  EXPECT_EQ(CheckEveryWay(h.text()), Verdict::kOk);
  OpsHistory set;
  set.Set(0, "a", "1").Invoke(0, "set", R"("2")", "b");
  set.Op(1, "multi_get", Range("", ""), R"({"a": "1", "b": "2"})");
  set.Op(2, "multi_get", Range("", ""), R"({"a": "1"})");  // b vanished again
  set.Complete(0, "set", "null", "b");
  EXPECT_EQ(CheckEveryWay(set.text()), Verdict::kIllegal);
}

TEST(RangeRead, FailedAndUnknownRangeReadsCarryNothing) {
  auto h = ThreeKeys()
               .Op(1, "multi_get", Range("", ""), "null", {}, "info")
               .Op(2, "multi_get", Range("", ""), "null", {}, "fail")
               .Op(3, "sortkey_count", "null", "null", {}, "info");
  EXPECT_EQ(CheckEveryWay(h.text()), Verdict::kOk);
}

TEST(SortkeyCount, CountsThePresentSortkeys) {
  auto h = ThreeKeys().Op(0, "del", "null", "null", "b").Op(1, "sortkey_count", "null", R"("2")");
  EXPECT_EQ(CheckEveryWay(h.text()), Verdict::kOk);
  auto off = ThreeKeys().Op(0, "del", "null", "null", "b").Op(1, "sortkey_count", "null", R"("3")");
  EXPECT_EQ(CheckEveryWay(off.text()), Verdict::kIllegal);
  auto low = ThreeKeys().Op(1, "sortkey_count", "null", R"("2")");
  EXPECT_EQ(CheckEveryWay(low.text()), Verdict::kIllegal);
}

TEST(SortkeyCount, AHashkeyNothingWroteHoldsNone) {
  OpsHistory zero;
  zero.Op(1, "sortkey_count", "null", R"("0")");
  EXPECT_EQ(CheckEveryWay(zero.text()), Verdict::kOk);
  OpsHistory one;
  one.Op(1, "sortkey_count", "null", R"("1")");
  EXPECT_EQ(CheckEveryWay(one.text()), Verdict::kIllegal);
  // A failed write leaves nothing behind.
  OpsHistory failed;
  failed.Op(0, "set", R"("1")", "null", "a", "fail").Op(1, "sortkey_count", "null", R"("1")");
  EXPECT_EQ(CheckEveryWay(failed.text()), Verdict::kIllegal);
}

TEST(SortkeyCount, AnUnknownWriteMayCount) {
  OpsHistory h;
  h.Set(0, "a", "1").Op(2, "set", R"("2")", "null", "b", "info");
  h.Op(1, "sortkey_count", "null", R"("2")").Op(1, "sortkey_count", "null", R"("2")");
  EXPECT_EQ(CheckEveryWay(h.text()), Verdict::kOk);
  h.Op(1, "multi_get", Range("", ""), R"({"a": "1"})");  // yet b is gone again: illegal
  EXPECT_EQ(CheckEveryWay(h.text()), Verdict::kIllegal);
}

TEST(RangeRead, AnInitialValueCannotBeChecked) {
  History h = testing::MustParse(ThreeKeys().Op(1, "sortkey_count", "null", R"("3")").text());
  h.initial_value = "0";
  const CheckResult r = Check(h, {});
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_NE(r.explanation.find("no initial value"), std::string::npos) << r.explanation;
}

}  // namespace
}  // namespace pg::checker
