// The knobs -> scenario writer must round-trip: for every curated scenario and several seeds
// (swarm draws included), writing the resolved knobs as a scenario file and loading and resolving
// that file again gives the same knobs. The shrinker's regression files depend on it.
#include "sim/scenario/scenario_writer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

namespace pg::sim {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> CuratedScenarios() {
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(PG_SOURCE_DIR "/scenarios")) {
    if (entry.path().extension() == ".json") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

Knobs Reload(const Knobs& knobs, const ScenarioFileHeader& header, Scenario* loaded = nullptr) {
  const std::string text = ScenarioFileJson(knobs, header).dump(2);
  auto s = ParseScenario(text, "written.json");
  EXPECT_TRUE(s.ok()) << s.status().ToString() << "\n" << text;
  if (!s.ok()) return {};
  if (loaded) *loaded = *s;
  EXPECT_EQ(SeedFor(*s, std::nullopt), knobs.seed) << "the file's seed must be the run's seed";
  return ResolveKnobs(*s, knobs.seed);
}

TEST(ScenarioWriter, EveryCuratedScenarioRoundTripsOnSeveralSeeds) {
  const std::vector<std::string> files = CuratedScenarios();
  ASSERT_GE(files.size(), 20u);
  for (const std::string& file : files) {
    auto s = LoadScenario(file);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    for (uint64_t seed : {1ull, 2ull, 17ull, 1000ull, 0xFFFFFFFFFFFFull}) {
      const Knobs knobs = ResolveKnobs(*s, seed);
      EXPECT_EQ(
          Reload(knobs, {.name = s->name, .description = s->description, .expect = s->expect}),
          knobs)
          << file << " seed " << seed;
    }
  }
}

TEST(ScenarioWriter, WritesTheHeaderAndTheExpectationItIsGiven) {
  auto s = LoadScenario(PG_SOURCE_DIR "/scenarios/register/crash_process.json");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const Knobs knobs = ResolveKnobs(*s, 5);
  const ScenarioFileHeader header{
      .name = "shrunk",
      .description = "why it exists",
      .expect = {.verdict = "fail", .failure_kind = "checker:illegal", .every_seed = false}};
  Scenario loaded;
  EXPECT_EQ(Reload(knobs, header, &loaded), knobs);
  EXPECT_EQ(loaded.name, "shrunk");
  EXPECT_EQ(loaded.description, "why it exists");
  EXPECT_EQ(loaded.expect.verdict, "fail");
  EXPECT_EQ(loaded.expect.failure_kind, "checker:illegal");
  EXPECT_FALSE(loaded.expect.every_seed);
  EXPECT_EQ(loaded.seed, 5u);
  EXPECT_FALSE(loaded.swarm);
  // Without a description the key is left out, and an "ok" expectation is written plainly.
  const auto plain = ScenarioFileJson(knobs, {.name = "plain"});
  EXPECT_FALSE(plain.contains("description"));
  EXPECT_EQ(plain["expect"].dump(), R"({"verdict":"ok"})");
}

TEST(ScenarioWriter, MixKeepsOnlyPositiveWeights) {
  auto s = ParseScenario(R"({"name": "m", "workload": {"mix": {"get": 2, "cas": 0.5}}})", "m");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const Knobs knobs = ResolveKnobs(*s, 1);
  EXPECT_EQ(ScenarioFileJson(knobs, {.name = "m"})["workload"]["mix"].dump(),
            R"({"get":2.0,"cas":0.5})");
  EXPECT_EQ(Reload(knobs, {.name = "m"}), knobs);
}

}  // namespace
}  // namespace pg::sim
