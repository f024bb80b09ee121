#pragma once
// Step-level harness for the MetaServer: a map-backed disk that the test appends to when the
// meta asks, a fixed Rng, and helpers that step one input and pick effects of one kind.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/meta/meta_log.h"
#include "core/meta/meta_server.h"
#include "tests/meta/full_layout.h"
#include "tests/support/map_disk.h"
#include "tests/support/outbox_views.h"
#include "tests/support/sim_time.h"
#include "tests/support/test_nodes.h"
#include "tests/support/throwing_asserts.h"

namespace pg::testing {

class CountingRng final : public Rng {
 public:
  uint64_t NextU64() override { return state_ += 0x9E3779B97F4A7C15ULL; }

 private:
  uint64_t state_ = 1;
};

inline std::vector<NodeId> Servers(int n) {
  std::vector<NodeId> v;
  for (int i = 0; i < n; ++i) v.push_back(NodeId(1 + i));
  return v;
}

// One meta server over a MapDisk; appends land on the disk when the test completes them.
class MetaFixture {
 public:
  explicit MetaFixture(MetaServerOptions options) : options_(std::move(options)) { Rebuild(); }

  void Rebuild() {
    meta_ = std::make_unique<MetaServer>(
        NodeEnv{.id = kMeta, .name = "meta/0", .rng = &rng_, .disk = &disk_}, options_);
  }

  // Steps one input; appends are written to the disk at once (completion is separate).
  Outbox Step(Time now, Input input) {
    Outbox out;
    meta_->Step(now, input, out);
    meta_->CheckInvariants();
    for (const AppendLog& a : AppendsOf(out)) disk_.files[a.file] += a.bytes;
    return out;
  }
  Outbox Receive(Time now, NodeId from, Message msg) {
    return Step(now, pg::Receive{.from = from, .msg = std::move(msg)});
  }
  Outbox Complete(Time now, const AppendLog& a) {
    return Step(now, LogAppended{.file = a.file, .token = a.token});
  }
  // Boots over a meta.log that holds a serving table (FullLayout), as a meta that restarts.
  void BootReady(Time now) {
    std::string& log = disk_.files[kMetaLogFile];
    if (log.empty()) {
      for (const PartitionConfiguration& pc :
           FullLayout(options_.partition_count, options_.replica_count, options_.replica_servers,
                      options_.app_id)) {
        log += EncodeMetaLogRecord(pc);
      }
    }
    BootCreating(now);
  }
  // Boots and completes whatever the boot writes, and what those completions write: the sync of
  // a replayed meta.log, a new table's creation (memberless).
  void BootCreating(Time now) {
    std::vector<AppendLog> appends = AppendsOf(Step(now, Boot{}));
    while (!appends.empty()) {
      const AppendLog a = appends.front();
      appends.erase(appends.begin());
      for (const AppendLog& more : AppendsOf(Complete(now, a))) appends.push_back(more);
    }
    ASSERT_TRUE(meta_->ready());
  }

  MetaServer& meta() { return *meta_; }
  MapDisk& disk() { return disk_; }
  const MetaServerOptions& options() const { return options_; }

 private:
  MetaServerOptions options_;
  MapDisk disk_;
  CountingRng rng_;
  std::unique_ptr<MetaServer> meta_;
};

inline MetaServerOptions DefaultMetaOptions() {
  return {.replica_servers = Servers(4), .partition_count = 8, .replica_count = 3};
}

// Partition pc's primary forces the next ballot and meta persists it (at 1 ms and 2 ms).
inline void ForceNextBallot(MetaFixture& f, const PartitionConfiguration& pc) {
  PartitionConfiguration next = pc;
  next.ballot = pc.ballot.next();
  Outbox bumped = f.Receive(
      At(1), *pc.primary,
      UpdateConfigRequest{
          .type = ConfigType::kPrimaryForceUpdateBallot, .config = next, .node = *pc.primary});
  for (const AppendLog& a : AppendsOf(bumped)) f.Complete(At(2), a);
}

}  // namespace pg::testing
