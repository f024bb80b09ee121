#pragma once
// Small JSON-lines histories for the tests of the operations docs/checker.md adds: lines built
// one by one on hashkey "h", times increasing, values given as JSON text.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "checker/check.h"
#include "tests/checker/test_util.h"

namespace pg::checker::testing {

class OpsHistory {
 public:
  // The invocation and its completion at once: the operation happens alone.
  OpsHistory& Op(int process, const std::string& f, const std::string& invoke,
                 const std::string& result, std::optional<std::string> sortkey = {},
                 const std::string& type = "ok") {
    Invoke(process, f, invoke, sortkey);
    return Complete(process, f, result, sortkey, type);
  }
  OpsHistory& Invoke(int process, const std::string& f, const std::string& value,
                     std::optional<std::string> sortkey = {}) {
    return Line(process, "invoke", f, value, sortkey);
  }
  OpsHistory& Complete(int process, const std::string& f, const std::string& value,
                       std::optional<std::string> sortkey = {}, const std::string& type = "ok") {
    return Line(process, type, f, value, sortkey);
  }
  OpsHistory& Set(int process, const std::string& sortkey, const std::string& value) {
    return Op(process, "set", "\"" + value + "\"", "null", sortkey);
  }
  const std::string& text() const { return text_; }

 private:
  OpsHistory& Line(int process, const std::string& type, const std::string& f,
                   const std::string& value, const std::optional<std::string>& sortkey) {
    text_ += fmt::format(R"({{"process": {}, "type": "{}", "f": "{}", "hashkey": "h", )", process,
                         type, f);
    if (sortkey) text_ += fmt::format(R"("sortkey": "{}", )", *sortkey);
    text_ += fmt::format(R"("value": {}, "time": {}}})", value, ++time_) + "\n";
    return *this;
  }

  std::string text_;
  int64_t time_ = 0;
};

// The verdict, which every configuration of the fast paths must agree on (plain search is the
// reference; a stage that does not know an operation must step aside, never judge wrongly).
inline Verdict CheckEveryWay(const std::string& text) {
  const History h = MustParse(text, "ops.jsonl");
  const Verdict reference = Check(h, {}).verdict;
  for (int mask = 0; mask < 128; ++mask) {
    EXPECT_EQ(VerdictName(Check(h, FastPathConfiguration(mask)).verdict), VerdictName(reference))
        << "mask " << mask << "\n"
        << text;
  }
  // Through the writer and back: the same history, the same verdict.
  auto again = ParseJsonlHistory(WriteJsonlHistory(h), "again.jsonl");
  EXPECT_TRUE(again.ok());
  if (again.ok()) {
    EXPECT_EQ(Check(*again, {}).verdict, reference);
  }
  return reference;
}

// A range value: {"start", "start_inclusive", "stop", "stop_inclusive", "reverse"} and extras.
inline std::string Range(const std::string& start, const std::string& stop,
                         const std::string& extra = "", bool reverse = false) {
  return fmt::format(
      R"({{"start": "{}", "start_inclusive": true, "stop": "{}", "stop_inclusive": true, "reverse": {}{}}})",
      start, stop, reverse, extra.empty() ? "" : ", " + extra);
}

}  // namespace pg::checker::testing
