#include "checker/search.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "checker/assert.h"
#include "checker/searcher.h"

namespace pg::checker {
namespace search_walk {

void Searcher::BuildEntries() {
  // (position, rank, op, is_call): returns of rank 0 precede the event at the same position.
  std::vector<std::tuple<size_t, int, uint32_t, bool>> order;
  for (uint32_t i = 0; i < ops_.size(); ++i) {
    order.emplace_back(ops_[i].call_pos, 1, i, true);
    if (ops_[i].return_pos != kNoReturn) {
      order.emplace_back(ops_[i].return_pos, ops_[i].return_rank, i, false);
      ++must_remaining_;
    }
  }
  std::sort(order.begin(), order.end());
  const size_t n = order.size() + 2;
  entry_op_.assign(n, 0);
  entry_is_call_.assign(n, 0);
  next_.assign(n, 1);
  prev_.assign(n, 0);
  call_entry_.assign(ops_.size(), 0);
  return_entry_.assign(ops_.size(), 0);
  uint32_t last = kHead;
  for (size_t k = 0; k < order.size(); ++k) {
    const uint32_t e = static_cast<uint32_t>(k + 2);
    const auto& [pos, rank, op, is_call] = order[k];
    entry_op_[e] = op;
    entry_is_call_[e] = is_call;
    (is_call ? call_entry_ : return_entry_)[op] = e;
    next_[last] = e;
    prev_[e] = last;
    last = e;
  }
  next_[last] = 1;
  prev_[1] = last;
  for (uint32_t op = 0; op < ops_.size(); ++op) {
    CK_ASSERT_NE(call_entry_[op], 0u, "op {} has no call entry", op);
    // Sorted by position, a return entry comes after its call's (call/return pairing).
    if (return_entry_[op] != 0) CK_ASSERT_GT(return_entry_[op], call_entry_[op], "op {}", op);
    CK_ASSERT_EQ(return_entry_[op] != 0, ops_[op].return_pos != kNoReturn, "op {}", op);
  }
}

void Searcher::IndexOptional() {
  optional_index_.assign(ops_.size(), kRequired);
  required_below_.assign(ops_.size() + 1, 0);
  uint32_t optional = 0;
  for (uint32_t op = 0; op < ops_.size(); ++op) {
    const bool required = return_entry_[op] != 0;
    if (!required) optional_index_[op] = optional++;
    required_below_[op + 1] = required_below_[op] + (required ? 1 : 0);
  }
  CK_ASSERT_EQ((size_t{optional} + 63) / 64, set_words_, "optional ops counted twice alike");
  CK_ASSERT_EQ(required_below_.back() + optional, ops_.size());
  optional_set_.assign(set_words_, 0);
  key_set_.assign(set_words_, 0);
}

void Searcher::FindTwins() {
  later_twin_.assign(ops_.size(), kRequired);
  if (!dominance_) return;
  std::map<std::vector<int64_t>, uint32_t> last;  // model -> the latest-called op seen so far
  for (uint32_t op = static_cast<uint32_t>(ops_.size()); op-- > 0;) {
    if (optional_index_[op] == kRequired) continue;
    // An optional op is of unknown outcome, except in a window of the greedy order
    // (greedy_window.h), where an acknowledged op returning after the window is optional too:
    // its result is part of what twins share.
    const ModelOp& m = ops_[op].model;
    std::vector<int64_t> key = {static_cast<int64_t>(m.f),
                                m.slot,
                                m.value,
                                m.delta,
                                m.expect,
                                m.cas_set,
                                m.observed,
                                m.cas_result,
                                m.incr_result};
    // The extended fields (model.h): two ops are twins only if every one of them agrees too.
    key.insert(key.end(), {m.checked, static_cast<int64_t>(m.check), m.operand, m.ranged, m.limit,
                           m.count, static_cast<int64_t>(m.kvs.size())});
    for (const auto& [slot, v] : m.kvs) key.insert(key.end(), {slot, v});
    // With a TTL about, an op that reads sees an expiring value by its own window
    // (model_expiry.cc): ops with equal fields but other windows may leave other states. Blind
    // writes read nothing.
    if (!values_->expiry_free() && !IsBlindWrite(m.f)) {
      key.insert(key.end(), {m.call_ns, m.return_ns});
    }
    // Twins wait for the same ops, so the later one is a candidate wherever the earlier one is.
    const std::vector<size_t>& after = ops_[op].after_calls;
    key.push_back(static_cast<int64_t>(after.size()));
    for (size_t call : after) key.push_back(static_cast<int64_t>(call));
    key.insert(key.end(), m.range.begin(), m.range.end());
    auto [it, fresh] = last.try_emplace(std::move(key), op);
    if (!fresh) later_twin_[op] = std::exchange(it->second, op);
    CK_ASSERT(later_twin_[op] == kRequired || later_twin_[op] > op, "op {}", op);
  }
}

void Searcher::IndexGuards() {
  after_.assign(ops_.size(), {});
  for (uint32_t op = 0; op < ops_.size(); ++op) {
    for (size_t call : ops_[op].after_calls) {
      auto it = std::lower_bound(ops_.begin(), ops_.end(), call,
                                 [](const SearchOp& o, size_t pos) { return o.call_pos < pos; });
      // An op the search was not given (stage one keeps only required ops) constrains nothing.
      if (it == ops_.end() || it->call_pos != call) continue;
      const auto guard = static_cast<uint32_t>(it - ops_.begin());
      CK_ASSERT_NE(guard, op, "op {} waits for itself", op);
      after_[op].push_back(guard);
    }
  }
}

bool Searcher::GuardsMet(uint32_t op) const {
  return std::all_of(after_[op].begin(), after_[op].end(),
                     [&](uint32_t g) { return linearized_[g] != 0; });
}

bool Searcher::LaterTwinPending(uint32_t op, uint32_t frontier) const {
  for (uint32_t t = later_twin_[op]; t != kRequired; t = later_twin_[t]) {
    if (call_entry_[t] >= frontier) return false;  // later twins are called later still
    if (!linearized_[t]) return true;
  }
  return false;
}

uint32_t Searcher::FirstReturn() const {
  uint32_t e = next_[kHead];
  while (e != 1 && entry_is_call_[e]) e = next_[e];
  // Called only while a required op is still to be linearized: its return is listed.
  CK_ASSERT_NE(e, 1u, "no return listed with {} to pass", must_remaining_);
  return e;
}

void Searcher::Lift(uint32_t op) {
  CK_ASSERT(!linearized_[op], "op {} lifted twice", op);
  for (uint32_t e : {call_entry_[op], return_entry_[op]}) {
    if (e == 0) continue;
    CK_ASSERT(next_[prev_[e]] == e && prev_[next_[e]] == e, "entry {} of op {} not linked", e, op);
    next_[prev_[e]] = next_[e];
    prev_[next_[e]] = prev_[e];
  }
}

void Searcher::Unlift(uint32_t op) {
  for (uint32_t e : {return_entry_[op], call_entry_[op]}) {
    if (e == 0) continue;
    // Dancing links: entries go back in the reverse order they were cut, so the neighbours
    // still point past this one.
    CK_ASSERT(next_[prev_[e]] == next_[e] && prev_[next_[e]] == prev_[e],
              "entry {} of op {} restored out of order", e, op);
    next_[prev_[e]] = e;
    prev_[next_[e]] = e;
  }
}

void Searcher::BuildKey(uint32_t op) {
  const bool required = optional_index_[op] == kRequired;
  const uint32_t hi = required ? std::max(hi_required_, op + 1) : hi_required_;
  key_.assign(state_.begin(), state_.end());
  key_.push_back(hi);
  for (uint32_t e = next_[kHead]; e != 1; e = next_[e]) {
    if (!entry_is_call_[e]) continue;
    const uint32_t listed = entry_op_[e];
    if (listed >= hi) break;  // calls are in operation order
    CK_ASSERT(!linearized_[listed] && listed != op, "linearized op {} still listed", listed);
    if (optional_index_[listed] == kRequired) key_.push_back(listed);
  }
  // The key names the required set: below hi, the ones it lists and the linearized ones (the
  // path's, and op if required) are all of them.
  const size_t linearized_required = linearized_required_ + (required ? 1 : 0);
  CK_ASSERT_EQ(key_.size() - state_.size() - 1 + linearized_required, size_t{required_below_[hi]});
  key_set_ = optional_set_;
  if (!required) key_set_[optional_index_[op] / 64] |= uint64_t{1} << (optional_index_[op] % 64);
  if (dominance_) return;
  for (uint64_t w : key_set_) {
    key_.push_back(static_cast<uint32_t>(w));
    key_.push_back(static_cast<uint32_t>(w >> 32));
  }
}

bool Searcher::TryLinearize(uint32_t op, uint64_t steps) {
  const size_t saved = saved_states_.size();
  saved_states_.insert(saved_states_.end(), state_.begin(), state_.end());
  const bool accepted = Step(ops_[op].model, &state_, values_);
  CheckStep(op, saved, accepted, steps);
  if (accepted) {
    Lift(op);
    BuildKey(op);
    if (memo_.Insert(key_.data(), key_.size(), key_set_.data())) {
      frames_.push_back({op, hi_, hi_required_});
      hi_ = std::max(hi_, op + 1);
      if (optional_index_[op] == kRequired) {
        hi_required_ = std::max(hi_required_, op + 1);
        ++linearized_required_;
      }
      optional_set_.swap(key_set_);
      linearized_[op] = 1;
      if (return_entry_[op] != 0) --must_remaining_;
      return true;
    }
    Unlift(op);
    std::copy(saved_states_.begin() + static_cast<ptrdiff_t>(saved), saved_states_.end(),
              state_.begin());
  }
  saved_states_.resize(saved);
  return false;
}

uint32_t Searcher::BackUp() {
  const size_t width = state_.size();
  const Frame f = frames_.back();
  frames_.pop_back();
  CK_ASSERT(linearized_[f.op] && f.hi <= hi_, "backing up over op {}: hi only shrinks", f.op);
  CK_ASSERT_LE(f.hi_required, hi_required_, "backing up over op {}", f.op);
  std::copy(saved_states_.end() - static_cast<ptrdiff_t>(width), saved_states_.end(),
            state_.begin());
  saved_states_.resize(saved_states_.size() - width);
  Unlift(f.op);
  linearized_[f.op] = 0;
  if (return_entry_[f.op] != 0) ++must_remaining_;
  if (optional_index_[f.op] != kRequired) {
    optional_set_[optional_index_[f.op] / 64] &= ~(uint64_t{1} << (optional_index_[f.op] % 64));
  } else {
    --linearized_required_;
  }
  hi_ = f.hi;
  hi_required_ = f.hi_required;
  return f.op;
}

bool Searcher::LinearizeReads(SearchOutcome* out) {
  if (!reads_first_) return true;
  State after;
  for (uint32_t e = next_[kHead]; e != 1 && entry_is_call_[e];) {
    const uint32_t op = entry_op_[e];
    const ModelOp& m = ops_[op].model;
    const bool read = m.observed && (m.f == Fn::kGet || m.f == Fn::kMultiGet ||
                                     (m.f == Fn::kCas && !m.cas_result));
    after = state_;
    // A read that narrows a choice (model_expiry.cc) commits to the branches it explains; it
    // is placed only where the search would place it, not forced first.
    if (optional_index_[op] != kRequired || !read || !Step(m, &after, values_) || after != state_) {
      CK_ASSERT(after == state_ || !values_->expiry_free(), "op {}: a read changed the state", op);
      e = next_[e];
      continue;
    }
    // Not counted as steps: the walk's next step counts it, and a search stopped at its limit
    // has counted exactly one step past it (SearchInStages relies on that).
    if (!TryLinearize(op, out->steps)) return false;
    frames_.back().forced = true;
    e = next_[kHead];
  }
  return true;
}

uint32_t Searcher::BackUpToChoice() {
  while (!frames_.empty()) {
    const bool forced = frames_.back().forced;
    const uint32_t op = BackUp();
    if (!forced) return op;
  }
  return kRequired;
}

SearchOutcome Searcher::Run() {
  SearchOutcome out;
  // Two passes over the candidates (the calls before the first return not passed): required
  // ops first, then optional ones. The same children in another order; trying the required
  // ones first means a configuration with fewer optional ops is usually memoized before the
  // ones it dominates, so the memo refuses those.
  bool optional_pass = false;
  uint32_t frontier = 1;  // in the optional pass: the first return entry listed
  bool dead = !LinearizeReads(&out);
  uint32_t e = next_[kHead];
  while (must_remaining_ > 0) {
    if (++out.steps > budget_.max_steps) {
      out.unknown_reason = "step limit";
      out.verdict = Verdict::kUnknown;
      break;
    }
    if (out.steps % kClockEvery == 0 && OutOfBudget(&out)) {
      out.verdict = Verdict::kUnknown;
      break;
    }
    if (!dead) CheckWalk(e, out.steps);
    if (!dead && entry_is_call_[e]) {
      const uint32_t op = entry_op_[e];
      const bool candidate = (optional_index_[op] != kRequired) == optional_pass && GuardsMet(op) &&
                             !(optional_pass && LaterTwinPending(op, frontier));
      if (candidate && TryLinearize(op, out.steps)) {
        optional_pass = false;
        dead = !LinearizeReads(&out);
        e = next_[kHead];
      } else {
        e = next_[e];
      }
      continue;
    }
    if (!dead && !optional_pass && set_words_ > 0) {
      optional_pass = true;
      frontier = e;
      e = next_[kHead];
      continue;
    }
    // A return whose operation is not linearized: this prefix cannot be extended. Back up.
    if (!dead) RecordBlocked(entry_op_[e]);
    dead = false;
    const uint32_t op = BackUpToChoice();
    if (op == kRequired) {
      out.verdict = Verdict::kIllegal;
      break;
    }
    optional_pass = optional_index_[op] != kRequired;
    e = next_[call_entry_[op]];
    if (optional_pass) frontier = FirstReturn();
  }
  out.memo_entries = memo_.size();
  CheckInvariants();
  if (must_remaining_ == 0) {
    out.verdict = Verdict::kOk;
    for (const Frame& f : frames_) out.linearization.push_back(f.op);
    return out;
  }
  out.linearization = std::move(best_.linearization);
  out.blocked = have_best_ ? best_.blocked : kNoReturn;
  out.state = have_best_ ? std::move(best_.state) : state_;
  return out;
}

}  // namespace search_walk

SearchOutcome Search(const std::vector<SearchOp>& ops, const State& initial, ValueTable* values,
                     const SearchBudget& budget, const SearchOptions& options) {
  return search_walk::Searcher(ops, initial, values, budget, options).Run();
}

}  // namespace pg::checker
