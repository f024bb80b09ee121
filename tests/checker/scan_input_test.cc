// Reading, writing and lowering scan and full_scan (docs/checker.md "Scans"): the writer writes
// what the reader read, every bad shape is an error naming the line and the field, and each ok
// scan becomes the ranged multi_gets it is judged as.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "checker/check.h"
#include "checker/history.h"
#include "checker/scan_lowering.h"
#include "tests/checker/scan_history.h"
#include "tests/checker/test_util.h"

namespace pg::checker {
namespace {

using testing::FullScanArgsJson;
using testing::kEverySortkey;
using testing::ScanHistory;

// Every shape the format takes: filters, inclusivity, "after", empty lists and results, and
// completions that fail, time out or never come.
ScanHistory EveryScanShape() {
  ScanHistory h;
  h.Set(0, "h", "a", "1");
  h.Scan(1, "h",
         R"({"start": "a", "start_inclusive": false, "stop": "z", "stop_inclusive": true, )"
         R"("reverse": false, "filter": {"type": "postfix", "pattern": ""}})",
         "{}");
  h.Scan(1, "h", kEverySortkey, R"({"h": {"a": "1"}, "h2": {"x": "9", "y": ""}})");
  h.FullScan(2, FullScanArgsJson(R"(["h", "k"])", std::pair{"h", ""}), R"({"k": {"b": "2"}})");
  h.FullScan(2, R"({"partition": 3, "partition_count": 8, "hashkeys": []})", "{}");
  h.Invoke(3, "scan", "h", kEverySortkey).Complete(3, "scan", "h", "null", "fail");
  h.Invoke(3, "full_scan", "", FullScanArgsJson("[]")).Complete(3, "full_scan", "", "7", "info");
  h.Invoke(4, "scan", "h", kEverySortkey);  // never completes
  return h;
}

TEST(ScanInput, BothKindsRoundTripThroughTheWriter) {
  const ScanHistory text = EveryScanShape();
  const History h = testing::MustParse(text.text(), "scans.jsonl");
  ASSERT_EQ(h.events.size(), text.lines());
  const Event& full = h.events[6];
  ASSERT_EQ(full.f, Fn::kFullScan);
  ASSERT_TRUE(full.full_scan.has_value());
  EXPECT_EQ(full.full_scan->hashkeys, (std::vector<std::string>{"h", "k"}));
  EXPECT_EQ(full.full_scan->after, (ScanKey{"h", ""}));
  EXPECT_EQ(h.events[5].records.at("h2").at("y"), OptValue(""));
  const std::string written = WriteJsonlHistory(h);
  auto again = ParseJsonlHistory(written, "again.jsonl");
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  // The same events, line numbers aside (the writer's lines are the reader's).
  ASSERT_EQ(again->events.size(), h.events.size());
  for (size_t i = 0; i < h.events.size(); ++i) {
    EXPECT_EQ(again->events[i], h.events[i])
        << "line " << i + 1 << ": " << EventToJsonLine(again->events[i]);
  }
  EXPECT_EQ(WriteJsonlHistory(*again), written);
  EXPECT_EQ(again->operations.size(), h.operations.size());
}

// The error of a history of a set (lines 1-2) and then these lines: on line 3 or 4.
Error ScanError(const std::string& f, const std::string& hashkey, const std::string& invoke,
                const std::string& ok = "") {
  ScanHistory h;
  h.Set(0, "h", "a", "1");
  h.Invoke(1, f, hashkey, invoke);
  if (!ok.empty()) h.Complete(1, f, hashkey, ok);
  auto parsed = ParseJsonlHistory(h.text(), "bad.jsonl");
  EXPECT_FALSE(parsed.ok()) << h.text();
  if (parsed.ok()) return Error{};
  EXPECT_EQ(parsed.error().line, ok.empty() ? 3u : 4u) << parsed.error().ToString();
  return parsed.error();
}

std::string FieldOfScan(const std::string& range) { return ScanError("scan", "h", range).field; }
std::string FieldOfFullScan(const std::string& args) {
  return ScanError("full_scan", "", args).field;
}

TEST(ScanInput, AScanRangeHasNoLimitAndNoReverse) {
  const std::string base = R"("start": "a", "start_inclusive": true, "stop": "c", )"
                           R"("stop_inclusive": true)";
  EXPECT_EQ(FieldOfScan("{" + base + R"(, "reverse": false, "limit": 2})"), "value.limit");
  EXPECT_EQ(FieldOfScan("{" + base + R"(, "reverse": true})"), "value.reverse");
  EXPECT_EQ(FieldOfScan("{" + base + "}"), "value.reverse");  // required, as for multi_get
  EXPECT_EQ(FieldOfScan("{" + base + R"(, "reverse": false, "step": 1})"), "value.step");
  EXPECT_EQ(FieldOfScan(R"({"start": "a", "start_inclusive": true, "stop_inclusive": true, )"
                        R"("reverse": false})"),
            "value.stop");
  EXPECT_EQ(FieldOfScan("null"), "value");
  EXPECT_EQ(FieldOfScan("[]"), "value");
  // A scan names its hashkey and no sortkey.
  ScanHistory h;
  h.Line(1, "invoke", "scan", "h", kEverySortkey, "s");
  auto parsed = ParseJsonlHistory(h.text(), "bad.jsonl");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().line, 1u);
  EXPECT_EQ(parsed.error().field, "sortkey");
}

TEST(ScanInput, FullScanArgumentShapes) {
  EXPECT_EQ(FieldOfFullScan(R"({"partition": 2, "partition_count": 2, "hashkeys": []})"),
            "value.partition");
  EXPECT_EQ(FieldOfFullScan(R"({"partition": -1, "partition_count": 2, "hashkeys": []})"),
            "value.partition");
  EXPECT_EQ(FieldOfFullScan(R"({"partition": 0, "partition_count": 0, "hashkeys": []})"),
            "value.partition_count");
  EXPECT_EQ(FieldOfFullScan(R"({"partition": "0", "partition_count": 2, "hashkeys": []})"),
            "value.partition");
  EXPECT_EQ(FieldOfFullScan(R"({"partition": 0.5, "partition_count": 2, "hashkeys": []})"),
            "value.partition");
  EXPECT_EQ(
      FieldOfFullScan(R"({"partition": 0, "partition_count": 2, "hashkeys": ["a", "b", "a"]})"),
      "value.hashkeys[2]");
  EXPECT_EQ(FieldOfFullScan(R"({"partition": 0, "partition_count": 2, "hashkeys": "a"})"),
            "value.hashkeys");
  EXPECT_EQ(FieldOfFullScan(R"({"partition": 0, "partition_count": 2, "hashkeys": ["a", 1]})"),
            "value.hashkeys[1]");
  EXPECT_EQ(FieldOfFullScan(R"({"partition": 0, "partition_count": 2})"), "value.hashkeys");
  EXPECT_EQ(FieldOfFullScan(R"({"partition": 0, "hashkeys": []})"), "value.partition_count");
  EXPECT_EQ(FieldOfFullScan(R"({"partition": 0, "partition_count": 1, "hashkeys": [], "x": 1})"),
            "value.x");
  const std::string args = R"("partition": 0, "partition_count": 1, "hashkeys": [])";
  EXPECT_EQ(FieldOfFullScan("{" + args + R"(, "after": {"hashkey": "h"}})"), "value.after.sortkey");
  EXPECT_EQ(FieldOfFullScan("{" + args + R"(, "after": {"hashkey": "h", "sortkey": null}})"),
            "value.after.sortkey");
  EXPECT_EQ(
      FieldOfFullScan("{" + args + R"(, "after": {"hashkey": "h", "sortkey": "s", "limit": 1}})"),
      "value.after.limit");
  EXPECT_EQ(FieldOfFullScan("{" + args + R"(, "after": ["h", "s"]})"), "value.after");
  EXPECT_EQ(FieldOfFullScan("null"), "value");
  // A full_scan names no hashkey (its partition holds many) and no sortkey.
  EXPECT_EQ(ScanError("full_scan", "h", FullScanArgsJson("[]")).field, "hashkey");
  ScanHistory h;
  h.Line(1, "invoke", "full_scan", "", FullScanArgsJson("[]"), "s");
  auto parsed = ParseJsonlHistory(h.text(), "bad.jsonl");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().field, "sortkey");
}

TEST(ScanInput, RecordShapes) {
  for (const std::string f : {"scan", "full_scan"}) {
    const std::string hashkey = f == "scan" ? "h" : "";
    const std::string invoke = f == "scan" ? kEverySortkey : FullScanArgsJson(R"(["h"])");
    auto field = [&](const std::string& ok) { return ScanError(f, hashkey, invoke, ok).field; };
    EXPECT_EQ(field(R"({"h": {"a": 1}})"), "value.h.a") << f;
    EXPECT_EQ(field(R"({"h": {"a": null}})"), "value.h.a") << f;
    EXPECT_EQ(field(R"({"h": {"a": "1"}, "k": ["a"]})"), "value.k") << f;
    EXPECT_EQ(field(R"({"h": {}})"), "value.h") << f;  // a group of no record
    EXPECT_EQ(field(R"([{"h": {"a": "1"}}])"), "value") << f;
    EXPECT_EQ(field("null"), "value") << f;
  }
}

TEST(ScanInput, InMemoryEventsAreCheckedToo) {
  // The simulator builds events without JSON text; BuildHistory holds them to the same rules.
  History h = testing::MustParse(EveryScanShape().text());
  std::vector<Event> events = h.events;
  events[2].range.reset();  // the first scan's invocation
  auto built = BuildHistory(events, "memory");
  ASSERT_FALSE(built.ok());
  EXPECT_EQ(built.error().field, "value");
  events = h.events;
  events[5].records["h3"] = {};
  built = BuildHistory(events, "memory");
  ASSERT_FALSE(built.ok());
  EXPECT_EQ(built.error().field, "value.h3");
  events = h.events;
  events[6].full_scan->partition = 1;
  built = BuildHistory(events, "memory");
  ASSERT_FALSE(built.ok());
  EXPECT_EQ(built.error().field, "value.partition");
}

// The reads one history's scans become, as (f recorded, hashkey, range or none, result).
TEST(ScanInput, EachOkScanBecomesRangedReadsOfItsHashkeys) {
  const History h = testing::MustParse(EveryScanShape().text());
  std::vector<std::string> reads;
  for (const Operation& op : h.operations) {
    ASSERT_EQ(op.id, static_cast<size_t>(&op - h.operations.data()));
    EXPECT_FALSE(IsScan(op.f));
    if (!IsScan(RecordedFn(h, op))) continue;
    std::string range = "-";
    if (op.range == NothingRange()) range = "nothing";
    if (op.range == SortkeyRange{}) range = "all";
    if (op.range && range == "-") range = op.range->start.empty() ? "?" : "from " + op.range->start;
    reads.push_back(fmt::format("{} {}@{} {} {} {}", FnName(RecordedFn(h, op)), op.hashkey,
                                h.events[op.invoke_event].line, range, op.kvs.size(),
                                OutcomeName(op.outcome)));
  }
  const std::vector<std::string> expected = {
      "scan h@3 from a 0 ok",  // its own range, returning nothing: it asserts absence
      "scan h@5 all 1 ok",
      "scan h2@5 nothing 2 ok",  // a record of another hashkey: reads nothing there
      "",                        // after ("h", ""): every non-empty sortkey of h (below)
      "full_scan k@7 all 1 ok",  // "k" after "h"
      "full_scan @9 - 0 ok",     // nothing listed or returned: reads nothing
      "scan h@11 - 0 fail",
      "full_scan @13 - 0 info",
      "scan h@15 - 0 info",  // never completed
  };
  ASSERT_EQ(reads.size(), expected.size());
  for (size_t i = 0; i < reads.size(); ++i) {
    // From "\0" on, which a C string literal cannot hold.
    if (i == 3) {
      EXPECT_EQ(reads[i], std::string("full_scan h@7 from ") + '\0' + " 0 ok");
      continue;
    }
    EXPECT_EQ(reads[i], expected[i]) << i;
  }
}

TEST(ScanInput, UnderTimeOrderScansAreLoweredOnceSorted) {
  // The full_scan's lines come first but its times after the sets [1, 2] and [3, 4]: by time
  // it follows both, so omitting k's record is illegal (by lines the times go back: refused).
  const std::string text =
      R"({"process": 1, "type": "invoke", "f": "full_scan", "hashkey": "", "value": )" +
      FullScanArgsJson(R"(["h", "k"])") + R"(, "time": 10}
{"process": 1, "type": "ok", "f": "full_scan", "hashkey": "", "value": {"h": {"a": "1"}}, "time": 11}
{"process": 0, "type": "invoke", "f": "set", "hashkey": "h", "sortkey": "a", "value": "1", "time": 1}
{"process": 0, "type": "ok", "f": "set", "hashkey": "h", "sortkey": "a", "value": null, "time": 2}
{"process": 0, "type": "invoke", "f": "set", "hashkey": "k", "sortkey": "b", "value": "2", "time": 3}
{"process": 0, "type": "ok", "f": "set", "hashkey": "k", "sortkey": "b", "value": null, "time": 4}
)";
  auto h = ParseJsonlHistory(text, "t.jsonl", Order::kTime);
  ASSERT_TRUE(h.ok()) << h.error().ToString();
  ASSERT_EQ(h->operations.size(), 4u);  // two sets, then the full_scan's reads of h and k
  for (size_t i = 0; i < h->operations.size(); ++i) EXPECT_EQ(h->operations[i].id, i);
  EXPECT_EQ(h->operations[2].invoke_event, 4u);
  EXPECT_EQ(h->operations[3].invoke_event, 4u);
  EXPECT_EQ(h->operations[3].hashkey, "k");
  const CheckResult r = Check(*h, {});
  EXPECT_EQ(r.verdict, Verdict::kIllegal);
  EXPECT_NE(r.explanation.find("[lines 1-2] process 1 full_scan k (partition 0 of 1: every "
                               "sortkey) -> {}"),
            std::string::npos)
      << r.explanation;
}

TEST(ScanInput, KeysOrderByHashkeyLengthFirst) {
  EXPECT_TRUE(HashkeyBefore("z", "aa"));  // shorter first, though bytewise greater
  EXPECT_FALSE(HashkeyBefore("aa", "z"));
  EXPECT_TRUE(HashkeyBefore("ab", "b\xff"));
  EXPECT_TRUE(HashkeyBefore("a\x7f", "a\x80"));  // bytes compare unsigned
  EXPECT_FALSE(HashkeyBefore("a", "a"));
  EXPECT_TRUE(HashkeyBefore("", "a"));
  EXPECT_TRUE(ScanKeyBefore({"z", "zz"}, {"aa", ""}));
  EXPECT_TRUE(ScanKeyBefore({"a", ""}, {"a", "\x01"}));
  EXPECT_FALSE(ScanKeyBefore({"a", "b"}, {"a", "b"}));
  // What a full_scan resumed after ("m", "s") reads of each hashkey.
  const ScanKey after{"m", "s"};
  EXPECT_EQ(FullScanRange("z", after), SortkeyRange{});  // as long, bytewise after "m"
  EXPECT_EQ(FullScanRange("a", after), NothingRange());
  EXPECT_EQ(FullScanRange("aa", after), SortkeyRange{});  // longer: after "m"
  EXPECT_EQ(FullScanRange("", after), NothingRange());
  const SortkeyRange same = FullScanRange("m", after);
  EXPECT_FALSE(InRange(same, "s"));
  EXPECT_TRUE(InRange(same, "s\x01"));
  EXPECT_TRUE(InRange(same, "t"));
  EXPECT_FALSE(InRange(same, "r"));
  const SortkeyRange after_empty = FullScanRange("m", ScanKey{"m", ""});
  EXPECT_FALSE(InRange(after_empty, ""));
  EXPECT_TRUE(InRange(after_empty, std::string(1, '\0')));
  EXPECT_TRUE(InRange(after_empty, "a"));
  for (const std::string& k :
       {std::string(), std::string("a"), std::string("zzz"), std::string(1, '\0')}) {
    EXPECT_FALSE(InRange(NothingRange(), k)) << k;
  }
  EXPECT_EQ(FullScanRange("m", std::nullopt), SortkeyRange{});
}

}  // namespace
}  // namespace pg::checker
