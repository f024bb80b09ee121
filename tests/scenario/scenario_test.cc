// The scenario loader: a good file parses completely; every malformed file in
// tests/data/bad_scenarios is rejected with the file, the JSON path its EXPECTED.json names, and
// what was expected; no malformed file may be silently accepted.
#include "sim/scenario/scenario.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "sim/scenario/json_reader.h"

namespace pg::sim {
namespace {

namespace fs = std::filesystem;

const std::string kBadDir = std::string(PG_SOURCE_DIR) + "/tests/data/bad_scenarios";

constexpr const char* kGood = R"({
  "name": "everything",
  "description": "every section and every fault kind",
  "seed": 42,
  "duration_ms": 60000,
  "system": "pegasus",
  "cluster": {"meta_servers": 1, "replica_servers": 4, "partitions": 8, "replica_count": 3,
              "storage": "rocksdb"},
  "network": {"latency_ms_min": 1, "latency_ms_mean": 3, "drop_probability": 0.01,
              "duplicate_probability": 0.02, "reorder_probability": 0.5},
  "disk": {"write_latency_ms_mean": 2, "sync_latency_ms_mean": 4, "io_error_probability": 0.0},
  "clocks": {"drift_ppm_max": 100, "offset_ms_max": 20},
  "workload": {"clients": 6, "hashkeys": 8, "sortkeys": 4, "ops": 3000, "timeout_ms": 2000,
               "mix": {"get": 0.35, "set": 0.3, "del": 0.05, "incr": 0.1, "cas": 0.1,
                       "multi_get": 0.05, "multi_set": 0.05}},
  "faults": [
    {"at_ms": 5000, "kind": "crash", "node": "replica/1", "mode": "machine"},
    {"at_ms": 9000, "kind": "restart", "node": "replica/1"},
    {"at_ms": 12000, "kind": "partition", "groups": [["meta/0", "replica/0"], ["replica/2", "replica/3"]],
     "duration_ms": 4000},
    {"at_ms": 13000, "kind": "one_way", "from": ["client/0"], "to": ["replica/0", "replica/1"]},
    {"at_ms": 14000, "kind": "heal"},
    {"at_ms": 15000, "kind": "pause", "node": "meta/0", "duration_ms": 700},
    {"at_ms": 16000, "kind": "clog", "node": "replica/2", "duration_ms": 300},
    {"at_ms": 17000, "kind": "clog", "from": "client/5", "to": "replica/3", "duration_ms": 301},
    {"at_ms": 18000, "kind": "clock_jump", "node": "replica/0", "by_ms": -1500},
    {"at_ms": 19000, "kind": "clock_drift", "node": "replica/0", "drift_ppm": 250.5},
    {"at_ms": 20000, "kind": "network", "drop_probability": 0.2, "duration_ms": 1000},
    {"at_ms": 21000, "kind": "crash", "node": "replica/3"},
    {"at_ms": 22000, "kind": "disk_errors", "node": "replica/2", "sync_error_probability": 0.25,
     "read_error_probability": 0, "duration_ms": 3000}
  ],
  "swarm": false,
  "expect": {"verdict": "fail", "failure_kind": "invariant:single_primary",
             "marks": ["reconcile.fill_hole"]}
})";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(Scenario, GoodFileParsesEverySection) {
  auto s = ParseScenario(kGood, "good.json");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->path, "good.json");
  EXPECT_EQ(s->name, "everything");
  EXPECT_EQ(s->description, "every section and every fault kind");
  EXPECT_EQ(s->seed, 42u);
  EXPECT_EQ(s->duration_ms, 60000);
  EXPECT_EQ(s->system, "pegasus");
  EXPECT_EQ(s->cluster.replica_servers, 4);
  EXPECT_EQ(s->cluster.storage, "rocksdb");
  EXPECT_EQ(s->network.reorder_probability, 0.5);
  EXPECT_EQ(s->disk.sync_latency_ms_mean, 4);
  EXPECT_EQ(s->clocks.offset_ms_max, 20);
  EXPECT_EQ(s->workload.timeout_ms, 2000);
  EXPECT_EQ(s->workload.mix.size(), 7u);
  EXPECT_EQ(s->workload.mix.at("multi_set"), 0.05);
  EXPECT_FALSE(s->swarm);
  EXPECT_EQ(s->expect.verdict, "fail");
  EXPECT_EQ(s->expect.failure_kind, "invariant:single_primary");
  EXPECT_EQ(s->expect.marks, std::vector<std::string>{"reconcile.fill_hole"});
  ASSERT_TRUE(s->faults.has_value());
  ASSERT_EQ(s->faults->size(), 13u);
}

TEST(Scenario, GoodFileFaultsCarryEveryField) {
  auto s = ParseScenario(kGood, "good.json");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const std::vector<Fault>& f = *s->faults;
  EXPECT_EQ(f[0], (Fault{5000, CrashFault{.node = "replica/1", .mode = "machine"}}));
  EXPECT_EQ(f[1], (Fault{9000, RestartFault{.node = "replica/1"}}));
  const auto& partition = std::get<PartitionFault>(f[2].action);
  EXPECT_EQ(partition.groups.size(), 2u);
  EXPECT_EQ(partition.groups[1][1], "replica/3");
  EXPECT_EQ(partition.duration_ms, 4000);
  const auto& one_way = std::get<OneWayFault>(f[3].action);
  EXPECT_EQ(one_way.to.size(), 2u);
  EXPECT_FALSE(one_way.duration_ms.has_value());
  EXPECT_TRUE(std::holds_alternative<HealFault>(f[4].action));
  EXPECT_EQ(std::get<PauseFault>(f[5].action).duration_ms, 700);
  EXPECT_EQ(std::get<ClogFault>(f[6].action).node, "replica/2");
  EXPECT_EQ(std::get<ClogFault>(f[7].action).from, "client/5");
  EXPECT_EQ(std::get<ClockJumpFault>(f[8].action).by_ms, -1500);
  EXPECT_EQ(std::get<ClockDriftFault>(f[9].action).drift_ppm, 250.5);
  const auto& spell = std::get<NetworkFault>(f[10].action);
  EXPECT_EQ(spell.drop_probability, 0.2);
  EXPECT_FALSE(spell.reorder_probability.has_value());
  // "mode" defaults to "process", as scenario.h documents.
  EXPECT_EQ(std::get<CrashFault>(f[11].action).mode, "process");
  EXPECT_EQ(f[12], (Fault{22000, DiskErrorsFault{.node = "replica/2",
                                                 .read_error_probability = 0.0,
                                                 .write_error_probability = std::nullopt,
                                                 .sync_error_probability = 0.25,
                                                 .duration_ms = 3000}}));
}

TEST(Scenario, MinimalFileLeavesKnobsUnset) {
  auto s = ParseScenario(R"({"name": "tiny"})", "tiny.json");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_FALSE(s->seed.has_value());
  EXPECT_FALSE(s->cluster.replica_servers.has_value());
  EXPECT_FALSE(s->faults.has_value());
  EXPECT_TRUE(s->workload.mix.empty());
  EXPECT_EQ(s->system, "pegasus");
  EXPECT_EQ(s->expect.verdict, "ok");
}

TEST(Scenario, SeedTakesTheWholeUint64Range) {
  auto s = ParseScenario(R"({"name": "x", "seed": 18446744073709551615})", "x.json");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->seed, UINT64_MAX);
}

TEST(Scenario, ErrorMessageHasTheDocumentedShape) {
  auto s = ParseScenario(R"({"name": "x", "faults": [
      {"at_ms": 1, "kind": "heal"}, {"at_ms": 2, "kind": "heal"}, {"at_ms": 3, "kind": "heal"},
      {"at_ms": 4, "kind": "crash", "node": "replica/9"}],
      "workload": {"clients": 6}})",
                         "FILE");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(s.status().message(),
            "FILE: $.faults[3].node: expected one of meta/0, replica/0..replica/3, "
            "client/0..client/5 (got \"replica/9\")");
}

TEST(Scenario, SyntaxErrorReportsLineAndColumn) {
  auto s = ParseScenario("{\n  \"name\": \"x\",\n  \"seed\": 1,,\n}", "broken.json");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("broken.json: $: expected well-formed JSON (got"),
            std::string::npos)
      << s.status().message();
  EXPECT_NE(s.status().message().find("line 3, column"), std::string::npos) << s.status().message();
}

TEST(Scenario, DuplicateKeyInArrayElementIsNamed) {
  auto s = ParseScenario(
      R"({"name": "x", "faults": [{"at_ms": 1, "kind": "heal"}, {"at_ms": 1, "at_ms": 2}]})",
      "dup.json");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("dup.json: $.faults[1].at_ms: expected each key at most"),
            std::string::npos)
      << s.status().message();
}

TEST(Scenario, MissingFileIsAnErrorNotACrash) {
  auto s = LoadScenario("/nonexistent/scenario.json");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("/nonexistent/scenario.json"), std::string::npos);
}

TEST(Scenario, SwarmNodeNamesAreCheckedAgainstSwarmMaxima) {
  auto ok = ParseScenario(
      R"({"name": "x", "swarm": true, "faults": [{"at_ms": 1, "kind": "restart", "node": "replica/7"}]})",
      "x.json");
  EXPECT_TRUE(ok.ok()) << ok.status().ToString();
  auto bad = ParseScenario(
      R"({"name": "x", "swarm": true, "faults": [{"at_ms": 1, "kind": "restart", "node": "client/8"}]})",
      "x.json");
  EXPECT_FALSE(bad.ok());
}

TEST(Scenario, KnobsFormRejectsScenarioOnlyKeys) {
  auto s = ScenarioFromJson(nlohmann::json{{"name", "x"}}, "verdict.json", ScenarioForm::kKnobs);
  ASSERT_FALSE(s.ok());
  // The first missing required knob is reported before the stray key.
  EXPECT_NE(s.status().message().find("verdict.json: $.seed: expected"), std::string::npos)
      << s.status().message();
}

// Every malformed file must fail, at the path EXPECTED.json names, with the file in the message.
TEST(Scenario, EveryBadScenarioIsRejectedAtItsPath) {
  auto expected_json = ParseJsonText(ReadFile(kBadDir + "/EXPECTED.json"), "EXPECTED.json");
  ASSERT_TRUE(expected_json.ok()) << expected_json.status().ToString();
  std::map<std::string, std::string> expected =
      expected_json->get<std::map<std::string, std::string>>();
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(kBadDir)) {
    const std::string name = entry.path().filename().string();
    if (name != "EXPECTED.json" && entry.path().extension() == ".json") files.push_back(name);
  }
  std::sort(files.begin(), files.end());
  EXPECT_GE(files.size(), 30u);
  for (const std::string& name : files) {
    SCOPED_TRACE(name);
    auto it = expected.find(name);
    ASSERT_NE(it, expected.end()) << "add " << name << " to EXPECTED.json";
    const std::string path = kBadDir + "/" + name;
    auto s = LoadScenario(path);
    ASSERT_FALSE(s.ok()) << name << " was silently accepted";
    EXPECT_EQ(s.status().code(), ErrorCode::kInvalidArgument);
    const std::string prefix = path + ": " + it->second + ": expected ";
    EXPECT_EQ(s.status().message().substr(0, prefix.size()), prefix) << s.status().message();
    EXPECT_NE(s.status().message().find(" (got "), std::string::npos) << s.status().message();
    expected.erase(it);
  }
  for (const auto& [name, path] : expected) ADD_FAILURE() << "EXPECTED.json names missing " << name;
}

// The curated scenarios in scenarios/ are the format's real users: all of them must load.
TEST(Scenario, EveryCuratedScenarioLoads) {
  const std::string root = std::string(PG_SOURCE_DIR) + "/scenarios";
  if (!fs::exists(root)) GTEST_SKIP() << "no scenarios/ directory";
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  for (const std::string& file : files) {
    auto s = LoadScenario(file);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
  }
}

}  // namespace
}  // namespace pg::sim

namespace pg::sim {
namespace {

// docs/scenarios.md's fault examples (one per line in the block that starts with "at_ms") must
// stay valid: the reference is only useful if it is right.
TEST(Scenario, DocumentedFaultExamplesParse) {
  const std::string doc = ReadFile(std::string(PG_SOURCE_DIR) + "/docs/scenarios.md");
  const size_t begin = doc.find("```json\n{\"at_ms\"");
  ASSERT_NE(begin, std::string::npos);
  const size_t end = doc.find("```", begin + 7);
  std::istringstream lines(doc.substr(begin + 8, end - begin - 8));
  std::string line;
  std::string faults;
  int count = 0;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    faults += (count++ == 0 ? "" : ",") + line;
  }
  // The network fault has two (a lossy spell and a straggling one), and so has delay (a
  // straggler on a node's control messages and a hold on one link), and crash (at a time, and on a
  // mark), and pause (its clock running or frozen), and reset (a link and a node), and disk_slow
  // (a factor and a stall).
  EXPECT_EQ(count, 24);
  auto s = ParseScenario(R"({"name": "doc", "faults": [)" + faults + "]}", "docs/scenarios.md");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::set<std::string> kinds;
  for (const Fault& f : *s->faults) kinds.insert(std::string(FaultKind(f.action)));
  EXPECT_EQ(kinds.size(), std::variant_size_v<FaultAction>) << "one example per kind";
}

}  // namespace
}  // namespace pg::sim
