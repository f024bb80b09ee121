// A run's knobs written as a scenario file replay the run itself: loading the file and running it
// on its seed gives the original trace hash, for every curated scenario (swarm draws included).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "sim/driver/runner.h"
#include "sim/scenario/scenario_writer.h"

namespace pg::sim {
namespace {

TEST(ScenarioWriterReplay, AWrittenScenarioReplaysToTheSameTraceHash) {
  std::vector<std::string> files;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(PG_SOURCE_DIR "/scenarios")) {
    if (entry.path().extension() == ".json") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 20u);
  for (const std::string& file : files) {
    auto original = LoadScenario(file);
    ASSERT_TRUE(original.ok()) << original.status().ToString();
    const uint64_t seed = 3;
    const Knobs knobs = ResolveKnobs(*original, seed);
    auto written = ParseScenario(ScenarioFileJson(knobs, {.name = "written"}).dump(), "written");
    ASSERT_TRUE(written.ok()) << file << ": " << written.status().ToString();
    const RunOutcome before = RunKnobs(knobs, {});
    const RunOutcome after = RunKnobs(ResolveKnobs(*written, SeedFor(*written, std::nullopt)), {});
    EXPECT_EQ(before.trace_hash, after.trace_hash) << file;
    EXPECT_EQ(before.failed(), after.failed()) << file;
  }
}

}  // namespace
}  // namespace pg::sim
