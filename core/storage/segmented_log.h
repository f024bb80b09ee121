#pragma once
// A segmented log: a file can only be appended to, never truncated, so a torn tail (a machine
// crash mid-append) cannot be cut in place. As Pegasus's mutation_log opens a new log file at
// every start, a writer whose last file ended in a cut continues in the next SEGMENT, "<base>.<k>"
// (segment 0 is "<base>" itself). Reading walks segments 0, 1, ... while they exist; a cut that is
// a torn tail ends a segment, damage followed by an intact record is corruption (the owner
// fail-stops, as Pegasus fails a replica whose plog does not replay). So a writer never leaves a
// segment missing below the one it writes: one that moves on after a failed append, which may
// have created nothing, moves to FirstFreeSegment from the segment it wrote.
//
// Generic over what the records hold: a replica's plog and replica index (core/replica/
// replica_log.h) and the coordination server's coord.log (core/coord/coord_log.h) all use it.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/status.h"
#include "core/node/node.h"
#include "core/storage/mutation_log.h"

namespace pg {

std::string SegmentName(std::string_view base, int32_t segment);

struct SegmentedRead {
  Status status;                   // kCorruption: damage in the middle of a segment
  std::vector<LogRecord> records;  // every intact record of every segment, in order
  int32_t write_segment = 0;       // where appends go from now on
  bool cut_tail = false;           // some segment ended in a torn tail (it was cut)
  std::string cut_reason;
  // With a kCorruption status (damage followed by an intact record): every intact record of
  // every segment, skipping the damage. No correct reader replays them: what a damaged record
  // held is lost, and the records after it may depend on it (the bug zoo's replay_past_corrupt
  // does). write_segment is then past every segment read.
  bool damaged = false;
  std::vector<LogRecord> records_past_damage;
};

// Reads segments first_segment, first_segment+1, ... while they exist.
SegmentedRead ReadSegments(const LocalDisk& disk, std::string_view base, int32_t first_segment);

// The first segment index >= `from` whose file does not exist: a recreated replica starts its
// plog there, so records of a dropped earlier incarnation are never replayed.
int32_t FirstFreeSegment(const LocalDisk& disk, std::string_view base, int32_t from = 0);

}  // namespace pg
