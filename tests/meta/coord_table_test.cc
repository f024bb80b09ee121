// Meta's table in the coordination service (core/meta/coord_table.h): a partition's znode must
// hold exactly one configuration of that partition; anything else fails the load, and the meta
// steps down rather than lead with a table it cannot trust.
#include "core/meta/coord_table.h"

#include <gtest/gtest.h>

#include "core/meta/meta_log.h"
#include "tests/coord/coord_harness.h"
#include "tests/support/sim_time.h"

namespace pg::testing {
namespace {

const NodeId kWriter{5};
const NodeId kLeader{6};

// Moves the table's messages to the server and the server's answers back until none is left.
void PumpTable(CoordFixture& f, CoordTable& table, Outbox& out, Time now) {
  while (true) {
    std::vector<Send> sends;
    for (const Effect& e : out.effects()) {
      if (const auto* s = std::get_if<Send>(&e)) sends.push_back(*s);
    }
    out.clear();
    if (sends.empty()) return;
    for (const Send& s : sends) {
      const Outbox answers = f.Deliver(now, kLeader, s.msg);
      for (const Effect& e : answers.effects()) {
        const auto* r = std::get_if<Send>(&e);
        if (r != nullptr && r->to == kLeader) table.OnMessage(kCoord, r->msg, now, out);
      }
    }
  }
}

// Partition 0's znode holds `data` (written by another client); the table of two partitions is
// loaded. Returns its events.
std::vector<CoordTable::Event> LoadOver(const std::string& data) {
  CoordFixture f;
  f.Step(At(0), Boot{});
  Peer writer(kWriter, TestClientOptions());
  writer.client.Start(At(0), writer.out);
  Pump(f, At(0), {&writer});
  writer.client.Create(PartitionZnodePath(0), data, /*ephemeral=*/false, At(1), writer.out);
  Pump(f, At(1), {&writer});
  const auto created = writer.client.TakeResults();
  EXPECT_EQ(created.size(), 1u);
  EXPECT_EQ(created.empty() ? ErrorCode::kTimeout : created[0].error, ErrorCode::kOk);

  CoordTable table(TestClientOptions(), kLeader, 2);
  Outbox out;
  table.Start(At(2), out);
  PumpTable(f, table, out, At(2));
  table.Load(At(3), out);
  PumpTable(f, table, out, At(3));
  table.CheckInvariants();
  return table.TakeEvents();
}

PartitionConfiguration ConfigOf(int partition) {
  return PartitionConfiguration{.gpid = {.app_id = 1, .partition_index = partition},
                                .ballot = Ballot(3),
                                .primary = NodeId(1),
                                .partition_count = 2};
}

TEST(CoordTable, AZnodeWithOneConfigurationOfItsPartitionLoads) {
  const auto events = LoadOver(EncodeMetaLogRecord(ConfigOf(0)));
  ASSERT_EQ(events.size(), 1u);
  ASSERT_EQ(events[0].kind, CoordTable::EventKind::kLoaded) << events[0].why;
  ASSERT_EQ(events[0].table.size(), 2u);
  EXPECT_EQ(events[0].table[0], ConfigOf(0));
  EXPECT_FALSE(events[0].table[1].has_value()) << "partition 1 has no znode yet";
}

TEST(CoordTable, AZnodeThatIsNotOneConfigurationOfItsPartitionFailsTheLoad) {
  const std::string one = EncodeMetaLogRecord(ConfigOf(0));
  const std::vector<std::string> bad = {"not a record", "", EncodeMetaLogRecord(ConfigOf(1)),
                                        one + one, one + "trailing bytes"};
  for (const std::string& data : bad) {
    const auto events = LoadOver(data);
    ASSERT_EQ(events.size(), 1u) << data.size() << " bytes";
    EXPECT_EQ(events[0].kind, CoordTable::EventKind::kFailed) << data.size() << " bytes";
    EXPECT_NE(events[0].why.find(PartitionZnodePath(0)), std::string::npos) << events[0].why;
  }
}

}  // namespace
}  // namespace pg::testing
