// Verdicts on scan and full_scan (docs/checker.md "Scans"): an ok one read one snapshot of what
// it scans, so it returns exactly the records there, and nothing of what it does not scan. Each
// verdict holds under every configuration of the fast paths and through the writer.
#include <gtest/gtest.h>

#include <string>

#include "checker/check.h"
#include "checker/html_report.h"
#include "tests/checker/ops_history.h"
#include "tests/checker/scan_history.h"

namespace pg::checker {
namespace {

using testing::CheckEveryWay;
using testing::FullScanArgsJson;
using testing::kEverySortkey;
using testing::ScanHistory;

// "a" to "c", both inclusive.
const std::string kAToC = testing::Range("a", "c");

TEST(ScanVerdict, MissingARecordACompletedSetWroteIsIllegal) {
  ScanHistory h;
  h.Set(0, "h", "a", "1").Set(0, "h", "b", "2").Set(0, "h", "d", "4");
  EXPECT_EQ(CheckEveryWay(ScanHistory(h).Scan(1, "h", kAToC, R"({"h": {"a": "1"}})").text()),
            Verdict::kIllegal);
  EXPECT_EQ(CheckEveryWay(ScanHistory(h).Scan(1, "h", kAToC, "{}").text()), Verdict::kIllegal);
  // All of the range, and nothing outside it ("d"): ok.
  EXPECT_EQ(
      CheckEveryWay(ScanHistory(h).Scan(1, "h", kAToC, R"({"h": {"a": "1", "b": "2"}})").text()),
      Verdict::kOk);
  // A record outside the range, or that no one wrote, is illegal as for a ranged multi_get.
  EXPECT_EQ(
      CheckEveryWay(
          ScanHistory(h).Scan(1, "h", kAToC, R"({"h": {"a": "1", "b": "2", "d": "4"}})").text()),
      Verdict::kIllegal);
  EXPECT_EQ(
      CheckEveryWay(
          ScanHistory(h).Scan(1, "h", kAToC, R"({"h": {"a": "1", "b": "2", "c": "3"}})").text()),
      Verdict::kIllegal);
}

TEST(ScanVerdict, ASetConcurrentWithTheScanMayOrMayNotBeSeen) {
  for (const std::string records : {R"({"h": {"a": "1"}})", R"({"h": {"a": "1", "b": "2"}})"}) {
    ScanHistory h;
    h.Set(0, "h", "a", "1");
    h.Invoke(1, "scan", "h", kEverySortkey);
    h.Line(2, "invoke", "set", "h", R"("2")", "b");
    h.Complete(1, "scan", "h", records);
    h.Line(2, "ok", "set", "h", "null", "b");
    EXPECT_EQ(CheckEveryWay(h.text()), Verdict::kOk) << records;
  }
  // One snapshot per hashkey: a scan that saw b cannot be followed by one that misses it.
  ScanHistory h;
  h.Line(2, "invoke", "set", "h", R"("2")", "b");
  h.Scan(1, "h", kEverySortkey, R"({"h": {"b": "2"}})");
  h.Scan(1, "h", kEverySortkey, "{}");
  EXPECT_EQ(CheckEveryWay(h.text()), Verdict::kIllegal);
}

TEST(ScanVerdict, ARecordOfAnotherHashkeyIsIllegal) {
  ScanHistory h;
  h.Set(0, "h", "a", "1").Set(0, "h2", "a", "1");
  h.Scan(1, "h", kEverySortkey, R"({"h": {"a": "1"}, "h2": {"a": "1"}})");
  EXPECT_EQ(CheckEveryWay(h.text()), Verdict::kIllegal);
  // The explanation names the scan's lines and the foreign hashkey.
  const CheckResult r = Check(testing::MustParse(h.text()), {});
  EXPECT_NE(
      r.explanation.find(
          R"([lines 5-6] process 1 scan h2 (a scan of "h": none of this hashkey) -> {a="1"})"),
      std::string::npos)
      << r.explanation;
  EXPECT_NE(r.explanation.find("outside the range"), std::string::npos) << r.explanation;
  // Even a hashkey nothing wrote, with nothing under the scanned one.
  EXPECT_EQ(CheckEveryWay(ScanHistory().Scan(1, "h", kEverySortkey, R"({"g": {"a": "1"}})").text()),
            Verdict::kIllegal);
}

TEST(ScanVerdict, FailedAndUnknownScansObserveNothing) {
  ScanHistory h;
  h.Set(0, "h", "a", "1");
  h.Invoke(1, "scan", "h", kEverySortkey).Complete(1, "scan", "h", "null", "fail");
  h.Invoke(2, "full_scan", "", FullScanArgsJson(R"(["h"])"));
  h.Complete(2, "full_scan", "", "null", "info");
  h.Invoke(3, "scan", "h", kEverySortkey);  // never completes
  EXPECT_EQ(CheckEveryWay(h.text()), Verdict::kOk);
  const CheckResult r = Check(testing::MustParse(h.text()), {});
  EXPECT_EQ(r.partitions.size(), 1u);  // h's set alone: the scans are in no partition
}

TEST(FullScanVerdict, OmittingAListedHashkeysAcknowledgedRecordIsIllegal) {
  ScanHistory h;
  h.Set(0, "h1", "a", "1").Set(0, "h2", "b", "2");
  const std::string args = FullScanArgsJson(R"(["h1", "h2"])");
  EXPECT_EQ(CheckEveryWay(ScanHistory(h).FullScan(1, args, R"({"h1": {"a": "1"}})").text()),
            Verdict::kIllegal);
  EXPECT_EQ(CheckEveryWay(
                ScanHistory(h).FullScan(1, args, R"({"h1": {"a": "1"}, "h2": {"b": "2"}})").text()),
            Verdict::kOk);
  // Not listed and not returned: not judged.
  EXPECT_EQ(CheckEveryWay(ScanHistory(h)
                              .FullScan(1, FullScanArgsJson(R"(["h1"])"), R"({"h1": {"a": "1"}})")
                              .text()),
            Verdict::kOk);
  EXPECT_EQ(CheckEveryWay(ScanHistory(h).FullScan(1, FullScanArgsJson("[]"), "{}").text()),
            Verdict::kOk);
}

TEST(FullScanVerdict, AnUnlistedHashkeyItReturnsIsJudged) {
  ScanHistory h;
  h.Set(0, "h2", "a", "1");
  const std::string args = FullScanArgsJson(R"(["h1"])");
  EXPECT_EQ(CheckEveryWay(ScanHistory(h).FullScan(1, args, R"({"h2": {"a": "1"}})").text()),
            Verdict::kOk);
  EXPECT_EQ(CheckEveryWay(ScanHistory(h).FullScan(1, args, R"({"h2": {"a": "2"}})").text()),
            Verdict::kIllegal);
  // Returning some of a hashkey's records asserts the rest absent.
  h.Set(0, "h2", "b", "2");
  EXPECT_EQ(CheckEveryWay(ScanHistory(h).FullScan(1, args, R"({"h2": {"a": "1"}})").text()),
            Verdict::kIllegal);
}

TEST(FullScanVerdict, ResumedAfterAKeyItReadsOnlyTheKeysAfterIt) {
  ScanHistory h;
  h.Set(0, "h1", "a", "1").Set(0, "h1", "c", "3").Set(0, "h2", "a", "5");
  const std::string args = FullScanArgsJson(R"(["h1", "h2"])", std::pair{"h1", "b"});
  EXPECT_EQ(CheckEveryWay(
                ScanHistory(h).FullScan(1, args, R"({"h1": {"c": "3"}, "h2": {"a": "5"}})").text()),
            Verdict::kOk);
  // A record ordered before "after" (h1/a): the context never reads it.
  EXPECT_EQ(
      CheckEveryWay(ScanHistory(h)
                        .FullScan(1, args, R"({"h1": {"a": "1", "c": "3"}, "h2": {"a": "5"}})")
                        .text()),
      Verdict::kIllegal);
  // A record after "after" left out: h1/c, or h2's (a hashkey after h1's).
  EXPECT_EQ(CheckEveryWay(ScanHistory(h).FullScan(1, args, R"({"h2": {"a": "5"}})").text()),
            Verdict::kIllegal);
  EXPECT_EQ(CheckEveryWay(ScanHistory(h).FullScan(1, args, R"({"h1": {"c": "3"}})").text()),
            Verdict::kIllegal);
  // After the last key of h1: nothing of h1 (the hashkey "h0" before it, nothing either).
  const std::string at_end = FullScanArgsJson(R"(["h0", "h1"])", std::pair{"h1", "c"});
  EXPECT_EQ(CheckEveryWay(ScanHistory(h).FullScan(1, at_end, "{}").text()), Verdict::kOk);
  EXPECT_EQ(CheckEveryWay(ScanHistory(h)
                              .Set(0, "h0", "z", "9")
                              .FullScan(1, at_end, R"({"h0": {"z": "9"}})")
                              .text()),
            Verdict::kIllegal);
  // After (h1, ""): every sortkey of h1 but "" itself.
  h.Set(0, "h1", "", "0");
  const std::string after_empty = FullScanArgsJson(R"(["h1"])", std::pair{"h1", ""});
  EXPECT_EQ(CheckEveryWay(
                ScanHistory(h).FullScan(1, after_empty, R"({"h1": {"a": "1", "c": "3"}})").text()),
            Verdict::kOk);
  EXPECT_EQ(CheckEveryWay(ScanHistory(h)
                              .FullScan(1, after_empty, R"({"h1": {"": "0", "a": "1", "c": "3"}})")
                              .text()),
            Verdict::kIllegal);
}

TEST(FullScanVerdict, AShorterHashkeyOrdersFirstEvenWhenBytewiseGreater) {
  // Pegasus's key order: "z" (one byte) before "aa" (two), though "z" > "aa" bytewise.
  ScanHistory h;
  h.Set(0, "z", "s", "1").Set(0, "aa", "s", "2");
  const std::string after_z = FullScanArgsJson(R"(["z", "aa"])", std::pair{"z", "s"});
  EXPECT_EQ(CheckEveryWay(ScanHistory(h).FullScan(1, after_z, R"({"aa": {"s": "2"}})").text()),
            Verdict::kOk);
  EXPECT_EQ(CheckEveryWay(ScanHistory(h).FullScan(1, after_z, "{}").text()), Verdict::kIllegal);
  const std::string after_aa = FullScanArgsJson(R"(["z", "aa"])", std::pair{"aa", "s"});
  EXPECT_EQ(CheckEveryWay(ScanHistory(h).FullScan(1, after_aa, "{}").text()), Verdict::kOk);
  EXPECT_EQ(CheckEveryWay(ScanHistory(h).FullScan(1, after_aa, R"({"z": {"s": "1"}})").text()),
            Verdict::kIllegal);
}

TEST(ScanReport, ExplanationAndPageNameTheScan) {
  ScanHistory h;
  h.Set(0, "h1", "a", "1");
  h.FullScan(1, FullScanArgsJson(R"(["h1", "h2"])", std::pair{"h0", "x"}), "{}");
  const History history = testing::MustParse(h.text(), "scan.jsonl");
  const CheckResult r = Check(history, {});
  ASSERT_EQ(r.verdict, Verdict::kIllegal);
  EXPECT_NE(
      r.explanation.find(R"([lines 3-4] process 1 full_scan h1 (partition 0 of 1, after "h0"/"x": )"
                         R"(every sortkey) -> {})"),
      std::string::npos)
      << r.explanation;
  // The page draws one bar per invocation, labelled with the kind recorded.
  HtmlOptions options;
  options.every_operation = true;
  const std::string page = HtmlReport(history, r, options);
  EXPECT_NE(page.find("process 1 full_scan h1"), std::string::npos);
  size_t bars = 0;
  for (size_t at = page.find("<g class='"); at != std::string::npos;
       at = page.find("<g class='", at + 1)) {
    ++bars;
  }
  EXPECT_EQ(bars, 2u) << page;
}

}  // namespace
}  // namespace pg::checker
