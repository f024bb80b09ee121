// The verdict and the report depend on the history alone: not on the run, not on the number of
// threads. Budgets end in unknown, never in a crash.
#include <gtest/gtest.h>

#include "checker/check.h"
#include "checker/synthetic_history.h"

namespace pg::checker {
namespace {

std::string Report(const History& h, int threads) {
  CheckOptions o;
  o.threads = threads;
  return ToJson(Check(h, o), /*include_elapsed=*/false).dump();
}

TEST(Determinism, ReportIsIdenticalAcrossRunsAndThreadCounts) {
  for (bool corrupt : {false, true}) {
    SyntheticOptions so{.seed = 7,
                        .clients = 8,
                        .operations = 4000,
                        .hashkeys = 12,
                        .sortkeys = 2,
                        .unknown_fraction = 0.05,
                        .corrupt = corrupt};
    const History h = SyntheticHistory(so);
    const std::string one = Report(h, 1);
    EXPECT_NE(one.find(corrupt ? "\"verdict\":\"illegal\"" : "\"verdict\":\"ok\""),
              std::string::npos);
    for (int threads : {1, 2, 3, 8}) EXPECT_EQ(Report(h, threads), one) << threads;
  }
}

TEST(Determinism, SearchOnlyReportIsIdenticalAcrossThreadCounts) {
  SyntheticOptions so{.seed = 3, .clients = 6, .operations = 3000, .hashkeys = 9, .corrupt = true};
  const History h = SyntheticHistory(so);
  CheckOptions o;
  o.unique_values = false;
  o.use_witness = false;
  std::string first;
  for (int threads : {1, 2, 4}) {
    o.threads = threads;
    const CheckResult r = Check(h, o);
    EXPECT_EQ(r.verdict, Verdict::kIllegal);
    const std::string report = ToJson(r, false).dump();
    if (first.empty()) first = report;
    EXPECT_EQ(report, first) << threads;
  }
}

TEST(Budget, TinyMemoryCapEndsInUnknownWithWhatWasDecided) {
  SyntheticOptions so{.seed = 5, .clients = 16, .operations = 3000, .hashkeys = 1};
  const History h = SyntheticHistory(so);
  CheckOptions o;
  o.unique_values = false;  // force the search
  o.versions = false;
  o.memory_cap_bytes = 64 << 10;
  const CheckResult r = Check(h, o);
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  ASSERT_EQ(r.partitions.size(), 1u);
  EXPECT_EQ(r.partitions[0].unknown_reason, "memory cap");
  EXPECT_NE(r.explanation.find("Undecided"), std::string::npos) << r.explanation;
}

TEST(Budget, ZeroTimeoutEndsInUnknown) {
  SyntheticOptions so{.seed = 5, .clients = 16, .operations = 20000, .hashkeys = 1};
  const History h = SyntheticHistory(so);
  CheckOptions o;
  o.unique_values = false;
  o.versions = false;  // the greedy order decides it in linear time, budget or not
  o.timeout_s = 0;
  EXPECT_EQ(Check(h, o).verdict, Verdict::kUnknown);
}

TEST(Witness, VerifiedWitnessDecidesAndABadOneDoesNot) {
  SyntheticOptions so{.seed = 9,
                      .clients = 16,
                      .operations = 5000,
                      .hashkeys = 2,
                      .unknown_fraction = 0.05,
                      .witness = true};
  History h = SyntheticHistory(so);
  CheckResult r = Check(h, {});
  EXPECT_EQ(r.verdict, Verdict::kOk);
  for (const auto& p : r.partitions) EXPECT_EQ(p.decided_by, "witness") << p.name;
  // Corrupted: the witness fails verification and never decides; the history is illegal.
  so.corrupt = true;
  h = SyntheticHistory(so);
  r = Check(h, {});
  EXPECT_EQ(r.verdict, Verdict::kIllegal);
  // Swapping two witnesses of overlapping-free operations breaks verification but not the
  // history: still ok, decided some other way.
  so.corrupt = false;
  h = SyntheticHistory(so);
  for (Event& e : h.events) {
    if (e.witness) e.witness = 1000000 - *e.witness;  // reverse the order
  }
  auto rebuilt = BuildHistory(h.events, "reversed");
  ASSERT_TRUE(rebuilt.ok());
  r = Check(*rebuilt, {});
  EXPECT_EQ(r.verdict, Verdict::kOk);
  for (const auto& p : r.partitions) EXPECT_NE(p.decided_by, "witness") << p.name;
}

}  // namespace
}  // namespace pg::checker
