// Meta's fail-stop (PEGASUS.md §1.10: Pegasus's servers exit on an error they cannot survive): a
// meta.log append whose durability is unknown ends the process, so that a restart (or another
// meta) takes over instead of a silent meta that holds its lease on nothing.
#include "tests/meta/meta_harness.h"

namespace pg::testing {
namespace {

TEST(MetaServerFailStop, FailedAppendOfAChangeExitsWithoutApplyingOrAnswering) {
  MetaFixture f(DefaultMetaOptions());
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
  const AppendLog change = AppendsOf(req).at(0);
  Outbox failed = f.Step(At(11), LogFailed{.file = change.file,
                                           .token = change.token,
                                           .status = Status(ErrorCode::kIoError, "injected")});
  EXPECT_TRUE(HasMark(failed, "meta.fail_stop"));
  EXPECT_EQ(ExitOf(failed), "meta.log append failed");
  EXPECT_TRUE(SentOf<UpdateConfigResponse>(failed).empty());
  EXPECT_EQ(f.meta().partitions()[0].ballot, pc.ballot) << "applied a change of unknown fate";
  // Until the host takes it down, it answers nothing.
  EXPECT_TRUE(
      f.Receive(At(12), NodeId(9), QueryConfigRequest{.app_name = "temp"}).effects().empty());
}

}  // namespace
}  // namespace pg::testing
