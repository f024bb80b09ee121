// The example register server's own rules: a write is acknowledged only after its log append
// completes, and a torn tail left by a machine crash never hides later records (each incarnation
// appends to a new file).
#include "sim/example/register_server.h"

#include <gtest/gtest.h>

#include "sim/kernel/rng.h"
#include "tests/support/map_disk.h"

namespace pg::example {
namespace {

std::string Framed(const RegisterLogRecord& r) {
  std::string out;
  Encoder(&out).Put(Encode(r));
  return out;
}

TEST(RegisterServer, TornTailEndsThatFileOnlyAndTheNextIncarnationWritesANewFile) {
  testing::MapDisk disk;
  const std::string good = Framed({.request_id = 1, .key = "k", .value = "a"});
  const std::string torn = Framed({.request_id = 2, .key = "k", .value = "b"}).substr(0, 3);
  disk.files[RegisterLogFile(0)] = good + torn;
  disk.files[RegisterLogFile(1)] = Framed({.request_id = 3, .key = "k", .value = "c"});
  sim::Xoshiro256 rng(1);
  RegisterServer server({.id = NodeId(0), .name = "replica/0", .rng = &rng, .disk = &disk});
  Outbox out;
  server.Step(Time::Zero(), Boot{}, out);
  EXPECT_EQ(server.state().at("k"), "c") << "the record after the torn file was lost";
  // It syncs both replayed files before it serves (what it replayed may not be durable).
  ASSERT_EQ(out.effects().size(), 2u);
  for (const Effect& e : out.effects()) {
    const auto* sync = std::get_if<AppendLog>(&e);
    ASSERT_NE(sync, nullptr);
    EXPECT_TRUE(sync->sync && sync->bytes.empty());
    Outbox done;
    server.Step(Time::Zero(), LogAppended{.file = sync->file, .token = sync->token}, done);
    EXPECT_TRUE(done.effects().empty());
  }
  out.clear();
  server.Step(Time::Zero(),
              Receive{.from = NodeId(5),
                      .msg = Host(RegisterRequest{
                          .request_id = 4, .is_write = true, .key = "k", .value = "d"})},
              out);
  ASSERT_EQ(out.effects().size(), 1u);
  const auto* append = std::get_if<AppendLog>(&out.effects()[0]);
  ASSERT_NE(append, nullptr) << "a write must be logged before it is acknowledged";
  EXPECT_EQ(append->file, RegisterLogFile(2));
  EXPECT_EQ(server.state().at("k"), "c") << "applied before the log append completed";
  out.clear();
  server.Step(Time::Zero(), LogAppended{.file = append->file, .token = append->token}, out);
  EXPECT_EQ(server.state().at("k"), "d");
  ASSERT_EQ(out.effects().size(), 1u);
  EXPECT_TRUE(std::holds_alternative<Send>(out.effects()[0]));
}

// A server booted over one earlier log holding one record of "k": the boot's sync of that log
// is in flight.
struct BootedOverOneRecord {
  BootedOverOneRecord() {
    disk.files[RegisterLogFile(0)] = Framed({.request_id = 1, .key = "k", .value = "a"});
    Outbox out;
    server.Step(Time::Zero(), Boot{}, out);
    EXPECT_EQ(out.effects().size(), 1u);
    sync = std::get<AppendLog>(out.effects().at(0));
  }
  // The effects of a read of "k".
  Outbox Read() {
    Outbox out;
    server.Step(
        Time::Zero(),
        Receive{.from = NodeId(5),
                .msg = Host(RegisterRequest{.request_id = 2, .is_write = false, .key = "k"})},
        out);
    return out;
  }
  testing::MapDisk disk;
  sim::Xoshiro256 rng{1};
  RegisterServer server{{.id = NodeId(0), .name = "replica/0", .rng = &rng, .disk = &disk}};
  AppendLog sync;
};

// A replayed record may sit only in the page cache (its sync failed before a process crash): the
// server answers nothing until its syncs of the replayed files are done, and fail-stops if one
// fails (scenarios/regressions/register_swarm_seed13_unsynced_replay.json).
TEST(RegisterServer, ServesNothingUntilTheReplayedLogsAreSynced) {
  BootedOverOneRecord b;
  EXPECT_TRUE(b.Read().effects().empty()) << "answered from a log not known to be durable";
  Outbox failed;
  b.server.Step(Time::Zero(),
                LogFailed{.file = b.sync.file,
                          .token = b.sync.token,
                          .status = Status(ErrorCode::kIoError, "injected")},
                failed);
  EXPECT_TRUE(b.Read().effects().empty()) << "a failed sync fail-stops the server";
}

TEST(RegisterServer, AnswersOnceTheReplayedLogsAreSynced) {
  BootedOverOneRecord b;
  Outbox done;
  b.server.Step(Time::Zero(), LogAppended{.file = b.sync.file, .token = b.sync.token}, done);
  const Outbox answer = b.Read();
  ASSERT_EQ(answer.effects().size(), 1u);
  EXPECT_TRUE(std::holds_alternative<Send>(answer.effects()[0]));
}

}  // namespace
}  // namespace pg::example
