#pragma once
// The search's walk (search.h), shared by search.cc (the walk) and search_checks.cc (its budget
// and invariant checks). Internal to the checker.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "checker/assert.h"
#include "checker/memo.h"
#include "checker/search.h"

namespace pg::checker {
// A named namespace: the batched build compiles the two files together.
namespace search_walk {

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
        reads_first_(options.reads_first),
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
    IndexGuards();
    FindTwins();
    linearized_.assign(ops.size(), 0);
    CheckInvariants();
  }
  ~Searcher() {
    if (budget_.memory != nullptr) budget_.memory->Charge(&charged_, 0);
  }
  Searcher(const Searcher&) = delete;
  Searcher& operator=(const Searcher&) = delete;

  SearchOutcome Run();

 private:
  // Steps op from the current state; when it applies and the memo takes the new configuration,
  // pushes a frame for it and returns true. Otherwise leaves everything as it was.
  bool TryLinearize(uint32_t op, uint64_t steps);
  // Pops the last frame, restores what it changed and returns its op.
  uint32_t BackUp();
  // reads_first, at a new configuration: linearizes, each as the only child, the required
  // observations the state accepts, in call order. False when the memo refuses one: that
  // configuration was explored already, so the ones before it on the path are dead ends too.
  bool LinearizeReads(SearchOutcome* out);
  // Backs up past the last frame and any forced ones below it: the op of the frame whose
  // siblings are to be tried, or kRequired when the path is empty (no order).
  uint32_t BackUpToChoice();

 private:
  struct Frame {
    uint32_t op;
    uint32_t hi;           // hi_ before this op was linearized
    uint32_t hi_required;  // hi_required_ before it
    bool forced = false;   // a read linearized as its configuration's only child
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
  // after_ from each op's after_calls (presence_guards.h); GuardsMet: every op in it linearized.
  void IndexGuards();
  bool GuardsMet(uint32_t op) const;
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
  std::vector<uint32_t> later_twin_;          // per op: the next-called twin, or kRequired for none
  std::vector<std::vector<uint32_t>> after_;  // per op: the ops it waits for (guards)
  const bool dominance_;  // else the optional set is part of the key: an exact memo
  const bool reads_first_;
  const size_t set_words_;
  std::vector<uint64_t> optional_set_;  // the optional ops linearized
  std::vector<uint64_t> key_set_;
  uint32_t hi_required_ = 0;  // one past the highest linearized required op
  size_t linearized_required_ = 0;
  Memo memo_;
  size_t must_remaining_ = 0;
  uint32_t hi_ = 0;
  uint64_t next_check_ = kClockEvery;  // the step of the next CheckInvariants
  size_t charged_ = 0;                 // what budget_.memory holds for this search
  SearchOutcome best_;                 // the deepest dead end so far
  size_t best_depth_ = 0;
  bool have_best_ = false;
};

}  // namespace search_walk
}  // namespace pg::checker
