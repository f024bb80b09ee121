#include "checker/prepare.h"

#include <algorithm>
#include <set>
#include <span>
#include <vector>

#include "checker/assert.h"

namespace pg::checker {
namespace {

using Pair = std::pair<int32_t, int32_t>;  // (slot, value id)

// (slot, value) -> the operations listed under it, in the order they were added. Collected, then
// sorted once (stably: each pair's operations keep their order), rather than a map node per pair:
// every partition of every history builds two.
class PairIndex {
 public:
  void Add(const Pair& kv, size_t op) {
    CK_ASSERT(!frozen_, "added after Freeze");
    entries_.emplace_back(kv, op);
  }
  void Freeze() {
    std::stable_sort(entries_.begin(), entries_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    frozen_ = true;
  }
  // The operations listed under kv, in order; empty when none.
  std::span<const std::pair<Pair, size_t>> Find(const Pair& kv) const {
    CK_ASSERT(frozen_, "looked up before Freeze");
    auto [lo, hi] =
        std::equal_range(entries_.begin(), entries_.end(), std::pair<Pair, size_t>(kv, 0),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
    return {lo, hi};
  }
  bool Contains(const Pair& kv) const { return !Find(kv).empty(); }
  // Each pair with its operations, in pair order.
  template <class F>
  void ForEachPair(F&& f) const {
    CK_ASSERT(frozen_, "walked before Freeze");
    for (size_t i = 0; i < entries_.size();) {
      size_t j = i;
      while (j < entries_.size() && entries_[j].first == entries_[i].first) ++j;
      if (f(entries_[i].first, std::span(entries_.begin() + static_cast<ptrdiff_t>(i),
                                         entries_.begin() + static_cast<ptrdiff_t>(j)))) {
        return;
      }
      i = j;
    }
  }

 private:
  std::vector<std::pair<Pair, size_t>> entries_;
  bool frozen_ = false;
};

// Who writes and who observes each (slot, value) in one partition.
struct Index {
  PairIndex writers;    // any op that may leave slot = value
  PairIndex observers;  // ok ops that saw slot = value
  // Per slot: an ok cas (its result observes whatever value the slot had) or any incr.
  std::vector<bool> ok_cas_or_incr;
  std::vector<bool> incr;  // per slot
  // (slot, expect) of every unknown-outcome cas: whether it wrote depended on that value.
  std::set<Pair> unknown_cas_expects;
};

Index BuildIndex(const CompiledPartition& p) {
  Index ix;
  ix.ok_cas_or_incr.assign(p.initial.size(), false);
  ix.incr.assign(p.initial.size(), false);
  for (size_t i = 0; i < p.ops.size(); ++i) {
    const ModelOp& op = p.ops[i];
    if (!IsMulti(op.f)) {
      CK_ASSERT(op.slot >= 0 && static_cast<size_t>(op.slot) < p.initial.size(), "op {}", i);
    }
    switch (op.f) {
      case Fn::kGet:
        if (op.observed) ix.observers.Add({op.slot, op.value}, i);
        break;
      case Fn::kMultiGet:
        if (op.observed) {
          for (const Pair& kv : op.kvs) ix.observers.Add(kv, i);
        }
        break;
      case Fn::kSet:
        ix.writers.Add({op.slot, op.value}, i);
        break;
      case Fn::kDel:
        ix.writers.Add({op.slot, kAbsent}, i);
        break;
      case Fn::kMultiSet:
        for (const Pair& kv : op.kvs) ix.writers.Add(kv, i);
        break;
      case Fn::kCas:
        if (op.observed) {
          ix.ok_cas_or_incr[op.slot] = true;
        } else {
          ix.unknown_cas_expects.insert({op.slot, op.expect});
        }
        ix.writers.Add({op.slot, op.cas_set}, i);
        // A cas by another check type than equality observes no one value (op.expect unused).
        if (op.observed && op.cas_result && !op.checked) {
          ix.observers.Add({op.slot, op.expect}, i);
        }
        break;
      case Fn::kIncr:
        ix.ok_cas_or_incr[op.slot] = true;
        ix.incr[op.slot] = true;
        break;
      case Fn::kMultiDel:
      case Fn::kCheckAndMutate:
        // Their writes, so that the writers of each pair are complete (FindContradiction); a
        // check_and_mutate's check observes no one value, and sortkey_count none at all.
        for (const Pair& kv : op.kvs) ix.writers.Add(kv, i);
        break;
      case Fn::kSortkeyCount:
        break;
      case Fn::kScan:
      case Fn::kFullScan:
        CK_UNREACHABLE("op {}: BuildHistory lowers scans into multi_gets", op.op_id);
    }
  }
  ix.writers.Freeze();
  ix.observers.Freeze();
  return ix;
}

// Could an incr on this slot produce value v? incr writes the canonical decimal text of a number.
bool IncrMayWrite(const Index& ix, const CompiledPartition& p, const Pair& kv) {
  if (!ix.incr[kv.first]) return false;
  auto n = p.values.Number(kv.second);
  return kv.second == kAbsent || (n && p.values.Show(kv.second) == fmt::format("\"{}\"", *n));
}

std::string Describe(const History& h, const ModelOp& op) {
  const Operation& o = h.operations[op.op_id];
  return fmt::format("{} of process {} (lines {}-{})", FnName(RecordedFn(h, o)), o.process,
                     h.events[o.invoke_event].line,
                     o.complete_event == kOpen ? std::string("open")
                                               : std::to_string(h.events[o.complete_event].line));
}

// U2/U3. Exact: a state slot = v at O's linearization point needs the initial value to be v or
// some write of v linearized before O, and a write linearized before O was invoked before O
// completed (linearization points lie within the operations' intervals).
void FindContradiction(const History& h, const CompiledPartition& p, const Index& ix,
                       const std::vector<std::string>& names, Prepared* out) {
  ix.observers.ForEachPair([&](const Pair& kv, auto observers) {
    if (p.initial[kv.first] == kv.second || IncrMayWrite(ix, p, kv)) return false;
    const auto writers = ix.writers.Find(kv);
    const size_t o = observers.front().second;
    if (writers.empty()) {
      out->contradiction_op = o;
      out->contradiction =
          fmt::format("{} observed {} = {}, which no operation writes", Describe(h, p.ops[o]),
                      names[kv.first], p.values.Show(kv.second));
      return true;
    }
    if (writers.size() != 1) return false;
    const size_t writer = writers.front().second;
    const ModelOp& w = p.ops[writer];
    const size_t w_call = h.operations[w.op_id].invoke_event;
    for (const auto& [unused, obs] : observers) {
      const Operation& ob = h.operations[p.ops[obs].op_id];
      if (ob.complete_event < w_call || obs == writer) {
        out->contradiction_op = obs;
        out->contradiction = fmt::format(
            "{} observed {} = {}, whose only writer is {}, which {}", Describe(h, p.ops[obs]),
            names[kv.first], p.values.Show(kv.second), Describe(h, w),
            obs == writer ? "is itself" : "was invoked after it completed");
        return true;
      }
    }
    return false;
  });
}

// R1: an unknown-outcome get or multi_get neither changes the state nor constrains it: any
// linearization of the rest extends by placing it anywhere (or nowhere).
// R2: an unknown-outcome set/del/multi_set/cas W none of whose written pairs (s, v) any ok
// operation observed, on slots no ok cas and no incr touches, and that no unknown-outcome cas
// expected. Take a linearization L with W in it and remove W: only slots W wrote change, and only
// between W and the next write of that slot. An ok operation there that reads the slot would have
// observed (s, v) -- none did (gets and multi_gets observe only what they return; ok cas and incr,
// which observe any value, are excluded). An unknown-outcome cas C there expected some u != v, so
// in L it failed and had no effect: drop C from L as well (its outcome is unknown, so it may never
// happen), and nothing else changes. So L without W is valid; and a valid linearization without W
// is valid for the history (W may never happen). With an ok cas or an incr on the slot the rule
// is unsound: they observe every value, e.g. cas(expect=v) failing depends on W having happened,
// and W's effect feeds incr's result; an unknown cas expecting v may have written because of W.
bool Prunable(const ModelOp& op, const Index& ix) {
  if (op.observed) return false;
  if (op.f == Fn::kGet || op.f == Fn::kMultiGet) return true;
  std::vector<Pair> writes;
  if (op.f == Fn::kSet) writes = {{op.slot, op.value}};
  if (op.f == Fn::kDel) writes = {{op.slot, kAbsent}};
  if (op.f == Fn::kMultiSet) writes = op.kvs;
  if (op.f == Fn::kCas) writes = {{op.slot, op.cas_set}};
  if (writes.empty()) return false;  // incr
  for (const Pair& kv : writes) {
    if (ix.ok_cas_or_incr[kv.first] || ix.observers.Contains(kv) ||
        ix.unknown_cas_expects.contains(kv)) {
      return false;
    }
  }
  return true;
}

// R2 with extended operations (IsExtended). The argument above holds once the operations that
// see W's slots in other ways block it too: (a) a check (a cas by check type, check_and_mutate,
// ok or not) compares its slot's value by order, pattern or emptiness: no write of a checked slot
// is pruned; (b) an ok range read that did not return an in-range slot saw it absent (or cut off
// by its limit): a delete of that slot counts as observed; a write of a present value is safe,
// as in L such a read returned the pair (observed: not pruned) or cut the slot off, which its
// value does not change; (c) an ok sortkey_count sees every slot's presence: W is kept if one
// completes after W's invocation (one that completed before precedes W in every linearization).
struct ExtendedReaders {
  std::vector<bool> checked;       // per slot
  std::set<Pair> absent_in_range;  // (slot, kAbsent) an ok range read did not return
  size_t last_count_complete = 0;  // the latest completion of an ok sortkey_count; 0: none
};

ExtendedReaders FindExtendedReaders(const History& h, const CompiledPartition& p) {
  ExtendedReaders e;
  e.checked.assign(p.initial.size(), false);
  for (const ModelOp& op : p.ops) {
    if ((op.f == Fn::kCas && op.checked) || op.f == Fn::kCheckAndMutate) {
      e.checked[op.slot] = true;
    }
    if (op.f == Fn::kMultiGet && op.ranged && op.observed) {
      std::set<int32_t> returned;
      for (const Pair& kv : op.kvs) returned.insert(kv.first);
      for (int32_t slot : op.range) {
        if (!returned.contains(slot)) e.absent_in_range.insert({slot, kAbsent});
      }
    }
    if (op.f == Fn::kSortkeyCount && op.observed) {
      e.last_count_complete =
          std::max(e.last_count_complete, h.operations[op.op_id].complete_event);
    }
  }
  return e;
}

bool PrunableExtended(const ModelOp& op, const History& h, const Index& ix,
                      const ExtendedReaders& e) {
  if (op.observed) return false;
  if (h.operations[op.op_id].invoke_event < e.last_count_complete) return false;
  std::vector<Pair> writes;
  if (op.f == Fn::kSet) writes = {{op.slot, op.value}};
  if (op.f == Fn::kDel) writes = {{op.slot, kAbsent}};
  if (op.f == Fn::kMultiSet || op.f == Fn::kMultiDel || op.f == Fn::kCheckAndMutate) {
    writes = op.kvs;
  }
  if (op.f == Fn::kCas) writes = {{op.slot, op.cas_set}};
  if (writes.empty()) return false;  // incr
  for (const Pair& kv : writes) {
    if (ix.ok_cas_or_incr[kv.first] || e.checked[kv.first] || ix.observers.Contains(kv) ||
        ix.unknown_cas_expects.contains(kv) || e.absent_in_range.contains(kv)) {
      return false;
    }
  }
  return true;
}

// Per slot, the operations whose outcome depends on the slot's value (they read it): ok gets and
// multi_gets naming it, and every cas and incr on it. Unknown-outcome gets read nothing (R1).
struct Readers {
  std::vector<size_t> last_ok_complete;  // the latest completion of an ok reader; 0: none
  std::vector<size_t> unknown;           // unknown-outcome cas and incr
};

Readers FindReaders(const History& h, const CompiledPartition& p) {
  Readers r;
  r.last_ok_complete.assign(p.initial.size(), 0);
  r.unknown.assign(p.initial.size(), 0);
  for (const ModelOp& op : p.ops) {
    const bool reads =
        op.f == Fn::kCas || op.f == Fn::kIncr || op.f == Fn::kCheckAndMutate ||
        (op.observed && (op.f == Fn::kGet || op.f == Fn::kMultiGet || op.f == Fn::kSortkeyCount));
    if (!reads) continue;
    // A check_and_mutate reads its check slot; a range read every slot of its range, present or
    // not (which it returns depends on them all); sortkey_count every slot.
    std::vector<int32_t> slots = {op.slot};
    if (op.f == Fn::kMultiGet) {
      slots.clear();
      if (op.ranged) {
        slots = op.range;
      } else {
        for (const Pair& kv : op.kvs) slots.push_back(kv.first);
      }
    }
    if (op.f == Fn::kSortkeyCount) {
      slots.clear();
      for (size_t s = 0; s < p.initial.size(); ++s) slots.push_back(static_cast<int32_t>(s));
    }
    for (int32_t s : slots) {
      if (!op.observed) {
        ++r.unknown[s];
        continue;
      }
      const size_t done = h.operations[op.op_id].complete_event;
      CK_ASSERT_NE(done, kOpen, "an ok op completed");
      r.last_ok_complete[s] = std::max(r.last_ok_complete[s], done);
    }
  }
  return r;
}

// R3: an unknown-outcome write W (set, del, multi_set, cas, incr) such that on every slot it
// writes, every other operation that reads the slot is ok and completed before W was invoked.
// Take a linearization L with W in it and remove W: the state differs only on W's slots, from W
// until the next write of each. Every reader of those slots precedes W in real time, hence in L,
// so none sees the difference, and the writes after W (which read nothing) leave the same state
// as before. So L without W is valid, and W may never happen. This is the case of a counter with
// an incr that timed out and nothing reads it afterwards; while anything may still read the
// slot after W, W is kept (a later incr's result adds W's delta, a later cas compares with it).
bool Trailing(const ModelOp& op, const History& h, const Readers& r) {
  if (op.observed || op.f == Fn::kGet || op.f == Fn::kMultiGet || op.f == Fn::kSortkeyCount) {
    return false;
  }
  std::vector<int32_t> slots = {op.slot};
  if (op.f == Fn::kMultiSet || op.f == Fn::kMultiDel || op.f == Fn::kCheckAndMutate) {
    slots.clear();
    for (const Pair& kv : op.kvs) slots.push_back(kv.first);
  }
  const size_t invoked = h.operations[op.op_id].invoke_event;
  for (int32_t s : slots) {
    // An unknown-outcome op that reads the slot it writes counted itself among its readers.
    const bool reads_itself =
        op.f == Fn::kCas || op.f == Fn::kIncr || (op.f == Fn::kCheckAndMutate && s == op.slot);
    const size_t self = reads_itself ? 1 : 0;
    CK_ASSERT_GE(r.unknown[s], self, "an unknown cas or incr counts itself");
    if (r.unknown[s] > self || r.last_ok_complete[s] > invoked) return false;
  }
  return true;
}

// U1: an unknown-outcome write W that is the only possible writer of some (s, v) that an ok
// operation O observed, where v is not the initial value: the state had s = v when O took effect,
// so W took effect before O, hence before O returned. Giving W that deadline removes no valid
// linearization and turns an operation open to the end of time into a bounded one.
std::optional<std::pair<size_t, size_t>> Deadline(const History& h, const CompiledPartition& p,
                                                  const Index& ix, size_t i) {
  const ModelOp& op = p.ops[i];
  std::vector<Pair> writes;
  if (op.f == Fn::kSet) writes = {{op.slot, op.value}};
  if (op.f == Fn::kCas) writes = {{op.slot, op.cas_set}};
  if (op.f == Fn::kMultiSet) writes = op.kvs;
  std::optional<std::pair<size_t, size_t>> best;  // (return position, observer op id)
  for (const Pair& kv : writes) {
    if (p.initial[kv.first] == kv.second || IncrMayWrite(ix, p, kv)) continue;
    const auto w = ix.writers.Find(kv);
    const auto o = ix.observers.Find(kv);
    if (w.size() != 1 || o.empty()) continue;
    CK_ASSERT_EQ(w.front().second, i, "the only writer of the pair is this op");
    for (const auto& [unused, obs] : o) {
      const Operation& ob = h.operations[p.ops[obs].op_id];
      // Observers are ok operations: they completed.
      CK_ASSERT_NE(ob.complete_event, kOpen, "observer op {}", ob.id);
      std::pair<size_t, size_t> cand{ob.complete_event, ob.id};
      if (!best || cand < *best) best = cand;
    }
  }
  return best;
}

}  // namespace

Prepared Prepare(const History& h, const CompiledPartition& p,
                 const std::vector<std::string>& slot_names, const PrepareOptions& given) {
  Prepared out;
  // R2 needs every (slot, value) an operation's outcome depends on to be one the index lists as
  // observed. A range read or sortkey_count depends on the absence and presence of slots it does
  // not name, and a check compares by order or pattern: with any of them (IsExtended), R2 takes
  // them into account (PrunableExtended). R1 needs nothing of that; R3 needs the readers of each
  // slot, which FindReaders lists for every kind (a range read reads its whole range, sortkey_count
  // every slot, a check its slot); U1 needs only exact observations and every writer of a pair,
  // which BuildIndex lists.
  const bool extended = std::any_of(p.ops.begin(), p.ops.end(), IsExtended);
  const PrepareOptions options = given;
  // U2 and U3 need only what the index lists exactly for every operation: the writers of each
  // pair (slot, value) and ok observations of one (a get, a multi_get by keys or by range: a
  // ranged read saw each pair it returned). So they hold with extended operations too; a range
  // read returning a value nothing writes is refuted here, however long the history.
  const bool contradictions = given.unique_values;
  const Index ix = BuildIndex(p);
  const Readers readers = FindReaders(h, p);
  const ExtendedReaders ext_readers = FindExtendedReaders(h, p);
  if (contradictions) {
    FindContradiction(h, p, ix, slot_names, &out);
    if (out.contradiction_op) {
      CK_ASSERT_LT(*out.contradiction_op, p.ops.size());
      CK_ASSERT(!out.contradiction.empty(), "a contradiction says why");
      return out;
    }
  }
  for (size_t i = 0; i < p.ops.size(); ++i) {
    const ModelOp& m = p.ops[i];
    const Operation& op = h.operations[m.op_id];
    const bool read_only =
        !m.observed && (m.f == Fn::kGet || m.f == Fn::kMultiGet || m.f == Fn::kSortkeyCount);  // R1
    const bool prune = read_only ||
                       (extended ? PrunableExtended(m, h, ix, ext_readers) : Prunable(m, ix)) ||
                       Trailing(m, h, readers);
    if (options.prune_unknown && prune) {
      ++out.pruned;
      continue;
    }
    SearchOp s;
    s.model = m;
    s.call_pos = op.invoke_event;
    if (m.observed) {
      CK_ASSERT_NE(op.complete_event, kOpen, "an observed op completed");
      s.return_pos = op.complete_event;
    } else if (options.unique_values) {
      if (auto d = Deadline(h, p, ix, i)) {
        // FindContradiction found no observer of the op's value completing before its
        // invocation, so the deadline lies after the call (the search needs it so).
        CK_ASSERT_GT(d->first, s.call_pos, "op {}", m.op_id);
        s.return_pos = d->first;
        s.return_rank = 0;  // before the observer's own return
        ++out.bounded;
      }
    }
    // Search's precondition: ops sorted by call position (compiled ops are in invocation order).
    if (!out.ops.empty()) CK_ASSERT_LT(out.ops.back().call_pos, s.call_pos, "op {}", m.op_id);
    out.ops.push_back(std::move(s));
    out.search_to_compiled.push_back(i);
  }
  CK_ASSERT_EQ(out.ops.size() + out.pruned, p.ops.size(), "every op searched or pruned");
  CK_ASSERT_LE(out.bounded, out.ops.size());
  return out;
}

}  // namespace pg::checker
