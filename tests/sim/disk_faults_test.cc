// The simulated disk's faults: I/O errors on AppendLog (DiskFaults).
#include <gtest/gtest.h>

#include "sim/cluster.h"
#include "sim/sim_disk.h"
#include "tests/sim/test_nodes.h"

namespace pg::sim {
namespace {

using testing::Journal;
using testing::Scripted;

constexpr int kAppends = 20;

// On Boot appends kAppends one-byte records (alternating sync) to "log"; records which tokens
// completed and which failed, as the node saw them.
struct FaultRig {
  explicit FaultRig(double io_error_probability) : cluster({.seed = 7}) {
    id = cluster.AddNode(
        "n", Scripted(&journal, [this](const NodeEnv&, Time, const Input& in, Outbox& out) {
          if (const auto* f = std::get_if<LogFailed>(&in)) {
            failed.push_back(f->token);
            codes.push_back(f->status.code());
          }
          if (const auto* a = std::get_if<LogAppended>(&in)) appended.push_back(a->token);
          if (!std::holds_alternative<Boot>(in)) return;
          for (int i = 0; i < kAppends; ++i) {
            out.AppendLog(AppendLog{.file = "log",
                                    .token = static_cast<uint64_t>(i),
                                    .bytes = std::string(1, static_cast<char>('a' + i)),
                                    .sync = i % 2 == 0});
          }
        }));
    cluster.SetDiskFaults({.io_error_probability = io_error_probability});
  }
  void Run() {
    cluster.Start();
    cluster.RunUntil(Time::Zero() + Seconds(1));
  }
  Cluster cluster;
  Journal journal;
  NodeId id;
  std::vector<uint64_t> appended;
  std::vector<uint64_t> failed;
  std::vector<ErrorCode> codes;
};

TEST(DiskFaults, ProbabilityOneFailsEveryAppendAndWritesNothing) {
  FaultRig r(1.0);
  r.Run();
  EXPECT_TRUE(r.appended.empty());
  ASSERT_EQ(r.failed.size(), static_cast<size_t>(kAppends));
  for (int i = 0; i < kAppends; ++i) EXPECT_EQ(r.failed[i], static_cast<uint64_t>(i));
  for (ErrorCode c : r.codes) EXPECT_EQ(c, ErrorCode::kIoError);
  EXPECT_EQ(r.cluster.disk(r.id).size("log"), 0u);
}

TEST(DiskFaults, ProbabilityZeroNeverFails) {
  FaultRig r(0.0);
  r.Run();
  EXPECT_TRUE(r.failed.empty());
  EXPECT_EQ(r.appended.size(), static_cast<size_t>(kAppends));
  EXPECT_EQ(r.cluster.disk(r.id).size("log"), static_cast<uint64_t>(kAppends));
}

// A failed append leaves no gap: the file is exactly the successful appends, in order.
TEST(DiskFaults, FileHoldsExactlyTheSuccessfulAppends) {
  FaultRig r(0.5);
  r.Run();
  EXPECT_EQ(r.appended.size() + r.failed.size(), static_cast<size_t>(kAppends));
  EXPECT_FALSE(r.failed.empty());
  EXPECT_FALSE(r.appended.empty());
  std::string expected;
  for (uint64_t t : r.appended) expected.push_back(static_cast<char>('a' + t));
  EXPECT_EQ(*r.cluster.disk(r.id).ReadFile("log"), expected);
}

TEST(DiskFaults, SameSeedSameErrors) {
  FaultRig a(0.5);
  FaultRig b(0.5);
  a.Run();
  b.Run();
  EXPECT_EQ(a.failed, b.failed);
  EXPECT_EQ(a.cluster.trace_hash(), b.cluster.trace_hash());
}

}  // namespace
}  // namespace pg::sim
