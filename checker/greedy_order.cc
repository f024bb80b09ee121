#include "checker/greedy_order.h"

#include <algorithm>
#include <array>
#include <tuple>

#include "checker/assert.h"
#include "checker/greedy_containers.h"
#include "checker/greedy_window.h"

namespace pg::checker {
// A named namespace: the batched build compiles this file with others whose file-local helpers
// may share names.
namespace greedy_sweep {

// How deep a chain of needs may go (a cas needing the value another cas writes, ...).
constexpr int kMaxNeedDepth = 16;
constexpr int64_t kUnset = -2;

bool IsObservation(const ModelOp& m) {
  return m.observed && (m.f == Fn::kGet || (m.f == Fn::kCas && !m.cas_result));
}

// The value a write leaves when it takes effect.
int32_t Written(const ModelOp& m) {
  return m.f == Fn::kSet ? m.value : m.f == Fn::kCas ? m.cas_set : kAbsent;
}

bool IsWrite(const ModelOp& m) {
  return m.f == Fn::kSet || m.f == Fn::kDel || (m.f == Fn::kCas && (!m.observed || m.cas_result));
}

// How the sweep guesses where it has a choice. Any choice is sound: the order is verified.
struct Policy {
  bool absent_reads = false;  // gets of absent and cas expecting it tied to a del (LastReadCall)
  bool blind_first = true;    // sets nobody reads placed just before the next set or del
  bool flush_absent = false;  // a cas expecting absent reads the current absent (FlushCas)
  bool change_by_deadline = false;  // which write a failed cas gets first (Change)
  bool change_by_unknown = false;   // ... an unknown-outcome one before any other
  bool operator==(const Policy&) const = default;
};
// Every combination, the usual one first.
constexpr std::array<Policy, 32> AllPolicies() {
  std::array<Policy, 32> all{};
  for (int i = 0; i < 32; ++i) {
    all[i] = {(i & 1) != 0, (i & 2) == 0, (i & 4) != 0, (i & 8) != 0, (i & 16) != 0};
  }
  return all;
}
constexpr std::array<Policy, 32> kPolicies = AllPolicies();
// Repairs: the sweep keeps its progress every kBlock events; when an event fails, it goes back
// 0, 1, 2, 4 or 8 blocks and redoes them up to the failing block's end with another policy.
constexpr size_t kBlock = 32;
constexpr size_t kBacks[] = {0, 1, 2, 4, 8};
constexpr int kMaxRepairs = 400;
// The windows an exact search repairs, in blocks back from the failing one.
constexpr size_t kWindowBacks[] = {0, 1, 2, 4, 8};

class Sweep {
 public:
  Sweep(const std::vector<SearchOp>& ops, const Versions& v, CompiledPartition* p)
      : ops_(ops), v_(v), p_(p), state_(v.initial), done_(ops.size(), false) {
    for (size_t i = 0; i < ops.size(); ++i) {
      const ModelOp& m = ops[i].model;
      if (m.f == Fn::kSet) writers_.Add(m.value, i);
      if (m.f == Fn::kCas) writers_.Add(m.cas_set, i);
      if (m.f == Fn::kDel) writers_.Add(kAbsent, i);
    }
    for (bool absent_reads : {false, true}) ComputeLastReads(absent_reads);
    // (position, is a return, op): every call and return in real-time order. The calls are in
    // op order already (ops are sorted by call); only the returns need sorting, then a merge.
    std::vector<std::tuple<int64_t, bool, size_t>> calls, returns;
    calls.reserve(ops_.size());
    for (size_t i = 0; i < ops_.size(); ++i) {
      CK_ASSERT(i == 0 || v_.inv[i - 1] < v_.inv[i], "op {}: ops are in call order", i);
      calls.emplace_back(v_.inv[i], false, i);
      if (v_.ret[i] != kNeverReturns) returns.emplace_back(v_.ret[i], true, i);
    }
    std::sort(returns.begin(), returns.end());
    events_.resize(calls.size() + returns.size());
    std::merge(calls.begin(), calls.end(), returns.begin(), returns.end(), events_.begin());
  }

  // absent_reads: a get of absent (when dels exist), or an acknowledged successful cas expecting
  // absent, is taken to read the del called last before it returned, as the reads of a unique
  // value read its write (and the cas's own value's reads chain on).
  void ComputeLastReads(bool absent_reads) {
    const size_t n = ops_.size();
    std::vector<int64_t> absent_read_call(n, -1);
    std::vector<std::vector<size_t>> tied(n);  // per del, the cas taken to read it
    const std::vector<size_t>& dels = writers_.Of(kAbsent);
    for (size_t r = 0; absent_reads && r < n; ++r) {
      const ModelOp& m = ops_[r].model;
      const bool get = m.f == Fn::kGet && m.observed && m.value == kAbsent;
      const bool cas = m.f == Fn::kCas && m.observed && m.cas_result && m.expect == kAbsent;
      if (!get && !cas) continue;
      auto it = std::lower_bound(dels.begin(), dels.end(), r,
                                 [&](size_t d, size_t x) { return v_.inv[d] < v_.ret[x]; });
      if (it == dels.begin()) continue;
      int64_t& last = absent_read_call[*std::prev(it)];
      last = std::max(last, v_.inv[r]);
      if (cas) tied[*std::prev(it)].push_back(r);
    }
    std::vector<int64_t>& lrc = last_read_calls_[absent_reads];
    lrc.assign(n, kUnset);
    for (size_t w = 0; w < n; ++w) LastReadCall(w, absent_read_call, tied, &lrc);
  }

  // The latest call of an operation that surely read w's unique value, or of one that read
  // the value of a cas that read it, and so on: a successful cas ends the span of the value it
  // read and starts its own, so the spans chain. For a del, of the gets of absent taken to read
  // it. -1 when there is none.
  int64_t LastReadCall(size_t w, const std::vector<int64_t>& absent_read_call,
                       const std::vector<std::vector<size_t>>& tied,
                       std::vector<int64_t>* lrc) const {
    if ((*lrc)[w] != kUnset) return (*lrc)[w];
    (*lrc)[w] = absent_read_call[w];  // also what a cycle (an illegal history) sees
    int64_t last = absent_read_call[w];
    for (size_t r : tied[w]) last = std::max(last, LastReadCall(r, absent_read_call, tied, lrc));
    const int32_t k = v_.writes_cluster[w];
    if (k < 0) return (*lrc)[w] = last;
    for (size_t r : v_.clusters[k].readers) {
      last = std::max(last, v_.inv[r]);
      if (v_.writes_cluster[r] >= 0) {
        last = std::max(last, LastReadCall(r, absent_read_call, tied, lrc));
      }
    }
    return (*lrc)[w] = last;
  }

  std::optional<std::vector<size_t>> Run() {
    for (size_t i = 0; i < events_.size();) {
      Keep(i);
      if (Step(i)) {
        ++i;
      } else if (!Repair(i, &i)) {
        return std::nullopt;
      }
    }
    return order_;
  }

 private:
  int64_t LastRead(size_t w) const { return last_read_calls_[policy_.absent_reads][w]; }

  // What a repair restores: the order's length, the state and the pending operations (what was
  // placed after is undone).
  struct Kept {
    size_t placed;
    int32_t state;
    SortedIds obs, writes;
  };

  // At each block's start, the progress so far.
  void Keep(size_t i) {
    if (i % kBlock == 0 && kept_.size() == i / kBlock) {
      kept_.push_back({order_.size(), state_, pending_obs_, pending_writes_});
    }
  }

  void Restore(size_t block) {
    const Kept& k = kept_[block];
    for (size_t j = k.placed; j < order_.size(); ++j) done_[order_[j]] = false;
    order_.resize(k.placed);
    state_ = k.state;
    pending_obs_ = k.obs;
    pending_writes_ = k.writes;
    kept_.resize(block + 1);
  }

  bool Step(size_t i) {
    const auto& [pos, is_return, op] = events_[i];
    return is_return ? Return(op) : Call(op);
  }

  // Event `failed` could not be done: redo the blocks before it with another policy up to the
  // failing block's end, nearest first; *resume is where to go on. The policy changes only there.
  // When no policy gets past it, an exact search over the same stretch (SearchWindow).
  bool Repair(size_t failed, size_t* resume) {
    if (++repairs_ > kMaxRepairs) return false;
    const size_t block = failed / kBlock;
    const size_t end = std::min(events_.size(), (block + 1) * kBlock);
    // The progress kept at the blocks a window may start from and the order since, as the usual
    // policy left them (a failed policy's redo overwrites both).
    const size_t first = block - std::min(block, kWindowBacks[std::size(kWindowBacks) - 1]);
    const std::vector<Kept> kept(kept_.begin() + static_cast<ptrdiff_t>(first), kept_.end());
    const std::vector<size_t> placed(order_.begin() + static_cast<ptrdiff_t>(kept_[first].placed),
                                     order_.end());
    if (RepairByPolicy(block, end)) {
      *resume = end;
      return true;
    }
    Restore(first);
    for (size_t i : placed) done_[i] = true, order_.push_back(i);
    kept_.insert(kept_.end(), kept.begin() + 1, kept.end());
    for (size_t back : kWindowBacks) {
      if (back > block || window_steps_left_ == 0) break;
      if (RepairBySearch(block - back, end)) {
        *resume = end;
        return true;
      }
    }
    return false;
  }

  bool RepairByPolicy(size_t block, size_t end) {
    const Policy usual = policy_;
    for (size_t back : kBacks) {
      if (back > block) break;
      for (const Policy& p : kPolicies) {
        if (p == usual) continue;
        Restore(block - back);
        policy_ = p;
        bool ok = true;
        for (size_t j = (block - back) * kBlock; ok && j < end; ++j) {
          Keep(j);
          ok = Step(j);
        }
        policy_ = usual;
        if (ok) return true;
      }
    }
    return false;
  }

  // From the progress kept at block `from`: an order of what returns before event `end`
  // (SearchWindow), then the sweep's progress rebuilt along it up to `end`, keeping each block's
  // start on the way (the longest prefix of the order called before it: every operation that
  // returned by then is in it, since one placed before it was called before its return).
  bool RepairBySearch(size_t from, size_t end) {
    Restore(from);
    const int64_t until = end < events_.size() ? std::get<0>(events_[end]) : kNeverReturns;
    Window w{.until = until, .state = state_};
    for (size_t i = 0; i < ops_.size(); ++i) {
      const ModelOp& m = ops_[i].model;
      if (!done_[i] && v_.inv[i] < until && (IsObservation(m) || IsWrite(m))) w.ops.push_back(i);
    }
    const auto order = SearchWindow(ops_, v_, w, p_, &window_steps_left_);
    if (!order) return false;
    size_t next = 0;
    for (size_t j = from * kBlock; j <= end; ++j) {
      const int64_t pos = j < events_.size() ? std::get<0>(events_[j]) : kNeverReturns;
      for (; next < order->size() && v_.inv[(*order)[next]] < pos; ++next) Place((*order)[next]);
      if (j == end) break;
      Keep(j);
      const auto& [at, is_return, op] = events_[j];
      if (is_return) {
        CK_ASSERT(done_[op], "op {} returned outside the window's order", op);
      } else if (!done_[op]) {
        (IsObservation(ops_[op].model) ? pending_obs_ : pending_writes_).insert(op);
      }
    }
    CK_ASSERT_EQ(next, order->size(), "the window's order placed in full");
    Eager();
    return true;
  }

  bool Accepts(const ModelOp& m) const {
    if (m.f == Fn::kGet) return m.value == state_;
    return (state_ == m.expect) == m.cas_result;
  }

  void Place(size_t i) {
    CK_ASSERT(!done_[i], "op {} placed twice", i);
    done_[i] = true;
    pending_obs_.erase(i);
    pending_writes_.erase(i);
    order_.push_back(i);
    const ModelOp& m = ops_[i].model;
    if (m.f == Fn::kSet) state_ = m.value;
    if (m.f == Fn::kDel) state_ = kAbsent;
    if (m.f == Fn::kCas && state_ == m.expect) state_ = m.cas_set;
  }

  // Every pending observation the state accepts, placed now.
  void Eager() {
    std::vector<size_t> fit;
    for (size_t i : pending_obs_) {
      if (Accepts(ops_[i].model)) fit.push_back(i);
    }
    for (size_t i : fit) Place(i);
  }

  bool Call(size_t i) {
    const ModelOp& m = ops_[i].model;
    if (IsObservation(m)) {
      pending_obs_.insert(i);
      Eager();
    } else if (IsWrite(m)) {
      pending_writes_.insert(i);
    }
    return true;
  }

  bool Return(size_t i) {
    if (done_[i]) return true;
    const ModelOp& m = ops_[i].model;
    if (IsWrite(m)) return Write(i, 0);
    CK_ASSERT(IsObservation(m), "op {}: an ok op is a write or an observation", i);
    if (Accepts(m)) {  // left pending where the state fits it (a window's order, rebuilt)
      Place(i);
      return true;
    }
    const bool got = m.f == Fn::kGet ? Need(m.value, 0) : Change(0);
    return got && done_[i];  // Eager placed it if the state now fits
  }

  // Places write w now, after the pending writes that must precede it and after getting the
  // value a cas expects.
  bool Write(size_t w, int depth) {
    if (depth > kMaxNeedDepth || done_[w] || active_.contains(w)) return false;
    active_.insert(w);
    Before(w, depth);
    active_.erase(w);
    if (done_[w]) return true;  // placed on the way (a cas flushed before a write)
    const ModelOp& m = ops_[w].model;
    if (m.f == Fn::kCas && state_ != m.expect && !Need(m.expect, depth + 1)) return false;
    if (done_[w]) return true;
    FlushCas(w);
    if (m.f == Fn::kCas && state_ != m.expect) return false;
    if (policy_.blind_first && m.f != Fn::kCas) PlaceBlind(w);
    Place(w);
    Eager();
    return true;
  }

  // A pending sure write x whose cluster (x and the reads of its value) has an operation
  // returning before a read of w's (unique) value is called cannot lie between w and that read,
  // nor after it: x precedes w (the zones of version_refute.cc). Placed first, each by the same
  // rule.
  void Before(size_t w, int depth) {
    if (LastRead(w) < 0) return;
    std::vector<size_t> first;
    const int32_t written = Written(ops_[w].model);
    for (size_t x : pending_writes_) {
      const int32_t c = v_.writes_cluster[x];
      // Not a cas expecting w's value: it reads w (a del's absent, when tied to it).
      const ModelOp& xm = ops_[x].model;
      if (xm.f == Fn::kCas && xm.expect == written) continue;
      if (x != w && c >= 0 && v_.clusters[c].min_ret < LastRead(w)) first.push_back(x);
    }
    for (size_t x : Candidates(first)) {
      if (!done_[x]) static_cast<void>(Write(x, depth + 1));
    }
    // Likewise a pending get of another value returning before that call: it precedes w, so the
    // value it read is made current first (a del for absent, typically).
    std::vector<std::pair<int64_t, size_t>> reads;
    for (size_t r : pending_obs_) {
      const ModelOp& rm = ops_[r].model;
      if (rm.f == Fn::kGet && rm.value != written && v_.ret[r] < LastRead(w)) {
        reads.emplace_back(v_.ret[r], r);
      }
    }
    std::sort(reads.begin(), reads.end());
    for (const auto& [ret, r] : reads) {
      if (!done_[r]) static_cast<void>(Need(ops_[r].model.value, depth + 1));
    }
  }

  // Before write w replaces the current value, the successful cas pending on that value (ok, or
  // of unknown outcome with their value read) take effect: they read it, and with w placed first
  // they could not (a value written once never returns). Each one's own value may have such a cas
  // pending in turn.
  void FlushCas(size_t w) {
    for (bool again = true; again;) {
      again = false;
      for (size_t c : pending_writes_) {
        const ModelOp& m = ops_[c].model;
        if (c == w || m.f != Fn::kCas || !v_.sure[c] || m.expect != state_) continue;
        // Absent may come back: the cas may read a later one, if a del is still to be placed
        // by its return.
        if (!Unique(state_) && !policy_.flush_absent && LaterWriter(state_, c)) continue;
        Place(c);
        Eager();
        again = true;
        break;
      }
    }
  }

  // The pending sure sets whose value nobody reads, placed just before write w overwrites them.
  void PlaceBlind(size_t w) {
    std::vector<size_t> blind;
    for (size_t x : pending_writes_) {
      const int32_t c = v_.writes_cluster[x];
      if (x != w && c >= 0 && ops_[x].model.f == Fn::kSet && v_.clusters[c].readers.empty()) {
        blind.push_back(x);
      }
    }
    for (size_t x : blind) Place(x);
  }

  // Makes the state `value` by placing a pending writer of it: acknowledged ones first, the one
  // returning first first.
  bool Need(int32_t value, int depth) {
    if (state_ == value) return true;
    for (size_t w : Candidates(writers_.Of(value))) {
      if (Write(w, depth)) return state_ == value;
    }
    return false;
  }

  // A failed cas that would succeed now: any pending write that fits changes the state. Sure
  // writes first (one that may never have happened is placed only when no sure one fits, but
  // first with change_by_unknown: it may have taken effect then, unread), then
  // the one whose value's reads are called the earliest (a blind one first: any other holds its
  // value until its reads), or with change_by_deadline the one that must be placed the earliest.
  bool Change(int depth) {
    std::vector<std::tuple<bool, bool, int64_t, int64_t, size_t>> by_read;
    for (size_t w : pending_writes_) {
      // A sure cas of the current value first: any other write would place it first anyway
      // (FlushCas), so it alone is the least change.
      const ModelOp& m = ops_[w].model;
      const bool flushed = m.f == Fn::kCas && v_.sure[w] && m.expect == state_;
      by_read.emplace_back(!flushed, v_.sure[w] == policy_.change_by_unknown,
                           policy_.change_by_deadline ? Deadline(w) : LastRead(w), v_.ret[w], w);
    }
    std::sort(by_read.begin(), by_read.end());
    for (const auto& [other, unknown, last_read, ret, w] : by_read) {
      const ModelOp& m = ops_[w].model;
      // A del of absent, or a cas that cannot succeed now, changes nothing.
      if (m.f == Fn::kCas ? m.expect != state_ : Written(m) == state_) continue;
      return Write(w, depth);
    }
    return false;
  }

  // When write w must be placed by: the earliest return of it and its value's sure reads.
  int64_t Deadline(size_t w) const {
    const int32_t c = v_.writes_cluster[w];
    return c < 0 ? v_.ret[w] : v_.clusters[c].min_ret;
  }

  // Whether a writer of value not placed yet was called before op returned.
  bool LaterWriter(int32_t value, size_t op) const {
    for (size_t w : writers_.Of(value)) {
      if (!done_[w] && v_.inv[w] < v_.ret[op]) return true;
    }
    return false;
  }

  // Whether a value, once replaced, never returns.
  bool Unique(int32_t value) const {
    const size_t n = writers_.Of(value).size();
    return value == v_.initial ? n == 0 : value != kAbsent && n == 1;
  }

  // The pending ones among ops, acknowledged before unknown-outcome, then by return.
  std::vector<size_t> Candidates(const std::vector<size_t>& ops) const {
    std::vector<std::pair<int64_t, size_t>> c;
    for (size_t w : ops) {
      if (pending_writes_.contains(w)) c.emplace_back(v_.ret[w], w);
    }
    std::sort(c.begin(), c.end());
    std::vector<size_t> out;
    for (const auto& [ret, w] : c) out.push_back(w);
    return out;
  }

  const std::vector<SearchOp>& ops_;
  const Versions& v_;
  CompiledPartition* p_;  // for the window searches
  int32_t state_;
  std::vector<bool> done_;
  std::vector<size_t> order_;
  // Called, not placed. Ordered sets: what is placed first never depends on hashing.
  SortedIds pending_obs_, pending_writes_;
  ValueWriters writers_;  // sets, cas and dels, by the value they write
  // Per write, without and with absent_reads: LastReadCall.
  std::vector<int64_t> last_read_calls_[2];
  Policy policy_ = kPolicies[0];
  std::vector<std::tuple<int64_t, bool, size_t>> events_;  // see the constructor
  std::vector<Kept> kept_;                                 // per block of events
  int repairs_ = 0;
  uint64_t window_steps_left_ = kWindowStepsTotal;
  SortedIds active_;  // writes being placed, whose predecessors are being placed first
};

}  // namespace greedy_sweep

std::optional<std::vector<size_t>> GreedyOrder(const History& h, CompiledPartition* p,
                                               const std::vector<SearchOp>& ops,
                                               const Versions& v) {
  using namespace greedy_sweep;  // NOLINT: this file's own helpers
  CK_ASSERT_EQ(v.inv.size(), ops.size(), "versions of these ops");
  // Two guesses: gets of absent free, then tied to the del called last before they returned
  // (each decides histories the other does not). Each is verified on its own.
  auto order = Sweep(ops, v, p).Run();
  if (order && VerifyOrder(h, p, ops, *order)) return order;
  return std::nullopt;
}

}  // namespace pg::checker
