// The pegasim executable as a user meets it: exit codes, messages naming what was wrong, and a
// run that replays to the same trace hash.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/support/pegasim_cli.h"

namespace {

using pg::testing::Pegasim;
using pg::testing::Ran;
using pg::testing::TempDir;

const std::string kSteady = PG_SOURCE_DIR "/scenarios/register/steady.json";

TEST(Cli, RunWritesAVerdictAndReplayConfirmsTheTraceHash) {
  const std::string dir = TempDir("replay");
  Ran run = Pegasim("run " + kSteady + " --seed 4 --out " + dir);
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_NE(run.output.find("replay:  pegasim run " + kSteady + " --seed 4"), std::string::npos);
  Ran replay = Pegasim("replay " + dir + "/verdict.json --trace " + dir + "/trace.txt");
  EXPECT_EQ(replay.code, 0) << replay.output;
  EXPECT_NE(replay.output.find("identical"), std::string::npos) << replay.output;
  std::ifstream trace(dir + "/trace.txt");
  std::string first;
  std::getline(trace, first);
  EXPECT_EQ(first.rfind("#0 ", 0), 0u) << first;
}

TEST(Cli, ReplayOfATamperedVerdictReportsTheMismatch) {
  const std::string dir = TempDir("tamper");
  ASSERT_EQ(Pegasim("run " + kSteady + " --seed 2 --out " + dir).code, 0);
  std::ifstream in(dir + "/verdict.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t at = text.find("\"trace_hash\": \"") + 15;
  text[at] = text[at] == '0' ? '1' : '0';
  std::ofstream(dir + "/verdict.json") << text;
  Ran replay = Pegasim("replay " + dir + "/verdict.json");
  EXPECT_EQ(replay.code, 1) << replay.output;
  EXPECT_NE(replay.output.find("MISMATCH"), std::string::npos);
}

TEST(Cli, BadInputExitsTwoAndSaysWhatWasWrong) {
  struct Case {
    std::string args;
    std::string must_mention;
  };
  const std::string dir = TempDir("bad");
  std::ofstream(dir + "/broken.json") << "{\"name\": \"x\", \"duration_ms\": \"long\"}";
  std::ofstream(dir + "/verdict.json") << "{\"scenario\": 3}";
  for (const Case& c : std::vector<Case>{
           {"run", "scenario"},
           {"run /nonexistent.json --seed 1", "/nonexistent.json"},
           {"run " + dir + "/broken.json --seed 1", "$.duration_ms"},
           {"run " + kSteady + " --seed minus-one", "--seed"},
           {"sweep " + kSteady + " --seeds 9..1", "--seeds"},
           {"sweep " + kSteady + " --seeds 1..2 --shard 2/2", "--shard"},
           {"sweep " + kSteady + " --seeds 1..2 --jobs 0", "--jobs"},
           {"replay " + dir + "/verdict.json", "$.scenario"},
           {"replay /nonexistent/verdict.json", "cannot open"},
           {"frobnicate", "frobnicate"},
           {"sweep " + kSteady + " --seeds 1..2 --out " + dir + "/s --trace-run x.json:1",
            "--trace-run"},
           {"merge " + dir, "summary.json"},
           {"diff " + dir + "/broken.json " + dir + "/broken.json", "broken.json:1: expected"},
           {"run " + kSteady + " --seed 1 --bug commit_early", "commit_early"},
           {"hunt --bug commit_early", "--bug: expected one of"},
           {"hunt", "--bug"},
           {"hunt --bug commit_on_majority --seeds 3..1", "--seeds"},
           {"hunt --bug commit_on_majority --min-seeds 5", "--min-seeds"},
           {"hunt " + dir + "/broken.json --bug commit_on_majority", "$.duration_ms"},
       }) {
    Ran r = Pegasim(c.args);
    EXPECT_EQ(r.code, 2) << c.args << "\n" << r.output;
    EXPECT_NE(r.output.find(c.must_mention), std::string::npos) << c.args << "\n" << r.output;
  }
}

TEST(Cli, EverySubcommandHasHelp) {
  for (const char* sub : {"run", "sweep", "replay", "check", "merge", "diff", "shrink", "hunt"}) {
    Ran r = Pegasim(std::string(sub) + " --help");
    EXPECT_EQ(r.code, 0) << sub;
    EXPECT_NE(r.output.find("Usage"), std::string::npos) << sub << ": " << r.output;
  }
}

TEST(Cli, SweepSummarizesAndWritesHashes) {
  const std::string dir = TempDir("sweep");
  Ran r = Pegasim("sweep " + kSteady + " --seeds 1..6 --jobs 2 --out " + dir);
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("runs: 6  ok: 6  failed: 0"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("simulated:wall"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(dir + "/summary.json"));
  std::ifstream hashes(dir + "/hashes.txt");
  int lines = 0;
  for (std::string line; std::getline(hashes, line);) ++lines;
  EXPECT_EQ(lines, 6);
}

}  // namespace
