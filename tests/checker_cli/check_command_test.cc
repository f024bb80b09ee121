// `pegasim check FILE...|DIR...` as a user runs it: many histories in one process, verdict lines
// in input order whatever --jobs, the exit code of the worst, bad input named, --html refused
// for more than one history, and pegasim-check answering exactly as pegasim check.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "checker/hard_history.h"
#include "checker/history.h"
#include "tests/support/pegasim_cli.h"

namespace pg::testing {
namespace {

const std::string kHistories = PG_SOURCE_DIR "/tests/data/histories/";

std::string Fixture(const std::string& name) { return kHistories + name; }

std::string SlimBin() {
  return (std::filesystem::path(PG_PEGASIM_BIN).parent_path() / "pegasim-check").string();
}

Ran Slim(const std::string& args) { return RunBinary(SlimBin(), args); }

// Everything but the last line, the elapsed time.
std::string WithoutTime(const std::string& out) {
  const size_t last = out.rfind('\n', out.size() >= 2 ? out.size() - 2 : 0);
  return last == std::string::npos ? "" : out.substr(0, last + 1);
}

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

TEST(CheckCommand, ManyFilesGiveOneLineEachInInputOrderAndASummary) {
  const Ran r = Pegasim("check " + Fixture("multi_ok.jsonl") + " " + Fixture("stale_read.jsonl") +
                        " " + Fixture("concurrent_read_ok.jsonl"));
  EXPECT_EQ(r.code, 1) << r.output;  // one illegal
  const size_t ok1 = r.output.find(Fixture("multi_ok.jsonl") + ": ok: ");
  const size_t bad = r.output.find(Fixture("stale_read.jsonl") + ": illegal: ");
  const size_t ok2 = r.output.find(Fixture("concurrent_read_ok.jsonl") + ": ok: ");
  const size_t sum = r.output.find("checked 3 histories: 2 ok, 1 illegal, 0 unknown, 0 bad input");
  ASSERT_NE(ok1, std::string::npos) << r.output;
  ASSERT_NE(bad, std::string::npos) << r.output;
  ASSERT_NE(ok2, std::string::npos) << r.output;
  ASSERT_NE(sum, std::string::npos) << r.output;
  EXPECT_LT(ok1, bad);
  EXPECT_LT(bad, ok2);
  EXPECT_LT(ok2, sum);
  // The illegal one is explained under its line.
  EXPECT_NE(r.output.find("    Cannot be placed after it:"), std::string::npos) << r.output;
}

TEST(CheckCommand, ADirectoryMeansTheHistoryFilesInItInNameOrder) {
  const std::string dir = TempDir("check-dir");
  std::filesystem::copy_file(Fixture("stale_read.jsonl"), dir + "/b.jsonl");
  std::filesystem::copy_file(Fixture("multi_ok.jsonl"), dir + "/a.jsonl");
  std::filesystem::copy_file(Fixture("cas_register_double_cas.edn"), dir + "/c.edn");
  Write(dir + "/notes.txt", "not a history");
  Write(dir + "/.hidden.jsonl", "not a history either");
  std::filesystem::create_directories(dir + "/sub");
  std::filesystem::copy_file(Fixture("multi_ok.jsonl"), dir + "/sub/d.jsonl");
  const Ran r = Pegasim("check " + dir + " --initial 0");
  EXPECT_EQ(r.code, 1) << r.output;
  const size_t a = r.output.find(dir + "/a.jsonl: ok");
  const size_t b = r.output.find(dir + "/b.jsonl: illegal");
  const size_t c = r.output.find(dir + "/c.edn: ");  // .edn is read as EDN by default
  ASSERT_NE(a, std::string::npos) << r.output;
  ASSERT_NE(b, std::string::npos) << r.output;
  ASSERT_NE(c, std::string::npos) << r.output;
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_NE(r.output.find("checked 3 histories"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("notes.txt"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("hidden"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("d.jsonl"), std::string::npos) << r.output;
  // --format narrows what a directory holds.
  const Ran only_edn = Pegasim("check " + dir + " --format edn --initial 0");
  EXPECT_NE(only_edn.output.find("checked 1 history:"), std::string::npos) << only_edn.output;
}

TEST(CheckCommand, ADirectoryWithNoHistoryIsBadInput) {
  const std::string dir = TempDir("check-empty-dir");
  Write(dir + "/readme.md", "no histories here");
  const Ran r = Pegasim("check " + dir);
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find(dir + ": bad input: expected at least one history file (*.jsonl or "
                                "*.edn) in the directory"),
            std::string::npos)
      << r.output;
  // Bad input wins over an illegal history next to it.
  const Ran both = Pegasim("check " + Fixture("stale_read.jsonl") + " " + dir);
  EXPECT_EQ(both.code, 2) << both.output;
  EXPECT_NE(both.output.find("1 illegal, 0 unknown, 1 bad input"), std::string::npos)
      << both.output;
}

TEST(CheckCommand, BadFilesAreNamedWithTheLineAndTheRestStillChecked) {
  const std::string dir = TempDir("check-bad-files");
  Write(dir + "/empty.jsonl", "");
  Write(dir + "/bad_line.jsonl",
        R"({"process": 0, "type": "invoke", "f": "get", "hashkey": "h", "sortkey": "s", )"
        R"("value": null, "time": 1})"
        "\n"
        R"({"process": 0, "type": "ok", "f": "get", "hashkey": "h", "sortkey": "s", )"
        R"("value": 7, "time": 2})"
        "\n");
  std::filesystem::copy_file(Fixture("multi_ok.jsonl"), dir + "/good.jsonl");
  const Ran r = Pegasim("check " + dir);
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find(dir + "/bad_line.jsonl: bad input: line 2: field \"value\": expected"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find(dir + "/empty.jsonl: bad input: expected at least one operation"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find(dir + "/good.jsonl: ok"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("1 ok, 0 illegal, 0 unknown, 2 bad input"), std::string::npos)
      << r.output;
  // A missing file among others is a bad input line too.
  const Ran missing = Pegasim("check " + dir + "/good.jsonl /nonexistent.jsonl");
  EXPECT_EQ(missing.code, 2) << missing.output;
  EXPECT_NE(missing.output.find("/nonexistent.jsonl: bad input: cannot open the history file"),
            std::string::npos)
      << missing.output;
}

TEST(CheckCommand, UnknownIsExit3WhenNothingIsWorse) {
  // A hard history (cas, del, unknown outcomes: checker/hard_history.h) that only the search can
  // decide, with a budget of 0 s, stays undecided. A multi_get of s0 and s1 first (both absent)
  // makes its partition two sortkeys, where the versions path and its greedy order, which decide
  // every such seed alone, do not apply (docs/checker.md), so it is left to the search.
  const std::string dir = TempDir("check-unknown");
  const std::string hard = dir + "/hard.jsonl";
  Write(hard,
        R"({"process": 99, "type": "invoke", "f": "multi_get", "hashkey": "h0", "value": null, )"
        R"("time": 0})"
        "\n"
        R"({"process": 99, "type": "ok", "f": "multi_get", "hashkey": "h0", )"
        R"("value": {"s0": null, "s1": null}, "time": 0})"
        "\n" +
            checker::WriteJsonlHistory(checker::HardHistory(
                {.seed = 65, .clients = 16, .operations = 3000, .unknown_fraction = 0.05})));
  const Ran alone = Pegasim("check " + hard + " " + Fixture("multi_ok.jsonl") + " --timeout 0");
  EXPECT_EQ(alone.code, 3) << alone.output;
  EXPECT_NE(alone.output.find("1 ok, 0 illegal, 1 unknown, 0 bad input"), std::string::npos)
      << alone.output;
  const Ran with_illegal =
      Pegasim("check " + hard + " " + Fixture("stale_read.jsonl") + " --timeout 0");
  EXPECT_EQ(with_illegal.code, 1) << with_illegal.output;
}

TEST(CheckCommand, JobsNeverChangeTheOutput) {
  const std::string dir = kHistories.substr(0, kHistories.size() - 1);
  const Ran one = Pegasim("check " + dir + " --initial 0 --jobs 1");
  const Ran four = Pegasim("check " + dir + " --initial 0 --jobs 4 --threads 2");
  EXPECT_EQ(one.code, four.code);
  EXPECT_FALSE(WithoutTime(one.output).empty());
  EXPECT_EQ(WithoutTime(one.output), WithoutTime(four.output));
}

TEST(CheckCommand, HtmlNamesOnePageSoSeveralHistoriesAreRefusedBeforeAnyCheck) {
  const std::string dir = TempDir("check-html");
  const std::string page = dir + "/page.html";
  for (const std::string& inputs : {Fixture("multi_ok.jsonl") + " " + Fixture("stale_read.jsonl"),
                                    kHistories.substr(0, kHistories.size() - 1)}) {
    const Ran r = Pegasim("check " + inputs + " --html " + page);
    EXPECT_EQ(r.code, 2) << r.output;
    EXPECT_NE(r.output.find("--html: expected one history file"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("checked"), std::string::npos) << r.output;  // nothing was checked
    EXPECT_FALSE(std::filesystem::exists(page));
  }
  // One file: the page as before; an unwritable path is refused before the check.
  const Ran one = Pegasim("check " + Fixture("stale_read.jsonl") + " --html " + page);
  EXPECT_EQ(one.code, 1) << one.output;
  EXPECT_TRUE(std::filesystem::exists(page));
  Write(dir + "/file", "x");
  const Ran unwritable =
      Pegasim("check " + Fixture("stale_read.jsonl") + " --html " + dir + "/file/page.html");
  EXPECT_EQ(unwritable.code, 2) << unwritable.output;
  EXPECT_EQ(unwritable.output.find("illegal"), std::string::npos) << unwritable.output;
}

TEST(CheckCommand, JsonOfSeveralHistoriesIsOneDocument) {
  const Ran r = Pegasim("check --json " + Fixture("multi_ok.jsonl") + " " +
                        Fixture("stale_read.jsonl") + " /nonexistent.jsonl");
  EXPECT_EQ(r.code, 2);
  const auto j = nlohmann::json::parse(r.output, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(j.is_discarded()) << r.output;
  ASSERT_EQ(j["histories"].size(), 3u);
  EXPECT_EQ(j["histories"][0]["verdict"], "ok");
  EXPECT_EQ(j["histories"][1]["verdict"], "illegal");
  EXPECT_EQ(j["histories"][1]["report"]["verdict"], "illegal");
  EXPECT_EQ(j["histories"][2]["verdict"], "bad input");
  EXPECT_EQ(j["summary"]["illegal"], 1);
  EXPECT_EQ(j["summary"]["bad_input"], 1);
}

TEST(CheckCommand, OrderTimeJudgesByTimestampsWithClosedIntervals) {
  const std::string tie = Fixture("order_tie_closed_interval.jsonl");
  EXPECT_EQ(Pegasim("check " + tie).code, 1);
  EXPECT_EQ(Pegasim("check --order time " + tie).code, 0);
  const std::string stale = Fixture("order_time_stale_read.jsonl");
  const Ran lines = Pegasim("check " + stale);
  EXPECT_EQ(lines.code, 2) << lines.output;
  EXPECT_NE(lines.output.find("goes back in time"), std::string::npos) << lines.output;
  const Ran time = Pegasim("check --order time " + stale);
  EXPECT_EQ(time.code, 1) << time.output;
  EXPECT_NE(time.output.find("illegal"), std::string::npos) << time.output;
  EXPECT_EQ(Pegasim("check --order sideways " + stale).code, 2);
}

TEST(CheckCommand, TheSlimBinaryAnswersAsPegasimCheck) {
  for (const std::string& args :
       {Fixture("stale_read.jsonl"), Fixture("multi_ok.jsonl") + " --json",
        kHistories.substr(0, kHistories.size() - 1) + " --initial 0 --jobs 2",
        std::string("/nonexistent.jsonl"), Fixture("stale_read.jsonl") + " --jobs 0"}) {
    const Ran full = Pegasim("check " + args);
    const Ran slim = Slim(args);
    EXPECT_EQ(full.code, slim.code) << args;
    // The same lines, but for the elapsed time and the program's name in flag errors.
    if (full.code != 2 || args.find("--jobs 0") == std::string::npos) {
      auto strip = [](const std::string& s) {
        std::string out = WithoutTime(s);
        const size_t at = out.find("\"elapsed_s\"");
        return at == std::string::npos ? out : out.substr(0, at);
      };
      EXPECT_EQ(strip(full.output), strip(slim.output)) << args;
    }
  }
}

}  // namespace
}  // namespace pg::testing
