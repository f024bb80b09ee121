#include <algorithm>
#include <chrono>

#include "checker/assert.h"
#include "checker/searcher.h"

namespace pg::checker {
namespace search_walk {

bool Searcher::OutOfBudget(SearchOutcome* out) {
  if (budget_.cancel != nullptr && budget_.cancel->load(std::memory_order_relaxed)) {
    out->unknown_reason = "cancelled";
  } else if (const size_t held = memo_.bytes() + saved_states_.capacity() * 4;
             held > budget_.memory_cap_bytes ||
             (budget_.memory != nullptr && !budget_.memory->Charge(&charged_, held))) {
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

}  // namespace search_walk
}  // namespace pg::checker
