// Mutation log records and LogReader: round trip, torn tails, bit flips, and the property that
// the reader returns exactly the longest valid prefix of whatever bytes survived.
#include "core/storage/mutation_log.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

namespace pg {
namespace {

std::vector<LogRecord> SampleRecords() {
  return {
      LogRecord{Ballot(1), Decree(1), Decree(0), "put h1 s1 v1"},
      LogRecord{Ballot(1), Decree(2), Decree(1), ""},
      LogRecord{Ballot(3), Decree(3), Decree(2), std::string(300, '\x7f')},
      LogRecord{Ballot(3), Decree(4), Decree(3), "del h2 s0"},
  };
}

struct Log {
  std::string bytes;
  std::vector<size_t> ends;  // ends[i]: offset just past record i
};

Log Concat(const std::vector<LogRecord>& records) {
  Log log;
  for (const LogRecord& r : records) {
    log.bytes += EncodeLogRecord(r);
    log.ends.push_back(log.bytes.size());
  }
  return log;
}

TEST(MutationLog, RoundTrip) {
  const auto records = SampleRecords();
  const Log log = Concat(records);
  const LogReadResult read = ReadLog(log.bytes);
  EXPECT_EQ(read.records, records);
  EXPECT_EQ(read.valid_bytes, log.bytes.size());
  EXPECT_EQ(read.cut, LogCut::kNone);
  EXPECT_TRUE(read.reason.empty());
  EXPECT_EQ(EncodeLogRecord(records[0]).size(),
            kLogPrefixBytes + kLogBodyHeaderBytes + records[0].payload.size());
}

TEST(MutationLog, EmptyFileHasNoRecordsAndNoCut) {
  const LogReadResult read = ReadLog("");
  EXPECT_TRUE(read.records.empty());
  EXPECT_EQ(read.cut, LogCut::kNone);
}

TEST(MutationLog, TornTailAtEveryOffsetOfTheLastRecordIsCut) {
  const auto records = SampleRecords();
  const Log log = Concat(records);
  const size_t last_start = log.ends[log.ends.size() - 2];
  for (size_t t = last_start + 1; t < log.bytes.size(); ++t) {
    const LogReadResult read = ReadLog(std::string_view(log.bytes).substr(0, t));
    ASSERT_EQ(read.records.size(), records.size() - 1) << "truncated at " << t;
    EXPECT_EQ(read.valid_bytes, last_start);
    EXPECT_NE(read.cut, LogCut::kNone);
    EXPECT_FALSE(read.intact_record_after_cut) << read.reason;
    EXPECT_EQ(read.cut,
              t - last_start < kLogPrefixBytes ? LogCut::kTornPrefix : LogCut::kTornRecord);
  }
}

TEST(MutationLog, FlippedBitInAnyRecordIsDetected) {
  const auto records = SampleRecords();
  const Log log = Concat(records);
  for (size_t p = 0; p < log.bytes.size(); ++p) {
    size_t victim = 0;
    while (log.ends[victim] <= p) ++victim;
    const size_t victim_start = victim == 0 ? 0 : log.ends[victim - 1];
    for (int bit = 0; bit < 8; ++bit) {
      std::string bytes = log.bytes;
      bytes[p] = static_cast<char>(bytes[p] ^ (1 << bit));
      const LogReadResult read = ReadLog(bytes);
      ASSERT_EQ(read.records.size(), victim) << "byte " << p << " bit " << bit;
      EXPECT_EQ(read.valid_bytes, victim_start);
      EXPECT_NE(read.cut, LogCut::kNone);
      // Damage before the last record is mid-log corruption, and is reported as such.
      const bool more_follow = victim + 1 < records.size();
      EXPECT_EQ(read.intact_record_after_cut, more_follow) << read.reason;
      if (more_follow) {
        EXPECT_LE(read.first_intact_offset_after_cut, log.ends[victim]);
      }
    }
  }
}

TEST(MutationLog, ZeroFilledTailIsABadLength) {
  const Log log = Concat(SampleRecords());
  const LogReadResult read = ReadLog(log.bytes + std::string(64, '\0'));
  EXPECT_EQ(read.records.size(), SampleRecords().size());
  EXPECT_EQ(read.valid_bytes, log.bytes.size());
  EXPECT_EQ(read.cut, LogCut::kBadLength);
  EXPECT_FALSE(read.intact_record_after_cut);
}

TEST(MutationLog, ImpossibleLengthIsCutNotAwaited) {
  std::string bytes = EncodeLogRecord(SampleRecords()[0]);
  bytes[3] = '\x7f';  // length ~2 GiB
  const LogReadResult read = ReadLog(bytes);
  EXPECT_TRUE(read.records.empty());
  EXPECT_EQ(read.cut, LogCut::kBadLength);
}

TEST(MutationLog, ReaderStopsAtCutAndStaysStopped) {
  const Log log = Concat(SampleRecords());
  std::string bytes = log.bytes;
  bytes[log.ends[0] + 10] ^= 1;
  LogReader reader(bytes);
  LogRecord r;
  ASSERT_TRUE(reader.Next(&r));
  EXPECT_FALSE(reader.Next(&r));
  EXPECT_FALSE(reader.Next(&r));
  EXPECT_EQ(reader.cut(), LogCut::kChecksumMismatch);
  EXPECT_EQ(reader.valid_bytes(), log.ends[0]);
  EXPECT_NE(reader.reason().find("offset"), std::string::npos);
}

// Property: for any records, any truncation point and optionally one flipped bit before it, the
// reader returns exactly the records that end before both the truncation and the damaged record.
RC_GTEST_PROP(MutationLog, ReturnsExactlyTheLongestValidPrefix, ()) {
  const auto n = *rc::gen::inRange<size_t>(0, 8);
  std::vector<LogRecord> records;
  for (size_t i = 0; i < n; ++i) {
    records.push_back(LogRecord{Ballot(*rc::gen::inRange<int64_t>(0, 1 << 20)),
                                Decree(*rc::gen::arbitrary<int64_t>()),
                                Decree(*rc::gen::arbitrary<int64_t>()),
                                *rc::gen::container<std::string>(*rc::gen::inRange<size_t>(0, 80),
                                                                 rc::gen::arbitrary<char>())});
  }
  const Log log = Concat(records);
  const auto t = *rc::gen::inRange<size_t>(0, log.bytes.size() + 1);
  std::string bytes = log.bytes.substr(0, t);
  size_t damaged_end = SIZE_MAX;  // end of the record holding the flipped bit
  if (t > 0 && *rc::gen::arbitrary<bool>()) {
    const auto p = *rc::gen::inRange<size_t>(0, t);
    bytes[p] = static_cast<char>(bytes[p] ^ (1 << *rc::gen::inRange(0, 8)));
    for (size_t end : log.ends) {
      if (p < end) {
        damaged_end = end;
        break;
      }
    }
  }
  std::vector<LogRecord> expected;
  size_t expected_bytes = 0;
  for (size_t i = 0; i < records.size() && log.ends[i] <= t && log.ends[i] < damaged_end; ++i) {
    expected.push_back(records[i]);
    expected_bytes = log.ends[i];
  }
  const LogReadResult read = ReadLog(bytes);
  RC_ASSERT(read.records == expected);
  RC_ASSERT(read.valid_bytes == expected_bytes);
  RC_ASSERT((read.cut == LogCut::kNone) == (expected_bytes == bytes.size()));
}

}  // namespace
}  // namespace pg
