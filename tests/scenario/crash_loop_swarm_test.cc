// The swarm's crash loops: a server crashed, restarted and crashed again while it recovers (on a
// recovery mark or after a short delay), then restarted. They are drawn at a steady rate, from
// the seed alone, with marks that fit the node, and the loop is over before its episode ends.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "sim/scenario/crash_marks.h"
#include "sim/scenario/knobs.h"

namespace pg::sim {
namespace {

const Scenario& PegasusSwarm() {
  static const Scenario* const kScenario = [] {
    auto s = ParseScenario(R"({"name": "s", "swarm": true, "duration_ms": 40000})", "s.json");
    PG_ASSERT(s.ok(), "{}", s.status().ToString());
    return new Scenario(std::move(s).value());
  }();
  return *kScenario;
}

bool MarkFits(const Knobs& k, const CrashFault& f) {
  EXPECT_TRUE(!f.node.starts_with("coord/") || k.coord_servers > 1)
      << "a single coordination server emits no crash marks";
  const auto marks = f.node.starts_with("coord/")  ? CoordPeerCrashMarks()
                     : f.node.starts_with("meta/") ? MetaCrashMarks(k.meta_servers)
                                                   : ReplicaCrashMarks();
  return std::find(marks.begin(), marks.end(), *f.on_mark) != marks.end();
}

// Whether `node` restarts at `at_ms` (episodes may overlap: other restarts may come earlier).
bool RestartsAt(const Knobs& k, const std::string& node, int64_t at_ms) {
  return std::any_of(k.faults.begin(), k.faults.end(), [&](const Fault& f) {
    const auto* r = std::get_if<RestartFault>(&f.action);
    return r != nullptr && r->node == node && f.at_ms == at_ms;
  });
}

TEST(CrashLoopSwarm, DrawnAtASteadyRateWithMarksThatFitTheNode) {
  int on_mark = 0;
  int runs_with_a_second_crash = 0;
  std::set<std::string> marks;
  std::set<std::string> modes;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    SCOPED_TRACE(seed);
    const Knobs k = ResolveKnobs(PegasusSwarm(), seed);
    std::map<std::string, int> crashes;
    for (const Fault& f : k.faults) {
      const auto* c = std::get_if<CrashFault>(&f.action);
      if (c == nullptr) continue;
      ++crashes[c->node];
      if (!c->on_mark) continue;
      ++on_mark;
      marks.insert(*c->on_mark);
      modes.insert(c->mode);
      EXPECT_TRUE(MarkFits(k, *c)) << c->node << " " << *c->on_mark;
      ASSERT_TRUE(c->within_ms.has_value());
      // The trigger expires 1 ms before the loop's final restart.
      EXPECT_TRUE(RestartsAt(k, c->node, f.at_ms + *c->within_ms + 1));
    }
    if (std::any_of(crashes.begin(), crashes.end(), [](const auto& c) { return c.second >= 2; }))
      ++runs_with_a_second_crash;
  }
  // 2..12 episodes a run, one kind in 12 (and the rot slot after a run's first rot), half of
  // those on a mark: about 60 in 200 runs.
  EXPECT_GE(on_mark, 30);
  EXPECT_LE(on_mark, 120);
  EXPECT_GE(runs_with_a_second_crash, 60);
  EXPECT_GE(marks.size(), 8U);
  EXPECT_EQ(modes, (std::set<std::string>{"machine", "process"}));
}

TEST(CrashLoopSwarm, TheDrawIsAFunctionOfTheSeed) {
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    EXPECT_EQ(KnobsToJson(ResolveKnobs(PegasusSwarm(), seed)).dump(),
              KnobsToJson(ResolveKnobs(PegasusSwarm(), seed)).dump());
  }
}

// The register system's nodes emit no core marks: its loops always crash after a delay.
TEST(CrashLoopSwarm, TheRegisterSystemDrawsNoMarks) {
  auto s = ParseScenario(R"({"name": "r", "swarm": true, "system": "register"})", "r.json");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    for (const Fault& f : ResolveKnobs(*s, seed).faults) {
      const auto* c = std::get_if<CrashFault>(&f.action);
      EXPECT_TRUE(c == nullptr || !c->on_mark) << seed;
    }
  }
}

}  // namespace
}  // namespace pg::sim
