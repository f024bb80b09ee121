// Property: histories from a real sequential execution, with random overlaps and random unknown
// and failed outcomes, are ok; with one observation corrupted the checker agrees with the
// brute-force oracle. Every f appears; 10,000 cases per property.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "checker/check.h"
#include "checker/history.h"
#include "tests/checker/oracle.h"
#include "tests/checker/oracle_generator.h"

namespace pg::checker {
namespace {

using testing::Coin;
using testing::Corrupt;
using testing::Generate;
using testing::Shape;

constexpr int kCases = 10000;

void RunProperty(const std::function<void()>& property) {
  rc::detail::TestParams params;
  params.maxSuccess = kCases;
  params.maxSize = 100;
  const auto result = rc::detail::checkProperty(rc::detail::toProperty(property),
                                                rc::detail::TestMetadata{}, params);
  std::ostringstream ss;
  rc::detail::printResultMessage(result, ss);
  EXPECT_TRUE(result.template is<rc::detail::SuccessResult>()) << ss.str();
}

CheckOptions PlainSearch() {
  CheckOptions o;
  o.use_witness = false;
  o.prune_unknown = false;
  o.unique_values = false;
  o.staged_search = false;
  o.dominance = false;
  o.merge_unread = false;
  o.versions = false;
  o.presence_guards = false;
  return o;
}

// Plain search with one reduction turned on, then all of them: each must agree on its own.
std::vector<CheckOptions> EachReduction() {
  std::vector<CheckOptions> out(9, PlainSearch());
  out[0].prune_unknown = true;
  out[1].staged_search = true;
  out[2].dominance = true;
  out[3].unique_values = true;
  out[4].merge_unread = true;
  out[5].merge_unread = out[5].dominance = true;  // twins need both
  out[6].versions = true;
  out[7] = CheckOptions{};
  out[8].presence_guards = true;
  return out;
}

// Corrupts *h half the time, then holds plain search with each reduction, and all of them, to
// the brute-force oracle's verdict; returns that verdict (linearizable or not).
bool EveryReductionAgreesWithTheOracle(History* h) {
  const bool corrupt = Coin();
  if (corrupt) Corrupt(h);
  const bool oracle = testing::BruteForceOracle(*h).Linearizable();
  RC_ASSERT(corrupt || oracle);  // an executed history is linearizable
  const Verdict expected = oracle ? Verdict::kOk : Verdict::kIllegal;
  for (const CheckOptions& o : EachReduction()) {
    RC_ASSERT(VerdictName(Check(*h, o).verdict) == VerdictName(expected));
  }
  return oracle;
}

TEST(OracleProperty, ExecutedHistoriesAreOk) {
  RunProperty([] {
    const History h = Generate();
    RC_ASSERT(testing::BruteForceOracle(h).Linearizable());
    const CheckResult fast = Check(h, {});
    RC_ASSERT(fast.verdict == Verdict::kOk);
    RC_ASSERT(Check(h, PlainSearch()).verdict == Verdict::kOk);
    for (const Operation& op : h.operations) RC_CLASSIFY(true, FnName(RecordedFn(h, op)));
    RC_CLASSIFY(h.operations.size() >= 6, "6+ operations");
  });
}

TEST(OracleProperty, CorruptedHistoriesAgreeWithBruteForce) {
  RunProperty([] {
    History h = Generate();
    Corrupt(&h);
    const bool oracle = testing::BruteForceOracle(h).Linearizable();
    const Verdict expected = oracle ? Verdict::kOk : Verdict::kIllegal;
    const CheckResult fast = Check(h, {});
    RC_ASSERT(VerdictName(fast.verdict) == VerdictName(expected));
    RC_ASSERT(VerdictName(Check(h, PlainSearch()).verdict) == VerdictName(expected));
    RC_TAG(oracle ? "still linearizable" : "not linearizable");
  });
}

TEST(OracleProperty, UniqueValueRegistersAgreeWithBruteForce) {
  RunProperty([] {
    History h = Generate(Shape::kUniqueRegister);
    if (Coin()) Corrupt(&h, /*unique=*/true);
    const bool oracle = testing::BruteForceOracle(h).Linearizable();
    const Verdict expected = oracle ? Verdict::kOk : Verdict::kIllegal;
    const CheckResult fast = Check(h, {});
    RC_ASSERT(VerdictName(fast.verdict) == VerdictName(expected));
    RC_ASSERT(VerdictName(Check(h, PlainSearch()).verdict) == VerdictName(expected));
    RC_CLASSIFY(fast.partitions.size() == 1 && fast.partitions[0].decided_by == "unique values",
                "decided by unique values");
    RC_TAG(oracle ? "linearizable" : "not linearizable");
  });
}

TEST(OracleProperty, ManyUnknownOutcomesAgreeWithBruteForce) {
  RunProperty([] {
    History h = Generate(Shape::kManyUnknown);
    if (Coin()) Corrupt(&h);
    const bool oracle = testing::BruteForceOracle(h).Linearizable();
    const Verdict expected = oracle ? Verdict::kOk : Verdict::kIllegal;
    for (const CheckOptions& o : EachReduction()) {
      const CheckResult r = Check(h, o);
      RC_ASSERT(VerdictName(r.verdict) == VerdictName(expected));
    }
    size_t unknown = 0, pruned = 0;
    for (const Operation& op : h.operations) unknown += op.outcome == Outcome::kInfo;
    for (const auto& p : Check(h, {}).partitions) pruned += p.pruned;
    RC_CLASSIFY(unknown >= 3, "3+ unknown outcomes");
    RC_CLASSIFY(pruned > 0, "some pruned");
    RC_TAG(oracle ? "linearizable" : "not linearizable");
  });
}

TEST(OracleProperty, UniqueCasRegistersAgreeWithBruteForce) {
  RunProperty([] {
    History h = Generate(Shape::kUniqueCasRegister);
    if (Coin()) Corrupt(&h, /*unique=*/true);
    const bool oracle = testing::BruteForceOracle(h).Linearizable();
    const Verdict expected = oracle ? Verdict::kOk : Verdict::kIllegal;
    for (const CheckOptions& o : EachReduction()) {
      const CheckResult r = Check(h, o);
      RC_ASSERT(VerdictName(r.verdict) == VerdictName(expected));
    }
    const CheckResult fast = Check(h, {});
    const std::string& by = fast.partitions.empty() ? "" : fast.partitions[0].decided_by;
    RC_CLASSIFY(by == "versions", "refuted by versions");
    RC_CLASSIFY(by == "greedy order", "proved by the greedy order");
    RC_TAG(oracle ? "linearizable" : "not linearizable");
  });
}

TEST(OracleProperty, RowOperationsAgreeWithBruteForce) {
  RunProperty([] {
    History h = Generate(Shape::kRows);
    const bool oracle = EveryReductionAgreesWithTheOracle(&h);
    size_t extended = 0;
    for (const Operation& op : h.operations) extended += op.f != Fn::kSet && op.f != Fn::kDel;
    RC_CLASSIFY(extended >= 3, "3+ row operations");
    RC_TAG(oracle ? "linearizable" : "not linearizable");
  });
}

TEST(OracleProperty, ExpiringValuesAgreeWithBruteForce) {
  RunProperty([] {
    History h = Generate(Shape::kExpiring);
    const bool oracle = EveryReductionAgreesWithTheOracle(&h);
    size_t ttls = 0, unknown = 0;
    for (const Operation& op : h.operations) {
      ttls += op.ttl.has_value();
      unknown += op.outcome == Outcome::kInfo && op.f != Fn::kGet && op.f != Fn::kMultiGet;
    }
    RC_CLASSIFY(ttls >= 2, "2+ values with a TTL");
    RC_CLASSIFY(ttls > 0 && unknown > 0, "a TTL and a write of unknown outcome");
    RC_TAG(oracle ? "linearizable" : "not linearizable");
  });
}

}  // namespace
}  // namespace pg::checker
