#include "checker/search.h"

#include <algorithm>
#include <tuple>

#include "checker/memo.h"

namespace pg::checker {
namespace {

constexpr uint32_t kHead = 0;
constexpr uint64_t kClockEvery = 4096;  // steps between looks at the clock

class Searcher {
 public:
  Searcher(const std::vector<SearchOp>& ops, const State& initial, ValueTable* values,
           const SearchBudget& budget)
      : ops_(ops), values_(values), budget_(budget), state_(initial) {
    BuildEntries();
    linearized_.assign(ops.size(), 0);
  }

  SearchOutcome Run();

 private:
  struct Frame {
    uint32_t op;
    uint32_t hi;  // hi_ before this op was linearized
  };

  void BuildEntries();
  void Lift(uint32_t op);
  void Unlift(uint32_t op);
  // The memo key of (linearized set, state): the state, then hi (one past the highest linearized
  // operation), then the operations below hi not linearized. That names the set exactly and
  // stays short: below hi only open operations are missing.
  void BuildKey(uint32_t hi);
  bool OutOfBudget(SearchOutcome* out);
  void RecordBlocked(uint32_t op);

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
  Memo memo_;
  size_t must_remaining_ = 0;
  uint32_t hi_ = 0;
  SearchOutcome best_;  // the deepest dead end so far
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
}

void Searcher::Lift(uint32_t op) {
  for (uint32_t e : {call_entry_[op], return_entry_[op]}) {
    if (e == 0) continue;
    next_[prev_[e]] = next_[e];
    prev_[next_[e]] = prev_[e];
  }
}

void Searcher::Unlift(uint32_t op) {
  for (uint32_t e : {return_entry_[op], call_entry_[op]}) {
    if (e == 0) continue;
    next_[prev_[e]] = e;
    prev_[next_[e]] = e;
  }
}

void Searcher::BuildKey(uint32_t hi) {
  key_.assign(state_.begin(), state_.end());
  key_.push_back(hi);
  for (uint32_t e = next_[kHead]; e != 1; e = next_[e]) {
    if (!entry_is_call_[e]) continue;
    if (entry_op_[e] >= hi) break;  // calls are in operation order
    key_.push_back(entry_op_[e]);
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
  if (have_best_ && frames_.size() <= best_depth_) return;
  have_best_ = true;
  best_depth_ = frames_.size();
  best_.linearization.clear();
  for (const Frame& f : frames_) best_.linearization.push_back(f.op);
  best_.blocked = op;
  best_.state = state_;
}

SearchOutcome Searcher::Run() {
  SearchOutcome out;
  const size_t width = state_.size();
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
    if (entry_is_call_[e]) {
      const uint32_t op = entry_op_[e];
      const size_t saved = saved_states_.size();
      saved_states_.insert(saved_states_.end(), state_.begin(), state_.end());
      if (Step(ops_[op].model, &state_, values_)) {
        const uint32_t hi = std::max(hi_, op + 1);
        Lift(op);
        BuildKey(hi);
        if (memo_.Insert(key_.data(), key_.size())) {
          frames_.push_back({op, hi_});
          hi_ = hi;
          linearized_[op] = 1;
          if (return_entry_[op] != 0) --must_remaining_;
          e = next_[kHead];
          continue;
        }
        Unlift(op);
        std::copy(saved_states_.begin() + saved, saved_states_.end(), state_.begin());
      }
      saved_states_.resize(saved);
      e = next_[e];
      continue;
    }
    // A return whose operation is not linearized: this prefix cannot be extended. Back up.
    RecordBlocked(entry_op_[e]);
    if (frames_.empty()) {
      out.verdict = Verdict::kIllegal;
      break;
    }
    const Frame f = frames_.back();
    frames_.pop_back();
    std::copy(saved_states_.end() - static_cast<ptrdiff_t>(width), saved_states_.end(),
              state_.begin());
    saved_states_.resize(saved_states_.size() - width);
    Unlift(f.op);
    linearized_[f.op] = 0;
    if (return_entry_[f.op] != 0) ++must_remaining_;
    hi_ = f.hi;
    e = next_[call_entry_[f.op]];
  }
  out.memo_entries = memo_.size();
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
                     const SearchBudget& budget) {
  return Searcher(ops, initial, values, budget).Run();
}

}  // namespace pg::checker
