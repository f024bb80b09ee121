#pragma once
// Scans (docs/checker.md "Scans"). A scanner context on the primary is a RocksDB iterator made at
// get_scanner time (upstream src/server/pegasus_server_impl.cpp on_get_scanner, on_scan): every
// page of one context comes from one snapshot. The client records a context as one operation
// (a lost context ends it with fail, and a new invocation goes on after the last key received),
// so an ok scan or full_scan read one instant: a ranged multi_get of each hashkey it judges,
// which is what BuildHistory turns it into. The model, the partitions and every fast path then
// treat those reads exactly as the ranged multi_gets they are.
#include <optional>
#include <string>
#include <string_view>

#include "checker/history.h"

namespace pg::checker {

// Pegasus's key order (src/base/pegasus_key_schema.h): a stored key is a 2-byte big-endian
// hashkey length, the hashkey, then the sortkey, compared bytewise. So hashkey a orders before b
// iff it is shorter, or as long and bytewise less ("z" before "aa").
bool HashkeyBefore(std::string_view a, std::string_view b);
// (a.hashkey, a.sortkey) before (b.hashkey, b.sortkey) in that order.
bool ScanKeyBefore(const ScanKey& a, const ScanKey& b);

// A range no sortkey lies in: what a scan reads of a hashkey it does not scan.
SortkeyRange NothingRange();
// What a full_scan reads of `hashkey`: every sortkey when it resumes after nothing or after an
// earlier hashkey; nothing when `after`'s hashkey orders after it; the sortkeys after `after`'s
// sortkey when it is `after`'s hashkey.
SortkeyRange FullScanRange(const std::string& hashkey, const std::optional<ScanKey>& after);

// BuildHistory's check of a scan or full_scan event, beyond the types the reader checked: a
// full_scan names no hashkey; a scan's range has no limit and no reverse; a full_scan's partition
// lies in [0, partition_count) and its hashkeys are distinct; every group of returned records is
// non-empty and holds strings. Errors name the line and the field.
std::optional<Error> CheckScanShape(const Event& e, const std::string& source);

// Replaces each scan and full_scan operation by its reads, in place, keeping every operation's
// events, process, times, outcome and witness, and renumbering ids as positions:
// - ok scan of h with range R: a ranged multi_get of h over R returning the records under h,
//   and for each other hashkey h2 it returned records of, a multi_get of h2 over NothingRange
//   returning them (the model refuses it: a scan of h reads nothing of h2);
// - ok full_scan: for each hashkey listed or returned, a multi_get of it over FullScanRange
//   returning its records (none: it asserts every sortkey in that range absent); with no
//   hashkey at all, one multi_get that reads nothing (in no partition);
// - fail, info or open: one multi_get that reads nothing, as a failed or unknown multi_get.
// The reads of one scan share its events and have distinct hashkeys, so a partition holds at
// most one of them.
void LowerScans(History* h);

}  // namespace pg::checker
