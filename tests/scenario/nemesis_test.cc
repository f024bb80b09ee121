// The nemesis over a cluster of idle nodes: each fault takes effect at its time, ends after its
// duration, and impossible steps are recorded as ignored rather than asserted.
#include "sim/scenario/nemesis.h"

#include <gtest/gtest.h>

#include <memory>

#include "core/storage/mutation_log.h"
#include "sim/kernel/cluster.h"
#include "tests/scenario/nemesis_harness.h"

namespace pg::sim {
namespace {

using nemesis_harness::At;
using nemesis_harness::BuildOptions;
using nemesis_harness::Id;
using nemesis_harness::KnobsFor;
using nemesis_harness::LogAt;
using nemesis_harness::LogHas;

std::unique_ptr<Cluster> Build(const Knobs& k, BuildOptions o = {}) {
  return nemesis_harness::BuildWith<nemesis_harness::IdleNode>(k, o);
}

TEST(Nemesis, CrashAndRestartTakeEffectAtTheirTimes) {
  auto c =
      Build(KnobsFor(R"([{"at_ms": 1000, "kind": "crash", "node": "replica/1", "mode": "machine"},
                              {"at_ms": 2000, "kind": "restart", "node": "replica/1"}])"));
  const NodeId r1 = Id(*c, "replica/1");
  c->RunUntil(At(999));
  EXPECT_TRUE(c->is_up(r1));
  c->RunUntil(At(1000));
  EXPECT_FALSE(c->is_up(r1));
  EXPECT_TRUE(LogHas(*c, 1000, "crash replica/1 (machine)"));
  c->RunUntil(At(2000));
  EXPECT_TRUE(c->is_up(r1));
  EXPECT_TRUE(LogHas(*c, 2000, "restart replica/1"));
}

TEST(Nemesis, ImpossibleStepsAreRecordedAsIgnored) {
  auto c = Build(KnobsFor(R"([{"at_ms": 100, "kind": "crash", "node": "replica/0"},
                              {"at_ms": 200, "kind": "crash", "node": "replica/0"},
                              {"at_ms": 300, "kind": "restart", "node": "replica/1"},
                              {"at_ms": 400, "kind": "pause", "node": "replica/0", "duration_ms": 50}])"));
  c->RunUntil(At(1000));
  EXPECT_FALSE(c->failure().has_value());
  EXPECT_TRUE(LogHas(*c, 200, "ignored")) << "crash of a down node";
  EXPECT_TRUE(LogHas(*c, 300, "ignored")) << "restart of an up node";
  EXPECT_TRUE(LogHas(*c, 400, "ignored")) << "pause of a down node";
  EXPECT_TRUE(LogAt(*c, 450).empty()) << "an ignored pause schedules no resume";
}

TEST(Nemesis, PauseResumesAfterItsDuration) {
  auto c = Build(KnobsFor(R"([{"at_ms": 100, "kind": "pause", "node": "meta/0", "duration_ms": 100},
                              {"at_ms": 150, "kind": "pause", "node": "meta/0", "duration_ms": 10}])"));
  const NodeId meta = Id(*c, "meta/0");
  c->RunUntil(At(100));
  EXPECT_TRUE(c->is_paused(meta));
  c->RunUntil(At(160));
  EXPECT_TRUE(c->is_paused(meta)) << "the second pause was ignored, so it resumes nothing";
  EXPECT_TRUE(LogHas(*c, 150, "already paused"));
  c->RunUntil(At(200));
  EXPECT_FALSE(c->is_paused(meta));
  EXPECT_TRUE(LogHas(*c, 200, "resume meta/0"));
}

TEST(Nemesis, AResumeEndsOnlyItsOwnPause) {
  auto c =
      Build(KnobsFor(R"([{"at_ms": 100, "kind": "pause", "node": "replica/2", "duration_ms": 400},
                              {"at_ms": 200, "kind": "crash", "node": "replica/2"},
                              {"at_ms": 250, "kind": "restart", "node": "replica/2"},
                              {"at_ms": 300, "kind": "pause", "node": "replica/2", "duration_ms": 500}])"));
  const NodeId r2 = Id(*c, "replica/2");
  c->RunUntil(At(600));
  EXPECT_TRUE(c->is_paused(r2)) << "the first pause's resume (at 500) must not end the second";
  c->RunUntil(At(800));
  EXPECT_FALSE(c->is_paused(r2));
}

TEST(Nemesis, PartitionsHealAfterTheirDurationOrOnHeal) {
  auto c = Build(KnobsFor(R"([
      {"at_ms": 100, "kind": "partition", "groups": [["replica/0"], ["replica/1", "meta/0"]],
       "duration_ms": 50},
      {"at_ms": 200, "kind": "one_way", "from": ["client/0"], "to": ["replica/3"]},
      {"at_ms": 300, "kind": "heal"}])"));
  c->RunUntil(At(400));
  EXPECT_TRUE(LogHas(*c, 100, "partition"));
  EXPECT_TRUE(LogHas(*c, 150, "heal partition"));
  EXPECT_TRUE(LogHas(*c, 200, "one-way partition"));
  EXPECT_TRUE(LogHas(*c, 300, "heal all partitions"));
}

TEST(Nemesis, ClogsAndClocksReachTheCluster) {
  auto c = Build(KnobsFor(R"([
      {"at_ms": 100, "kind": "clog", "node": "replica/0", "duration_ms": 50},
      {"at_ms": 110, "kind": "clog", "from": "client/1", "to": "replica/2", "duration_ms": 50},
      {"at_ms": 120, "kind": "clock_jump", "node": "replica/1", "by_ms": -300},
      {"at_ms": 130, "kind": "clock_drift", "node": "replica/1", "drift_ppm": 500}])"));
  c->RunUntil(At(200));
  EXPECT_TRUE(LogHas(*c, 100, "clog replica/0"));
  EXPECT_TRUE(LogHas(*c, 110, "clog link client/1->replica/2"));
  EXPECT_TRUE(LogHas(*c, 120, "jump clock of replica/1"));
  EXPECT_TRUE(LogHas(*c, 130, "set clock drift of replica/1"));
}

// Overlapping spells: when the inner one ends the outer one is back in force, and when the outer
// ends the scenario's own network comes back.
TEST(Nemesis, NetworkSpellsNestAndRestoreTheBaseline) {
  auto c = Build(KnobsFor(R"([
      {"at_ms": 100, "kind": "network", "drop_probability": 0.25, "duration_ms": 400},
      {"at_ms": 200, "kind": "network", "reorder_probability": 0.75, "duration_ms": 100}])",
                          R"(, "network": {"duplicate_probability": 0.125})"));
  c->RunUntil(At(600));
  EXPECT_TRUE(LogHas(*c, 100, "drop 0.25 duplicate 0.125 reorder 0"));
  EXPECT_TRUE(LogHas(*c, 200, "drop 0 duplicate 0.125 reorder 0.75"));
  EXPECT_TRUE(LogHas(*c, 300, "drop 0.25 duplicate 0.125 reorder 0"));
  EXPECT_TRUE(LogHas(*c, 500, "drop 0 duplicate 0.125 reorder 0"));
}

// A straggle bound lasts as long as its spell; the baseline has none.
TEST(Nemesis, AStragglingSpellSetsItsBoundAndTheBaselineComesBackWithout) {
  auto c = Build(KnobsFor(R"([
      {"at_ms": 100, "kind": "network", "reorder_probability": 0.1, "straggle_ms": 2500,
       "duration_ms": 200}])"));
  c->RunUntil(At(400));
  EXPECT_TRUE(LogHas(*c, 100, "reorder 0.1 straggle 2500.000ms"));
  EXPECT_TRUE(LogHas(*c, 300, "drop 0 duplicate 0 reorder 0"));
  EXPECT_FALSE(LogHas(*c, 300, "straggle"));
}

// A spell with a node changes only that node's links, and its end returns them to the default.
TEST(Nemesis, ANodeSpellSetsThatNodesLinksOnly) {
  auto c = Build(KnobsFor(R"([
      {"at_ms": 100, "kind": "network", "node": "replica/1", "drop_probability": 0.5,
       "duration_ms": 200}])"));
  c->RunUntil(At(400));
  EXPECT_TRUE(LogHas(*c, 100, "set links of replica/1: latency"));
  EXPECT_TRUE(LogHas(*c, 100, "drop 0.5"));
  EXPECT_FALSE(LogHas(*c, 100, "set default link"));
  EXPECT_TRUE(LogHas(*c, 300, "links of replica/1 follow the default"));
}

TEST(Nemesis, AnUnknownNodeIsSkippedNotAsserted) {
  // A system that builds no meta servers (e.g. "register") still has meta/0 in its knobs.
  auto c = Build(KnobsFor(R"([{"at_ms": 100, "kind": "crash", "node": "meta/0"}])"),
                 {.with_meta = false});
  c->RunUntil(At(200));
  EXPECT_FALSE(c->failure().has_value());
}

TEST(Nemesis, SwarmSchedulesRunAndEndHealed) {
  auto s = ParseScenario(R"({"name": "s", "swarm": true})", "swarm.json");
  ASSERT_TRUE(s.ok());
  for (uint64_t seed = 0; seed < 20; ++seed) {
    SCOPED_TRACE(seed);
    const Knobs k = ResolveKnobs(*s, seed);
    auto c = Build(k);
    c->RunUntil(At(k.duration_ms));
    EXPECT_FALSE(c->failure().has_value());
    EXPECT_GE(c->fault_log().size(), k.faults.size());
    for (size_t i = 0; i < c->node_count(); ++i) {
      const NodeId id(static_cast<uint32_t>(i));
      EXPECT_TRUE(c->is_up(id)) << c->name(id);
      EXPECT_FALSE(c->is_paused(id)) << c->name(id);
    }
  }
}

TEST(Nemesis, LabelNamesKindAndFields) {
  EXPECT_EQ(FaultLabel(Fault{5, CrashFault{.node = "replica/1", .mode = "machine"}}),
            R"(crash {"mode":"machine","node":"replica/1"})");
}

// Bit rot (CorruptFault): one bit of one record before the last flips in each matching file, so
// a reader finds damage with intact records after it (not a torn tail); other files are untouched.
TEST(Nemesis, CorruptDamagesARecordWithIntactOnesAfterIt) {
  const Knobs k = KnobsFor(R"([{"at_ms": 100, "kind": "corrupt", "node": "replica/0"}])");
  auto c = Build(k);
  const NodeId r0 = Id(*c, "replica/0");
  std::string log;
  for (int d = 1; d <= 6; ++d) {
    log += EncodeLogRecord(LogRecord{
        .ballot = Ballot(1), .decree = Decree(d), .last_committed = Decree(d - 1), .payload = "x"});
  }
  c->disk(r0).Append("plog.1.0.1", log);
  c->disk(r0).MarkSynced("plog.1.0.1", log.size());
  c->disk(r0).Append("meta.log", log);
  c->disk(r0).MarkSynced("meta.log", log.size());
  c->RunUntil(Time::Zero() + Millis(200));
  const LogReadResult plog = ReadLog(*c->disk(r0).ReadFile("plog.1.0.1"));
  EXPECT_NE(plog.cut, LogCut::kNone);
  EXPECT_TRUE(plog.intact_record_after_cut) << "damage in the middle, not a torn tail";
  EXPECT_GE(plog.records.size(), 1u) << "one of the last few records, not the first";
  EXPECT_EQ(ReadLog(*c->disk(r0).ReadFile("meta.log")).cut, LogCut::kNone)
      << "only files with the prefix rot";
  EXPECT_EQ(LogAt(*c, 100).size(), 1u);
}

TEST(Nemesis, ACorruptFaultNamesAKnownNode) {
  auto bad = ParseScenario(
      R"({"name": "n", "faults": [{"at_ms": 1, "kind": "corrupt", "node": "replica/99"}]})",
      "c.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("$.faults[0].node"), std::string::npos)
      << bad.status().message();
}

}  // namespace
}  // namespace pg::sim

namespace pg::sim {
namespace {

// A disk_errors window sets the node's per-kind probabilities at its start and clears them at its
// end; a later overlapping window on the same node is not ended by the earlier one's end.
TEST(Nemesis, DiskErrorWindowsSetAndClearPerNode) {
  auto c = Build(KnobsFor(R"([
    {"at_ms": 1000, "kind": "disk_errors", "node": "replica/1", "write_error_probability": 0.5,
     "duration_ms": 2000},
    {"at_ms": 2000, "kind": "disk_errors", "node": "replica/1", "sync_error_probability": 1,
     "duration_ms": 3000}
  ])"));
  const NodeId r1 = Id(*c, "replica/1");
  const NodeId r2 = Id(*c, "replica/2");
  c->RunUntil(At(1500));
  EXPECT_EQ(c->disk(r1).faults(), (IoFaults{.read = 0, .write = 0.5, .sync = 0}));
  EXPECT_EQ(c->disk(r2).faults(), IoFaults{});
  c->RunUntil(At(3500));  // the first window's end passed; the second is in force
  EXPECT_EQ(c->disk(r1).faults(), (IoFaults{.read = 0, .write = 0, .sync = 1}));
  c->RunUntil(At(5500));
  EXPECT_EQ(c->disk(r1).faults(), IoFaults{});
  EXPECT_TRUE(LogHas(*c, 1000, "disk errors on replica/1"));
  EXPECT_TRUE(LogHas(*c, 5000, "disk errors on replica/1 end"));
}

// A full disk and a lying one are windows of the same fault, named so in the fault log.
TEST(Nemesis, DiskFullAndLyingSyncWindowsReachTheDisk) {
  auto c = Build(KnobsFor(R"([
    {"at_ms": 1000, "kind": "disk_errors", "node": "replica/1", "full": true, "duration_ms": 1000},
    {"at_ms": 3000, "kind": "disk_errors", "node": "replica/2", "lying_sync": true,
     "duration_ms": 1000}
  ])"));
  c->RunUntil(At(1500));
  EXPECT_EQ(c->disk(Id(*c, "replica/1")).faults(), (IoFaults{.full = true}));
  c->RunUntil(At(3500));
  EXPECT_EQ(c->disk(Id(*c, "replica/1")).faults(), IoFaults{});
  EXPECT_EQ(c->disk(Id(*c, "replica/2")).faults(), (IoFaults{.lying_sync = true}));
  EXPECT_TRUE(LogHas(*c, 1000, "disk full on replica/1"));
  EXPECT_TRUE(LogHas(*c, 3000, "lying syncs on replica/2"));
}

}  // namespace
}  // namespace pg::sim
