// Meta's fail-stop (PEGASUS.md §1.10: Pegasus's servers exit on an error they cannot survive): a
// meta.log append whose durability is unknown ends the process, so that a restart (or another
// meta) takes over instead of a silent meta that holds its lease on nothing.
#include "tests/meta/meta_harness.h"

namespace pg::testing {
namespace {

// Partition 0's primary asks meta (booted over a serving table) to remove a secondary at 10 ms;
// returns the configuration asked for and meta's append of it, not yet completed.
std::pair<PartitionConfiguration, AppendLog> RequestRemoval(MetaFixture& f) {
  f.BootReady(At(0));
  const PartitionConfiguration pc = f.meta().partitions()[0];
  PartitionConfiguration next = pc;
  next.ballot = pc.ballot.next();
  const NodeId victim = next.secondaries[0];
  std::erase(next.secondaries, victim);
  Outbox req =
      f.Receive(At(10), *pc.primary,
                UpdateConfigRequest{
                    .type = ConfigType::kDowngradeToInactive, .config = next, .node = victim});
  return {next, AppendsOf(req).at(0)};
}

TEST(MetaServerFailStop, FailedAppendOfAChangeExitsWithoutApplyingOrAnswering) {
  MetaFixture f(DefaultMetaOptions());
  const auto [next, change] = RequestRemoval(f);
  Outbox failed = f.Step(At(11), LogFailed{.file = change.file,
                                           .token = change.token,
                                           .status = Status(ErrorCode::kIoError, "injected")});
  EXPECT_TRUE(HasMark(failed, "meta.fail_stop"));
  EXPECT_EQ(ExitOf(failed), "meta.log append failed");
  EXPECT_TRUE(SentOf<UpdateConfigResponse>(failed).empty());
  EXPECT_EQ(f.meta().partitions()[0].ballot.next(), next.ballot)
      << "applied a change of unknown fate";
  // Until the host takes it down, it answers nothing.
  EXPECT_TRUE(
      f.Receive(At(12), NodeId(9), QueryConfigRequest{.app_name = "temp"}).effects().empty());
}

// The failed append's bytes stay in the page cache, which the process's crash keeps: the next
// incarnation replays them. It serves them only once a sync of meta.log lands, so a power loss
// cannot erase a configuration a replica was told of (swarm seed 2616: invariant:config_durable).
TEST(MetaServerFailStop, ARestartServesItsReplayedLogOnlyOnceSynced) {
  MetaFixture f(DefaultMetaOptions());
  const auto [next, change] = RequestRemoval(f);
  f.Step(At(11), LogFailed{.file = change.file,
                           .token = change.token,
                           .status = Status(ErrorCode::kIoError, "injected sync error")});
  f.Rebuild();
  Outbox boot = f.Step(At(20), Boot{});
  EXPECT_TRUE(HasMark(boot, "meta.boot_sync"));
  const auto syncs = AppendsOf(boot);
  ASSERT_EQ(syncs.size(), 1u);
  EXPECT_TRUE(syncs[0].sync);
  EXPECT_TRUE(syncs[0].bytes.empty());
  EXPECT_FALSE(f.meta().ready());
  Outbox query = f.Receive(At(21), NodeId(9), QueryConfigRequest{.app_name = "temp"});
  EXPECT_TRUE(SentOf<QueryConfigResponse>(query).empty()) << "served before the sync landed";
  Outbox synced = f.Complete(At(22), syncs[0]);
  EXPECT_TRUE(f.meta().ready());
  const auto answers = SentOf<QueryConfigResponse>(synced);
  ASSERT_EQ(answers.size(), 1u) << "the waiting query is answered once synced";
  EXPECT_EQ(answers[0].second.partitions.at(0).ballot, next.ballot);
  // A failed sync is a fail-stop, as any meta.log failure.
  f.Rebuild();
  Outbox again = f.Step(At(30), Boot{});
  Outbox failed = f.Step(At(31), LogFailed{.file = AppendsOf(again).at(0).file,
                                           .token = AppendsOf(again).at(0).token,
                                           .status = Status(ErrorCode::kIoError, "injected")});
  EXPECT_EQ(ExitOf(failed), "meta.log append failed");
  EXPECT_FALSE(f.meta().ready());
}

}  // namespace
}  // namespace pg::testing
