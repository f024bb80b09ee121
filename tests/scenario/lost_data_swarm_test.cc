// The swarm's lost-data episodes: a wiped disk, or bit rot in one replica server's private logs
// (with RocksDB storage: or its SST files or MANIFESTs), read back by a restart. At most one a run
// and only on a replica server (one replica of each partition losing durable data is what the core
// must survive); the register system draws none.
#include <gtest/gtest.h>

#include <set>

#include "sim/scenario/knobs.h"

namespace pg::sim {
namespace {

Scenario SwarmOf(const char* json) {
  auto s = ParseScenario(json, "s.json");
  PG_ASSERT(s.ok(), "{}", s.status().ToString());
  return std::move(s).value();
}

TEST(LostDataSwarm, OneReplicaServerAtMostARunAndAlwaysRestarted) {
  const Scenario swarm = SwarmOf(R"({"name": "s", "swarm": true, "duration_ms": 40000})");
  int runs_with_loss = 0;
  std::set<std::string> kinds;
  std::set<std::string> targets;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    SCOPED_TRACE(seed);
    const Knobs k = ResolveKnobs(swarm, seed);
    const Fault* loss = nullptr;
    std::string node;
    for (const Fault& f : k.faults) {
      const auto* c = std::get_if<CorruptFault>(&f.action);
      const auto* w = std::get_if<WipeFault>(&f.action);
      if (c == nullptr && w == nullptr) continue;
      ASSERT_EQ(loss, nullptr) << "a second loss of durable data";
      loss = &f;
      node = c != nullptr ? c->node : w->node;
      EXPECT_TRUE(node.starts_with("replica/")) << node;
      if (c != nullptr) {
        // RocksDB's files rot only where the storage is RocksDB; a log's rot hits the plogs.
        if (k.storage != "rocksdb") {
          EXPECT_EQ(c->target, "log");
        }
        EXPECT_EQ(c->file_prefix, c->target == "log" ? "plog." : "");
        targets.insert(k.storage + " " + c->target);
      }
    }
    if (loss == nullptr) continue;
    ++runs_with_loss;
    int64_t crash_at = -1;
    int64_t restart_at = -1;
    for (const Fault& f : k.faults) {
      if (const auto* c = std::get_if<CrashFault>(&f.action); c && c->node == node) {
        if (f.at_ms == loss->at_ms - 1 || f.at_ms > loss->at_ms) crash_at = f.at_ms;
      }
      if (const auto* r = std::get_if<RestartFault>(&f.action); r && r->node == node) {
        if (f.at_ms > loss->at_ms) restart_at = std::max(restart_at, f.at_ms);
      }
    }
    if (std::holds_alternative<WipeFault>(loss->action)) {
      // The wipe takes a running node down itself; it comes back empty at the episode's end,
      // within meta's grace (7 s) or after it.
      ASSERT_GT(restart_at, loss->at_ms);
      kinds.insert(restart_at - loss->at_ms <= 7000 ? "wipe, back within grace"
                                                    : "wipe, back after grace");
      continue;
    }
    // Rot: a crash of the node 1 ms before it (crashed first) or after it (rotted while it
    // runs); either way a restart after both.
    ASSERT_GE(crash_at, 0);
    EXPECT_GT(restart_at, std::max(crash_at, loss->at_ms));
    kinds.insert(crash_at < loss->at_ms ? "rot, crashed first" : "rot while running");
  }
  // 2..12 episodes a run, one slot in 12: a run draws one with chance about 1 - (11/12)^7.
  EXPECT_GE(runs_with_loss, 100);
  EXPECT_LE(runs_with_loss, 250);
  EXPECT_EQ(kinds, (std::set<std::string>{"rot, crashed first", "rot while running",
                                          "wipe, back within grace", "wipe, back after grace"}));
  EXPECT_EQ(targets, (std::set<std::string>{"memory log", "rocksdb log", "rocksdb manifest",
                                            "rocksdb sst"}));
}

TEST(LostDataSwarm, TheRegisterSystemDrawsNone) {
  const Scenario swarm = SwarmOf(R"({"name": "r", "swarm": true, "system": "register"})");
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    for (const Fault& f : ResolveKnobs(swarm, seed).faults) {
      EXPECT_FALSE(std::holds_alternative<CorruptFault>(f.action)) << seed;
      EXPECT_FALSE(std::holds_alternative<WipeFault>(f.action)) << seed;
    }
  }
}

}  // namespace
}  // namespace pg::sim
