#include "checker/scan_lowering.h"

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "checker/assert.h"

namespace pg::checker {
namespace {

// One read of a scan: its events, process, times, outcome and witness, on one hashkey.
void AddRead(const Operation& scan, std::string hashkey, std::optional<SortkeyRange> range,
             KeyValues kvs, std::vector<Operation>* out) {
  Operation op = scan;
  op.id = out->size();
  op.f = Fn::kMultiGet;
  op.hashkey = std::move(hashkey);
  op.range = std::move(range);
  op.kvs = std::move(kvs);
  out->push_back(std::move(op));
}

KeyValues RecordsOf(const ScanRecords& records, const std::string& hashkey) {
  auto it = records.find(hashkey);
  return it == records.end() ? KeyValues() : it->second;
}

void LowerOne(const History& h, const Operation& scan, std::vector<Operation>* out) {
  const Event& invoke = h.events[scan.invoke_event];
  CK_ASSERT(IsScan(invoke.f) && invoke.f == scan.f, "op {}", scan.id);
  if (scan.outcome != Outcome::kOk) {
    // No effect and nothing observed: a multi_get with no result is in no partition.
    AddRead(scan, scan.hashkey, std::nullopt, {}, out);
    return;
  }
  CK_ASSERT_NE(scan.complete_event, kOpen, "op {}: ok", scan.id);
  const ScanRecords& records = h.events[scan.complete_event].records;
  if (scan.f == Fn::kScan) {
    CK_ASSERT(invoke.range.has_value(), "op {}: CheckScanShape", scan.id);
    AddRead(scan, scan.hashkey, *invoke.range, RecordsOf(records, scan.hashkey), out);
    for (const auto& [hashkey, kvs] : records) {
      if (hashkey != scan.hashkey) AddRead(scan, hashkey, NothingRange(), kvs, out);
    }
    return;
  }
  CK_ASSERT(invoke.full_scan.has_value(), "op {}: CheckScanShape", scan.id);
  // Each hashkey once; std::set keeps the reads' order deterministic.
  std::set<std::string> hashkeys(invoke.full_scan->hashkeys.begin(),
                                 invoke.full_scan->hashkeys.end());
  for (const auto& [hashkey, kvs] : records) hashkeys.insert(hashkey);
  if (hashkeys.empty()) AddRead(scan, "", std::nullopt, {}, out);
  for (const std::string& hashkey : hashkeys) {
    AddRead(scan, hashkey, FullScanRange(hashkey, invoke.full_scan->after),
            RecordsOf(records, hashkey), out);
  }
}

}  // namespace

bool HashkeyBefore(std::string_view a, std::string_view b) {
  // std::string_view compares bytes as unsigned char, as RocksDB's bytewise comparator does.
  return a.size() != b.size() ? a.size() < b.size() : a < b;
}

bool ScanKeyBefore(const ScanKey& a, const ScanKey& b) {
  if (a.hashkey != b.hashkey) return HashkeyBefore(a.hashkey, b.hashkey);
  return a.sortkey < b.sortkey;
}

SortkeyRange NothingRange() {
  // Above "a" and below it: empty ("" means no bound, so the bounds must be non-empty).
  return SortkeyRange{.start = "a", .start_inclusive = false, .stop = "a", .stop_inclusive = false};
}

SortkeyRange FullScanRange(const std::string& hashkey, const std::optional<ScanKey>& after) {
  if (!after || HashkeyBefore(after->hashkey, hashkey)) return SortkeyRange{};  // every sortkey
  if (hashkey != after->hashkey) return NothingRange();
  // Strictly after the sortkey. After "" is every non-empty sortkey: from "\0" on, inclusive
  // (a start of "" would mean no bound, and include "").
  if (after->sortkey.empty()) return SortkeyRange{.start = std::string(1, '\0')};
  return SortkeyRange{.start = after->sortkey, .start_inclusive = false};
}

std::optional<Error> CheckScanShape(const Event& e, const std::string& source) {
  CK_ASSERT(IsScan(e.f), "line {}", e.line);
  auto fail = [&](std::string field, std::string message) {
    return Error{source, e.line, std::move(field), std::move(message)};
  };
  if (e.f == Fn::kFullScan && !e.hashkey.empty()) {
    return fail("hashkey",
                "expected \"\": a full_scan names no hashkey (its partition holds many)");
  }
  if (e.type == EventType::kOk) {
    for (const auto& [hashkey, kvs] : e.records) {
      if (kvs.empty()) {
        return fail("value." + hashkey,
                    "expected a non-empty object sortkey -> value (a hashkey the scan returned "
                    "no record of is left out)");
      }
      for (const auto& [sortkey, v] : kvs) {
        if (!v) return fail(fmt::format("value.{}.{}", hashkey, sortkey), "expected a string");
      }
    }
  }
  if (e.type != EventType::kInvoke) return std::nullopt;
  if (e.f == Fn::kScan) {
    if (!e.range) return fail("value", "expected a sort-key range object");
    if (e.range->limit) return fail("value.limit", "expected no limit (a scan has none)");
    if (e.range->reverse) return fail("value.reverse", "expected false (a scan has no reverse)");
    return std::nullopt;
  }
  if (!e.full_scan) return fail("value", "expected a full_scan object {\"partition\": P, ...}");
  const FullScanArgs& a = *e.full_scan;
  if (a.partition_count < 1) {
    return fail("value.partition_count",
                fmt::format("expected an integer >= 1 (got {})", a.partition_count));
  }
  if (a.partition < 0 || a.partition >= a.partition_count) {
    return fail("value.partition", fmt::format("expected an integer in [0, {}) (got {})",
                                               a.partition_count, a.partition));
  }
  std::set<std::string_view> seen;
  for (size_t i = 0; i < a.hashkeys.size(); ++i) {
    if (!seen.insert(a.hashkeys[i]).second) {
      return fail(fmt::format("value.hashkeys[{}]", i),
                  fmt::format("hashkey \"{}\" repeated (expected each once)", a.hashkeys[i]));
    }
  }
  return std::nullopt;
}

void LowerScans(History* h) {
  const auto scan = [](const Operation& op) { return IsScan(op.f); };
  if (std::none_of(h->operations.begin(), h->operations.end(), scan)) return;
  std::vector<Operation> out;
  out.reserve(h->operations.size());
  for (Operation& op : h->operations) {
    if (!IsScan(op.f)) {
      op.id = out.size();
      out.push_back(std::move(op));
      continue;
    }
    LowerOne(*h, op, &out);
  }
  h->operations = std::move(out);
  // Ids are positions in invocation order; reads of one scan share its invocation, one per
  // hashkey (so no partition holds two operations of one invocation).
  for (size_t i = 0; i < h->operations.size(); ++i) {
    const Operation& op = h->operations[i];
    CK_ASSERT(op.id == i && !IsScan(op.f), "op {}", i);
    if (i == 0) continue;
    const Operation& prev = h->operations[i - 1];
    CK_ASSERT_LE(prev.invoke_event, op.invoke_event, "op {}", i);
    CK_ASSERT(prev.invoke_event != op.invoke_event ||
                  (IsScan(h->events[op.invoke_event].f) && prev.hashkey != op.hashkey),
              "op {}: two reads of one invocation on one hashkey", i);
  }
}

}  // namespace pg::checker
