// Histories are read strictly: nothing malformed is dropped, replaced or wrapped around, and no
// file, however deep, crashes the reader. Each case here was once accepted (or crashed).
#include <gtest/gtest.h>

#include <string>

#include "checker/check.h"
#include "checker/edn.h"
#include "checker/edn_history.h"
#include "checker/history.h"

namespace pg::checker {
namespace {

Error MustFailEdn(const std::string& text) {
  auto h = ParseEdnHistory(text, "h.edn", {});
  EXPECT_FALSE(h.ok()) << text;
  return h.ok() ? Error{} : h.error();
}

Error MustFailJsonl(const std::string& text) {
  auto h = ParseJsonlHistory(text, "h.jsonl");
  EXPECT_FALSE(h.ok()) << text;
  return h.ok() ? Error{} : h.error();
}

TEST(StrictEdn, DeepNestingIsAnErrorNotAStackOverflow) {
  const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  auto forms = ParseEdn(deep, "deep.edn");
  ASSERT_FALSE(forms.ok());
  EXPECT_NE(forms.error().message.find("at most 64 levels"), std::string::npos);
  std::string discards;  // #_ #_ #_ ... 1: each discard's form is the next discard
  for (int i = 0; i < 100'000; ++i) discards += "#_ ";
  EXPECT_FALSE(ParseEdn(discards + "1 2", "d.edn").ok());
  // A long run of discards side by side is not nesting.
  std::string flat = "[";
  for (int i = 0; i < 1000; ++i) flat += "#_ 1 ";
  EXPECT_TRUE(ParseEdn(flat + "2]", "flat.edn").ok());
}

TEST(StrictEdn, AnOperationWithANonIntegerProcessIsAnError) {
  const Error e = MustFailEdn(R"([{:process "1", :type :invoke, :f :write, :value 1}
                      {:process "1", :type :ok, :f :write, :value 1}])");
  EXPECT_EQ(e.field, "process");
  EXPECT_NE(e.message.find("expected an integer"), std::string::npos);
  // Jepsen's nemesis ops are still skipped.
  auto h = ParseEdnHistory(R"([{:process :nemesis, :type :info, :f :start}
                               {:process 0, :type :invoke, :f :write, :value 1}
                               {:process 0, :type :ok, :f :write, :value 1}])",
                           "n.edn", {});
  ASSERT_TRUE(h.ok()) << h.error().ToString();
  EXPECT_EQ(h->events.size(), 2u);
}

TEST(StrictEdn, ANonIntegerTimeOrIndexIsAnError) {
  EXPECT_EQ(
      MustFailEdn(R"([{:process 0, :type :invoke, :f :write, :value 1, :time "soon"}])").field,
      "time");
  EXPECT_EQ(MustFailEdn(R"([{:process 0, :type :invoke, :f :write, :value 1, :index 1.5}])").field,
            "index");
}

TEST(StrictEdn, AnIntegerBeyondInt64IsAnError) {
  const Error e = MustFailEdn(R"([{:process 9223372036854775808, :type :invoke, :f :write}])");
  EXPECT_NE(e.message.find("expected an integer in [-2^63, 2^63 - 1]"), std::string::npos);
}

TEST(StrictEdn, StringsKeywordsAndIntegersAreDifferentValues) {
  // Writing the string "1" and then reading the integer 1 is not linearizable.
  auto h = ParseEdnHistory(R"([{:process 0, :type :invoke, :f :write, :value "1"}
                               {:process 0, :type :ok, :f :write, :value "1"}
                               {:process 1, :type :invoke, :f :read, :value nil}
                               {:process 1, :type :ok, :f :read, :value 1}])",
                           "types.edn", {});
  ASSERT_TRUE(h.ok()) << h.error().ToString();
  EXPECT_EQ(Check(*h, {}).verdict, Verdict::kIllegal);
  auto same = ParseEdnHistory(R"([{:process 0, :type :invoke, :f :write, :value :a}
                                  {:process 0, :type :ok, :f :write, :value :a}
                                  {:process 1, :type :invoke, :f :read, :value nil}
                                  {:process 1, :type :ok, :f :read, :value :a}])",
                              "kw.edn", {});
  ASSERT_TRUE(same.ok()) << same.error().ToString();
  EXPECT_EQ(Check(*same, {}).verdict, Verdict::kOk);
}

constexpr const char* kInvoke =
    R"({"process": 1, "type": "invoke", "f": "get", "hashkey": "h", "sortkey": "s", "value": null, "time": 1})";

TEST(StrictJsonl, ARepeatedKeyIsAnErrorNamingIt) {
  const Error e = MustFailJsonl(
      R"({"process": 1, "process": 2, "type": "invoke", "f": "get", "hashkey": "h", "sortkey": "s", "value": null, "time": 1})");
  EXPECT_EQ(e.line, 1u);
  EXPECT_NE(e.message.find("key \"process\" repeated"), std::string::npos) << e.message;
}

TEST(StrictJsonl, IntegersAtOrAbove2To63AreErrorsNotWrapped) {
  const Error e = MustFailJsonl(
      R"({"process": 9223372036854775808, "type": "invoke", "f": "get", "hashkey": "h", "sortkey": "s", "value": null, "time": 1})");
  EXPECT_EQ(e.field, "process");
  EXPECT_TRUE(ParseJsonlHistory(std::string(kInvoke) + "\n", "ok.jsonl").ok());
}

TEST(StrictJsonl, DeepNestingInALineIsAnError) {
  const std::string deep = R"({"process": 1, "type": "invoke", "f": "get", "hashkey": "h", "x": )" +
                           std::string(1'000'000, '[') + std::string(1'000'000, ']') + "}";
  const Error e = MustFailJsonl(deep);
  EXPECT_NE(e.message.find("at most 64 levels"), std::string::npos) << e.message;
}

}  // namespace
}  // namespace pg::checker
