// Presence guards (checker/presence_guards.h) and the memo's dominance on partitions with a TTL
// (docs/checker.md "Presence guards", "TTL"): each rule where it applies, on a history that must
// be illegal and one that must be ok, histories a careless version of the rule would misjudge,
// and the two swarm hashkeys that filled the memory cap before.
#include "checker/presence_guards.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <string>

#include "checker/check.h"
#include "checker/prepare.h"
#include "tests/checker/ops_history.h"
#include "tests/checker/oracle.h"
#include "tests/checker/oracle_generator.h"

namespace pg::checker {
namespace {

using testing::MustParse;
using testing::OpsHistory;

constexpr int64_t kSec = 1'000'000'000;

// One line on hashkey "h", sortkey "s", at an explicit time (ns); extra: more fields.
std::string GuardLine(int process, const std::string& type, const std::string& f,
                      const std::string& value, int64_t time, const std::string& extra = "") {
  return fmt::format(R"({{"process": {}, "type": "{}", "f": "{}", "hashkey": "h", "sortkey": "s", )"
                     R"("value": {}, "time": {}{}}})",
                     process, type, f, value, time, extra) +
         "\n";
}

// How many operations AddPresenceGuards guards, over every partition, as CheckPartition would.
size_t Guarded(const History& h) {
  size_t n = 0;
  for (const Partition& part : SplitPartitions(h)) {
    CompiledPartition c = Compile(h, part);
    Prepared prep = Prepare(h, c, part.sortkeys, {.prune_unknown = !c.has_expiry()});
    n += AddPresenceGuards(c, &prep.ops);
  }
  return n;
}

// The verdict, which every configuration of the fast paths must agree on, with the guards and
// without them (plain search without guards is the reference).
Verdict CheckWithAndWithoutGuards(const std::string& text) {
  const History h = MustParse(text, "guards.jsonl");
  CheckOptions plain = testing::FastPathConfiguration(0);
  plain.presence_guards = false;
  const Verdict reference = Check(h, plain).verdict;
  for (int mask = 0; mask < 128; ++mask) {
    for (bool guards : {false, true}) {
      CheckOptions o = testing::FastPathConfiguration(mask);
      o.presence_guards = guards;
      EXPECT_EQ(VerdictName(Check(h, o).verdict), VerdictName(reference))
          << "mask " << mask << " guards " << guards << "\n"
          << text;
    }
  }
  return reference;
}

// An incr of cnt of unknown outcome around reads of cnt; nothing else writes cnt.
OpsHistory IncrAround(const std::string& first, const std::string& second) {
  OpsHistory h;
  h.Invoke(0, "incr", "\"1\"", "cnt");
  h.Op(1, "get", "null", "null", "cnt");
  h.Op(1, "get", "null", first, "cnt");
  return h.Op(1, "get", "null", second, "cnt").Complete(0, "incr", "null", "cnt", "info");
}

TEST(PresenceGuards, AnUnknownIncrComesAfterTheReadsOfAbsent) {
  // Seen absent, then 1, then absent again: nothing deletes cnt, so once the incr took effect
  // it stays present. The incr waits for both reads of absent; the read of 1 needs it before.
  const std::string flicker = IncrAround("\"1\"", "null").text();
  EXPECT_EQ(Guarded(MustParse(flicker)), 1u);
  EXPECT_EQ(CheckWithAndWithoutGuards(flicker), Verdict::kIllegal);
  const std::string late = IncrAround("null", "\"1\"").text();
  EXPECT_EQ(Guarded(MustParse(late)), 1u);
  EXPECT_EQ(CheckWithAndWithoutGuards(late), Verdict::kOk);
}

TEST(PresenceGuards, ASortkeyThatCanBeDeletedIsNotGuarded) {
  // The same flicker with a del of cnt between: ok, and a rule that ignored the del (the incr
  // after the last read of absent) would call it illegal.
  OpsHistory h;
  h.Invoke(0, "incr", "\"1\"", "cnt");
  h.Op(1, "get", "null", "null", "cnt").Op(1, "get", "null", "\"1\"", "cnt");
  h.Op(2, "del", "null", "null", "cnt").Op(1, "get", "null", "null", "cnt");
  h.Complete(0, "incr", "null", "cnt", "info");
  EXPECT_EQ(Guarded(MustParse(h.text())), 0u);
  EXPECT_EQ(CheckWithAndWithoutGuards(h.text()), Verdict::kOk);
}

// A sortkey written with a TTL may read absent again once it expires: not lasting.
TEST(PresenceGuards, ASortkeyWithATtlIsNotGuarded) {
  const std::string ttl = R"(, "ttl": {"expire_ts": 10, "skew_ms": 100})";
  auto history = [&](const std::string& last) {
    return GuardLine(0, "invoke", "set", "\"w\"", 1 * kSec, ttl) +
           GuardLine(1, "invoke", "get", "null", 2 * kSec) +
           GuardLine(1, "ok", "get", "null", 2 * kSec + 1) +
           GuardLine(1, "invoke", "get", "null", 3 * kSec) +
           GuardLine(1, "ok", "get", "\"w\"", 3 * kSec + 1) +
           GuardLine(1, "invoke", "get", "null", 20 * kSec) +
           GuardLine(1, "ok", "get", last, 20 * kSec + 1) +
           GuardLine(0, "info", "set", "null", 21 * kSec);
  };
  EXPECT_EQ(Guarded(MustParse(history("null"))), 0u);
  EXPECT_EQ(CheckWithAndWithoutGuards(history("null")), Verdict::kOk);  // expired by then
  EXPECT_EQ(CheckWithAndWithoutGuards(history("\"w\"")), Verdict::kIllegal);
}

// A range read cut off by its limit saw nothing of the sortkeys after the cut.
TEST(PresenceGuards, ARangeReadCutByItsLimitIsNoReadOfAbsent) {
  auto history = [](const std::string& limit, const std::string& result) {
    OpsHistory h;
    h.Set(2, "a", "x").Invoke(0, "set", "\"v\"", "s");
    h.Op(1, "get", "null", "\"v\"", "s");
    h.Op(1, "multi_get", testing::Range("", "", limit), result);
    return h.Complete(0, "set", "null", "s", "info").text();
  };
  // Limit 1: {"a"} is all it returns, s present or not.
  EXPECT_EQ(Guarded(MustParse(history(R"("limit": 1)", R"({"a": "x"})"))), 0u);
  EXPECT_EQ(CheckWithAndWithoutGuards(history(R"("limit": 1)", R"({"a": "x"})")), Verdict::kOk);
  // Limit 2, one returned: s was absent, so the set came after it, but "v" was read before.
  EXPECT_EQ(Guarded(MustParse(history(R"("limit": 2)", R"({"a": "x"})"))), 1u);
  EXPECT_EQ(CheckWithAndWithoutGuards(history(R"("limit": 2)", R"({"a": "x"})")),
            Verdict::kIllegal);
}

// Dominance and twins on a partition with a TTL. Two incrs of 1 of unknown outcome, one called
// before "5" expires (it may have found 5 -> 6, or nothing -> 1), one well after (-> 1 only):
// equal but for their windows, so not twins. Taking the later one for the earlier would lose 6.
std::string TwoIncrsAroundAnExpiry(const std::string& seen) {
  return GuardLine(0, "invoke", "set", "\"5\"", 1 * kSec,
                   R"(, "ttl": {"expire_ts": 10, "skew_ms": 100})") +
         GuardLine(0, "ok", "set", "null", 1 * kSec + 1) +
         GuardLine(1, "invoke", "incr", "\"1\"", 2 * kSec) +
         GuardLine(2, "invoke", "incr", "\"1\"", 11 * kSec) +
         GuardLine(3, "invoke", "get", "null", 12 * kSec) +
         GuardLine(3, "ok", "get", seen, 13 * kSec) +
         GuardLine(1, "info", "incr", "null", 14 * kSec) +
         GuardLine(2, "info", "incr", "null", 14 * kSec + 1);
}

TEST(DominanceWithTtl, IncrsEqualButForTheirWindowsAreNotTwins) {
  for (const char* seen : {"\"6\"", "\"7\"", "\"1\"", "\"2\"", "null"}) {
    EXPECT_EQ(CheckWithAndWithoutGuards(TwoIncrsAroundAnExpiry(seen)), Verdict::kOk) << seen;
  }
  for (const char* seen : {"\"3\"", "\"5\""}) {
    EXPECT_EQ(CheckWithAndWithoutGuards(TwoIncrsAroundAnExpiry(seen)), Verdict::kIllegal) << seen;
  }
}

// Swarm seed 2510's hashkey h4 (49 operations, 16 of unknown outcome, two sets with a TTL) and seed
// 3556's h10 (30 searched, 19 of unknown outcome: 5 incrs of cnt, which the full scans at the
// end read absent). With no reduction on partitions with a TTL, both filled the 1 GiB memory
// cap (8.4M memo entries each); h4 is decided by the memo's dominance, h10 by the guards.
// Checked with the default memory cap and step limit (what the in-process check of a run has)
// and a deadline far enough that the verdict depends on the search alone, never on how fast the
// machine runs (these take seconds under the sanitizers): one partition, ok by the search within
// `max_memo` configurations, with `guarded` operations given guards.
void ExpectDecidedWithinTheDefaultMemoryCap(const std::string& fixture, size_t max_memo,
                                            size_t guarded) {
  const History h = MustParse(testing::ReadFixture(fixture));
  CheckOptions far_deadline;
  far_deadline.timeout_s = 3600;
  const CheckResult r = Check(h, far_deadline);
  ASSERT_EQ(r.partitions.size(), 1u);
  EXPECT_EQ(r.verdict, Verdict::kOk) << r.explanation;
  EXPECT_EQ(r.partitions[0].decided_by, "search");
  EXPECT_LE(r.partitions[0].memo_entries, max_memo);
  EXPECT_EQ(Guarded(h), guarded);
}

TEST(DominanceWithTtl, SwarmSeed2510H4IsDecidedWithinTheDefaultMemoryCap) {
  // No guards: every sortkey but cnt has a multi_del, and nothing reads cnt absent.
  ExpectDecidedWithinTheDefaultMemoryCap("hard/swarm_seed2510_h4.jsonl", 2'000'000, 0);
}

TEST(PresenceGuards, SwarmSeed3556H10IsDecidedWithinTheDefaultMemoryCap) {
  // The five incrs of cnt wait for the full scans that read it absent.
  ExpectDecidedWithinTheDefaultMemoryCap("hard/swarm_seed3556_h10.jsonl", 400'000, 5);
}

// The brute-force oracle (oracle.h) on histories with many unknown outcomes, half of them with
// TTLs, half corrupted: plain search with the guards, and every reduction with and without them,
// agree with it.
TEST(PresenceGuards, AgreeWithBruteForce) {
  rc::detail::TestParams params;
  params.maxSuccess = 400;  // about 350 guarded histories; ~20 s under the sanitizers
  params.maxSize = 100;
  const auto result = rc::detail::checkProperty(
      rc::detail::toProperty([] {
        // Guards apply to about one history in fifty as drawn: draw until one has a guard (or
        // 100 did not), so that most cases test them.
        const bool corrupt = testing::Coin();
        History h;
        for (int draw = 0; draw < 100; ++draw) {
          h = testing::Generate(testing::Coin() ? testing::Shape::kManyUnknown
                                                : testing::Shape::kExpiring);
          if (corrupt) testing::Corrupt(&h);
          if (Guarded(h) > 0) break;
        }
        const bool oracle = testing::BruteForceOracle(h).Linearizable();
        const Verdict expected = oracle ? Verdict::kOk : Verdict::kIllegal;
        CheckOptions guards_only = testing::FastPathConfiguration(0);
        CheckOptions no_guards;
        no_guards.presence_guards = false;
        for (const CheckOptions& o : {guards_only, no_guards, CheckOptions{}}) {
          RC_ASSERT(VerdictName(Check(h, o).verdict) == VerdictName(expected));
        }
        RC_CLASSIFY(Guarded(h) > 0, "guarded");
        RC_TAG(oracle ? "linearizable" : "not linearizable");
      }),
      rc::detail::TestMetadata{}, params);
  std::ostringstream ss;
  rc::detail::printResultMessage(result, ss);
  EXPECT_TRUE(result.template is<rc::detail::SuccessResult>()) << ss.str();
}

}  // namespace
}  // namespace pg::checker
