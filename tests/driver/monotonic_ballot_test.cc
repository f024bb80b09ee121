// Invariant monotonic across a restart (sim/pegasus/pegasus_invariants.h): a replica loaded at
// boot must not come back below the ballot its init info holds on the disk. One replica server
// boots over a disk a previous life left (its log holds ballot 3, its init info ballot 7); the
// same server reading its disk through a view that hides the init info comes back at 3, the way a
// replica recovering its ballot from the log alone would (and persists 3, a record after the 7),
// and the check, which reads the disk itself and takes the largest ballot recorded since the
// replica's creation record, reports it.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/replica/replica_init_info.h"
#include "core/replica/replica_log.h"
#include "core/replica/replica_server.h"
#include "core/storage/mem_engine.h"
#include "sim/driver/runner.h"
#include "sim/pegasus/pegasus_invariants.h"

namespace pg::sim {
namespace {

constexpr Gpid kFloorGpid{.app_id = 1, .partition_index = 0};

// A node that takes every input and does nothing: the replica server's meta server.
class SilentNode final : public Node {
 public:
  void Step(Time, const Input&, Outbox&) override {}
  void CheckInvariants() const override {}
};

// The disk as a replica server that ignored its init info would read it.
class WithoutInitInfo final : public LocalDisk {
 public:
  explicit WithoutInitInfo(const LocalDisk* disk) : disk_(disk) {}
  Result<std::string> ReadFile(const std::string& file) const override {
    if (Hidden(file)) return Status(ErrorCode::kNotFound, file);
    return disk_->ReadFile(file);
  }
  bool Exists(const std::string& file) const override {
    return !Hidden(file) && disk_->Exists(file);
  }

 private:
  static bool Hidden(const std::string& file) { return file.starts_with("init_info."); }
  const LocalDisk* disk_;
};

void WriteSynced(SimDisk& disk, const std::string& file, const std::string& bytes) {
  disk.MarkSynced(file, disk.Append(file, bytes));
}

// What a previous life left: the replica indexed, one logged prepare of ballot 3, init info of
// ballot 7.
void SeedPreviousLife(SimDisk& disk) {
  WriteSynced(disk, std::string(kReplicaIndexFile),
              EncodeIndexEntry(ReplicaIndexEntry{.gpid = kFloorGpid}));
  WriteSynced(disk, PlogBaseName(kFloorGpid),
              EncodeLogRecord(LogRecord{.ballot = Ballot(3),
                                        .decree = Decree(1),
                                        .last_committed = Decree(0),
                                        .payload = Encode(std::vector<WriteUpdate>{})}));
  for (int64_t ballot : {0, 7}) {
    WriteSynced(disk, InitInfoBaseName(kFloorGpid),
                EncodeInitInfo(ReplicaInitInfo{.init_ballot = Ballot(ballot)}));
  }
}

RunOptions OneReplicaServer(bool hide_init_info) {
  RunOptions options;
  options.system_override = [hide_init_info](Cluster& cluster, const Knobs&) {
    const NodeId meta =
        cluster.AddNode("meta/0", [](const NodeEnv&) { return std::make_unique<SilentNode>(); });
    auto views = std::make_shared<std::vector<std::unique_ptr<WithoutInitInfo>>>();
    const NodeId replica =
        cluster.AddNode("replica/0", [meta, hide_init_info, views](const NodeEnv& env) {
          NodeEnv seen = env;
          if (hide_init_info) {
            views->push_back(std::make_unique<WithoutInitInfo>(env.disk));
            seen.disk = views->back().get();
          }
          ReplicaServerOptions o;
          o.meta_servers = {meta};
          o.open_engine = [](Gpid) -> Result<std::unique_ptr<KvEngine>> {
            return std::unique_ptr<KvEngine>(std::make_unique<MemEngine>());
          };
          return std::make_unique<ReplicaServer>(seen, std::move(o));
        });
    SeedPreviousLife(cluster.disk(replica));
    AddPegasusInvariants(cluster,
                         PegasusNodes{.meta_servers = {meta}, .replica_servers = {replica}});
    return Status::Ok();
  };
  return options;
}

Knobs FloorKnobs() {
  Knobs k;
  k.seed = 1;
  k.system = "ballot_floor";
  k.duration_ms = 1000;
  return k;
}

TEST(MonotonicBallot, AReplicaBackAtItsPersistedBallotIsGreen) {
  const RunOutcome run = RunKnobs(FloorKnobs(), OneReplicaServer(/*hide_init_info=*/false));
  EXPECT_FALSE(run.failed()) << run.failure->kind << ": " << run.failure->detail;
}

TEST(MonotonicBallot, AReplicaBackBelowItsPersistedBallotIsCaught) {
  const RunOutcome run = RunKnobs(FloorKnobs(), OneReplicaServer(/*hide_init_info=*/true));
  ASSERT_TRUE(run.failed());
  EXPECT_EQ(run.failure->kind, "invariant:monotonic") << run.failure->detail;
  EXPECT_NE(run.failure->detail.find("restarted at ballot 3, below the ballot 7 it persisted"),
            std::string::npos)
      << run.failure->detail;
}

}  // namespace
}  // namespace pg::sim
