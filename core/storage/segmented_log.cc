#include "core/storage/segmented_log.h"

#include <fmt/format.h>

#include "core/common/assert.h"

namespace pg {

std::string SegmentName(std::string_view base, int32_t segment) {
  PG_ASSERT_GE(segment, 0);
  PG_ASSERT(!base.empty(), "a log needs a name");
  return segment == 0 ? std::string(base) : fmt::format("{}.{}", base, segment);
}

SegmentedRead ReadSegments(const LocalDisk& disk, std::string_view base, int32_t first_segment) {
  PG_ASSERT_GE(first_segment, 0);
  SegmentedRead out;
  out.write_segment = first_segment;
  for (int32_t seg = first_segment; disk.Exists(SegmentName(base, seg)); ++seg) {
    const std::string name = SegmentName(base, seg);
    Result<std::string> bytes = disk.ReadFile(name);
    if (!bytes.ok()) {
      out.status = bytes.status();
      return out;
    }
    LogReadResult read = ReadLog(*bytes);
    if (read.intact_record_after_cut && !out.damaged) {
      out.status = Status(ErrorCode::kCorruption, fmt::format("{}: {}", name, read.reason));
      out.damaged = true;
      out.records_past_damage = out.records;
    }
    if (out.damaged) {
      // The read goes on only to fill records_past_damage; records stays the prefix before the
      // damaged segment.
      for (LogRecord& r : read.records) out.records_past_damage.push_back(std::move(r));
      for (LogRecord& r : read.records_past_damage) out.records_past_damage.push_back(std::move(r));
      out.write_segment = seg + 1;
      continue;
    }
    for (LogRecord& r : read.records) out.records.push_back(std::move(r));
    out.write_segment = seg;
    if (read.cut != LogCut::kNone) {
      // A torn tail: what follows it in this file can never be read back, so continue in the
      // next segment (Pegasus starts a new log file after replay for the same reason).
      out.cut_tail = true;
      out.cut_reason = fmt::format("{}: {}", name, read.reason);
      out.write_segment = seg + 1;
    }
  }
  return out;
}

int32_t FirstFreeSegment(const LocalDisk& disk, std::string_view base, int32_t from) {
  PG_ASSERT_GE(from, 0);
  int32_t seg = from;
  while (disk.Exists(SegmentName(base, seg))) ++seg;
  PG_ASSERT_GE(seg, 0);
  return seg;
}

}  // namespace pg
