// --order time (checker/time_order.h): real time from the events' times with closed intervals,
// for histories recorded elsewhere, next to the project's own line order.
#include <gtest/gtest.h>

#include <string>

#include "checker/check.h"
#include "checker/edn_history.h"
#include "checker/history.h"
#include "tests/checker/test_util.h"

namespace pg::checker {
namespace {

using testing::FixturePath;
using testing::ReadFixture;

History MustParseTimed(const std::string& text) {
  auto h = ParseJsonlHistory(text, "t.jsonl", Order::kTime);
  EXPECT_TRUE(h.ok()) << (h.ok() ? "" : h.error().ToString());
  return h.ok() ? std::move(h).value() : History{};
}

std::string Line(int process, const std::string& type, const std::string& f,
                 const std::string& value, int64_t time) {
  return fmt::format(R"({{"process": {}, "type": "{}", "f": "{}", "hashkey": "h", "sortkey": "s", )"
                     R"("value": {}, "time": {}}})"
                     "\n",
                     process, type, f, value, time);
}

TEST(TimeOrder, AWriteCompletingWhenAReadStartsOverlapsIt) {
  // set [0, 10], get [10, 20] -> absent: lines make the set precede the get (illegal); closed
  // intervals make them overlap, and the get may go first (ok).
  const std::string text = ReadFixture("order_tie_closed_interval.jsonl");
  EXPECT_EQ(Check(testing::MustParse(text), {}).verdict, Verdict::kIllegal);
  EXPECT_EQ(Check(MustParseTimed(text), {}).verdict, Verdict::kOk);
}

TEST(TimeOrder, LinesOutOfTimeOrderAreJudgedByTime) {
  // The get's invocation comes first in the file but at time 20, after the set [0, 10]
  // completed: a stale read by time. Line order refuses the file (time goes back).
  const std::string text = ReadFixture("order_time_stale_read.jsonl");
  auto by_lines = ParseJsonlHistory(text, "t.jsonl");
  ASSERT_FALSE(by_lines.ok());
  EXPECT_EQ(by_lines.error().field, "time");
  const CheckResult r = Check(MustParseTimed(text), {});
  EXPECT_EQ(r.verdict, Verdict::kIllegal);
  // The explanation still names the file's lines.
  EXPECT_NE(r.explanation.find("[lines 1-4] process 1 get h1/s0 -> null"), std::string::npos)
      << r.explanation;
}

TEST(TimeOrder, EventsAreSortedAndOperationsRenumbered) {
  const History h =
      MustParseTimed(Line(1, "invoke", "get", "null", 20) + Line(0, "invoke", "set", "\"a\"", 0) +
                     Line(0, "ok", "set", "null", 10) + Line(1, "ok", "get", "\"a\"", 30));
  ASSERT_EQ(h.events.size(), 4u);
  EXPECT_EQ(h.events[0].line, 2u);
  EXPECT_EQ(h.events[1].line, 3u);
  EXPECT_EQ(h.events[2].line, 1u);
  EXPECT_EQ(h.events[3].line, 4u);
  ASSERT_EQ(h.operations.size(), 2u);
  EXPECT_EQ(h.operations[0].f, Fn::kSet);  // invoked first in time
  EXPECT_EQ(h.operations[0].id, 0u);
  EXPECT_EQ(h.operations[1].f, Fn::kGet);
  EXPECT_EQ(h.operations[1].invoke_event, 2u);
  EXPECT_EQ(h.operations[1].complete_event, 3u);
}

TEST(TimeOrder, OneProcessAtOneInstantOverlapsItself) {
  // Porcupine orders by time alone: a process's read invoked at the instant its write completed
  // overlaps the write, so an absent read there is fine by time and illegal by lines.
  const std::string text = Line(0, "invoke", "set", "\"a\"", 0) + Line(0, "ok", "set", "null", 5) +
                           Line(0, "invoke", "get", "null", 5) + Line(0, "ok", "get", "null", 9);
  EXPECT_EQ(Check(MustParseTimed(text), {}).verdict, Verdict::kOk);
  EXPECT_EQ(Check(testing::MustParse(text), {}).verdict, Verdict::kIllegal);
}

TEST(TimeOrder, ACompletionBeforeItsInvocationIsBadInput) {
  auto h =
      ParseJsonlHistory(Line(0, "invoke", "set", "\"a\"", 50) + Line(0, "ok", "set", "null", 40),
                        "t.jsonl", Order::kTime);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().line, 2u);
  EXPECT_EQ(h.error().field, "time");
  EXPECT_NE(h.error().message.find("expected at least the invocation's time 50 (line 1)"),
            std::string::npos)
      << h.error().message;
}

TEST(TimeOrder, AnUnknownOutcomeStaysOpen) {
  // An info write invoked at 0 may take effect after the read at [10, 20] started.
  const std::string text = Line(1, "invoke", "get", "null", 10) +
                           Line(0, "invoke", "set", "\"a\"", 0) +
                           Line(0, "info", "set", "null", 5) + Line(1, "ok", "get", "\"a\"", 20);
  EXPECT_EQ(Check(MustParseTimed(text), {}).verdict, Verdict::kOk);
}

TEST(TimeOrder, EdnIsOrderedByItsTime) {
  // Jepsen's recorded times may step back from line to line; by :time the write precedes the read.
  const std::string edn =
      "{:process 1, :type :invoke, :f :read, :value nil, :time 20}\n"
      "{:process 0, :type :invoke, :f :write, :value 1, :time 0}\n"
      "{:process 0, :type :ok, :f :write, :value 1, :time 10}\n"
      "{:process 1, :type :ok, :f :read, :value 0, :time 30}\n";
  auto h = ParseEdnHistory(edn, "t.edn", {.initial = "0", .order = Order::kTime});
  ASSERT_TRUE(h.ok()) << h.error().ToString();
  EXPECT_EQ(Check(*h, {}).verdict, Verdict::kIllegal);
  // By position (Knossos's order, the default) the read overlaps the write and may see 0: the
  // times stepping back are not read at all, so they are no reason to refuse the file.
  auto by_lines = ParseEdnHistory(edn, "t.edn", {.initial = "0"});
  ASSERT_TRUE(by_lines.ok()) << by_lines.error().ToString();
  EXPECT_EQ(Check(*by_lines, {}).verdict, Verdict::kOk);
}

TEST(TimeOrder, EdnTimesMayStepBackWithinAnOperationByLines) {
  // Jepsen's recorded times step back by nanoseconds, even between an op's invocation and its
  // completion; line order never reads them.
  const std::string edn =
      "{:process 0, :type :invoke, :f :write, :value 1, :time 1000}\n"
      "{:process 0, :type :ok, :f :write, :value 1, :time 999}\n"
      "{:process 1, :type :invoke, :f :read, :value nil, :time 998}\n"
      "{:process 1, :type :ok, :f :read, :value 0, :time 2000}\n";
  auto h = ParseEdnHistory(edn, "t.edn", {.initial = "0"});
  ASSERT_TRUE(h.ok()) << h.error().ToString();
  EXPECT_EQ(Check(*h, {}).verdict, Verdict::kIllegal);  // a stale read by line order
  // By time they are read, and a completion before its invocation is bad input.
  auto timed = ParseEdnHistory(edn, "t.edn", {.initial = "0", .order = Order::kTime});
  ASSERT_FALSE(timed.ok());
  EXPECT_EQ(timed.error().field, "time");
}

}  // namespace
}  // namespace pg::checker
