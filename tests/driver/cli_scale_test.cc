// Sweeps as users scale them out: N shards merged give the unsharded summary, and a sweep can
// record the traces of chosen runs for `pegasim diff`.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "tests/support/pegasim_cli.h"

namespace {

using pg::testing::Pegasim;
using pg::testing::Ran;
using pg::testing::ReadFile;
using pg::testing::TempDir;

nlohmann::json SummaryWithoutWall(const std::string& dir) {
  nlohmann::json j = nlohmann::json::parse(ReadFile(dir + "/summary.json"));
  j.erase("wall");
  return j;
}

// SUMMARY.md without its wall-clock section.
std::string MarkdownWithoutSpeed(const std::string& path) {
  std::string text = ReadFile(path);
  const size_t speed = text.find("## Speed");
  if (speed == std::string::npos) return text;
  return text.erase(speed, text.find("## ", speed + 3) - speed);
}

std::set<std::string> Listing(const std::string& dir) {
  std::set<std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    out.insert(std::filesystem::relative(e.path(), dir).string());
  return out;
}

TEST(CliScale, FourShardsMergedEqualTheUnshardedSweep) {
  const std::string dir = TempDir("merge");
  // A scenario every run of which misses its expectation: failing runs, verdicts and exit 1 must
  // survive the merge too.
  const std::string unmet = dir + "/unmet/never_fails.json";
  std::filesystem::create_directories(dir + "/unmet");
  std::ofstream(unmet) << R"({"name": "never_fails", "system": "register", "duration_ms": 1500,
      "faults": [], "expect": {"verdict": "fail"}})";
  const std::string scenarios = std::string(PG_SOURCE_DIR) + "/scenarios/register/swarm.json " +
                                PG_SOURCE_DIR +
                                "/scenarios/pegasus/clock_drift_beyond_margin.json " + unmet;
  const std::string seeds = " --seeds 1..10";
  Ran whole = Pegasim("sweep " + scenarios + seeds + " --jobs 2 --out " + dir + "/whole" +
                      " --markdown " + dir + "/whole.md");
  ASSERT_EQ(whole.code, 1) << whole.output;
  std::string shard_dirs;
  for (int k = 0; k < 4; ++k) {
    const std::string out = fmt::format("{}/shard{}", dir, k);
    Ran shard =
        Pegasim(fmt::format("sweep {}{} --jobs 1 --shard {}/4 --out {}", scenarios, seeds, k, out));
    ASSERT_EQ(shard.code, 1) << shard.output;
    shard_dirs += " " + out;
  }
  Ran merged =
      Pegasim("merge" + shard_dirs + " --out " + dir + "/merged --markdown " + dir + "/merged.md");
  EXPECT_EQ(merged.code, 1) << merged.output;
  EXPECT_NE(merged.output.find("runs: 30  ok: 20  failed: 10"), std::string::npos) << merged.output;

  const nlohmann::json a = SummaryWithoutWall(dir + "/whole");
  const nlohmann::json b = SummaryWithoutWall(dir + "/merged");
  EXPECT_EQ(a.dump(2), b.dump(2));
  EXPECT_EQ(a["runs"], 30);
  EXPECT_EQ(a["failing"].size(), 10u);
  EXPECT_FALSE(a["fault_kinds"].empty());
  EXPECT_FALSE(a["marks"].empty());
  // Every kind injected has its effects, and some kind took effect and reached a mark.
  ASSERT_EQ(a["fault_effects"].size(), a["fault_kinds"].size());
  uint64_t took_effect = 0;
  for (const auto& [kind, injected] : a["fault_kinds"].items()) {
    EXPECT_LE(a["fault_effects"][kind]["took_effect"], injected) << kind;
    took_effect += a["fault_effects"][kind]["took_effect"].get<uint64_t>();
  }
  EXPECT_GT(took_effect, 0u);
  EXPECT_FALSE(a["fault_marks"].empty());
  EXPECT_EQ(ReadFile(dir + "/whole/hashes.txt"), ReadFile(dir + "/merged/hashes.txt"));
  EXPECT_EQ(Listing(dir + "/whole/failures"), Listing(dir + "/merged/failures"));
  const std::string md = MarkdownWithoutSpeed(dir + "/whole.md");
  EXPECT_EQ(md, MarkdownWithoutSpeed(dir + "/merged.md"));
  EXPECT_NE(md.find("## Faults injected"), std::string::npos);
  EXPECT_NE(md.find("| kind | injected | took effect | effects |"), std::string::npos);
  EXPECT_NE(md.find("## Protocol paths reached"), std::string::npos);
  EXPECT_NE(md.find("(invariant:single_primary)"), std::string::npos) << md;
  EXPECT_NE(md.find("pegasim run " + unmet + " --seed 1`"), std::string::npos) << md;
  // The wall figures add up as measurements: CPU time summed over the shards.
  const auto wall = nlohmann::json::parse(ReadFile(dir + "/merged/summary.json"))["wall"];
  EXPECT_GT(wall["run_wall_ms"].get<int64_t>(), 0);
}

TEST(CliScale, MergeRefusesShardsThatAreNotOneSweep) {
  const std::string dir = TempDir("merge-bad");
  const std::string steady = PG_SOURCE_DIR "/scenarios/register/steady.json";
  for (int k = 0; k < 3; ++k) {
    ASSERT_EQ(
        Pegasim(fmt::format("sweep {} --seeds 1..6 --shard {}/3 --out {}/s{}", steady, k, dir, k))
            .code,
        0);
  }
  ASSERT_EQ(
      Pegasim(fmt::format("sweep {} --seeds 1..7 --shard 2/3 --out {}/other", steady, dir)).code,
      0);
  struct Case {
    std::string dirs;
    std::string must_mention;
  };
  for (const Case& c : std::vector<Case>{
           {"/s0 /s1", "shard 2/3 is missing"},
           {"/s0 /s1 /s1", "given twice"},
           {"/s0 /s1 /other", "$.seeds: differs"},
       }) {
    std::string args = "merge";
    for (size_t at = 0; at < c.dirs.size();) {
      size_t end = c.dirs.find(' ', at);
      if (end == std::string::npos) end = c.dirs.size();
      args += " " + dir + c.dirs.substr(at, end - at);
      at = end + 1;
    }
    Ran r = Pegasim(args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.output;
    EXPECT_NE(r.output.find(c.must_mention), std::string::npos) << args << "\n" << r.output;
  }
  Ran ok = Pegasim(fmt::format("merge {0}/s0 {0}/s1 {0}/s2", dir));
  EXPECT_EQ(ok.code, 0) << ok.output;
  EXPECT_NE(ok.output.find("runs: 6  ok: 6"), std::string::npos) << ok.output;
}

TEST(CliScale, ASweepRecordsTheTraceOfANamedRunAndDiffReadsIt) {
  const std::string dir = TempDir("trace-run");
  const std::string steady = PG_SOURCE_DIR "/scenarios/register/steady.json";
  Ran r = Pegasim("sweep " + steady + " --seeds 1..3 --jobs 2 --out " + dir + "/a --trace-run " +
                  steady + ":2");
  ASSERT_EQ(r.code, 0) << r.output;
  const std::string trace = dir + "/a/traces/register-steady-2.trace";
  ASSERT_TRUE(std::filesystem::exists(trace)) << r.output;
  // The trace's last line carries the run's trace hash, the one hashes.txt records.
  const std::string text = ReadFile(trace);
  const std::string last_hash = text.substr(text.size() - 18, 16);
  EXPECT_NE(ReadFile(dir + "/a/hashes.txt").find(steady + " 2 " + last_hash), std::string::npos)
      << last_hash;

  Ran same = Pegasim("diff " + trace + " " + trace);
  EXPECT_EQ(same.code, 0) << same.output;
  EXPECT_NE(same.output.find("traces identical"), std::string::npos);

  // One line changed in the middle: diff names that event.
  std::string edited = text;
  const size_t line_start = edited.find("\n#100 ") + 1;
  const size_t hash_at = edited.find('[', line_start) + 1;
  edited[hash_at] = edited[hash_at] == '0' ? '1' : '0';
  std::ofstream(dir + "/edited.trace") << edited;
  Ran differ = Pegasim("diff " + trace + " " + dir + "/edited.trace");
  EXPECT_EQ(differ.code, 1) << differ.output;
  EXPECT_NE(differ.output.find("first divergent event: #100 at "), std::string::npos)
      << differ.output;
}

}  // namespace
