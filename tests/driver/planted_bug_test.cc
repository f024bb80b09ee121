// The bench must catch a broken system: a register server that keeps its state only in memory
// (acknowledges writes it never logs) loses acknowledged writes on every crash, and the checker
// has to say so. The same seeds with the real server stay green.
#include <gtest/gtest.h>

#include <map>

#include "sim/driver/runner.h"
#include "sim/driver/system_builder.h"
#include "sim/example/register_server.h"

namespace pg::sim {
namespace {

class VolatileRegisterServer final : public Node {
 public:
  void Step(Time, const Input& input, Outbox& out) override {
    const auto* r = std::get_if<Receive>(&input);
    if (!r) return;
    const auto* req = std::get_if<RegisterRequest>(&r->msg);
    if (!req) return;
    if (req->is_write) {
      state_[req->key] = req->value;  // BUG (planted): acknowledged, never logged
      out.Send(r->from, RegisterReply{.request_id = req->request_id});
      return;
    }
    std::optional<std::string> value;
    if (auto it = state_.find(req->key); it != state_.end()) value = it->second;
    out.Send(r->from, RegisterReply{.request_id = req->request_id, .value = value});
  }
  void CheckInvariants() const override {}

 private:
  std::map<std::string, std::string> state_;
};

Knobs CrashKnobs(uint64_t seed) {
  Result<Scenario> s = LoadScenario(PG_SOURCE_DIR "/scenarios/register/crash_process.json");
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return ResolveKnobs(*s, seed);
}

TEST(PlantedBug, VolatileServerLosesAcknowledgedWritesAndTheCheckerSaysIllegal) {
  RunOptions options;
  options.system_override = [](Cluster& cluster, const Knobs& knobs) {
    return BuildRegisterSystem(
        cluster, knobs, [](const NodeEnv&) { return std::make_unique<VolatileRegisterServer>(); });
  };
  int illegal = 0;
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    const RunOutcome outcome = RunKnobs(CrashKnobs(seed), options);
    if (outcome.failed()) {
      EXPECT_EQ(outcome.failure->kind, "checker:illegal") << outcome.failure->detail;
      ++illegal;
    }
  }
  EXPECT_GE(illegal, 5) << "the checker missed a server that forgets acknowledged writes";
}

TEST(PlantedBug, TheRealServerIsGreenOnTheSameSeeds) {
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    const RunOutcome outcome = RunKnobs(CrashKnobs(seed), {});
    EXPECT_FALSE(outcome.failed())
        << "seed " << seed << ": " << outcome.failure->kind << " " << outcome.failure->detail;
    EXPECT_GT(outcome.operations, 100u);
  }
}

}  // namespace
}  // namespace pg::sim
