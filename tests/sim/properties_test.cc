// Properties of the kernel over random fault schedules (rapidcheck shrinks a failing schedule to a
// small one). The ChaosNodes check from the inside; the event observer checks from the outside.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "sim/kernel/cluster.h"
#include "tests/sim/chaos.h"

namespace pg::sim {
namespace {

using testing::ChaosShared;
using testing::FaultStep;

constexpr uint32_t kNodes = 4;

rc::Gen<FaultStep> GenFault() {
  return rc::gen::build<FaultStep>(
      rc::gen::set(&FaultStep::at_us, rc::gen::inRange<int64_t>(0, 300'000)),
      rc::gen::set(&FaultStep::kind, rc::gen::inRange(0, testing::kFaultKinds)),
      rc::gen::set(&FaultStep::a, rc::gen::inRange<uint32_t>(0, kNodes)),
      rc::gen::set(&FaultStep::b, rc::gen::inRange<uint32_t>(0, kNodes)),
      rc::gen::set(&FaultStep::amount, rc::gen::inRange<int64_t>(1, 101)));
}

// What the outside observer saw going wrong.
struct Watch {
  std::vector<std::string> violations;
  Time last;
  std::map<uint32_t, bool> down;  // by the Crash/Restart calls the schedule made
};

struct Outcome {
  uint64_t hash = 0;
  uint64_t pings = 0;
  std::vector<std::string> violations;
};

Outcome RunSchedule(uint64_t seed, const std::vector<FaultStep>& faults, bool fifo_links) {
  Cluster cluster({.seed = seed, .default_link = testing::ChaosLink(fifo_links)});
  ChaosShared shared;
  shared.fifo_links = fifo_links;  // before AddChaosNodes: it picks the clocks
  testing::AddChaosNodes(cluster, &shared, kNodes);
  for (const FaultStep& f : faults) testing::Apply(cluster, f, fifo_links);
  Watch watch;
  cluster.SetEventObserver([&](uint64_t, Time at, NodeId node, const Input& in) {
    auto bad = [&](const std::string& what) {
      watch.violations.push_back(fmt::format("{} at {}ns: {}", cluster.name(node), at.ns(), what));
    };
    if (at < watch.last) bad("time went back");
    watch.last = at;
    if (at != cluster.now()) bad("observer time is not now");
    if (cluster.is_paused(node)) bad("stepped while paused");
    if (!cluster.is_up(node)) bad("stepped while down");
    if (const auto* r = std::get_if<Receive>(&in)) {
      if (cluster.Partitioned(r->from, node)) bad("received across an active partition");
    }
  });
  cluster.Start();
  cluster.RunUntil(Time::Zero() + Millis(400));
  Outcome out{.hash = cluster.trace_hash(), .pings = shared.pings_received, .violations = {}};
  out.violations = std::move(shared.violations);
  for (auto& v : watch.violations) out.violations.push_back(std::move(v));
  return out;
}

// No message crosses an active partition, time never goes back, no input reaches a paused or
// down node, and a new incarnation gets nothing of the old one's (timers, completions), under any
// fault schedule, with duplicate and reordering links.
RC_GTEST_PROP(KernelProperties, SafetyUnderAnyFaultSchedule, ()) {
  const auto faults = *rc::gen::container<std::vector<FaultStep>>(GenFault());
  const uint64_t seed = *rc::gen::inRange<uint64_t>(0, 1'000'000);
  const Outcome out = RunSchedule(seed, faults, false);
  RC_ASSERT(out.violations.empty());
  RC_ASSERT(out.pings > 0u);
}

// With FIFO links (no reorder, no duplicates) each link's Pings arrive in send order, whatever
// pauses, clogs, crashes and partitions do meanwhile: a paused node's inputs come after its
// resume, in order.
RC_GTEST_PROP(KernelProperties, FifoLinksStayInOrderAcrossPausesAndClogs, ()) {
  const auto faults = *rc::gen::container<std::vector<FaultStep>>(GenFault());
  const uint64_t seed = *rc::gen::inRange<uint64_t>(0, 1'000'000);
  // Order bugs need an arrival to coincide with a resume or clog end: four seeds per schedule
  // make that likely within rapidcheck's default 100 cases.
  for (uint64_t s = seed; s < seed + 4; ++s) {
    const Outcome out = RunSchedule(s, faults, true);
    RC_ASSERT(out.violations.empty());
  }
}

RC_GTEST_PROP(KernelProperties, ScheduleAndSeedDetermineTheRun, ()) {
  const auto faults = *rc::gen::container<std::vector<FaultStep>>(GenFault());
  const uint64_t seed = *rc::gen::inRange<uint64_t>(0, 1'000'000);
  RC_ASSERT(RunSchedule(seed, faults, false).hash == RunSchedule(seed, faults, false).hash);
}

// The checks must be able to fail: claim every link's first Ping was sent across a partition, and
// its arrival is reported.
TEST(KernelProperties, InsideChecksReportWhatTheyCatch) {
  Cluster cluster({.seed = 1});
  ChaosShared shared;
  testing::AddChaosNodes(cluster, &shared, 2);
  for (uint32_t from = 0; from < 2; ++from) {
    for (uint32_t to = 0; to < 2; ++to) shared.sent_across_cut.insert({from, to, 0});
  }
  cluster.Start();
  cluster.RunUntil(Time::Zero() + Millis(50));
  ASSERT_FALSE(shared.violations.empty());
  EXPECT_NE(shared.violations[0].find("sent across a partition"), std::string::npos);
}

}  // namespace
}  // namespace pg::sim
