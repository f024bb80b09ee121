// The --html page: self-contained, one lane per process, the failing operation highlighted.
#include "checker/html_report.h"

#include <gtest/gtest.h>

#include "tests/checker/test_util.h"

namespace pg::checker {
namespace {

size_t Count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t pos = s.find(what); pos != std::string::npos; pos = s.find(what, pos + 1)) ++n;
  return n;
}

TEST(HtmlReport, DrawsLanesPrefixAndTheOperationThatCannotBePlaced) {
  const History h = testing::MustParse(testing::ReadFixture("stale_read.jsonl"), "stale");
  const std::string page = HtmlReport(h, Check(h, {}));
  EXPECT_EQ(Count(page, "class='lane'"), 3u);        // processes 0, 1, 2
  EXPECT_EQ(Count(page, "<g class='ok lin'>"), 2u);  // the two sets, linearized
  EXPECT_EQ(Count(page, "<g class='ok bad'>"), 1u);  // the stale read
  EXPECT_NE(page.find("<path class='order'"), std::string::npos);
  EXPECT_NE(page.find("cannot be placed: "), std::string::npos);
  // Offline: no scripts or stylesheets fetched from anywhere.
  EXPECT_EQ(page.find("src="), std::string::npos);
  EXPECT_EQ(page.find("href="), std::string::npos);
}

TEST(HtmlReport, OkHistoryStillMakesAPage) {
  const History h = testing::MustParse(testing::ReadFixture("multi_ok.jsonl"));
  const std::string page = HtmlReport(h, Check(h, {}));
  EXPECT_NE(page.find("<h1>test: ok</h1>"), std::string::npos) << page.substr(0, 400);
  EXPECT_EQ(Count(page, "<rect"), 0u);
}

// The run page's options: every operation, each with its note; repeated band events folded.
TEST(HtmlReport, EveryOperationWithItsNoteAndFoldedRepeats) {
  const History h = testing::MustParse(testing::ReadFixture("multi_ok.jsonl"));
  HtmlOptions options{.every_operation = true};
  options.notes[2] = {.label = "r1 b3", .detail = "served by replica/1, ballot 3", .group = "r1"};
  for (int64_t t = 1000; t <= 4000; t += 500)
    options.band.push_back({.time = t, .row = "replica/1", .label = "tick", .fold = "tick"});
  options.band.push_back({.time = 4500, .row = "replica/1", .label = "other", .fold = "other"});
  const std::string page = HtmlReport(h, Check(h, {}), options);
  EXPECT_EQ(Count(page, "<g class='ok"), h.operations.size());
  EXPECT_NE(page.find("served by replica/1, ballot 3"), std::string::npos);
  EXPECT_EQ(Count(page, "class='stripe s0'"), 2u) << "the bar's and the legend's";
  // Seven ticks in a row fold into one mark; the next one stands alone.
  EXPECT_EQ(Count(page, "<g class='ev ev-replica/1 fold'>"), 1u);
  EXPECT_EQ(Count(page, "<g class='ev ev-replica/1'>"), 1u);
  EXPECT_NE(page.find("<summary>tick \u00d77</summary>"), std::string::npos);
  // The time axis, on request.
  options.axis = TimeAxis::kSimTime;
  EXPECT_NE(HtmlReport(h, Check(h, {}), options).find("x = simulated time"), std::string::npos);
}

}  // namespace
}  // namespace pg::checker
