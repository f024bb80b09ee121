// The bug-zoo switches as knobs: a scenario's "bugs" list names them strictly, they reach the
// resolved knobs, and survive the verdict's knobs round trip (so `replay` reproduces a hunt's run).
#include <gtest/gtest.h>

#include "core/common/bugs.h"
#include "sim/scenario/knobs.h"
#include "sim/scenario/scenario.h"

namespace pg::sim {
namespace {

TEST(BugsKnob, EveryNameParsesBackToItsBug) {
  ASSERT_EQ(AllBugs().size(), static_cast<size_t>(kBugCount));
  for (size_t i = 0; i < AllBugs().size(); ++i) {
    const BugInfo& info = AllBugs()[i];
    EXPECT_EQ(static_cast<size_t>(info.bug), i) << info.name << " is out of enum order";
    EXPECT_EQ(BugByName(info.name), info.bug);
    EXPECT_FALSE(info.cite.empty()) << info.name;
  }
  EXPECT_EQ(BugByName("no_such_bug"), std::nullopt);
}

TEST(BugsKnob, AScenarioListsSwitchesByName) {
  auto s = ParseScenario(R"({"name": "x", "bugs": ["commit_on_majority", "client_incr_retry"]})",
                         "x.json");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const Knobs k = ResolveKnobs(*s, 1);
  EXPECT_TRUE(k.bugs.on(Bug::kCommitOnMajority));
  EXPECT_TRUE(k.bugs.on(Bug::kClientIncrRetry));
  EXPECT_FALSE(k.bugs.on(Bug::kSecondaryServesReads));
  EXPECT_EQ(k.bugs.Names(), (std::vector<std::string>{"commit_on_majority", "client_incr_retry"}));
  auto none = ParseScenario(R"({"name": "x"})", "x.json");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(ResolveKnobs(*none, 1).bugs.empty()) << "switches are off unless listed";
}

TEST(BugsKnob, AnUnknownNameIsAnErrorNamingItsPath) {
  auto s =
      ParseScenario(R"({"name": "x", "bugs": ["commit_on_majority", "commit_early"]})", "x.json");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("x.json: $.bugs[1]"), std::string::npos)
      << s.status().message();
  EXPECT_NE(s.status().message().find("commit_early"), std::string::npos);
  auto not_list = ParseScenario(R"({"name": "x", "bugs": "commit_on_majority"})", "x.json");
  EXPECT_FALSE(not_list.ok());
}

TEST(BugsKnob, OnlyThePegasusSystemHasThem) {
  auto s = ParseScenario(R"({"name": "x", "system": "register", "bugs": ["commit_on_majority"]})",
                         "x.json");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("$.bugs"), std::string::npos) << s.status().message();
}

TEST(BugsKnob, TheVerdictKnobsKeepThem) {
  auto s = ParseScenario(R"({"name": "x", "bugs": ["ack_before_logged"]})", "x.json");
  ASSERT_TRUE(s.ok());
  const Knobs k = ResolveKnobs(*s, 7);
  const auto j = KnobsToJson(k);
  ASSERT_TRUE(j.contains("bugs"));
  auto back = KnobsFromJson(j, "verdict.json");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, k);
  // Without switches the knobs read as they always did: no "bugs" key.
  auto plain = ParseScenario(R"({"name": "x"})", "x.json");
  EXPECT_FALSE(KnobsToJson(ResolveKnobs(*plain, 7)).contains("bugs"));
}

}  // namespace
}  // namespace pg::sim
