// Jepsen EDN import: the register and cas-register conventions, and the same history in EDN and
// JSON lines judged alike.
#include "checker/edn.h"

#include <gtest/gtest.h>

#include "checker/check.h"
#include "checker/edn_history.h"
#include "tests/checker/test_util.h"

namespace pg::checker {
namespace {

History MustParseEdn(const std::string& name, OptValue initial = {}) {
  auto h = ParseEdnHistory(testing::ReadFixture(name), name, EdnOptions{initial});
  EXPECT_TRUE(h.ok()) << (h.ok() ? "" : h.error().ToString());
  return h.ok() ? std::move(h).value() : History{};
}

TEST(Edn, ReadsTheFormsJepsenWrites) {
  auto forms = ParseEdn(
      "; comment\n[{:a 1, :b \"s\\\"x\"} #{1 2} (nil true) #_ skipped -3 2.5 #inst \"t\" :k/w]",
      "t");
  ASSERT_TRUE(forms.ok()) << forms.error().ToString();
  ASSERT_EQ(forms->size(), 1u);
  const Edn& v = (*forms)[0];
  ASSERT_EQ(v.items.size(), 7u);
  EXPECT_EQ(v.items[0].Get("b")->text, "s\"x");
  EXPECT_EQ(v.items[1].kind, Edn::Kind::kSet);
  EXPECT_EQ(v.items[3].integer, -3);
  EXPECT_EQ(v.items[4].kind, Edn::Kind::kFloat);
  EXPECT_EQ(v.items[5].text, "t");  // the tag is dropped, the value kept
  EXPECT_EQ(v.items[6].text, "k/w");
  EXPECT_EQ(v.line, 2u);
}

TEST(Edn, ErrorsNameTheLine) {
  auto forms = ParseEdn("[1 2\n 3", "bad.edn");
  ASSERT_FALSE(forms.ok());
  EXPECT_EQ(forms.error().line, 2u);
  auto h = ParseEdnHistory("{:process 0, :type :invoke, :f :scan, :value nil}\n", "bad.edn", {});
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().field, "f");
}

TEST(Edn, CasRegisterStartsAtTheInitialValue) {
  // Reads 0 before any write: legal only when the register starts at 0.
  EXPECT_EQ(Check(MustParseEdn("cas_register_ok.edn", "0"), {}).verdict, Verdict::kOk);
  EXPECT_EQ(Check(MustParseEdn("cas_register_ok.edn"), {}).verdict, Verdict::kIllegal);
}

TEST(Edn, NemesisSkippedAndNilReadUnconstrained) {
  const History h = MustParseEdn("cas_register_ok.edn", "0");
  for (const Operation& op : h.operations) EXPECT_LT(op.process, 4);
  // The final read of nil became an unknown-outcome read.
  EXPECT_EQ(h.operations.back().outcome, Outcome::kInfo);
  EXPECT_EQ(h.operations.back().f, Fn::kGet);
}

struct Twin {
  const char* edn;
  OptValue initial;
  const char* jsonl;
  Verdict verdict;
};

class EdnJsonlTwins : public ::testing::TestWithParam<Twin> {};

TEST_P(EdnJsonlTwins, SameVerdict) {
  const History edn = MustParseEdn(GetParam().edn, GetParam().initial);
  const History jsonl = testing::MustParse(testing::ReadFixture(GetParam().jsonl));
  const CheckResult a = Check(edn, {});
  const CheckResult b = Check(jsonl, {});
  EXPECT_EQ(VerdictName(a.verdict), VerdictName(GetParam().verdict)) << a.explanation;
  EXPECT_EQ(VerdictName(b.verdict), VerdictName(GetParam().verdict)) << b.explanation;
}

INSTANTIATE_TEST_SUITE_P(Histories, EdnJsonlTwins,
                         ::testing::Values(Twin{"independent_stale_read.edn", std::nullopt,
                                                "independent_stale_read.jsonl", Verdict::kIllegal},
                                           Twin{"cas_register_double_cas.edn", "0",
                                                "cas_register_double_cas.jsonl",
                                                Verdict::kIllegal}));

TEST(Edn, OneCasFromInitialZeroIsOk) {
  // Dropping the second cas's success (it completes :fail) makes the history linearizable.
  std::string text = testing::ReadFixture("cas_register_double_cas.edn");
  text.replace(text.rfind(":ok"), 3, ":fail");
  auto h = ParseEdnHistory(text, "one_cas.edn", EdnOptions{"0"});
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(Check(*h, {}).verdict, Verdict::kOk);
}

TEST(Edn, IndependentKeysBecomeHashkeys) {
  const History h = MustParseEdn("independent_stale_read.edn");
  const CheckResult r = Check(h, {});
  ASSERT_EQ(r.partitions.size(), 2u);
  EXPECT_EQ(r.partitions[0].name, ":x");  // the key :x, a keyword (not the string "x")
  EXPECT_EQ(r.partitions[0].verdict, Verdict::kIllegal);
  EXPECT_EQ(r.partitions[1].verdict, Verdict::kOk);
}

}  // namespace
}  // namespace pg::checker
