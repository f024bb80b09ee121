// A crash triggered at a protocol point ("crash" with "on_mark"): the loader accepts only the
// known crash marks, the knobs keep the trigger through a verdict, and the nemesis crashes the
// node right after the step that emitted the mark (that step's effects done), or records a no-op
// when the mark never comes.
#include <gtest/gtest.h>

#include <memory>

#include "sim/kernel/cluster.h"
#include "sim/scenario/crash_marks.h"
#include "sim/scenario/knobs.h"
#include "sim/scenario/nemesis.h"
#include "tests/scenario/nemesis_harness.h"

namespace pg::sim {
namespace {

// Every 500 ms of its own clock, appends three bytes to its log and emits "learn.start".
class MarkingNode final : public Node {
 public:
  void Step(Time, const Input& input, Outbox& out) override {
    if (std::holds_alternative<Boot>(input) || std::holds_alternative<TimerFired>(input)) {
      if (!std::holds_alternative<Boot>(input)) {
        out.AppendLog({.file = "plog.1", .token = ++token_, .bytes = "abc", .sync = false});
        out.Mark("learn.start");
      }
      out.SetTimer(TimerId(1), Millis(500));
    }
  }
  void CheckInvariants() const override {}

 private:
  uint64_t token_ = 0;
};

using nemesis_harness::At;
using nemesis_harness::KnobsFor;
using nemesis_harness::LogHas;

std::unique_ptr<Cluster> BuildCluster(const Knobs& k) {
  return nemesis_harness::BuildWith<MarkingNode>(k, {.record_trace = true});
}

std::string LoadError(const std::string& faults) {
  auto s = nemesis_harness::ParseWithFaults(faults, "", "m.json");
  return s.ok() ? "" : s.status().message();
}

TEST(CrashOnMark, TheLoaderTakesOnlyKnownMarksAndAWindowWithAMark) {
  EXPECT_EQ(LoadError(R"([{"at_ms": 1, "kind": "crash", "node": "replica/0",
                           "on_mark": "learn.start", "within_ms": 2000}])"),
            "");
  const std::string unknown = LoadError(
      R"([{"at_ms": 1, "kind": "crash", "node": "replica/0", "on_mark": "learn.bogus"}])");
  EXPECT_NE(unknown.find("m.json: $.faults[0].on_mark: expected one of the crash marks"),
            std::string::npos)
      << unknown;
  EXPECT_NE(unknown.find("learn.caught_up"), std::string::npos) << unknown;
  const std::string alone =
      LoadError(R"([{"at_ms": 1, "kind": "crash", "node": "replica/0", "within_ms": 5}])");
  EXPECT_NE(alone.find("$.faults[0].within_ms: expected within_ms only with on_mark"),
            std::string::npos)
      << alone;
  EXPECT_NE(LoadError(R"([{"at_ms": 1, "kind": "crash", "node": "replica/0",
                           "on_mark": "learn.start", "within_ms": 3600001}])")
                .find("$.faults[0].within_ms"),
            std::string::npos);
  for (std::string_view mark : ReplicaCrashMarks()) EXPECT_TRUE(IsCrashMark(mark)) << mark;
  EXPECT_FALSE(IsCrashMark("learn"));
}

TEST(CrashOnMark, KnobsKeepTheTriggerThroughJson) {
  const Knobs k = KnobsFor(R"([{"at_ms": 1, "kind": "crash", "node": "replica/0", "mode":
                                "machine", "on_mark": "learn.from_checkpoint", "within_ms": 700},
                               {"at_ms": 2, "kind": "crash", "node": "replica/1"}])");
  const nlohmann::json j = KnobsToJson(k);
  EXPECT_EQ(j["faults"][0]["on_mark"], "learn.from_checkpoint");
  EXPECT_EQ(j["faults"][0]["within_ms"], 700);
  // A plain crash writes neither key, so its label (and every existing trace) is unchanged.
  EXPECT_FALSE(j["faults"][1].contains("on_mark"));
  EXPECT_FALSE(j["faults"][1].contains("within_ms"));
  auto back = KnobsFromJson(j, "knobs");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, k);
}

TEST(CrashOnMark, TheNodeCrashesRightAfterTheStepThatEmitsTheMark) {
  auto c = BuildCluster(KnobsFor(R"([{"at_ms": 1200, "kind": "crash", "node": "replica/0",
                               "on_mark": "learn.start", "within_ms": 2000}])"));
  const NodeId r0 = *c->FindNode("replica/0");
  c->RunUntil(At(1499));
  EXPECT_TRUE(c->is_up(r0));
  EXPECT_TRUE(LogHas(*c, 1200, "crash trigger 0 armed: replica/0 (process) on mark learn.start"));
  c->RunUntil(At(1500));
  EXPECT_FALSE(c->is_up(r0));
  EXPECT_TRUE(LogHas(*c, 1500, "crash trigger 0 fired: crash replica/0 (process)"));
  // The step's append was issued, and was in flight when the crash took it: the appends before
  // it (500, 1000 ms) survive, not the one at 1500 ms.
  EXPECT_EQ(c->disk(r0).size("plog.1"), 6U);
  // In the trace the crash directly follows the step that emitted the mark.
  const auto& trace = c->trace();
  size_t fired = 0;
  while (fired < trace.size() && trace[fired].what.find("fired") == std::string::npos) ++fired;
  ASSERT_LT(fired, trace.size());
  ASSERT_GT(fired, 0U);
  EXPECT_EQ(trace[fired - 1].node, "replica/0");
  EXPECT_NE(trace[fired - 1].what.find("learn.start"), std::string::npos) << trace[fired - 1].what;
  // It fires once: the node stays down, and the deadline finds nothing left to expire.
  c->RunUntil(At(4000));
  EXPECT_FALSE(c->is_up(r0));
  for (const auto& [at, what] : c->fault_log()) {
    EXPECT_EQ(what.find("expired"), std::string::npos) << what;
  }
}

TEST(CrashOnMark, AMarkThatNeverComesIsARecordedNoOp) {
  auto c = BuildCluster(KnobsFor(R"([{"at_ms": 1000, "kind": "crash", "node": "replica/1",
                               "mode": "machine", "on_mark": "learn.caught_up",
                               "within_ms": 800}])"));
  c->RunUntil(At(5000));
  EXPECT_TRUE(c->is_up(*c->FindNode("replica/1")));
  EXPECT_TRUE(LogHas(*c, 1000, "crash trigger 0 armed: replica/1 (machine)"));
  EXPECT_TRUE(LogHas(*c, 1800,
                     "crash trigger 0 expired: replica/1 never emitted learn.caught_up; no crash"));
}

TEST(CrashOnMark, ATriggerArmedOnADownNodeFiresWhenItComesBack) {
  auto c = BuildCluster(KnobsFor(R"([{"at_ms": 100, "kind": "crash", "node": "replica/0"},
                              {"at_ms": 200, "kind": "crash", "node": "replica/0",
                               "mode": "machine", "on_mark": "learn.start"},
                              {"at_ms": 300, "kind": "restart", "node": "replica/0"}])"));
  const NodeId r0 = *c->FindNode("replica/0");
  c->RunUntil(At(799));
  EXPECT_TRUE(c->is_up(r0));
  c->RunUntil(At(800));  // its first mark after the restart, 500 ms into the new incarnation
  EXPECT_FALSE(c->is_up(r0));
  EXPECT_TRUE(LogHas(*c, 800, "fired: crash replica/0 (machine) on mark learn.start"));
}

TEST(CrashOnMark, CancelledTriggersNeverFire) {
  auto c = BuildCluster(KnobsFor("[]"));
  const NodeId r2 = *c->FindNode("replica/2");
  c->RunUntil(At(100));
  c->CancelCrashTriggers();  // none armed: nothing logged
  const size_t logged = c->fault_log().size();
  c->ArmCrashOnMark(r2, "learn.start", CrashMode::kProcess, At(5000));
  c->CancelCrashTriggers();
  ASSERT_EQ(c->fault_log().size(), logged + 2);
  EXPECT_NE(c->fault_log().back().second.find("crash trigger 0 cancelled: replica/2"),
            std::string::npos);
  c->RunUntil(At(6000));
  EXPECT_TRUE(c->is_up(r2));
}

}  // namespace
}  // namespace pg::sim
