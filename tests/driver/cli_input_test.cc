// Bad input from the command line: every case is exit 2 with a message naming what was wrong, and
// never a crash, a silent default or a long run first. Each case here was once accepted (or worse).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "sim/driver/sweep.h"
#include "tests/support/pegasim_cli.h"

namespace {

using pg::testing::Pegasim;
using pg::testing::Ran;
using pg::testing::TempDir;

const std::string kRegisterSteady = PG_SOURCE_DIR "/scenarios/register/steady.json";

struct Case {
  std::string args;
  std::string must_mention;
};

void ExpectBadInput(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    Ran r = Pegasim(c.args);
    EXPECT_EQ(r.code, 2) << c.args << "\n" << r.output;
    EXPECT_NE(r.output.find(c.must_mention), std::string::npos) << c.args << "\n" << r.output;
  }
}

TEST(CliInput, SeedFlagsTakeDecimalOnly) {
  ExpectBadInput({
      {"run " + kRegisterSteady + " --seed -1", "--seed: expected a seed: decimal digits"},
      {"run " + kRegisterSteady + " --seed ''", "--seed"},
      {"run " + kRegisterSteady + " --seed 0x10", "--seed: expected a seed"},
      {"run " + kRegisterSteady + " --seed 18446744073709551616", "--seed: expected a seed"},
      {"sweep " + kRegisterSteady + " --seeds 0x10", "--seeds: expected A..B or N"},
      {"sweep " + kRegisterSteady + " --seeds 1..10000000000000", "at most 1000000000 seeds"},
      {"explore " + kRegisterSteady + " --mode exhaustive --seed +3", "--seed: expected a seed"},
  });
}

TEST(CliInput, SweepSizeIsCheckedBeforeAnythingIsAllocated) {
  ExpectBadInput({{"sweep " + kRegisterSteady + " " + kRegisterSteady + " " + kRegisterSteady +
                       " --seeds 1..999999999",
                   "at most 10000000 runs"}});
  auto range = pg::sim::ParseSeedRange("1..1000000000");
  EXPECT_TRUE(range.ok());
  EXPECT_FALSE(pg::sim::ParseSeedRange("0..1000000000").ok());
}

TEST(CliInput, CheckOfNothingIsBadInput) {
  const std::string dir = TempDir("check-nothing");
  std::ofstream(dir + "/empty.jsonl") << "";
  std::ofstream(dir + "/blank.jsonl") << "\n  \n";
  ExpectBadInput({
      {"check " + dir + "/empty.jsonl", "nothing to check"},
      {"check " + dir + "/blank.jsonl", "nothing to check"},
      {"check /dev/null", "nothing to check"},
      // A directory means the history files in it (tests/checker_cli has the rest).
      {"check " + dir, dir + "/blank.jsonl: bad input: expected at least one operation"},
      {"check /nonexistent.jsonl", "No such file or directory"},
      {"check /dev/zero", "expected at most"},
      {"check --format edn /dev/null", "nothing to check"},
  });
}

TEST(CliInput, AnEmptyDirectoryOfScenariosIsNamed) {
  const std::string dir = TempDir("no-scenarios");
  ExpectBadInput(
      {{"sweep " + dir + " --seeds 1", dir + ": expected a scenario file or a directory"},
       {"scenarios " + dir, dir + ": expected a scenario file or a directory"}});
}

TEST(CliInput, CheckTimeoutMustBeAFiniteNumber) {
  const std::string history = PG_SOURCE_DIR "/tests/data/histories/lost_write.jsonl";
  ExpectBadInput({
      {"check " + history + " --timeout nan", "--timeout"},
      {"check " + history + " --timeout inf", "--timeout"},
      {"check " + history + " --timeout -1", "--timeout"},
  });
}

TEST(CliInput, FilesThatCannotBeReadSayWhy) {
  ExpectBadInput({
      {"run /nonexistent.json", "cannot open the scenario file: No such file or directory"},
      {"run /dev/zero", "/dev/zero: expected at most 1048576 bytes"},
      {"run /tmp", "expected a scenario file (got a directory)"},
      {"replay /nonexistent.json", "cannot open the verdict file: No such file or directory"},
  });
}

TEST(CliInput, OutputsThatCannotBeWrittenFailBeforeTheRun) {
  // A file where a directory must be: no run happens first (no "verdict:" line).
  const std::string dir = TempDir("outputs");
  std::ofstream(dir + "/file") << "x";
  for (const std::string& args :
       {"run " + kRegisterSteady + " --out " + dir + "/file/sub",
        "run " + kRegisterSteady + " --out " + dir + " --trace " + dir + "/file/t.txt",
        "run " + kRegisterSteady + " --out " + dir + " --html " + dir + "/file/x.html",
        "sweep " + kRegisterSteady + " --seeds 1 --out " + dir + "/file/o",
        "sweep " + kRegisterSteady + " --seeds 1 --markdown " + dir + "/file/s.md",
        "shrink " + kRegisterSteady + " --out " + dir + "/file/o",
        "hunt --bug commit_on_majority --seeds 1 --json " + dir + "/file/h.json"}) {
    Ran r = Pegasim(args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.output;
    EXPECT_NE(r.output.find(dir + "/file"), std::string::npos) << args << "\n" << r.output;
    EXPECT_EQ(r.output.find("verdict:"), std::string::npos) << args << "\n" << r.output;
    EXPECT_EQ(r.output.find("runs:"), std::string::npos) << args << "\n" << r.output;
  }
}

TEST(CliInput, AMalformedTraceHashIsBadInputNotAMismatch) {
  const std::string dir = TempDir("hash");
  ASSERT_EQ(Pegasim("run " + kRegisterSteady + " --seed 2 --out " + dir).code, 0);
  std::string text = pg::testing::ReadFile(dir + "/verdict.json");
  const size_t at = text.find("\"trace_hash\": \"") + 15;
  text[at] = 'z';
  std::ofstream(dir + "/verdict.json") << text;
  ExpectBadInput({{"replay " + dir + "/verdict.json", "$.trace_hash: expected 16 lowercase hex"},
                  {"shrink " + dir + "/verdict.json --out " + dir + "/shrunk",
                   "$.trace_hash: expected 16 lowercase hex"}});
}

TEST(CliInput, AScenarioNameThatWouldEscapeTheOutputDirectoryIsRejected) {
  const std::string dir = TempDir("escape");
  std::string text = pg::testing::ReadFile(kRegisterSteady);
  const size_t at = text.find("\"name\": \"steady\"");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 16, "\"name\": \"../../escaped\"");
  std::ofstream(dir + "/escape.json") << text;
  ExpectBadInput({{"run " + dir + "/escape.json --seed 1", "$.name: expected a name of letters"}});
  EXPECT_FALSE(std::filesystem::exists("../escaped-1"));
}

}  // namespace
