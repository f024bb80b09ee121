// Strict reading of the operations docs/checker.md adds: each bad shape is an error naming the
// line and the field, and the writer's output reads back as the same events.
#include <gtest/gtest.h>

#include <string>

#include "checker/history.h"
#include "tests/checker/ops_history.h"

namespace pg::checker {
namespace {

// The error of one invocation line (hashkey "h", no sortkey unless given) with this value.
Error OpsInvokeError(const std::string& f, const std::string& value,
                     const std::string& sortkey = "") {
  const std::string sk = sortkey.empty() ? "" : R"("sortkey": ")" + sortkey + R"(", )";
  const std::string line = R"({"process": 1, "type": "invoke", "f": ")" + f +
                           R"(", "hashkey": "h", )" + sk + R"("value": )" + value +
                           R"(, "time": 1})";
  auto h = ParseJsonlHistory(line + "\n", "ops.jsonl");
  EXPECT_FALSE(h.ok()) << line;
  if (h.ok()) return Error{};
  EXPECT_EQ(h.error().line, 1u);
  return h.error();
}

const std::string kGoodRange =
    R"("start": "a", "start_inclusive": true, "stop": "z", "stop_inclusive": false, "reverse": false)";

TEST(OpsStrictInput, RangeShapes) {
  EXPECT_EQ(OpsInvokeError("multi_get", "{" + kGoodRange + R"(, "max": 1})").field, "value.max");
  EXPECT_EQ(OpsInvokeError("multi_get", R"({"start": "a"})").field, "value.start_inclusive");
  EXPECT_EQ(OpsInvokeError("multi_get", "{" + kGoodRange + R"(, "limit": 0})").field,
            "value.limit");
  EXPECT_EQ(OpsInvokeError("multi_get", "{" + kGoodRange + R"(, "limit": 1.5})").field,
            "value.limit");
  const std::string wrong_type = R"({"start": 1, "start_inclusive": true, "stop": "z", )"
                                 R"("stop_inclusive": false, "reverse": false})";
  EXPECT_EQ(OpsInvokeError("multi_get", wrong_type).field, "value.start");
  EXPECT_EQ(OpsInvokeError("multi_get", "{" + kGoodRange +
                                            R"(, "filter": {"type": "regex", )"
                                            R"("pattern": "a"}})")
                .field,
            "value.filter.type");
  EXPECT_EQ(
      OpsInvokeError("multi_get", "{" + kGoodRange + R"(, "filter": {"type": "prefix"}})").field,
      "value.filter.pattern");
  EXPECT_EQ(OpsInvokeError("multi_get", "[]").field, "value");
}

TEST(OpsStrictInput, ARangedReadReturnsNoNull) {
  const std::string text =
      R"({"process": 1, "type": "invoke", "f": "multi_get", "hashkey": "h", "value": {)" +
      kGoodRange + R"(}, "time": 1}
{"process": 1, "type": "ok", "f": "multi_get", "hashkey": "h", "value": {"a": null}, "time": 2})";
  auto h = ParseJsonlHistory(text, "ops.jsonl");
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().line, 2u);
  EXPECT_EQ(h.error().field, "value.a");
}

TEST(OpsStrictInput, SortkeyCountShapes) {
  EXPECT_EQ(OpsInvokeError("sortkey_count", R"("1")").field, "value");
  EXPECT_EQ(OpsInvokeError("sortkey_count", "null", "s").field, "sortkey");
  for (const char* bad : {R"("-1")", R"("x")", R"("")", "3"}) {
    const std::string text =
        R"({"process": 1, "type": "invoke", "f": "sortkey_count", "hashkey": "h", "value": null, "time": 1}
{"process": 1, "type": "ok", "f": "sortkey_count", "hashkey": "h", "value": )" +
        std::string(bad) + R"(, "time": 2})";
    auto h = ParseJsonlHistory(text, "ops.jsonl");
    ASSERT_FALSE(h.ok()) << bad;
    EXPECT_EQ(h.error().line, 2u);
    EXPECT_EQ(h.error().field, "value");
  }
}

TEST(OpsStrictInput, MultiDelShapes) {
  EXPECT_EQ(OpsInvokeError("multi_del", "[]").field, "value");
  EXPECT_EQ(OpsInvokeError("multi_del", "null").field, "value");
  EXPECT_EQ(OpsInvokeError("multi_del", R"(["a", 1])").field, "value[1]");
  const Error dup = OpsInvokeError("multi_del", R"(["a", "b", "a"])");
  EXPECT_EQ(dup.field, "value[2]");
  EXPECT_NE(dup.message.find("repeated"), std::string::npos) << dup.message;
  EXPECT_EQ(OpsInvokeError("multi_del", R"(["a"])", "a").field, "sortkey");
}

TEST(OpsStrictInput, CheckAndMutateShapes) {
  const std::string check = R"("check": {"type": "value_exist", "operand": ""})";
  EXPECT_EQ(OpsInvokeError("check_and_mutate",
                           R"({"check_sortkey": "a", )" + check + R"(, "mutations": []})")
                .field,
            "value.mutations");
  EXPECT_EQ(OpsInvokeError("check_and_mutate", R"({"check_sortkey": "a", )" + check + "}").field,
            "value.mutations");
  EXPECT_EQ(OpsInvokeError("check_and_mutate",
                           R"({"check_sortkey": "a", "check": {"type": "ct_value_exist", )"
                           R"("operand": ""}, "mutations": [{"op": "del", "sortkey": "a"}]})")
                .field,
            "value.check.type");
  EXPECT_EQ(OpsInvokeError("check_and_mutate", R"({"check_sortkey": "a", "check": {"type": )"
                                               R"("no_check"}, "mutations": [{"op": "del", )"
                                               R"("sortkey": "a"}]})")
                .field,
            "value.check.operand");
  EXPECT_EQ(
      OpsInvokeError("check_and_mutate", R"({"check_sortkey": "a", )" + check +
                                             R"(, "mutations": [{"op": "put", "sortkey": "a"}]})")
          .field,
      "value.mutations[0].op");
  EXPECT_EQ(
      OpsInvokeError("check_and_mutate", R"({"check_sortkey": "a", )" + check +
                                             R"(, "mutations": [{"op": "set", "sortkey": "a"}]})")
          .field,
      "value.mutations[0].value");
  EXPECT_EQ(OpsInvokeError("check_and_mutate",
                           R"({"check_sortkey": "a", )" + check +
                               R"(, "mutations": [{"op": "del", "sortkey": "a", "value": "1"}]})")
                .field,
            "value.mutations[0].value");
}

TEST(OpsStrictInput, CasCheckShapes) {
  EXPECT_EQ(
      OpsInvokeError("cas", R"({"check": {"type": "bytes_less", "operand": "a"}})", "a").field,
      "value.set");
  EXPECT_EQ(OpsInvokeError("cas",
                           R"({"check": {"type": "bytes_less", "operand": "a"}, "expect": null, )"
                           R"("set": "b"})",
                           "a")
                .field,
            "value.expect");
  EXPECT_EQ(OpsInvokeError("cas", R"({"check": {"type": "less", "operand": "a"}, "set": "b"})", "a")
                .field,
            "value.check.type");
  EXPECT_EQ(OpsInvokeError("cas", R"({"expect": 1, "set": "b"})", "a").field, "value.expect");
}

TEST(OpsStrictInput, TheWriterRoundTrips) {
  testing::OpsHistory h;
  h.Op(1, "multi_get",
       testing::Range("a", "",
                      R"("limit": 3, "filter": {"type": "postfix", )"
                      R"("pattern": "x"})",
                      true),
       "{}");
  h.Op(1, "sortkey_count", "null", R"("0")");
  h.Op(1, "multi_del", R"(["b", "a"])", "null");
  h.Op(1, "check_and_mutate",
       R"({"check_sortkey": "a", "check": {"type": "int_less", "operand": "4"}, "mutations": [)"
       R"({"op": "set", "sortkey": "b", "value": "1"}, {"op": "del", "sortkey": "b"}]})",
       "false");
  h.Op(1, "cas", R"({"check": {"type": "match_prefix", "operand": ""}, "set": "v"})", "true", "a");
  const History first = testing::MustParse(h.text());
  auto second = ParseJsonlHistory(WriteJsonlHistory(first), "again.jsonl");
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  ASSERT_EQ(first.events.size(), second->events.size());
  for (size_t i = 0; i < first.events.size(); ++i) {
    Event a = first.events[i], b = second->events[i];
    a.line = b.line = 0;
    EXPECT_EQ(a, b) << i;
  }
  EXPECT_EQ(WriteJsonlHistory(first), WriteJsonlHistory(*second));
}

}  // namespace
}  // namespace pg::checker
