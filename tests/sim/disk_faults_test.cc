// The simulated disk's faults: I/O errors on AppendLog, torn tails on machine crash, bit rot.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "sim/kernel/cluster.h"
#include "sim/kernel/rng.h"
#include "sim/kernel/sim_disk.h"
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
            messages.push_back(std::string(f->status.message()));
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
  std::vector<std::string> messages;
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

// A failed write leaves no gap: the file is exactly the appends whose write succeeded, in order.
// (A sync append can also fail at its sync: its bytes are then in the file, unsynced.)
TEST(DiskFaults, FileHoldsExactlyTheSuccessfulWrites) {
  FaultRig r(0.5);
  r.Run();
  EXPECT_EQ(r.appended.size() + r.failed.size(), static_cast<size_t>(kAppends));
  EXPECT_FALSE(r.failed.empty());
  EXPECT_FALSE(r.appended.empty());
  std::set<uint64_t> written(r.appended.begin(), r.appended.end());
  for (size_t i = 0; i < r.failed.size(); ++i) {
    if (r.messages[i].find("sync error") != std::string::npos) written.insert(r.failed[i]);
  }
  std::string expected;
  for (uint64_t t : written) expected.push_back(static_cast<char>('a' + t));
  r.cluster.SetDiskFaults({.io_error_probability = 0});  // read back without faults
  EXPECT_EQ(*r.cluster.disk(r.id).ReadFile("log"), expected);
}

// A window of errors on one node's disk, per operation kind, replaces the global probability.
TEST(DiskFaults, NodeWindowFailsOnlyItsKinds) {
  FaultRig syncs(0.0);
  syncs.cluster.SetNodeDiskFaults(syncs.id, IoFaults{.sync = 1.0});
  syncs.Run();
  // Every sync append (even tokens) fails at its sync; every plain append succeeds.
  for (uint64_t t : syncs.failed) EXPECT_EQ(t % 2, 0u);
  EXPECT_EQ(syncs.failed.size(), static_cast<size_t>(kAppends / 2));
  EXPECT_EQ(syncs.appended.size(), static_cast<size_t>(kAppends / 2));
  EXPECT_EQ(syncs.cluster.disk(syncs.id).size("log"), static_cast<uint64_t>(kAppends));
  EXPECT_EQ(syncs.cluster.disk(syncs.id).synced_size("log"), 0u);

  FaultRig ended(0.0);
  ended.cluster.SetNodeDiskFaults(ended.id, IoFaults{.write = 1.0});
  ended.cluster.SetNodeDiskFaults(ended.id, std::nullopt);  // the window closes at once
  ended.Run();
  EXPECT_TRUE(ended.failed.empty());
}

TEST(DiskFaults, ReadFaultsReachLocalDiskReads) {
  SimDisk d;
  d.Append("log", "abc");
  Xoshiro256 rng(1);
  d.SetFaults(IoFaults{.read = 1.0}, &rng);
  EXPECT_EQ(d.ReadFile("log").status().code(), ErrorCode::kIoError);
  d.SetFaults(IoFaults{.write = 1.0, .sync = 1.0}, &rng);
  EXPECT_EQ(*d.ReadFile("log"), "abc");
}

TEST(DiskFaults, SameSeedSameErrors) {
  FaultRig a(0.5);
  FaultRig b(0.5);
  a.Run();
  b.Run();
  EXPECT_EQ(a.failed, b.failed);
  EXPECT_EQ(a.cluster.trace_hash(), b.cluster.trace_hash());
}

// A disk with 3 synced bytes, then unsynced appends "BBBB" and "CC".
SimDisk DiskWithUnsyncedTail() {
  SimDisk d;
  d.Append("log", "aaa");
  d.MarkSynced("log", 3);
  d.Append("log", "BBBB");
  d.Append("log", "CC");
  return d;
}

TEST(DiskFaults, TornMachineCrashKeepsAPrefixOfTheUnsyncedAppendsAndNothingElse) {
  Xoshiro256 rng = Xoshiro256::ForkStream(11, "disk");
  std::set<std::string> seen;
  for (int i = 0; i < 600; ++i) {
    SimDisk d = DiskWithUnsyncedTail();
    const auto cuts = d.LoseUnsynced(rng, 1.0);
    const std::string kept = *d.ReadFile("log");
    seen.insert(kept);
    // One page holds it all: synced bytes intact, then a prefix of "BBBBCC" (a torn first
    // append, whole appends, or the one page written back or not).
    ASSERT_EQ(kept.substr(0, 3), "aaa");
    EXPECT_EQ(kept, std::string("aaaBBBBCC").substr(0, kept.size()));
    EXPECT_EQ(d.synced_size("log"), kept.size());
    ASSERT_EQ(cuts.size(), 1u);
    EXPECT_NE(cuts[0].cut, SimDisk::PowerLossCut::kSynced);
    EXPECT_EQ(cuts[0].unsynced, 6u);
    EXPECT_EQ(cuts[0].kept, kept.size() - 3);
  }
  EXPECT_EQ(seen, (std::set<std::string>{"aaa", "aaaB", "aaaBB", "aaaBBB", "aaaBBBB", "aaaBBBBC",
                                         "aaaBBBBCC"}));
}

// Pages written back out of order: zeros only in whole unwritten pages (or their unsynced part),
// the file ending with a page that was written back, and holes followed by data occur.
TEST(DiskFaults, PagesWrittenBackOutOfOrderLeaveZeroedHolesBeforeTheLastWrittenPage) {
  constexpr uint64_t kPage = 4096;
  std::string original(100, 's');
  for (int a = 0; a < 9; ++a) original += std::string(1500, static_cast<char>('A' + a));
  Xoshiro256 rng = Xoshiro256::ForkStream(5, "disk");
  bool hole_before_data = false;
  for (int i = 0; i < 400; ++i) {
    SimDisk d;
    d.Append("log", original.substr(0, 100));
    d.MarkSynced("log", 100);
    for (int a = 0; a < 9; ++a) d.Append("log", original.substr(100 + 1500 * a, 1500));
    const auto cuts = d.LoseUnsynced(rng, 1.0);
    if (cuts[0].cut != SimDisk::PowerLossCut::kPages) continue;
    const std::string kept = *d.ReadFile("log");
    ASSERT_EQ(kept.substr(0, 100), original.substr(0, 100));
    ASSERT_LE(kept.size(), original.size());
    uint64_t zeros = 0;
    bool zero_page_seen = false;
    for (uint64_t page = 0; page * kPage < kept.size(); ++page) {
      const uint64_t lo = std::max<uint64_t>(100, page * kPage);
      const uint64_t hi = std::min<uint64_t>(kept.size(), (page + 1) * kPage);
      const std::string got = kept.substr(lo, hi - lo);
      if (got == std::string(hi - lo, '\0')) {
        zeros += hi - lo;
        zero_page_seen = true;
        continue;
      }
      ASSERT_EQ(got, original.substr(lo, hi - lo)) << "page " << page;
      if (zero_page_seen) hole_before_data = true;
    }
    EXPECT_EQ(zeros, cuts[0].zeroed);
    if (kept.size() > 100) {  // it ends with a page that was written back
      const uint64_t last = (kept.size() - 1) / kPage * kPage;
      EXPECT_EQ(kept.substr(std::max<uint64_t>(last, 100)),
                original.substr(std::max<uint64_t>(last, 100),
                                kept.size() - std::max<uint64_t>(last, 100)));
    }
  }
  EXPECT_TRUE(hole_before_data);
}

TEST(DiskFaults, UntornMachineCrashCutsToTheSyncedLength) {
  Xoshiro256 rng = Xoshiro256::ForkStream(11, "disk");
  SimDisk d = DiskWithUnsyncedTail();
  d.LoseUnsynced(rng, 0.0);
  EXPECT_EQ(*d.ReadFile("log"), "aaa");
}

TEST(DiskFaults, TearsAreDeterministicPerSeed) {
  auto tears = [](uint64_t seed) {
    Xoshiro256 rng = Xoshiro256::ForkStream(seed, "disk");
    std::vector<std::string> out;
    for (int i = 0; i < 50; ++i) {
      SimDisk d = DiskWithUnsyncedTail();
      d.LoseUnsynced(rng, 0.5);
      out.push_back(*d.ReadFile("log"));
    }
    return out;
  };
  EXPECT_EQ(tears(3), tears(3));
}

// In a cluster: a process crash keeps every byte (page cache); a machine crash right after the
// Boot's appends (nothing synced yet) keeps at most a prefix of the first append.
TEST(DiskFaults, ProcessCrashKeepsCompletedAppendsMachineCrashTearsOnlyTheUnsyncedAppend) {
  FaultRig p(0.0);
  p.Run();  // every append completed, none synced
  p.cluster.Crash(p.id, CrashMode::kProcess);
  EXPECT_EQ(p.cluster.disk(p.id).size("log"), static_cast<uint64_t>(kAppends));
  FaultRig q(0.0);
  q.cluster.Start();
  q.cluster.Step();  // Boot: 20 bytes issued, none completed: the process's still
  q.cluster.Crash(q.id, CrashMode::kProcess);
  EXPECT_EQ(q.cluster.disk(q.id).size("log"), 0u);
  FaultRig m(0.0);
  m.cluster.SetDiskFaults({.torn_write_probability = 1.0});
  m.cluster.Start();
  m.cluster.Step();
  m.cluster.Crash(m.id, CrashMode::kMachine);
  EXPECT_EQ(m.cluster.disk(m.id).size("log"), 0u);  // the first append is one byte: prefix 0
}

// A full disk fails every write with ENOSPC and draws nothing; reads and syncs go on.
TEST(DiskFaults, AFullDiskFailsEveryWriteWithNoSpace) {
  SimDisk d;
  d.Append("log", "abc");
  Xoshiro256 rng = Xoshiro256::ForkStream(1, "disk");
  const Xoshiro256 before = rng;
  d.SetFaults(IoFaults{.full = true}, &rng);
  for (int i = 0; i < 3; ++i) {
    const Status s = d.Fail(IoKind::kWrite, "log");
    EXPECT_EQ(s.code(), ErrorCode::kNoSpace) << s.ToString();
  }
  EXPECT_TRUE(d.Fail(IoKind::kRead, "log").ok());
  EXPECT_TRUE(d.Fail(IoKind::kSync, "log").ok());
  EXPECT_EQ(d.io_errors(), 3u);
  Xoshiro256 after = rng;
  Xoshiro256 fresh = before;
  EXPECT_EQ(after.NextU64(), fresh.NextU64()) << "a full disk draws nothing";
}

// A lying disk reports syncs and keeps nothing durable: a power loss takes what it "synced".
TEST(DiskFaults, ALyingDiskLosesWhatItReportedSynced) {
  SimDisk d;
  Xoshiro256 rng = Xoshiro256::ForkStream(1, "disk");
  d.Append("log", "aaa");
  d.MarkSynced("log", 3);
  d.SetFaults(IoFaults{.lying_sync = true}, &rng);
  d.Append("log", "BBB");
  d.MarkSynced("log", 6);
  EXPECT_EQ(d.synced_size("log"), 3u);
  EXPECT_EQ(d.io_errors(), 1u);  // the lie is an effect of the fault
  d.SetFaults(IoFaults{}, &rng);
  d.LoseUnsynced(rng, 0.0);
  EXPECT_EQ(*d.ReadFile("log"), "aaa");
}

// A machine crash says in a recorded trace what it left of each file with unsynced bytes; the
// lines are for people only: the trace hash is the same unrecorded.
TEST(DiskFaults, APowerLossTracesWhatEachFileKept) {
  auto run = [](bool record) {
    Journal journal;
    Cluster c({.seed = 7, .record_trace = record});
    const NodeId id = c.AddNode(
        "n", Scripted(&journal, [](const NodeEnv&, Time, const Input& in, Outbox& out) {
          if (!std::holds_alternative<Boot>(in)) return;
          out.AppendLog(AppendLog{.file = "log", .token = 1, .bytes = "abc", .sync = false});
        }));
    c.Start();
    c.RunUntil(Time::Zero() + Seconds(1));
    c.Crash(id, CrashMode::kMachine);
    std::vector<std::string> lines;
    for (const TraceLine& l : c.trace()) {
      if (l.what.starts_with("power loss: ")) lines.push_back(l.what);
    }
    return std::pair{lines, c.trace_hash()};
  };
  const auto [lines, hash] = run(true);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(lines[0].starts_with("power loss: log ")) << lines[0];
  EXPECT_NE(lines[0].find(" of 3 unsynced bytes"), std::string::npos) << lines[0];
  const auto [unrecorded, same_hash] = run(false);
  EXPECT_TRUE(unrecorded.empty());
  EXPECT_EQ(hash, same_hash);
}

TEST(DiskFaults, CorruptDiskFlipsOneBit) {
  FaultRig r(0.0);
  r.Run();
  const std::string before = *r.cluster.disk(r.id).ReadFile("log");
  r.cluster.CorruptDisk(r.id, "log", 2);
  const std::string after = *r.cluster.disk(r.id).ReadFile("log");
  ASSERT_EQ(after.size(), before.size());
  EXPECT_EQ(after[2], static_cast<char>(before[2] ^ 1));
  EXPECT_EQ(after.substr(3), before.substr(3));
  r.cluster.CorruptDisk(r.id, "log", 1000);  // no such byte: ignored
  EXPECT_EQ(*r.cluster.disk(r.id).ReadFile("log"), after);
}

}  // namespace
}  // namespace pg::sim
