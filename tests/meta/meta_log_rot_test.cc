// meta.log has no second copy: a record that fails its check and is not a torn append is rot, and
// meta must refuse the log (fail-stop) rather than rebuild its table without that record, which
// could be a partition's latest configuration (an older ballot handed out again: two primaries).
// Torn appends of crashed incarnations (strict prefixes of records, each followed by the next
// incarnation's appends) stay skippable.
#include "core/meta/meta_log.h"
#include "tests/meta/meta_harness.h"

namespace pg::testing {
namespace {

PartitionConfiguration RotConfig(int32_t index, int64_t ballot) {
  return PartitionConfiguration{.gpid = Gpid{.app_id = 1, .partition_index = index},
                                .ballot = Ballot(ballot),
                                .partition_count = 8};
}

std::string ThreeRecords() {
  return EncodeMetaLogRecord(RotConfig(0, 1)) + EncodeMetaLogRecord(RotConfig(0, 2)) +
         EncodeMetaLogRecord(RotConfig(0, 3));
}

TEST(MetaLogRot, AFlippedPayloadBitFollowedByIntactRecordsIsRot) {
  std::string log = ThreeRecords();
  const size_t second = EncodeMetaLogRecord(RotConfig(0, 1)).size();
  log[second + kMetaLogHeaderBytes + 1] ^= 1;
  const MetaLogReplay r = ReadMetaLog(log);
  EXPECT_TRUE(r.rotten);
  EXPECT_EQ(r.rot_offset, second);
  EXPECT_EQ(r.records.size(), 2u);
}

TEST(MetaLogRot, AFlippedBitInTheFinalRecordIsRotNotATornTail) {
  std::string log = ThreeRecords();
  log[log.size() - 1] ^= 1;
  EXPECT_TRUE(ReadMetaLog(log).rotten);
}

TEST(MetaLogRot, AFlippedMagicIsRot) {
  std::string log = ThreeRecords();
  log[EncodeMetaLogRecord(RotConfig(0, 1)).size()] ^= 1;
  EXPECT_TRUE(ReadMetaLog(log).rotten);
}

TEST(MetaLogRot, TornAppendsOfCrashedIncarnationsAreNotRot) {
  const std::string whole = EncodeMetaLogRecord(RotConfig(0, 2));
  for (size_t cut : {size_t{1}, size_t{3}, size_t{4}, size_t{11}, size_t{12}, whole.size() - 1}) {
    // One torn append, then the next incarnation's record; and two torn appends in a row.
    const std::string one = EncodeMetaLogRecord(RotConfig(0, 1)) + whole.substr(0, cut) +
                            EncodeMetaLogRecord(RotConfig(0, 3));
    const MetaLogReplay r1 = ReadMetaLog(one);
    EXPECT_FALSE(r1.rotten) << cut;
    EXPECT_EQ(r1.skipped_bytes, cut);
    EXPECT_EQ(r1.records.size(), 2u);
    const std::string two =
        whole.substr(0, cut) + whole.substr(0, cut) + EncodeMetaLogRecord(RotConfig(0, 3));
    EXPECT_FALSE(ReadMetaLog(two).rotten) << cut;
    // A torn tail at the very end.
    EXPECT_FALSE(ReadMetaLog(EncodeMetaLogRecord(RotConfig(0, 1)) + whole.substr(0, cut)).rotten);
  }
}

TEST(MetaLogRot, ReadMetaLogReportsEachIntactRecordsSpan) {
  const std::string log = ThreeRecords();
  const MetaLogReplay r = ReadMetaLog(log);
  ASSERT_EQ(r.spans.size(), 3u);
  EXPECT_EQ(r.spans[0].first, 0u);
  EXPECT_EQ(r.spans[2].second, log.size());
  EXPECT_EQ(r.spans[0].second, r.spans[1].first);
}

TEST(MetaLogRot, MetaRefusesARottenLogAndExits) {
  MetaFixture f(DefaultMetaOptions());
  f.BootReady(At(0));
  std::string& log = f.disk().files[kMetaLogFile];
  // The first record's payload: intact records follow it.
  log[kMetaLogHeaderBytes + 2] ^= 1;
  f.Rebuild();
  Outbox boot = f.Step(At(10), Boot{});
  EXPECT_TRUE(HasMark(boot, "meta.log_damaged"));
  EXPECT_EQ(ExitOf(boot), "meta.log damaged");
  EXPECT_FALSE(f.meta().ready());
  EXPECT_TRUE(
      f.Receive(At(12), NodeId(9), QueryConfigRequest{.app_name = "temp"}).effects().empty());
}

TEST(MetaLogRot, MetaBootsOverATornAppendOfAnEarlierIncarnation) {
  MetaFixture f(DefaultMetaOptions());
  f.BootReady(At(0));
  std::string& log = f.disk().files[kMetaLogFile];
  const std::string extra = EncodeMetaLogRecord(f.meta().partitions()[0]);
  log += extra.substr(0, extra.size() / 2);
  log += EncodeMetaLogRecord(f.meta().partitions()[1]);
  f.Rebuild();
  Outbox boot = f.Step(At(10), Boot{});
  EXPECT_FALSE(HasMark(boot, "meta.log_damaged"));
  EXPECT_FALSE(ExitOf(boot).has_value());
}

}  // namespace
}  // namespace pg::testing
