#include "tests/checker/oracle_ops.h"

#include <algorithm>

#include "tests/checker/oracle.h"

namespace pg::checker::testing {
namespace {

std::string Pick(const Draw& d, const std::vector<std::string>& from) {
  return from[d.uniform(0, static_cast<int>(from.size()))];
}

// Empty, one of the sortkeys, or the start of one: ranges over present, absent and in-between.
std::string Bound(const Draw& d) {
  const int i = d.uniform(0, 4);
  return i == 0 ? "" : i == 1 ? Pick(d, *d.sortkeys) + "0" : Pick(d, *d.sortkeys);
}

SortkeyRange DrawRange(const Draw& d) {
  SortkeyRange r;
  r.start = Bound(d);
  r.stop = Bound(d);
  r.start_inclusive = d.uniform(0, 2) == 1;
  r.stop_inclusive = d.uniform(0, 2) == 1;
  r.reverse = d.uniform(0, 2) == 1;
  if (d.uniform(0, 2) == 1) r.limit = d.uniform(1, 3);
  if (d.uniform(0, 3) == 0) {
    r.filter = SortkeyFilter{static_cast<FilterType>(d.uniform(0, 3)),
                             d.uniform(0, 3) == 0 ? "" : Pick(d, *d.sortkeys)};
  }
  return r;
}

// Operands that exercise every check family on the pool's values: integers, text, empty.
CheckArgs DrawCheck(const Draw& d) {
  static const std::vector<std::string> kOperands = {"", "1", "2", "x", "-1"};
  return CheckArgs{static_cast<CheckType>(d.uniform(0, 18)), Pick(d, kOperands)};
}

OptValue SeqLookup(const SeqStore& s, const std::string& k) {
  auto it = s.find(k);
  return it == s.end() ? OptValue() : OptValue(it->second);
}

KeyValues SeqRangeRead(const SeqStore& s, const std::string& hashkey, const SortkeyRange& r) {
  std::vector<std::pair<std::string, std::string>> row;
  for (const auto& [k, v] : s) {
    if (k.starts_with(hashkey + "/")) row.emplace_back(k.substr(hashkey.size() + 1), v);
  }
  if (r.reverse) std::reverse(row.begin(), row.end());
  KeyValues out;
  for (const auto& [k, v] : row) {
    if (InRange(r, k) && (!r.limit || static_cast<int64_t>(out.size()) < *r.limit)) out[k] = v;
  }
  return out;
}

// cas by check or check_and_mutate, executed: false when refused.
bool Checked(const Draw& d, Operation* op, SeqStore* s) {
  const bool cam = op->f == Fn::kCheckAndMutate;
  const std::string h = op->hashkey + "/";
  if (cam) {
    op->cam.check_sortkey = Pick(d, *d.sortkeys);
    op->cam.check = DrawCheck(d);
    for (int n = d.uniform(1, 3); n > 0; --n) {
      const bool set = d.uniform(0, 3) > 0;
      op->cam.mutations.push_back({Pick(d, *d.sortkeys), set ? Pick(d, *d.values) : OptValue()});
    }
  } else {
    op->cas.check = DrawCheck(d);
    op->cas.set = Pick(d, *d.values);
  }
  const std::string key = h + (cam ? op->cam.check_sortkey : op->sortkey);
  const OracleCheck c =
      EvaluateOracleCheck(cam ? op->cam.check : *op->cas.check, SeqLookup(*s, key));
  if (c == OracleCheck::kInvalid) return false;
  op->cas_result = c == OracleCheck::kPass;
  if (!op->cas_result) return true;
  if (!cam) (*s)[key] = op->cas.set;
  for (const Mutation& m : op->cam.mutations) {
    if (m.value) (*s)[h + m.sortkey] = *m.value;
    if (!m.value) s->erase(h + m.sortkey);
  }
  return true;
}

}  // namespace

bool DrawExtended(const Draw& d, Operation* op, SeqStore* s) {
  switch (op->f) {
    case Fn::kSortkeyCount:
      op->result = std::to_string(std::count_if(s->begin(), s->end(), [&](const auto& kv) {
        return kv.first.starts_with(op->hashkey + "/");
      }));
      return true;
    case Fn::kMultiGet:
      op->range = DrawRange(d);
      op->kvs = SeqRangeRead(*s, op->hashkey, *op->range);
      return true;
    case Fn::kMultiDel:
      for (const std::string& k : *d.sortkeys) {
        if (d.uniform(0, 2) == 1 || (k == d.sortkeys->back() && op->keys.empty())) {
          op->keys.push_back(k);
          s->erase(op->hashkey + "/" + k);
        }
      }
      return true;
    case Fn::kCas:
    case Fn::kCheckAndMutate:
      return Checked(d, op, s);
    default:
      return true;
  }
}

bool CorruptibleExtended(const Operation& op) {
  if (op.outcome != Outcome::kOk) return false;
  return op.f == Fn::kSortkeyCount || op.f == Fn::kCheckAndMutate ||
         (op.f == Fn::kMultiGet && op.range) || (op.f == Fn::kCas && op.cas.check);
}

ScanDraw DrawScan(const Draw& d, Fn f, const std::string& hashkey,
                  const std::vector<std::string>& hashkeys, const SeqStore& s) {
  ScanDraw out;
  if (f == Fn::kScan) {
    out.range = DrawRange(d);
    out.range.limit.reset();
    out.range.reverse = false;
    if (KeyValues row = SeqRangeRead(s, hashkey, out.range); !row.empty()) {
      out.records[hashkey] = std::move(row);
    }
    return out;
  }
  FullScanArgs& a = out.full_scan;
  a.partition_count = static_cast<int64_t>(hashkeys.size());
  a.partition = std::find(hashkeys.begin(), hashkeys.end(), hashkey) - hashkeys.begin();
  if (d.uniform(0, 4) > 0) a.hashkeys = {hashkey};
  if (d.uniform(0, 2) == 1) {
    // Hashkeys shorter, as long and longer than the pool's, so the length rule decides some.
    static const std::vector<std::string> kAfter = {"", "h", "g", "h1", "h2", "h10", "a5"};
    a.after = ScanKey{Pick(d, kAfter), Bound(d)};
  }
  const std::string after =
      a.after ? PegasusStoredKey(a.after->hashkey, a.after->sortkey) : std::string();
  for (const auto& [k, v] : s) {
    if (!k.starts_with(hashkey + "/")) continue;
    const std::string sortkey = k.substr(hashkey.size() + 1);
    if (!a.after || PegasusStoredKey(hashkey, sortkey) > after) out.records[hashkey][sortkey] = v;
  }
  return out;
}

void CorruptScan(const Draw& d, Event* e) {
  ScanRecords& records = e->records;
  const int how = records.empty() ? 2 : d.uniform(0, 3);
  if (how < 2) {
    auto group = std::next(records.begin(), d.uniform(0, static_cast<int>(records.size())));
    KeyValues& row = group->second;
    auto it = std::next(row.begin(), d.uniform(0, static_cast<int>(row.size())));
    if (how == 1) {
      it->second = *it->second + "z";  // a value nothing wrote
      return;
    }
    row.erase(it);
    if (row.empty()) records.erase(group);
    return;
  }
  // A record of the pool, maybe of a hashkey the scan does not read; maybe present, maybe not.
  static const std::vector<std::string> kHashkeys = {"h1", "h2", "h3"};
  records[Pick(d, kHashkeys)][Pick(d, *d.sortkeys)] = Pick(d, *d.values);
}

void CorruptExtended(const Draw& d, const Operation& op, Event* e) {
  if (op.f == Fn::kCas || op.f == Fn::kCheckAndMutate) {
    e->cas_result = !e->cas_result;
  } else if (op.f == Fn::kSortkeyCount) {
    const long long n = std::stoll(*e->value);
    e->value = std::to_string(n == 0 || d.uniform(0, 2) == 1 ? n + 1 : n - 1);
  } else if (!e->kvs.empty() && d.uniform(0, 2) == 1) {
    auto it = std::next(e->kvs.begin(), d.uniform(0, static_cast<int>(e->kvs.size())));
    if (d.uniform(0, 2) == 1) {
      e->kvs.erase(it);
    } else {
      it->second = *it->second + "z";  // a value nothing wrote
    }
  } else {
    // A sortkey it did not return, with a value of the pool: it may or may not be present.
    const std::string k = Pick(d, *d.sortkeys);
    if (e->kvs.contains(k)) e->kvs.erase(k);
    if (!op.kvs.contains(k)) e->kvs[k] = Pick(d, *d.values);
  }
}

}  // namespace pg::checker::testing
