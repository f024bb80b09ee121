#include "checker/greedy_order.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "checker/assert.h"

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

bool IsWrite(const ModelOp& m) {
  return m.f == Fn::kSet || m.f == Fn::kDel || (m.f == Fn::kCas && (!m.observed || m.cas_result));
}

class Sweep {
 public:
  // absent_reads: whether gets of absent are taken to read a particular del (see below).
  Sweep(const std::vector<SearchOp>& ops, const Versions& v, bool absent_reads)
      : ops_(ops), v_(v), state_(v.initial), done_(ops.size(), false) {
    for (size_t i = 0; i < ops.size(); ++i) {
      const ModelOp& m = ops[i].model;
      if (m.f == Fn::kSet) writers_[m.value].push_back(i);
      if (m.f == Fn::kCas) writers_[m.cas_set].push_back(i);
      if (m.f == Fn::kDel) writers_[kAbsent].push_back(i);
    }
    // absent_reads: a get of absent (when dels exist) is taken to read the del called last
    // before it returned, as the reads of a unique value read its write.
    absent_read_call_.assign(ops.size(), -1);
    const std::vector<size_t>& dels = writers_[kAbsent];
    for (size_t r = 0; r < ops.size(); ++r) {
      const ModelOp& m = ops[r].model;
      if (!absent_reads || m.f != Fn::kGet || !m.observed || m.value != kAbsent) continue;
      auto it = std::lower_bound(dels.begin(), dels.end(), r,
                                 [&](size_t d, size_t x) { return v.inv[d] < v.ret[x]; });
      if (it == dels.begin()) continue;
      int64_t& last = absent_read_call_[*std::prev(it)];
      last = std::max(last, v.inv[r]);
    }
    last_read_call_.assign(ops.size(), kUnset);
    for (size_t w = 0; w < ops.size(); ++w) LastReadCall(w);
  }

  // The latest call of an operation that surely read w's unique value, or of one that read
  // the value of a cas that read it, and so on: a successful cas ends the span of the value it
  // read and starts its own, so the spans chain. For a del, of the gets of absent taken to read
  // it. -1 when there is none.
  int64_t LastReadCall(size_t w) {
    if (last_read_call_[w] != kUnset) return last_read_call_[w];
    last_read_call_[w] = absent_read_call_[w];  // also what a cycle (an illegal history) sees
    const int32_t k = v_.writes_cluster[w];
    if (k < 0) return last_read_call_[w];
    int64_t last = absent_read_call_[w];
    for (size_t r : v_.clusters[k].readers) {
      last = std::max(last, v_.inv[r]);
      if (v_.writes_cluster[r] >= 0) last = std::max(last, LastReadCall(r));
    }
    return last_read_call_[w] = last;
  }

  std::optional<std::vector<size_t>> Run() {
    // (position, is a return, op): every call and return in real-time order.
    std::vector<std::tuple<int64_t, bool, size_t>> events;
    for (size_t i = 0; i < ops_.size(); ++i) {
      events.emplace_back(v_.inv[i], false, i);
      if (v_.ret[i] != kNeverReturns) events.emplace_back(v_.ret[i], true, i);
    }
    std::sort(events.begin(), events.end());
    for (const auto& [pos, is_return, i] : events) {
      if (!is_return ? !Call(i) : !Return(i)) return std::nullopt;
    }
    return order_;
  }

 private:
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
    Place(w);
    Eager();
    return true;
  }

  // A pending sure write x whose cluster (x and the reads of its value) has an operation
  // returning before a read of w's (unique) value is called cannot lie between w and that read,
  // nor after it: x precedes w (the zones of version_refute.cc). Placed first, each by the same
  // rule.
  void Before(size_t w, int depth) {
    if (last_read_call_[w] < 0) return;
    std::vector<size_t> first;
    for (size_t x : pending_writes_) {
      const int32_t c = v_.writes_cluster[x];
      if (x != w && c >= 0 && v_.clusters[c].min_ret < last_read_call_[w]) first.push_back(x);
    }
    for (size_t x : Candidates(first)) {
      if (!done_[x]) static_cast<void>(Write(x, depth + 1));
    }
    // Likewise a pending get of another value returning before that call: it precedes w, so the
    // value it read is made current first (a del for absent, typically).
    const ModelOp& m = ops_[w].model;
    const int32_t written = m.f == Fn::kSet ? m.value : m.f == Fn::kCas ? m.cas_set : kAbsent;
    std::vector<std::pair<int64_t, size_t>> reads;
    for (size_t r : pending_obs_) {
      const ModelOp& rm = ops_[r].model;
      if (rm.f == Fn::kGet && rm.value != written && v_.ret[r] < last_read_call_[w]) {
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
        if (!Unique(state_) && LaterWriter(state_, c)) continue;
        Place(c);
        Eager();
        again = true;
        break;
      }
    }
  }

  // Makes the state `value` by placing a pending writer of it: acknowledged ones first, the one
  // returning first first.
  bool Need(int32_t value, int depth) {
    if (state_ == value) return true;
    auto it = writers_.find(value);
    if (it == writers_.end()) return false;
    for (size_t w : Candidates(it->second)) {
      if (Write(w, depth)) return state_ == value;
    }
    return false;
  }

  // A failed cas that would succeed now: any pending write that fits changes the state.
  bool Change(int depth) {
    std::vector<size_t> all(pending_writes_.begin(), pending_writes_.end());
    for (size_t w : Candidates(all)) {
      const ModelOp& m = ops_[w].model;
      if (m.f == Fn::kCas && m.expect != state_) continue;
      return Write(w, depth);
    }
    return false;
  }

  // Whether a writer of value not placed yet was called before op returned.
  bool LaterWriter(int32_t value, size_t op) const {
    auto it = writers_.find(value);
    if (it == writers_.end()) return false;
    for (size_t w : it->second) {
      if (!done_[w] && v_.inv[w] < v_.ret[op]) return true;
    }
    return false;
  }

  // Whether a value, once replaced, never returns.
  bool Unique(int32_t value) const {
    auto it = writers_.find(value);
    const size_t n = it == writers_.end() ? 0 : it->second.size();
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
  int32_t state_;
  std::vector<bool> done_;
  std::vector<size_t> order_;
  // Called, not placed. Ordered sets: what is placed first never depends on hashing.
  std::set<size_t> pending_obs_, pending_writes_;
  std::map<int32_t, std::vector<size_t>> writers_;  // value -> sets, cas and dels writing it
  // Per del: the latest call of a get of absent taken to read it, or -1.
  std::vector<int64_t> absent_read_call_;
  // Per write: LastReadCall, or kUnset before it is computed.
  std::vector<int64_t> last_read_call_;
  std::set<size_t> active_;  // writes being placed, whose predecessors are being placed first
};

}  // namespace greedy_sweep

bool VerifyOrder(const History& h, CompiledPartition* p, const std::vector<SearchOp>& ops,
                 const std::vector<size_t>& order) {
  std::vector<bool> seen(ops.size(), false);
  size_t max_invoke = 0;
  State state = p->initial;
  for (size_t i : order) {
    CK_ASSERT_LT(i, ops.size());
    if (seen[i]) return false;
    seen[i] = true;
    const Operation& op = h.operations[ops[i].model.op_id];
    if (op.complete_event != kOpen && op.complete_event < max_invoke) return false;
    max_invoke = std::max(max_invoke, op.invoke_event);
    if (!Step(ops[i].model, &state, &p->values)) return false;
  }
  for (size_t i = 0; i < ops.size(); ++i) {
    if (ops[i].model.observed && !seen[i]) return false;
  }
  return true;
}

std::optional<std::vector<size_t>> GreedyOrder(const History& h, CompiledPartition* p,
                                               const std::vector<SearchOp>& ops,
                                               const Versions& v) {
  using namespace greedy_sweep;  // NOLINT: this file's own helpers
  CK_ASSERT_EQ(v.inv.size(), ops.size(), "versions of these ops");
  // Two guesses: gets of absent free, then tied to the del called last before they returned
  // (each decides histories the other does not). Each is verified on its own.
  for (bool absent_reads : {false, true}) {
    auto order = Sweep(ops, v, absent_reads).Run();
    if (order && VerifyOrder(h, p, ops, *order)) return order;
  }
  return std::nullopt;
}

}  // namespace pg::checker
