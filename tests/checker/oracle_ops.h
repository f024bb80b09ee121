#pragma once
// Random operations of the kinds docs/checker.md adds to DESIGN.md §4 (sortkey_count, multi_get
// by range, multi_del, check_and_mutate, cas by check type), drawn and executed against a
// sequential store for the brute-force property tests (oracle_property_test.cc).
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "checker/history.h"

namespace pg::checker::testing {

// uniform(lo, hi): an integer in [lo, hi).
using Uniform = std::function<int(int, int)>;
// The store of a sequential execution: "hashkey/sortkey" -> value.
using SeqStore = std::map<std::string, std::string>;

struct Draw {
  const std::vector<std::string>* sortkeys;
  const std::vector<std::string>* values;
  Uniform uniform;
};

// Fills op's arguments (op.f and op.hashkey set; for cas, op.sortkey too) and, for an ok
// outcome, its result, applying it to *s. Returns false when Pegasus refuses the op (an int_*
// check on a non-integer): it then certainly had no effect.
bool DrawExtended(const Draw& d, Operation* op, SeqStore* s);

// Changes op's observed result (an ok op of an extended kind) so that it differs.
void CorruptExtended(const Draw& d, const Operation& op, Event* completion);

// Whether op is ok and of a kind CorruptExtended changes.
bool CorruptibleExtended(const Operation& op);

// A scan's or full_scan's arguments and records, as its events carry them.
struct ScanDraw {
  SortkeyRange range;  // scan
  FullScanArgs full_scan;
  ScanRecords records;  // when ok
};
// Draws a scan of `hashkey` (a range with no limit, not reversed) or a full_scan of the partition
// `hashkey` has among `hashkeys` (each its own partition; listed alone, or not at all; resuming
// after a random key half the time) and reads what it returns from s, at one instant.
ScanDraw DrawScan(const Draw& d, Fn f, const std::string& hashkey,
                  const std::vector<std::string>& hashkeys, const SeqStore& s);
// Changes a scan's or full_scan's records: one dropped, one changed to a value nothing wrote, or
// one added (on any hashkey, maybe one it does not read).
void CorruptScan(const Draw& d, Event* completion);

}  // namespace pg::checker::testing
