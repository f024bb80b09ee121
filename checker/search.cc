#include "checker/search.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "checker/assert.h"
#include "checker/memo.h"

namespace pg::checker {
namespace {

constexpr uint32_t kHead = 0;
constexpr uint64_t kClockEvery = 4096;  // steps between looks at the clock (and at the model)

class Searcher {
 public:
  Searcher(const std::vector<SearchOp>& ops, const State& initial, ValueTable* values,
           const SearchBudget& budget, const SearchOptions& options)
      : ops_(ops),
        values_(values),
        budget_(budget),
        state_(initial),
        dominance_(options.dominance),
        set_words_((CountOptional(ops) + 63) / 64),
        memo_(dominance_ ? set_words_ : 0) {
    // Entries are uint32_t: two per operation plus the head and the tail.
    CK_ASSERT_LT(ops.size(), size_t{std::numeric_limits<uint32_t>::max() / 2 - 2});
    for (size_t i = 0; i < ops.size(); ++i) {
      // BuildKey relies on calls being in operation order; a return lies after its call.
      if (i > 0) CK_ASSERT_LT(ops[i - 1].call_pos, ops[i].call_pos, "op {}: not sorted", i);
      if (ops[i].return_pos != kNoReturn) CK_ASSERT_GT(ops[i].return_pos, ops[i].call_pos);
    }
    BuildEntries();
    IndexOptional();
    FindTwins();
    linearized_.assign(ops.size(), 0);
    CheckInvariants();
  }

  SearchOutcome Run();

 private:
  // Steps op from the current state; when it applies and the memo takes the new configuration,
  // pushes a frame for it and returns true. Otherwise leaves everything as it was.
  bool TryLinearize(uint32_t op, uint64_t steps);
  // Pops the last frame, restores what it changed and returns its op.
  uint32_t BackUp();

 private:
  struct Frame {
    uint32_t op;
    uint32_t hi;           // hi_ before this op was linearized
    uint32_t hi_required;  // hi_required_ before it
  };
  static constexpr uint32_t kRequired = std::numeric_limits<uint32_t>::max();

  // Optional operations (no return: unknown outcome) may be linearized or never.
  static size_t CountOptional(const std::vector<SearchOp>& ops) {
    return static_cast<size_t>(std::count_if(
        ops.begin(), ops.end(), [](const SearchOp& op) { return op.return_pos == kNoReturn; }));
  }
  void BuildEntries();
  void IndexOptional();
  // Twins: optional ops with identical models (same f, slot, values, delta). From a given
  // configuration, linearizing an optional op or a later-called twin of it leaves the same
  // state, and whatever the first choice can do next, the second can too (the earlier op,
  // left pending, is available wherever the later one would be). So an optional op is not tried
  // while a later twin, not linearized, is a candidate too (called before `frontier`, the first
  // return still to pass): the search tries that one instead.
  void FindTwins();
  bool LaterTwinPending(uint32_t op, uint32_t frontier) const;
  // The first return entry listed: the candidates are the calls before it.
  uint32_t FirstReturn() const;
  void Lift(uint32_t op);
  void Unlift(uint32_t op);
  // The memo key of (linearized set, state), with `op` lifted: the state, then hi (one past the
  // highest linearized required operation), then the required operations below hi not
  // linearized. That names the required part exactly and stays short: below hi only open
  // operations are missing. The optional operations linearized go to key_set_, for the memo's
  // dominance test.
  void BuildKey(uint32_t op);
  bool OutOfBudget(SearchOutcome* out);
  void RecordBlocked(uint32_t op);
  // O(n): the list holds exactly the entries of the operations not linearized, in order; the
  // frames are the linearized operations; must_remaining_ and hi_ agree with them. Called at
  // construction, at the end and in between at next_check_.
  void CheckInvariants() const;
  // O(1) per step: the walk stays within the entries, one saved state per frame; at every
  // next_check_, CheckInvariants.
  void CheckWalk(uint32_t e, uint64_t steps);
  // After Step(op) from the state saved at `saved`: the op was not linearized, the width is
  // kept, a rejection changed nothing. Every kClockEvery steps also that the model is a
  // function: op applied again to the saved state gives the same answer and state (it interns
  // nothing new: incr's result is interned already).
  void CheckStep(uint32_t op, size_t saved, bool accepted, uint64_t steps);

  const std::vector<SearchOp>& ops_;
  ValueTable* values_;
  const SearchBudget& budget_;
  State state_;
  // Entry 0 is the head, entry 1 the tail; then one call entry per operation and one return
  // entry per operation with a return.
  std::vector<uint32_t> entry_op_;
  std::vector<uint8_t> entry_is_call_;
  std::vector<uint32_t> next_, prev_;
  std::vector<uint32_t> call_entry_, return_entry_;  // per op; return_entry_ 0 = none
  std::vector<uint8_t> linearized_;
  std::vector<Frame> frames_;
  std::vector<int32_t> saved_states_;  // one state per frame, flattened
  std::vector<uint32_t> key_;
  // Per op: its index among the optional ops, or kRequired. required_below_[i]: required ops
  // among 0..i-1.
  std::vector<uint32_t> optional_index_, required_below_;
  std::vector<uint32_t> later_twin_;  // per op: the next-called twin, or kRequired for none
  const bool dominance_;              // else the optional set is part of the key: an exact memo
  const size_t set_words_;
  std::vector<uint64_t> optional_set_;  // the optional ops linearized
  std::vector<uint64_t> key_set_;
  uint32_t hi_required_ = 0;  // one past the highest linearized required op
  size_t linearized_required_ = 0;
  Memo memo_;
  size_t must_remaining_ = 0;
  uint32_t hi_ = 0;
  uint64_t next_check_ = kClockEvery;  // the step of the next CheckInvariants
  SearchOutcome best_;                 // the deepest dead end so far
  size_t best_depth_ = 0;
  bool have_best_ = false;
};

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
    const ModelOp& m = ops_[op].model;
    CK_ASSERT(!m.observed, "optional op {} has a result", op);
    std::vector<int64_t> key = {
        static_cast<int64_t>(m.f), m.slot, m.value, m.delta, m.expect, m.cas_set};
    for (const auto& [slot, v] : m.kvs) key.insert(key.end(), {slot, v});
    auto [it, fresh] = last.try_emplace(std::move(key), op);
    if (!fresh) later_twin_[op] = std::exchange(it->second, op);
    CK_ASSERT(later_twin_[op] == kRequired || later_twin_[op] > op, "op {}", op);
  }
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

bool Searcher::OutOfBudget(SearchOutcome* out) {
  if (budget_.cancel != nullptr && budget_.cancel->load(std::memory_order_relaxed)) {
    out->unknown_reason = "cancelled";
  } else if (memo_.bytes() + saved_states_.capacity() * 4 > budget_.memory_cap_bytes) {
    out->unknown_reason = "memory cap";
  } else if (std::chrono::steady_clock::now() > budget_.deadline) {
    out->unknown_reason = "timeout";
  } else {
    return false;
  }
  return true;
}

void Searcher::RecordBlocked(uint32_t op) {
  CK_ASSERT(!linearized_[op], "blocked on the return of linearized op {}", op);
  if (have_best_ && frames_.size() <= best_depth_) return;
  have_best_ = true;
  best_depth_ = frames_.size();
  best_.linearization.clear();
  for (const Frame& f : frames_) best_.linearization.push_back(f.op);
  best_.blocked = op;
  best_.state = state_;
  CK_ASSERT_EQ(best_.linearization.size(), best_depth_);
}

void Searcher::CheckInvariants() const {
  const size_t width = state_.size();
  CK_ASSERT_EQ(saved_states_.size(), frames_.size() * width, "one saved state per frame");
  CK_ASSERT_EQ(linearized_.size(), ops_.size());
  size_t linearized = 0, must = 0;
  uint32_t hi = 0, hi_required = 0;
  for (uint32_t op = 0; op < ops_.size(); ++op) {
    const uint32_t k = optional_index_[op];
    // The optional set holds exactly the linearized optional ops.
    if (k != kRequired) {
      CK_ASSERT_EQ(((optional_set_[k / 64] >> (k % 64)) & 1) != 0, linearized_[op] != 0, "op {}",
                   op);
    }
    if (linearized_[op]) {
      ++linearized;
      hi = op + 1;
      if (k == kRequired) hi_required = op + 1;
    } else if (return_entry_[op] != 0) {
      ++must;
    }
  }
  CK_ASSERT_EQ(linearized, frames_.size(), "each frame linearizes one op, at most once");
  CK_ASSERT_EQ(must, must_remaining_);
  CK_ASSERT_EQ(hi, hi_, "hi is one past the highest linearized op");
  CK_ASSERT_EQ(hi_required, hi_required_, "one past the highest linearized required op");
  size_t linearized_required = 0;
  for (const Frame& f : frames_) linearized_required += optional_index_[f.op] == kRequired;
  CK_ASSERT_EQ(linearized_required, linearized_required_);
  for (const Frame& f : frames_) CK_ASSERT(linearized_[f.op], "frame of unlinearized op {}", f.op);
  // The list: exactly the entries of unlinearized ops, in increasing entry order.
  size_t listed = 0;
  uint32_t last = kHead;
  for (uint32_t e = next_[kHead]; e != 1; e = next_[e]) {
    CK_ASSERT_GT(e, last, "the list is out of order");
    CK_ASSERT_EQ(prev_[e], last, "entry {}", e);
    CK_ASSERT(!linearized_[entry_op_[e]], "entry {} of linearized op {}", e, entry_op_[e]);
    last = e;
    ++listed;
  }
  CK_ASSERT_EQ(prev_[1], last);
  CK_ASSERT_EQ(listed, ops_.size() - linearized + must_remaining_, "entries listed");
}

void Searcher::CheckWalk(uint32_t e, uint64_t steps) {
  // The walk never reaches the tail with a return still to pass.
  CK_ASSERT(e > 1 && e < next_.size(), "entry {} with {} returns to pass", e, must_remaining_);
  CK_ASSERT_EQ(saved_states_.size(), frames_.size() * state_.size());
  if (steps < next_check_) return;
  CheckInvariants();
  // O(entries) each time: spaced so that it costs at most 1/16 of an entry per step.
  next_check_ = steps + std::max<uint64_t>(kClockEvery, 16 * next_.size());
}

void Searcher::CheckStep(uint32_t op, size_t saved, bool accepted, uint64_t steps) {
  // A listed call is of an operation not yet on the path: linearized at most once.
  CK_ASSERT(!linearized_[op], "op {} listed while linearized", op);
  const size_t width = state_.size();
  CK_ASSERT_EQ(saved_states_.size(), saved + width, "op {} changed the state's width", op);
  const auto before = saved_states_.begin() + static_cast<ptrdiff_t>(saved);
  // Nothing restores the state after a rejection: it must be as it was.
  if (!accepted) CK_ASSERT(std::equal(state_.begin(), state_.end(), before), "op {}", op);
  if (steps % kClockEvery != 0) return;
  State again(before, saved_states_.end());
  const size_t values = values_->size();
  CK_ASSERT_EQ(Step(ops_[op].model, &again, values_), accepted, "op {}", op);
  CK_ASSERT_EQ(values_->size(), values, "op {}: a second step interned a new value", op);
  if (accepted) CK_ASSERT(again == state_, "op {}: the same step gave another state", op);
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

SearchOutcome Searcher::Run() {
  SearchOutcome out;
  uint32_t e = next_[kHead];
  // Two passes over the candidates (the calls before the first return not passed): required
  // ops first, then optional ones. The same children in another order; trying the required
  // ones first means a configuration with fewer optional ops is usually memoized before the
  // ones it dominates, so the memo refuses those.
  bool optional_pass = false;
  uint32_t frontier = 1;  // in the optional pass: the first return entry listed
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
    CheckWalk(e, out.steps);
    if (entry_is_call_[e]) {
      const uint32_t op = entry_op_[e];
      const bool candidate = (optional_index_[op] != kRequired) == optional_pass &&
                             !(optional_pass && LaterTwinPending(op, frontier));
      if (candidate && TryLinearize(op, out.steps)) {
        e = next_[kHead];
        optional_pass = false;
      } else {
        e = next_[e];
      }
      continue;
    }
    if (!optional_pass && set_words_ > 0) {
      optional_pass = true;
      frontier = e;
      e = next_[kHead];
      continue;
    }
    // A return whose operation is not linearized: this prefix cannot be extended. Back up.
    RecordBlocked(entry_op_[e]);
    if (frames_.empty()) {
      out.verdict = Verdict::kIllegal;
      break;
    }
    const uint32_t op = BackUp();
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

}  // namespace

std::string_view VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kOk:
      return "ok";
    case Verdict::kIllegal:
      return "illegal";
    case Verdict::kUnknown:
      return "unknown";
  }
  return "?";
}

SearchOutcome Search(const std::vector<SearchOp>& ops, const State& initial, ValueTable* values,
                     const SearchBudget& budget, const SearchOptions& options) {
  return Searcher(ops, initial, values, budget, options).Run();
}

}  // namespace pg::checker
