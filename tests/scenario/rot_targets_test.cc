// The corrupt fault's targets (sim/scenario/rot.h): a log's records (replica plogs, meta.log,
// the coordination log), a RocksDB table file's blocks and a MANIFEST record's payload. Each
// flip lands in checksummed bytes, so the reader under test must refuse what it reads.
#include <gtest/gtest.h>

#include "core/meta/meta_log.h"
#include "sim/scenario/rot.h"
#include "tests/scenario/nemesis_harness.h"

namespace pg::sim {
namespace {

using nemesis_harness::Id;
using nemesis_harness::KnobsFor;
using nemesis_harness::ParseWithFaults;

std::unique_ptr<Cluster> BuildRotCluster(const Knobs& k) {
  return nemesis_harness::BuildWith<nemesis_harness::IdleNode>(k);
}

// How many bits differ between two equally long byte strings, and where the last one is.
int DiffBits(std::string_view a, std::string_view b, uint64_t* at) {
  EXPECT_EQ(a.size(), b.size());
  int bits = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    if (a[i] != b[i]) {
      bits += __builtin_popcount(static_cast<uint8_t>(a[i] ^ b[i]));
      *at = i;
    }
  }
  return bits;
}

// A RocksDB log-format record: crc32c (4, not checked here), length (2), type (1), payload.
std::string ManifestRecord(const std::string& payload) {
  std::string r = "CRC!";
  r.push_back(static_cast<char>(payload.size() & 0xFF));
  r.push_back(static_cast<char>(payload.size() >> 8));
  r.push_back(1);  // kFullType
  return r + payload;
}

// meta.log records of one partition at ballots first..last.
std::string MetaLogRecords(int first, int last) {
  std::string log;
  for (int b = first; b <= last; ++b) {
    log += EncodeMetaLogRecord(PartitionConfiguration{
        .gpid = Gpid{.app_id = 1}, .ballot = Ballot(b), .partition_count = 1});
  }
  return log;
}

TEST(RotTargets, TheTargetDefaultsToTheReplicaLogsAndIsStrictlyLoaded) {
  const Knobs log = KnobsFor(R"([{"at_ms": 1, "kind": "corrupt", "node": "replica/0"}])");
  const auto& f = std::get<CorruptFault>(log.faults.at(0).action);
  EXPECT_EQ(f.target, "log");
  EXPECT_EQ(f.file_prefix, "plog.");
  const Knobs sst =
      KnobsFor(R"([{"at_ms": 1, "kind": "corrupt", "node": "replica/0", "target": "sst"}])");
  const auto& g = std::get<CorruptFault>(sst.faults.at(0).action);
  EXPECT_EQ(g.target, "sst");
  EXPECT_EQ(g.file_prefix, "") << "any table file of the node";
  EXPECT_EQ(FaultLabel(sst.faults.at(0)), R"(corrupt {"node":"replica/0","target":"sst"})");
  auto bad = ParseWithFaults(
      R"([{"at_ms": 1, "kind": "corrupt", "node": "replica/0", "target": "wal"}])", "", "r.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("r.json: $.faults[0].target"), std::string::npos)
      << bad.status().message();
}

TEST(RotTargets, ManifestPayloadsSkipHeadersAndStopAtATornRecord) {
  const std::string bytes = ManifestRecord("first") + ManifestRecord("second!") + "CRC!\x09";
  const std::vector<RotSpan> spans = ManifestRecordPayloads(bytes);
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(bytes.substr(spans[0].from, spans[0].to - spans[0].from), "first");
  EXPECT_EQ(bytes.substr(spans[1].from, spans[1].to - spans[1].from), "second!");
}

TEST(RotTargets, SstBlocksLeaveTheFooterAlone) {
  EXPECT_TRUE(SstBlocks(std::string(53, 'x')).empty());
  const std::vector<RotSpan> spans = SstBlocks(std::string(100, 'x'));
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].from, 0u);
  EXPECT_EQ(spans[0].to, 47u);
}

TEST(RotTargets, AnSstRotFlipsOneBitInOneTableFilesBlocks) {
  const Knobs k =
      KnobsFor(R"([{"at_ms": 100, "kind": "corrupt", "node": "replica/0", "target": "sst"}])");
  auto c = BuildRotCluster(k);
  const NodeId r0 = Id(*c, "replica/0");
  const std::string a(300, 'a'), b(300, 'b');
  c->disk(r0).Append("/pegasim/replica/0/1.0/000009.sst", a);
  c->disk(r0).Append("/pegasim/replica/0/1.1/000011.sst", b);
  c->disk(r0).Append("/pegasim/replica/0/1.1/000011.log", b);
  c->RunUntil(Time::Zero() + Millis(200));
  uint64_t at = 0;
  const int bits_a =
      DiffBits(c->disk(r0).ReadAt("/pegasim/replica/0/1.0/000009.sst", 0, 300), a, &at);
  const int bits_b =
      DiffBits(c->disk(r0).ReadAt("/pegasim/replica/0/1.1/000011.sst", 0, 300), b, &at);
  EXPECT_EQ(bits_a + bits_b, 1) << "one bit in one table file";
  EXPECT_LT(at, 300u - 53u) << "in the blocks, not the footer";
  EXPECT_EQ(DiffBits(c->disk(r0).ReadAt("/pegasim/replica/0/1.1/000011.log", 0, 300), b, &at), 0);
}

TEST(RotTargets, AManifestRotFlipsABitInsideARecordsPayload) {
  const Knobs k =
      KnobsFor(R"([{"at_ms": 100, "kind": "corrupt", "node": "replica/0", "target": "manifest"}])");
  auto c = BuildRotCluster(k);
  const NodeId r0 = Id(*c, "replica/0");
  const std::string manifest = ManifestRecord("snapshot") + ManifestRecord("edit");
  c->disk(r0).Append("/pegasim/replica/0/1.0/MANIFEST-000005", manifest);
  c->RunUntil(Time::Zero() + Millis(200));
  uint64_t at = 0;
  ASSERT_EQ(
      DiffBits(c->disk(r0).ReadAt("/pegasim/replica/0/1.0/MANIFEST-000005", 0, 100), manifest, &at),
      1);
  EXPECT_TRUE((at >= 7 && at < 15) || at >= 22) << at;
}

TEST(RotTargets, AMetaLogRotIsDamageItsReaderRefuses) {
  const Knobs k = KnobsFor(
      R"([{"at_ms": 100, "kind": "corrupt", "node": "meta/0", "file_prefix": "meta.log"}])");
  auto c = BuildRotCluster(k);
  const NodeId m0 = Id(*c, "meta/0");
  const std::string log = MetaLogRecords(1, 6);
  c->disk(m0).Append("meta.log", log);
  c->disk(m0).MarkSynced("meta.log", log.size());
  ASSERT_FALSE(ReadMetaLog(log).rotten);
  c->RunUntil(Time::Zero() + Millis(200));
  const MetaLogReplay after = ReadMetaLog(c->disk(m0).ReadAt("meta.log", 0, log.size()));
  EXPECT_TRUE(after.rotten);
  EXPECT_EQ(after.records.size(), 5u);
}

// Appends still in flight may vanish in a crash; were the rot to pick a record only they follow,
// it would end the log after that crash, and a damaged last record reads as a torn write (swarm
// seed 1820). So the rot picks among the synced records, before the last synced one.
TEST(RotTargets, ALogRotPicksARecordThatASyncedRecordFollows) {
  const Knobs k = KnobsFor(
      R"([{"at_ms": 100, "kind": "corrupt", "node": "meta/0", "file_prefix": "meta.log"}])");
  auto c = BuildRotCluster(k);
  const NodeId m0 = Id(*c, "meta/0");
  // Enough in flight that, counted, they alone would fill the rot's window.
  const std::string synced = MetaLogRecords(1, 2);
  const std::string in_flight = MetaLogRecords(3, 8);
  c->disk(m0).Append("meta.log", synced);
  c->disk(m0).MarkSynced("meta.log", synced.size());
  c->disk(m0).Append("meta.log", in_flight);
  c->RunUntil(Time::Zero() + Millis(200));
  const std::string after = std::string(c->disk(m0).ReadAt("meta.log", 0, synced.size()));
  uint64_t at = 0;
  ASSERT_EQ(DiffBits(after, synced, &at), 1);
  const size_t first_record = synced.size() / 2;
  EXPECT_LT(at, first_record) << "the first record: the second synced one follows it";
}

}  // namespace
}  // namespace pg::sim
