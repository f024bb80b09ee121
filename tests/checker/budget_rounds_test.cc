// The check's budget is shared fairly: the search runs in rounds of growing step budgets, so a
// hard partition cannot spend the deadline before the easy ones after it are searched; and the
// memory cap is one for every search of a check (or of every check sharing an account).
#include <gtest/gtest.h>

#include <limits>

#include "checker/check.h"
#include "checker/synthetic_history.h"

namespace pg::checker {
namespace {

constexpr uint64_t kUnlimited = std::numeric_limits<uint64_t>::max();

// Only the search decides: the fast paths are off.
CheckOptions SearchOnly() {
  CheckOptions o;
  o.use_witness = false;
  o.unique_values = false;
  o.versions = false;
  return o;
}

// `first`'s operations (on hashkey "a"), then `rest`'s (their own hashkeys, processes moved
// past first's), one after the other in real time.
History Concatenate(const History& first, const History& rest) {
  std::vector<Event> events;
  int64_t last_time = 0;
  for (Event e : first.events) {
    e.hashkey = "a";
    last_time = std::max(last_time, e.time);
    events.push_back(std::move(e));
  }
  for (Event e : rest.events) {
    e.process += 1000;
    e.time += last_time + 1;
    events.push_back(std::move(e));
  }
  for (size_t i = 0; i < events.size(); ++i) {
    events[i].index = static_cast<int64_t>(i);
    events[i].line = 0;
  }
  Result<History> h = BuildHistory(std::move(events), "concatenated");
  EXPECT_TRUE(h.ok()) << h.error().ToString();
  return std::move(*h);
}

// A single key no plain search decides in seconds, listed first, and three easy keys after it,
// each needing more steps than the search takes between looks at the clock.
History HardFirstThenEasy() {
  const History hard = SyntheticHistory({.seed = 5, .clients = 16, .operations = 20000});
  const History easy =
      SyntheticHistory({.seed = 6, .clients = 4, .operations = 15000, .hashkeys = 3});
  return Concatenate(hard, easy);
}

TEST(BudgetRounds, AHardPartitionDoesNotStarveTheEasyOnesAfterIt) {
  const History h = HardFirstThenEasy();
  CheckOptions o = SearchOnly();
  o.timeout_s = 2;
  // One round (the search as it was before rounds): the first partition spends the deadline.
  o.search_rounds = {kUnlimited};
  CheckResult starved = Check(h, o);
  ASSERT_EQ(starved.partitions.size(), 4u);
  ASSERT_EQ(starved.partitions[0].hashkey, "a");
  for (const PartitionResult& p : starved.partitions) {
    EXPECT_EQ(p.verdict, Verdict::kUnknown) << p.name;
    EXPECT_EQ(p.unknown_reason, "timeout") << p.name;
  }
  // In rounds, the easy partitions are decided in the first, whatever the hard one needs. The
  // last round is finite and the deadline far, so what is decided depends on steps alone, never
  // on how fast this machine runs the first round (under a sanitizer on a loaded machine, 20000
  // steps of the hard partition have taken more than 2 s).
  o.timeout_s = 600;
  o.search_rounds = {20000, 200000};
  const CheckResult fair = Check(h, o);
  ASSERT_EQ(fair.partitions.size(), 4u);
  EXPECT_EQ(fair.partitions[0].verdict, Verdict::kUnknown);
  EXPECT_EQ(fair.partitions[0].unknown_reason, "step limit");
  EXPECT_EQ(fair.partitions[0].steps, 20001u + 200001u) << "a round's steps count in the report";
  for (size_t i = 1; i < fair.partitions.size(); ++i) {
    EXPECT_GT(fair.partitions[i].steps, 4096u) << "the search looked at the clock";
    EXPECT_EQ(fair.partitions[i].verdict, Verdict::kOk) << fair.partitions[i].name;
    EXPECT_EQ(fair.partitions[i].decided_by, "search") << fair.partitions[i].name;
  }
}

TEST(BudgetRounds, AFiniteLastRoundEndsInAStepLimitThatDependsOnTheHistoryAlone) {
  const History h = HardFirstThenEasy();
  CheckOptions o = SearchOnly();
  o.search_rounds = {1000, 30000};
  const CheckResult r = Check(h, o);
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_EQ(r.partitions[0].unknown_reason, "step limit");
  // Searched in both rounds, one step past each limit: the steps of both are reported.
  EXPECT_EQ(r.partitions[0].steps, 1001u + 30001u);
  o.threads = 3;
  EXPECT_EQ(ToJson(Check(h, o), false), ToJson(r, false)) << "the report is the history's";
}

TEST(BudgetRounds, RoundsDecideWhatOneRoundDecides) {
  const History h =
      SyntheticHistory({.seed = 11, .clients = 4, .operations = 10000, .hashkeys = 2});
  CheckOptions o = SearchOnly();
  o.search_rounds = {kUnlimited};
  const CheckResult one = Check(h, o);
  o.search_rounds = {500, 5000, kUnlimited};
  const CheckResult rounds = Check(h, o);
  ASSERT_EQ(one.verdict, Verdict::kOk);
  EXPECT_EQ(rounds.verdict, Verdict::kOk);
  for (size_t i = 0; i < one.partitions.size(); ++i) {
    EXPECT_GT(one.partitions[i].steps, 5000u) << "the case needs the last round";
    EXPECT_EQ(rounds.partitions[i].steps, one.partitions[i].steps + 501 + 5001);
  }
}

TEST(MemoryAccount, ChargesMoveUpAndDownAndSayWhetherTheTotalFits) {
  MemoryAccount account(100);
  size_t a = 0;
  size_t b = 0;
  EXPECT_TRUE(account.Charge(&a, 60));
  EXPECT_FALSE(account.Charge(&b, 50));  // 110 together
  EXPECT_EQ(account.used(), 110u);
  EXPECT_TRUE(account.Charge(&a, 40));  // 90
  EXPECT_EQ(a, 40u);
  account.Charge(&a, 0);
  account.Charge(&b, 0);
  EXPECT_EQ(account.used(), 0u);
}

TEST(MemoryAccount, EverySearchOfACheckDrawsOnTheSharedCap) {
  const History h = SyntheticHistory({.seed = 11, .clients = 4, .operations = 10000});
  CheckOptions o = SearchOnly();
  MemoryAccount account(size_t{256} << 20);
  o.memory = &account;
  // Another holder has the whole cap: the search ends at its first look at the budget.
  size_t other = 0;
  account.Charge(&other, account.cap());
  const CheckResult full = Check(h, o);
  EXPECT_EQ(full.verdict, Verdict::kUnknown);
  EXPECT_EQ(full.partitions[0].unknown_reason, "memory cap");
  account.Charge(&other, 0);
  EXPECT_EQ(account.used(), 0u) << "a search gives back what it charged when it ends";
  const CheckResult room = Check(h, o);
  EXPECT_EQ(room.verdict, Verdict::kOk);
  EXPECT_EQ(account.used(), 0u);
}

}  // namespace
}  // namespace pg::checker
