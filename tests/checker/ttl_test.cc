// Values with a TTL (docs/checker.md "TTL"): a value written with expire_ts E and skew S reads
// as present to an operation that ran wholly before E s - S, as absent to one that ran wholly
// after E s + S, and either way to one whose window meets that interval.
#include <gtest/gtest.h>

#include <string>

#include "tests/checker/ops_history.h"

namespace pg::checker {
namespace {

using testing::CheckEveryWay;
using testing::MustParse;

constexpr int64_t kSecond = 1'000'000'000;

// Lines on hashkey "h" with explicit times (ns); sortkey "s" unless a multi op names none.
class TtlHistory {
 public:
  TtlHistory& Line(int process, const std::string& type, const std::string& f,
                   const std::string& value, int64_t time, const std::string& ttl = "",
                   bool sortkey = true) {
    text_ += fmt::format(R"({{"process": {}, "type": "{}", "f": "{}", "hashkey": "h", )", process,
                         type, f);
    if (sortkey) text_ += R"("sortkey": "s", )";
    text_ += fmt::format(R"("value": {}, "time": {})", value, time);
    if (!ttl.empty()) text_ += fmt::format(R"(, "ttl": {})", ttl);
    text_ += "}\n";
    return *this;
  }
  // A set of "v" at t=1 s that expires at 10 s, by clocks within 100 ms of the history's time.
  TtlHistory& SetExpiring(const std::string& value = "v") {
    Line(0, "invoke", "set", "\"" + value + "\"", 1 * kSecond,
         R"({"expire_ts": 10, "skew_ms": 100})");
    return Line(0, "ok", "set", "null", 1 * kSecond + 1000);
  }
  TtlHistory& Get(int64_t from, int64_t to, const std::string& result) {
    Line(1, "invoke", "get", "null", from);
    return Line(1, "ok", "get", result, to);
  }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

Verdict GetAfterExpiringSet(int64_t from, int64_t to, const std::string& result) {
  return CheckEveryWay(TtlHistory().SetExpiring().Get(from, to, result).text());
}

TEST(Ttl, ReadWellBeforeTheExpirySeesTheValue) {
  EXPECT_EQ(GetAfterExpiringSet(2 * kSecond, 3 * kSecond, "\"v\""), Verdict::kOk);
  EXPECT_EQ(GetAfterExpiringSet(2 * kSecond, 3 * kSecond, "null"), Verdict::kIllegal);
  // Up to the skew before the expiry, still only present.
  EXPECT_EQ(GetAfterExpiringSet(9 * kSecond, 10 * kSecond - 100'000'001, "null"),
            Verdict::kIllegal);
}

TEST(Ttl, ReadWellAfterTheExpirySeesItAbsent) {
  EXPECT_EQ(GetAfterExpiringSet(11 * kSecond, 12 * kSecond, "null"), Verdict::kOk);
  EXPECT_EQ(GetAfterExpiringSet(11 * kSecond, 12 * kSecond, "\"v\""), Verdict::kIllegal);
  EXPECT_EQ(GetAfterExpiringSet(10 * kSecond + 100'000'000, 12 * kSecond, "\"v\""),
            Verdict::kIllegal);
}

TEST(Ttl, ReadWithinTheSkewOfTheExpiryMaySeeEither) {
  EXPECT_EQ(GetAfterExpiringSet(10 * kSecond - 50'000'000, 10 * kSecond - 40'000'000, "\"v\""),
            Verdict::kOk);
  EXPECT_EQ(GetAfterExpiringSet(10 * kSecond - 50'000'000, 10 * kSecond - 40'000'000, "null"),
            Verdict::kOk);
  EXPECT_EQ(GetAfterExpiringSet(10 * kSecond + 99'000'000, 10 * kSecond + 99'000'001, "\"v\""),
            Verdict::kOk);
  // Seeing a value no one wrote is illegal whatever the clocks.
  EXPECT_EQ(GetAfterExpiringSet(10 * kSecond - 50'000'000, 10 * kSecond, "\"w\""),
            Verdict::kIllegal);
}

TEST(Ttl, AWriteAfterTheExpiryIsSeenAsAnyOther) {
  auto h = TtlHistory().SetExpiring();
  h.Line(2, "invoke", "set", "\"w\"", 20 * kSecond).Line(2, "ok", "set", "null", 21 * kSecond);
  EXPECT_EQ(CheckEveryWay(TtlHistory(h).Get(22 * kSecond, 23 * kSecond, "\"w\"").text()),
            Verdict::kOk);
  EXPECT_EQ(CheckEveryWay(TtlHistory(h).Get(22 * kSecond, 23 * kSecond, "null").text()),
            Verdict::kIllegal);
}

// An incr of unknown outcome invoked near the expiry of "5": it may have found 5 (-> 6) or
// nothing (-> 1), or never run (the value then expires). Whichever a later read shows, the
// reads after it must agree.
TtlHistory InfoIncrNearExpiry() {
  auto h = TtlHistory().SetExpiring("5");
  h.Line(2, "invoke", "incr", "\"1\"", 10 * kSecond - 50'000'000);
  return h.Line(2, "info", "incr", "null", 10 * kSecond - 40'000'000);
}

TEST(Ttl, AnUnknownIncrNearTheExpiryMayHaveSeenEither) {
  for (const char* seen : {"\"6\"", "\"1\"", "null"}) {
    EXPECT_EQ(CheckEveryWay(InfoIncrNearExpiry().Get(20 * kSecond, 21 * kSecond, seen).text()),
              Verdict::kOk)
        << seen;
  }
  for (const char* seen : {"\"5\"", "\"2\""}) {
    EXPECT_EQ(CheckEveryWay(InfoIncrNearExpiry().Get(20 * kSecond, 21 * kSecond, seen).text()),
              Verdict::kIllegal)
        << seen;
  }
}

TEST(Ttl, AReadNarrowsWhatTheUnknownIncrLeft) {
  auto h = InfoIncrNearExpiry().Get(20 * kSecond, 21 * kSecond, "\"6\"");
  EXPECT_EQ(CheckEveryWay(TtlHistory(h).Get(22 * kSecond, 23 * kSecond, "\"6\"").text()),
            Verdict::kOk);
  EXPECT_EQ(CheckEveryWay(TtlHistory(h).Get(22 * kSecond, 23 * kSecond, "\"1\"").text()),
            Verdict::kIllegal);
}

TEST(Ttl, AnIncrWellBeforeTheExpiryFoundTheValue) {
  auto h = TtlHistory().SetExpiring("5");
  h.Line(2, "invoke", "incr", "\"1\"", 2 * kSecond).Line(2, "ok", "incr", "\"1\"", 3 * kSecond);
  EXPECT_EQ(CheckEveryWay(h.text()), Verdict::kIllegal);
  auto found = TtlHistory().SetExpiring("5");
  found.Line(2, "invoke", "incr", "\"1\"", 2 * kSecond).Line(2, "ok", "incr", "\"6\"", 3 * kSecond);
  EXPECT_EQ(CheckEveryWay(found.text()), Verdict::kOk);
}

// A cas expecting absence, of unknown outcome, near the expiry: it wrote "b" only if it found
// the value expired.
TEST(Ttl, AnUnknownCasNearTheExpiryLeavesAChoiceThatReadsNarrow) {
  auto h = TtlHistory().SetExpiring("a");
  h.Line(2, "invoke", "cas", R"({"expect": null, "set": "b"})", 10 * kSecond - 50'000'000)
      .Line(2, "info", "cas", "null", 10 * kSecond - 40'000'000);
  for (const char* seen : {"\"b\"", "null"}) {
    EXPECT_EQ(CheckEveryWay(TtlHistory(h).Get(20 * kSecond, 21 * kSecond, seen).text()),
              Verdict::kOk)
        << seen;
  }
  EXPECT_EQ(CheckEveryWay(TtlHistory(h).Get(20 * kSecond, 21 * kSecond, "\"a\"").text()),
            Verdict::kIllegal);
  auto narrowed = TtlHistory(h).Get(20 * kSecond, 21 * kSecond, "\"b\"");
  EXPECT_EQ(CheckEveryWay(narrowed.Get(22 * kSecond, 23 * kSecond, "null").text()),
            Verdict::kIllegal);
}

TEST(Ttl, ACheckAfterTheExpiryFindsNoValue) {
  auto h = TtlHistory().SetExpiring("a");
  const std::string not_exist =
      R"({"check": {"type": "value_not_exist", "operand": ""}, "set": "b"})";
  h.Line(2, "invoke", "cas", not_exist, 20 * kSecond).Line(2, "ok", "cas", "true", 21 * kSecond);
  EXPECT_EQ(CheckEveryWay(h.text()), Verdict::kOk);
  auto early = TtlHistory().SetExpiring("a");
  early.Line(2, "invoke", "cas", not_exist, 2 * kSecond).Line(2, "ok", "cas", "true", 3 * kSecond);
  EXPECT_EQ(CheckEveryWay(early.text()), Verdict::kIllegal);
}

// multi_set with a TTL, then the whole-hashkey reads: a range read and sortkey_count.
TtlHistory MultiSetExpiringAndKept() {
  TtlHistory h;
  h.Line(0, "invoke", "set", "\"k\"", 0).Line(0, "ok", "set", "null", 1000);
  h.Line(0, "invoke", "multi_set", R"({"s": "v", "t": "w"})", 1 * kSecond,
         R"({"expire_ts": 10, "skew_ms": 100})", false);
  return h.Line(0, "ok", "multi_set", "null", 1 * kSecond + 1000, "", false);
}

TEST(Ttl, RangeReadsAndCountsSkipExpiredValues) {
  const std::string all =
      R"({"start": "", "start_inclusive": true, "stop": "", "stop_inclusive": true, "reverse": false})";
  auto range = [&](int64_t at, const std::string& result) {
    auto h = MultiSetExpiringAndKept();
    h.Line(1, "invoke", "multi_get", all, at, "", false);
    return CheckEveryWay(h.Line(1, "ok", "multi_get", result, at + 1000, "", false).text());
  };
  EXPECT_EQ(range(2 * kSecond, R"({"s": "v", "t": "w"})"), Verdict::kOk);
  EXPECT_EQ(range(20 * kSecond, "{}"), Verdict::kOk);
  EXPECT_EQ(range(20 * kSecond, R"({"s": "v"})"), Verdict::kIllegal);
  EXPECT_EQ(range(2 * kSecond, "{}"), Verdict::kIllegal);
  auto count = [&](int64_t at, const std::string& n) {
    auto h = MultiSetExpiringAndKept();
    h.Line(1, "invoke", "sortkey_count", "null", at, "", false);
    return CheckEveryWay(h.Line(1, "ok", "sortkey_count", n, at + 1000, "", false).text());
  };
  EXPECT_EQ(count(2 * kSecond, "\"2\""), Verdict::kOk);
  EXPECT_EQ(count(20 * kSecond, "\"0\""), Verdict::kOk);
  EXPECT_EQ(count(10 * kSecond, "\"1\""), Verdict::kOk);  // the skew window: 0, 1 or 2
  EXPECT_EQ(count(20 * kSecond, "\"2\""), Verdict::kIllegal);
}

TEST(Ttl, TheIllegalVerdictNamesTheTtlAndTheWindow) {
  const CheckResult r = Check(
      MustParse(TtlHistory().SetExpiring().Get(11 * kSecond, 12 * kSecond, "\"v\"").text()), {});
  ASSERT_EQ(r.verdict, Verdict::kIllegal);
  EXPECT_NE(r.explanation.find("expire_ts 10, skew 100 ms"), std::string::npos) << r.explanation;
  // The set in the prefix shows its TTL too (explain.cc), not only the state after it.
  EXPECT_NE(r.explanation.find("set h/s \"v\" (expire_ts 10, skew 100 ms)"), std::string::npos)
      << r.explanation;
}

std::string ParseError(const std::string& line) {
  auto h = ParseJsonlHistory(line + "\n", "ttl.jsonl");
  return h.ok() ? "" : h.error().ToString();
}

TEST(Ttl, BadTtlsAreBadInputNamingTheField) {
  const std::string set = R"({"process": 0, "type": "invoke", "f": "set", "hashkey": "h", )"
                          R"("sortkey": "s", "value": "v", "time": 0, "ttl": )";
  EXPECT_NE(ParseError(set + R"({"expire_ts": 0, "skew_ms": 1}})").find("ttl.expire_ts"),
            std::string::npos);
  EXPECT_NE(ParseError(set + R"({"expire_ts": 4294967296, "skew_ms": 1}})").find("ttl.expire_ts"),
            std::string::npos);
  EXPECT_NE(ParseError(set + R"({"expire_ts": 5}})").find("ttl.skew_ms"), std::string::npos);
  EXPECT_NE(ParseError(set + R"({"expire_ts": 5, "skew_ms": -1}})").find("ttl.skew_ms"),
            std::string::npos);
  EXPECT_NE(ParseError(set + R"({"expire_ts": 5, "skew_ms": 1, "x": 2}})").find("ttl.x"),
            std::string::npos);
  EXPECT_NE(ParseError(set + R"(7})").find("ttl"), std::string::npos);
  const std::string get = R"({"process": 0, "type": "invoke", "f": "get", "hashkey": "h", )"
                          R"("sortkey": "s", "value": null, "time": 0, )"
                          R"("ttl": {"expire_ts": 5, "skew_ms": 1}})";
  EXPECT_NE(ParseError(get).find("ttl"), std::string::npos);
  EXPECT_EQ(ParseError(set + R"({"expire_ts": 5, "skew_ms": 1}})"), "");
}

}  // namespace
}  // namespace pg::checker
