// Knob resolution: documented defaults, swarm draws (reproducible, within bounds, never over an
// explicit key, covering every fault kind), and the KnobsToJson -> KnobsFromJson round trip.
#include "sim/scenario/knobs.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <set>

#include "sim/scenario/json_reader.h"
#include "sim/scenario/timing_sets.h"

namespace pg::sim {
namespace {

Scenario Parse(const std::string& text) {
  auto s = ParseScenario(text, "test.json");
  PG_ASSERT(s.ok(), "{}", s.status().ToString());
  return std::move(s).value();
}

const Scenario& SwarmScenario() {
  static const Scenario* const kScenario = new Scenario(Parse(R"({"name": "s", "swarm": true})"));
  return *kScenario;
}

TEST(Knobs, OmittedKnobsTakeTheDocumentedDefaults) {
  const Knobs k = ResolveKnobs(Parse(R"({"name": "d"})"), 7);
  EXPECT_EQ(k.seed, 7u);
  EXPECT_EQ(k.duration_ms, Defaults::kDurationMs);
  EXPECT_EQ(k.system, "pegasus");
  EXPECT_FALSE(k.swarm);
  EXPECT_EQ(k.meta_servers, Defaults::kMetaServers);
  EXPECT_EQ(k.replica_servers, Defaults::kReplicaServers);
  EXPECT_EQ(k.partitions, Defaults::kPartitions);
  EXPECT_EQ(k.replica_count, Defaults::kReplicaCount);
  EXPECT_EQ(k.storage, Defaults::kStorage);
  EXPECT_EQ(k.latency_ms_min, Defaults::kLatencyMsMin);
  EXPECT_EQ(k.latency_ms_mean, Defaults::kLatencyMsMean);
  EXPECT_EQ(k.drop_probability, 0);
  EXPECT_EQ(k.duplicate_probability, 0);
  EXPECT_EQ(k.reorder_probability, 0);
  EXPECT_EQ(k.write_latency_ms_mean, Defaults::kWriteLatencyMsMean);
  EXPECT_EQ(k.sync_latency_ms_mean, Defaults::kSyncLatencyMsMean);
  EXPECT_EQ(k.io_error_probability, 0);
  EXPECT_EQ(k.torn_write_probability, Defaults::kTornWriteProbability);
  EXPECT_EQ(k.drift_ppm_max, 0);
  EXPECT_EQ(k.offset_ms_max, 0);
  EXPECT_EQ(k.clients, Defaults::kClients);
  EXPECT_EQ(k.hashkeys, Defaults::kHashkeys);
  EXPECT_EQ(k.sortkeys, Defaults::kSortkeys);
  EXPECT_EQ(k.ops, Defaults::kOps);
  EXPECT_EQ(k.timeout_ms, Defaults::kTimeoutMs);
  EXPECT_EQ(k.mix, DefaultMix());
  EXPECT_TRUE(k.faults.empty());
}

TEST(Knobs, DependentDefaultsFollowTheExplicitValue) {
  Knobs k = ResolveKnobs(Parse(R"({"name": "d", "cluster": {"replica_count": 5}})"), 1);
  EXPECT_EQ(k.replica_servers, 5);
  k = ResolveKnobs(Parse(R"({"name": "d", "cluster": {"replica_servers": 2}})"), 1);
  EXPECT_EQ(k.replica_count, 2);
  k = ResolveKnobs(Parse(R"({"name": "d", "network": {"latency_ms_min": 5}})"), 1);
  EXPECT_EQ(k.latency_ms_mean, 5);
  k = ResolveKnobs(Parse(R"({"name": "d", "network": {"latency_ms_mean": 0.5}})"), 1);
  EXPECT_EQ(k.latency_ms_min, 0.5);
}

TEST(Knobs, AGivenMixIsTakenWholeWithZeroForTheRest) {
  const Knobs k = ResolveKnobs(Parse(R"({"name": "m", "workload": {"mix": {"get": 2}}})"), 1);
  ASSERT_EQ(k.mix.size(), MixOperations().size());
  EXPECT_EQ(k.mix.at("get"), 2);
  EXPECT_EQ(k.mix.at("set"), 0);
}

TEST(Knobs, FaultsAreSortedByTimeKeepingFileOrderOnTies) {
  const Knobs k = ResolveKnobs(Parse(R"({"name": "f", "faults": [
      {"at_ms": 300, "kind": "heal"},
      {"at_ms": 100, "kind": "restart", "node": "replica/1"},
      {"at_ms": 100, "kind": "restart", "node": "replica/0"}]})"),
                               1);
  ASSERT_EQ(k.faults.size(), 3u);
  EXPECT_EQ(std::get<RestartFault>(k.faults[0].action).node, "replica/1");
  EXPECT_EQ(std::get<RestartFault>(k.faults[1].action).node, "replica/0");
  EXPECT_EQ(k.faults[2].at_ms, 300);
}

TEST(Knobs, SeedForPrefersCommandLineThenFileThenDefault) {
  Scenario s = Parse(R"({"name": "x", "seed": 9})");
  EXPECT_EQ(SeedFor(s, 3), 3u);
  EXPECT_EQ(SeedFor(s, std::nullopt), 9u);
  EXPECT_EQ(SeedFor(Parse(R"({"name": "x"})"), std::nullopt), Defaults::kSeed);
}

TEST(Knobs, NodeNamesAreInNodeIdOrder) {
  Knobs k;
  k.meta_servers = 1;
  k.replica_servers = 2;
  k.clients = 1;
  EXPECT_EQ(NodeNames(k),
            (std::vector<std::string>{"meta/0", "replica/0", "replica/1", "client/0"}));
}

TEST(Swarm, SameSeedSameKnobsDifferentSeedsDifferentKnobs) {
  EXPECT_EQ(ResolveKnobs(SwarmScenario(), 5), ResolveKnobs(SwarmScenario(), 5));
  std::set<std::string> distinct;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Knobs k = ResolveKnobs(SwarmScenario(), seed);
    k.seed = 0;  // compare the draws, not the seed itself
    distinct.insert(KnobsToJson(k).dump());
  }
  EXPECT_EQ(distinct.size(), 20u);
}

TEST(Swarm, ExplicitKeysAreNeverOverridden) {
  const Scenario s = Parse(R"({"name": "s", "swarm": true, "duration_ms": 33000,
      "cluster": {"replica_count": 4, "storage": "memory"},
      "network": {"drop_probability": 0.125}, "disk": {"torn_write_probability": 0},
      "workload": {"clients": 3, "mix": {"cas": 1}},
      "faults": [{"at_ms": 10, "kind": "crash", "node": "replica/6"}]})");
  for (uint64_t seed = 0; seed < 200; ++seed) {
    const Knobs k = ResolveKnobs(s, seed);
    ASSERT_EQ(k.duration_ms, 33000);
    ASSERT_EQ(k.replica_count, 4);
    ASSERT_EQ(k.storage, "memory");
    ASSERT_EQ(k.drop_probability, 0.125);
    ASSERT_EQ(k.torn_write_probability, 0);
    ASSERT_EQ(k.clients, 3);
    ASSERT_EQ(k.mix.at("cas"), 1);
    ASSERT_EQ(k.mix.at("get"), 0);
    ASSERT_EQ(k.faults.size(), 1u);
    // The drawn cluster must hold every node an explicit fault names.
    ASSERT_GE(k.replica_servers, 7);
  }
}

template <class T>
void ExpectIn(T v, Bounds<T> b, const char* what) {
  EXPECT_TRUE(b.Contains(v)) << what << " = " << v << " not in [" << b.lo << ", " << b.hi << "]";
}
void ExpectProbability(double v, Bounds<double> b, const char* what) {
  EXPECT_TRUE(v == 0 || b.Contains(v)) << what << " = " << v;
}

void ExpectKnobsWithinSwarmBounds(const Knobs& k) {
  using B = SwarmBounds;
  // Whole seconds, scaled with the timing set the swarm drew (3.5 s steps under upstream).
  const TimingSet& set = TimingSetNamed(k.timing);
  const Bounds<int64_t> duration{ScaleToTiming(B::kDurationMs.lo, set),
                                 ScaleToTiming(B::kDurationMs.hi, set)};
  ExpectIn(k.duration_ms, duration, "duration_ms");
  EXPECT_EQ(k.duration_ms % ScaleToTiming(1000, set), 0);
  ExpectIn(k.meta_servers, B::kMetaServers, "meta_servers");
  ExpectIn(k.replica_servers, B::kReplicaServers, "replica_servers");
  ExpectIn(k.partitions, B::kPartitions, "partitions");
  ExpectIn(k.replica_count, {B::kReplicaCount.lo, std::min(B::kReplicaCount.hi, k.replica_servers)},
           "replica_count");
  EXPECT_TRUE(k.storage == "memory" || k.storage == "rocksdb");
  ExpectIn(k.latency_ms_min, B::kLatencyMsMin, "latency_ms_min");
  ExpectIn(k.latency_ms_mean, {k.latency_ms_min, k.latency_ms_min + B::kLatencyMsMeanAboveMin},
           "latency_ms_mean");
  ExpectProbability(k.drop_probability, B::kDropProbability, "drop");
  ExpectProbability(k.duplicate_probability, B::kDuplicateProbability, "duplicate");
  ExpectProbability(k.reorder_probability, B::kReorderProbability, "reorder");
  ExpectIn(k.write_latency_ms_mean, B::kWriteLatencyMsMean, "write_latency_ms_mean");
  ExpectIn(k.sync_latency_ms_mean, B::kSyncLatencyMsMean, "sync_latency_ms_mean");
  ExpectProbability(k.io_error_probability, B::kIoErrorProbability, "io_error");
  ExpectIn(k.torn_write_probability, B::kTornWriteProbability, "torn_write_probability");
  ExpectIn(k.drift_ppm_max, B::kDriftPpmMax, "drift_ppm_max");
  ExpectIn(k.offset_ms_max, B::kOffsetMsMax, "offset_ms_max");
  ExpectIn(k.clients, B::kClients, "clients");
  ExpectIn(k.hashkeys, B::kHashkeys, "hashkeys");
  ExpectIn(k.sortkeys, B::kSortkeys, "sortkeys");
  ExpectIn(k.ops, B::kOps, "ops");
  ExpectIn(k.timeout_ms, B::kTimeoutMs, "timeout_ms");
  double total = 0;
  for (const auto& [op, w] : k.mix) {
    ExpectIn(static_cast<int>(w), B::kMixWeight, op.c_str());
    total += w;
  }
  EXPECT_EQ(k.mix.size(), MixOperations().size());
  EXPECT_GT(total, 0);
}

// Every drawn fault lies in the window, names a node of the cluster, and the run ends healed:
// each crash is restarted, each untimed partition healed, each drift reset, before 80%.
void ExpectFaultsEndHealed(const Knobs& k) {
  const auto names = NodeNames(k);
  const std::set<std::string> known(names.begin(), names.end());
  const auto window_end = static_cast<int64_t>(k.duration_ms * SwarmBounds::kFaultWindowEnd);
  std::map<std::string, int> down;
  int open_partitions = 0;
  for (const Fault& f : k.faults) {
    EXPECT_GE(f.at_ms, static_cast<int64_t>(k.duration_ms * SwarmBounds::kFaultWindowStart));
    EXPECT_LE(f.at_ms, window_end);
    for (const std::string& n : FaultNodes(f.action)) {
      EXPECT_TRUE(known.contains(n)) << n;
    }
    if (auto* c = std::get_if<CrashFault>(&f.action)) ++down[c->node];
    if (auto* w = std::get_if<WipeFault>(&f.action)) ++down[w->node];  // its machine goes down
    if (auto* r = std::get_if<RestartFault>(&f.action)) --down[r->node];
    if (auto* p = std::get_if<PartitionFault>(&f.action)) {
      if (!p->duration_ms) ++open_partitions;
      EXPECT_LE(f.at_ms + p->duration_ms.value_or(0), window_end);
    }
    if (auto* o = std::get_if<OneWayFault>(&f.action); o && !o->duration_ms) ++open_partitions;
    if (std::holds_alternative<HealFault>(f.action)) open_partitions = 0;
    if (auto* p = std::get_if<PauseFault>(&f.action)) {
      EXPECT_LE(f.at_ms + p->duration_ms, window_end);
    }
    if (auto* n = std::get_if<NetworkFault>(&f.action)) {
      EXPECT_LE(f.at_ms + n->duration_ms, window_end);
    }
    if (auto* c = std::get_if<ClogFault>(&f.action)) {
      EXPECT_LE(f.at_ms + c->duration_ms, window_end);
    }
  }
  for (const auto& [node, count] : down) EXPECT_EQ(count, 0) << node << " never restarted";
  EXPECT_EQ(open_partitions, 0);
}

TEST(Swarm, EveryDrawnValueIsWithinBoundsAndFaultsEndHealed) {
  for (uint64_t seed = 0; seed < 300; ++seed) {
    SCOPED_TRACE(seed);
    const Knobs k = ResolveKnobs(SwarmScenario(), seed);
    ExpectKnobsWithinSwarmBounds(k);
    ExpectFaultsEndHealed(k);
    ASSERT_FALSE(HasFailure());
  }
}

// A swarm must be able to draw every kind of fault and every variant of one.
TEST(Swarm, FaultsCoverEveryKindOverSomeSeeds) {
  std::set<std::string> seen;
  for (uint64_t seed = 0; seed < 100; ++seed) {
    for (const Fault& f : ResolveKnobs(SwarmScenario(), seed).faults) {
      std::string kind(FaultKind(f.action));
      if (auto* c = std::get_if<CrashFault>(&f.action)) kind += "/" + c->mode;
      if (auto* c = std::get_if<ClogFault>(&f.action)) kind += c->node ? "/node" : "/link";
      if (auto* p = std::get_if<PartitionFault>(&f.action)) {
        kind += p->duration_ms ? "/timed" : "/untimed";
        if (p->groups.size() == 3) seen.insert("partition/3groups");
      }
      seen.insert(kind);
    }
  }
  for (const char* kind : {"crash/process", "crash/machine", "restart", "pause", "partition/timed",
                           "partition/untimed", "partition/3groups", "one_way", "heal", "clog/node",
                           "clog/link", "clock_jump", "clock_drift", "network"}) {
    EXPECT_TRUE(seen.contains(kind)) << kind;
  }
}

TEST(Swarm, AShortRunDrawsNoFaults) {
  const Knobs k = ResolveKnobs(Parse(R"({"name": "s", "swarm": true, "duration_ms": 1000})"), 3);
  EXPECT_TRUE(k.faults.empty());
}

TEST(Swarm, AnExplicitEmptyFaultListStaysEmpty) {
  const Knobs k = ResolveKnobs(Parse(R"({"name": "s", "swarm": true, "faults": []})"), 3);
  EXPECT_TRUE(k.faults.empty());
}

// Draw 35: the swarm draws PCT and random scheduling beside timed delivery, within bounds, and
// only a file that draws its faults draws it (a verdict's knobs carry theirs and replay as run).
TEST(Swarm, DrawsTheSchedulerOnlyWhenItDrawsItsFaults) {
  std::map<std::string, int> kinds;
  for (uint64_t seed = 1; seed <= 400; ++seed) {
    const Knobs k = ResolveKnobs(SwarmScenario(), seed);
    ++kinds[k.scheduler.kind];
    if (k.scheduler.kind == "pct") {
      EXPECT_GE(k.scheduler.depth, SwarmBounds::kPctDepth.lo);
      EXPECT_LE(k.scheduler.depth, SwarmBounds::kPctDepth.hi);
      EXPECT_GE(k.scheduler.steps, 1000);
      EXPECT_LE(k.scheduler.steps, 100000);
    } else {
      EXPECT_EQ(k.scheduler.depth, SchedulerConfig{}.depth) << "only pct keeps its draws";
      EXPECT_EQ(k.scheduler.steps, SchedulerConfig{}.steps);
    }
    const Knobs given = ResolveKnobs(Parse(R"({"name": "s", "swarm": true, "faults": []})"), seed);
    EXPECT_EQ(given.scheduler, SchedulerConfig{}) << seed;
  }
  EXPECT_GT(kinds["timed"], 150);
  EXPECT_GT(kinds["random"], 60);
  EXPECT_GT(kinds["pct"], 60);
  const Knobs file =
      ResolveKnobs(Parse(R"({"name": "s", "swarm": true, "scheduler": {"kind": "random"}})"), 3);
  EXPECT_EQ(file.scheduler.kind, "random");
}

TEST(KnobsJson, IsCompleteAndDeterministic) {
  const Knobs k = ResolveKnobs(SwarmScenario(), 11);
  const nlohmann::json j = KnobsToJson(k);
  EXPECT_EQ(j.dump(), KnobsToJson(ResolveKnobs(SwarmScenario(), 11)).dump());
  for (const char* key : {"seed", "duration_ms", "system", "swarm", "cluster", "network", "disk",
                          "clocks", "workload", "faults"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["workload"]["mix"].size(), MixOperations().size());
}

TEST(KnobsJson, FromJsonIsAsStrictAsAScenario) {
  nlohmann::json j = KnobsToJson(ResolveKnobs(SwarmScenario(), 2));
  j["cluster"].erase("partitions");
  auto k = KnobsFromJson(j, "v.json: $.knobs");
  ASSERT_FALSE(k.ok());
  EXPECT_NE(k.status().message().find("v.json: $.knobs: $.cluster.partitions: expected an integer"),
            std::string::npos)
      << k.status().message();
  j = KnobsToJson(ResolveKnobs(SwarmScenario(), 2));
  j["name"] = "stray";
  EXPECT_FALSE(KnobsFromJson(j, "v.json").ok());
}

TEST(KnobsJson, DefaultsRoundTrip) {
  const Knobs k = ResolveKnobs(Parse(R"({"name": "d"})"), 123);
  auto back = KnobsFromJson(KnobsToJson(k), "knobs");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, k);
}

// Replay depends on this: the knobs a verdict records, read back from its text, are the knobs
// that ran, for any swarm draw.
RC_GTEST_PROP(KnobsJson, SwarmKnobsRoundTripThroughText, (uint64_t seed)) {
  const Knobs k = ResolveKnobs(SwarmScenario(), seed);
  const std::string text = KnobsToJson(k).dump(2);
  auto parsed = ParseJsonText(text, "verdict.json");
  RC_ASSERT(parsed.ok());
  auto back = KnobsFromJson(*parsed, "verdict.json");
  if (!back.ok()) RC_FAIL(back.status().ToString());
  RC_ASSERT(*back == k);
  RC_ASSERT(KnobsToJson(*back).dump(2) == text);
}

}  // namespace
}  // namespace pg::sim

namespace pg::sim {
namespace {

TEST(Swarm, DrawnDurationCoversEveryExplicitFault) {
  const Scenario s =
      Parse(R"({"name": "s", "swarm": true, "faults": [{"at_ms": 85500, "kind": "heal"}]})");
  for (uint64_t seed = 0; seed < 50; ++seed) {
    EXPECT_GE(ResolveKnobs(s, seed).duration_ms, 86000);
  }
}

}  // namespace
}  // namespace pg::sim
