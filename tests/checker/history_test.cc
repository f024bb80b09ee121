// The JSON-lines reader is strict and names the line and field of every problem; the writer
// produces what the reader reads.
#include "checker/history.h"

#include <gtest/gtest.h>

#include "tests/checker/test_util.h"

namespace pg::checker {
namespace {

constexpr const char* kSetInvoke =
    R"({"process": 1, "type": "invoke", "f": "set", "hashkey": "h", "sortkey": "s", "value": "v1", "time": 1})";
constexpr const char* kSetOk =
    R"({"process": 1, "type": "ok", "f": "set", "hashkey": "h", "sortkey": "s", "value": null, "time": 2})";

Error MustFail(const std::string& text) {
  auto h = ParseJsonlHistory(text, "bad.jsonl");
  EXPECT_FALSE(h.ok());
  return h.ok() ? Error{} : h.error();
}

TEST(JsonlHistory, PairsInvocationsWithCompletions) {
  History h = testing::MustParse(std::string(kSetInvoke) + "\n" + kSetOk + "\n");
  ASSERT_EQ(h.operations.size(), 1u);
  EXPECT_EQ(h.operations[0].outcome, Outcome::kOk);
  EXPECT_EQ(h.operations[0].arg, OptValue("v1"));
  EXPECT_EQ(h.operations[0].invoke_event, 0u);
  EXPECT_EQ(h.operations[0].complete_event, 1u);
  EXPECT_EQ(h.events[1].line, 2u);
}

TEST(JsonlHistory, CompletionWithoutInvocationNamesLineAndField) {
  Error e = MustFail(std::string("\n") + kSetOk + "\n");
  EXPECT_EQ(e.line, 2u);
  EXPECT_EQ(e.field, "type");
  EXPECT_NE(e.ToString().find("bad.jsonl:2"), std::string::npos) << e.ToString();
}

TEST(JsonlHistory, TwoOpenOperationsOnOneProcess) {
  Error e = MustFail(std::string(kSetInvoke) + "\n" + kSetInvoke + "\n");
  EXPECT_EQ(e.line, 2u);
  EXPECT_EQ(e.field, "process");
}

TEST(JsonlHistory, UnknownFunction) {
  Error e = MustFail(
      R"({"process": 1, "type": "invoke", "f": "get_scanner", "hashkey": "h", "value": null, "time": 1})");
  EXPECT_EQ(e.field, "f");
  EXPECT_EQ(e.line, 1u);
}

TEST(JsonlHistory, MalformedValues) {
  // set needs a string; cas needs {expect, set}; incr needs an integer; get's result a string.
  EXPECT_EQ(
      MustFail(
          R"({"process": 1, "type": "invoke", "f": "set", "hashkey": "h", "sortkey": "s", "value": 3, "time": 1})")
          .field,
      "value");
  EXPECT_EQ(
      MustFail(
          R"({"process": 1, "type": "invoke", "f": "cas", "hashkey": "h", "sortkey": "s", "value": {"set": "x"}, "time": 1})")
          .field,
      "value");
  EXPECT_EQ(
      MustFail(
          R"({"process": 1, "type": "invoke", "f": "incr", "hashkey": "h", "sortkey": "s", "value": "one", "time": 1})")
          .field,
      "value");
  EXPECT_EQ(
      MustFail(
          R"({"process": 1, "type": "invoke", "f": "multi_set", "hashkey": "h", "value": {"a": 1}, "time": 1})")
          .field,
      "value.a");
  EXPECT_EQ(
      MustFail(
          std::string(
              R"({"process": 1, "type": "invoke", "f": "get", "hashkey": "h", "sortkey": "s", "value": null, "time": 1})") +
          "\n" +
          R"({"process": 1, "type": "ok", "f": "get", "hashkey": "h", "sortkey": "s", "value": [1], "time": 2})")
          .line,
      2u);
}

TEST(JsonlHistory, StructuralErrors) {
  EXPECT_EQ(MustFail("{not json").line, 1u);
  EXPECT_EQ(
      MustFail(
          R"({"process": 1, "type": "invoke", "f": "get", "hashkey": "h", "value": null, "time": 1})")
          .field,
      "sortkey");
  EXPECT_EQ(
      MustFail(
          R"({"process": 1, "type": "invoke", "f": "get", "hashkey": "h", "sortkey": "s", "value": null, "time": 1, "extra": 1})")
          .field,
      "extra");
  EXPECT_EQ(
      MustFail(
          R"({"process": 1, "type": "begin", "f": "get", "hashkey": "h", "sortkey": "s", "value": null, "time": 1})")
          .field,
      "type");
  EXPECT_EQ(
      MustFail(
          R"({"process": "p", "type": "invoke", "f": "get", "hashkey": "h", "sortkey": "s", "value": null, "time": 1})")
          .field,
      "process");
  // A completion for a different sortkey than its invocation.
  EXPECT_EQ(
      MustFail(
          std::string(kSetInvoke) + "\n" +
          R"({"process": 1, "type": "ok", "f": "set", "hashkey": "h", "sortkey": "t", "value": null, "time": 2})")
          .field,
      "sortkey");
  // Time going backwards.
  EXPECT_EQ(
      MustFail(
          std::string(
              R"({"process": 1, "type": "invoke", "f": "set", "hashkey": "h", "sortkey": "s", "value": "v", "time": 5})") +
          "\n" +
          R"({"process": 1, "type": "ok", "f": "set", "hashkey": "h", "sortkey": "s", "value": null, "time": 4})")
          .field,
      "time");
}

TEST(JsonlHistory, InfoLeavesTheOperationOpenAndFreesTheProcess) {
  History h = testing::MustParse(
      std::string(kSetInvoke) + "\n" +
      R"({"process": 1, "type": "info", "f": "set", "hashkey": "h", "sortkey": "s", "value": null, "time": 2})" +
      "\n" +
      R"({"process": 1, "type": "invoke", "f": "get", "hashkey": "h", "sortkey": "s", "value": null, "time": 3})" +
      "\n");
  ASSERT_EQ(h.operations.size(), 2u);
  EXPECT_EQ(h.operations[0].outcome, Outcome::kInfo);
  EXPECT_EQ(h.operations[0].complete_event, kOpen);
  EXPECT_EQ(h.operations[1].outcome, Outcome::kInfo);  // never completed
}

TEST(JsonlHistory, WriterRoundTripsEveryFixture) {
  for (const char* name : {"torn_multi_set.jsonl", "incr_cas_ok.jsonl", "multi_ok.jsonl",
                           "unknown_write_observed_late.jsonl", "double_successful_cas.jsonl"}) {
    History a = testing::MustParse(testing::ReadFixture(name));
    ASSERT_FALSE(a.events.empty()) << name;
    History b = testing::MustParse(WriteJsonlHistory(a));
    EXPECT_EQ(a.events, b.events) << name;
    EXPECT_EQ(WriteJsonlHistory(a), WriteJsonlHistory(b)) << name;
  }
}

}  // namespace
}  // namespace pg::checker
