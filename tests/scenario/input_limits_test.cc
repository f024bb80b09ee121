// Input files are read within stated limits (sim/scenario/input_limits.h): a missing, huge, endless
// or deeply nested file is an error naming the file and the reason, before any large allocation.
#include "sim/scenario/input_limits.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "sim/scenario/json_reader.h"
#include "sim/scenario/scenario.h"

namespace pg::sim {
namespace {

namespace fs = std::filesystem;

std::string TempPath(const std::string& name) {
  return (fs::temp_directory_path() / ("pegasim-input-limits-" + name)).string();
}

std::string Nested(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(InputLimits, AMissingFileSaysWhy) {
  auto text = ReadInputFile("/nonexistent/x.json", 100, "scenario file");
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().message(),
            "/nonexistent/x.json: cannot open the scenario file: No such file or directory");
}

TEST(InputLimits, ADirectoryIsNotAFile) {
  auto text = ReadInputFile(fs::temp_directory_path().string(), 100, "history file");
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.status().message().find("expected a history file (got a directory)"),
            std::string::npos);
}

TEST(InputLimits, AnEndlessFileStopsAtTheLimit) {
  auto text = ReadInputFile("/dev/zero", 1 << 20, "scenario file");
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().message(), "/dev/zero: expected at most 1048576 bytes (got more)");
}

TEST(InputLimits, ARegularFileOverTheLimitIsRejectedBeforeReading) {
  const std::string path = TempPath("big.json");
  std::ofstream(path) << std::string(101, ' ');
  auto text = ReadInputFile(path, 100, "scenario file");
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.status().message().find("at most 100 bytes"), std::string::npos);
  auto fits = ReadInputFile(path, 101, "scenario file");
  ASSERT_TRUE(fits.ok());
  EXPECT_EQ(fits->size(), 101u);
}

TEST(InputLimits, DeepJsonNestingIsAnErrorNamingThePath) {
  // A million levels cost nlohmann's callback parse quadratic memory before the limit.
  auto parsed = ParseJsonText(Nested(1'000'000), "deep.json");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("deep.json: $" + std::string() + "[0]"),
            std::string::npos);
  EXPECT_NE(parsed.status().message().find("at most 64 levels"), std::string::npos);
  EXPECT_TRUE(ParseJsonText(Nested(InputLimits::kJsonDepth), "ok.json").ok());
  EXPECT_FALSE(ParseJsonText(Nested(InputLimits::kJsonDepth + 1), "deep.json").ok());
}

TEST(InputLimits, ARepeatedKeyInADeepObjectIsNamed) {
  auto parsed = ParseJsonText(R"({"a": {"b": [1, {"c": 1, "c": 2}]}})", "dup.json");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("dup.json: $.a.b[1].c: expected each key at most once"),
            std::string::npos)
      << parsed.status().message();
}

TEST(InputLimits, AScenarioWithTooManyFaultsIsRejected) {
  std::string faults;
  for (size_t i = 0; i <= InputLimits::kFaults; ++i) {
    faults += fmt::format("{}{{\"at_ms\": 1, \"kind\": \"heal\"}}", i == 0 ? "" : ",");
  }
  auto s = ParseScenario(R"({"name": "many", "seed": 1, "faults": [)" + faults + "]}", "m.json");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("m.json: $.faults: expected at most 10000 faults"),
            std::string::npos)
      << s.status().message();
}

TEST(InputLimits, AScenarioNameMustStayAFileName) {
  for (const char* name : {"../../x", "a/b", ".hidden", "x y"}) {
    auto s = ParseScenario(fmt::format(R"({{"name": "{}", "seed": 1}})", name), "n.json");
    ASSERT_FALSE(s.ok()) << name;
    EXPECT_NE(s.status().message().find("n.json: $.name: expected a name of letters"),
              std::string::npos)
        << s.status().message();
  }
  EXPECT_TRUE(ParseScenario(R"({"name": "ok_name-1.2", "seed": 1})", "n.json").ok());
}

TEST(InputLimits, ARegisterMixMayNotAskForWhatRegistersDoNotServe) {
  auto s = ParseScenario(
      R"({"name": "r", "seed": 1, "system": "register", "workload": {"mix": {"get": 1, "incr": 2}}})",
      "r.json");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("r.json: $.workload.mix.incr: expected an operation the "
                                      "\"register\" system serves"),
            std::string::npos)
      << s.status().message();
  EXPECT_TRUE(ParseScenario(R"({"name": "r", "seed": 1, "system": "register",
                                "workload": {"mix": {"get": 1, "incr": 0}}})",
                            "r.json")
                  .ok());
}

}  // namespace
}  // namespace pg::sim
