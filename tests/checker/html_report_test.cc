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

}  // namespace
}  // namespace pg::checker
