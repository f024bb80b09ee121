// Named histories with asserted verdicts: each illegal one is a classic anomaly, each ok one a
// near miss that a sloppy checker would call illegal.
#include <gtest/gtest.h>

#include "checker/check.h"
#include "tests/checker/test_util.h"

namespace pg::checker {
namespace {

struct NamedCase {
  const char* file;
  Verdict verdict;
};

class NamedCases : public ::testing::TestWithParam<NamedCase> {};

// Every configuration of the fast paths must agree: plain search is the reference.
std::vector<CheckOptions> AllConfigurations() {
  std::vector<CheckOptions> out;
  // The first six switches in every combination, versions on as by default.
  for (int mask = 0; mask < 64; ++mask) out.push_back(testing::FastPathConfiguration(mask | 64));
  return out;
}

TEST_P(NamedCases, Verdict) {
  const History h = testing::MustParse(testing::ReadFixture(GetParam().file), GetParam().file);
  ASSERT_FALSE(h.operations.empty());
  for (const CheckOptions& o : AllConfigurations()) {
    const CheckResult r = Check(h, o);
    EXPECT_EQ(VerdictName(r.verdict), VerdictName(GetParam().verdict))
        << GetParam().file << " witness=" << o.use_witness << " prune=" << o.prune_unknown
        << " unique=" << o.unique_values << " staged=" << o.staged_search
        << " dominance=" << o.dominance << " merge=" << o.merge_unread << "\n"
        << r.explanation;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Histories, NamedCases,
    ::testing::Values(NamedCase{"stale_read.jsonl", Verdict::kIllegal},
                      NamedCase{"lost_write.jsonl", Verdict::kIllegal},
                      NamedCase{"double_successful_cas.jsonl", Verdict::kIllegal},
                      NamedCase{"lost_incr.jsonl", Verdict::kIllegal},
                      NamedCase{"read_never_written.jsonl", Verdict::kIllegal},
                      NamedCase{"torn_multi_set.jsonl", Verdict::kIllegal},
                      NamedCase{"unknown_write_observed_late.jsonl", Verdict::kOk},
                      NamedCase{"unknown_write_never_observed.jsonl", Verdict::kOk},
                      NamedCase{"unknown_write_flickers.jsonl", Verdict::kIllegal},
                      NamedCase{"concurrent_read_ok.jsonl", Verdict::kOk},
                      NamedCase{"incr_cas_ok.jsonl", Verdict::kOk},
                      NamedCase{"multi_ok.jsonl", Verdict::kOk},
                      // An unknown cas that expected an unknown write's value may have written
                      // because of it: that write must not be pruned.
                      NamedCase{"unknown_write_enables_unknown_cas.jsonl", Verdict::kOk},
                      NamedCase{"unknown_cas_does_not_excuse_stale_read.jsonl", Verdict::kIllegal},
                      // Two timed-out incrs of 2 and 3 reach 0, 2, 3 or 5, never 4.
                      NamedCase{"unknown_incrs_unreachable_sum.jsonl", Verdict::kIllegal},
                      NamedCase{"unknown_incrs_reachable_sum.jsonl", Verdict::kOk},
                      // A timed-out incr that a later read depends on is kept (R3 must not
                      // drop it): 1 + 1 is 2, never 3.
                      NamedCase{"unknown_incr_read_later.jsonl", Verdict::kIllegal},
                      NamedCase{"unknown_incr_trailing.jsonl", Verdict::kOk},
                      // A cas expecting absent that fails observes a timed-out write whose
                      // value nothing reads: the staged search must not stop without it.
                      NamedCase{"unknown_write_seen_by_failed_cas.jsonl", Verdict::kOk},
                      NamedCase{"unknown_cas_cannot_explain_failed_cas.jsonl", Verdict::kIllegal},
                      NamedCase{"range_read_missing_key.jsonl", Verdict::kIllegal},
                      NamedCase{"multi_del_torn.jsonl", Verdict::kIllegal},
                      NamedCase{"check_and_mutate_lock_ok.jsonl", Verdict::kOk},
                      // TTL (docs/checker.md): a value read well past its expiry and skew is
                      // illegal; within the skew reads may disagree, and a cas of unknown outcome
                      // near the expiry may have found the value expired.
                      NamedCase{"ttl_read_after_expiry.jsonl", Verdict::kIllegal},
                      NamedCase{"ttl_skew_window_ok.jsonl", Verdict::kOk},
                      // Scans (docs/checker.md): a scan that misses a record written before it
                      // began is illegal; a full_scan resumed after a lost context reads the keys
                      // after the last one received, in Pegasus's order ("k9" before "k10").
                      NamedCase{"scan_missing_record.jsonl", Verdict::kIllegal},
                      NamedCase{"full_scan_after_ok.jsonl", Verdict::kOk}),
    [](const auto& info) {
      std::string name = info.param.file;
      return name.substr(0, name.find('.'));
    });

TEST(Explanation, StaleReadNamesTheReadAndThePrefix) {
  const History h = testing::MustParse(testing::ReadFixture("stale_read.jsonl"));
  const CheckResult r = Check(h, {});
  ASSERT_EQ(r.verdict, Verdict::kIllegal);
  ASSERT_EQ(r.partitions.size(), 1u);
  const PartitionResult& p = r.partitions[0];
  // Both writes linearize; the read of v1 after v2 cannot be placed.
  EXPECT_EQ(p.prefix, (std::vector<size_t>{0, 1}));
  ASSERT_FALSE(p.blocked.empty());
  EXPECT_EQ(p.blocked[0].first, 2u);
  EXPECT_NE(r.explanation.find("get s0 returned \"v1\" but the value was \"v2\""),
            std::string::npos)
      << r.explanation;
  EXPECT_NE(r.explanation.find("Longest linearizable prefix found: 2 operations"),
            std::string::npos)
      << r.explanation;
}

TEST(Explanation, SmallestFailingPartitionIsReported) {
  // Partition h2 fails with 2 operations, h1 with 3: the explanation names h2.
  std::string text = testing::ReadFixture("stale_read.jsonl");
  std::string other = testing::ReadFixture("lost_write.jsonl");
  size_t pos = 0;
  while ((pos = other.find("\"h1\"", pos)) != std::string::npos) other.replace(pos, 4, "\"h2\"");
  // Shift h2's processes so that no process has two open operations.
  pos = 0;
  while ((pos = other.find("\"process\": ", pos)) != std::string::npos) {
    other.replace(pos + 11, 1, std::string(1, static_cast<char>(other[pos + 11] + 5)));
    pos += 12;
  }
  // Renumber times so that they keep increasing.
  History h1 = testing::MustParse(text);
  History h2 = testing::MustParse(other);
  for (Event& e : h2.events) {
    e.time += 100000;
    h1.events.push_back(e);
  }
  auto joined = BuildHistory(h1.events, "joined");
  ASSERT_TRUE(joined.ok()) << joined.error().ToString();
  const CheckResult r = Check(*joined, {});
  EXPECT_EQ(r.verdict, Verdict::kIllegal);
  EXPECT_NE(r.explanation.find("Partition h2 (2 operations"), std::string::npos) << r.explanation;
}

TEST(Check, FailedOperationsHaveNoEffect) {
  // A failed write of v1, then a read of absent: ok. A read of v1 instead: illegal.
  const std::string base =
      R"({"process": 0, "type": "invoke", "f": "set", "hashkey": "h", "sortkey": "s", "value": "v1", "time": 1}
{"process": 0, "type": "fail", "f": "set", "hashkey": "h", "sortkey": "s", "value": null, "time": 2}
{"process": 1, "type": "invoke", "f": "get", "hashkey": "h", "sortkey": "s", "value": null, "time": 3}
)";
  EXPECT_EQ(
      testing::CheckText(
          base +
          R"({"process": 1, "type": "ok", "f": "get", "hashkey": "h", "sortkey": "s", "value": null, "time": 4})"),
      Verdict::kOk);
  EXPECT_EQ(
      testing::CheckText(
          base +
          R"({"process": 1, "type": "ok", "f": "get", "hashkey": "h", "sortkey": "s", "value": "v1", "time": 4})"),
      Verdict::kIllegal);
}

}  // namespace
}  // namespace pg::checker
