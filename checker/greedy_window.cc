#include "checker/greedy_window.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "checker/assert.h"
#include "checker/staged_search.h"
#include "checker/unread_values.h"

namespace pg::checker {

namespace window_search {

// The window's ops as the search takes them: those returning before the window's end keep their
// return; the writer of a unique value that one of those surely reads must precede it, so it
// gets that reader's return as a deadline (rank 0: just before it), and so on along cas chains;
// any other op may be placed or left for later (no return).
std::vector<SearchOp> WindowOps(const std::vector<SearchOp>& ops, const Versions& v,
                                const Window& w) {
  std::vector<SearchOp> in;
  in.reserve(w.ops.size());
  std::vector<size_t> at(ops.size(), kNoReturn);  // op -> its index in the window
  for (size_t k = 0; k < w.ops.size(); ++k) {
    CK_ASSERT(k == 0 || w.ops[k - 1] < w.ops[k], "window ops ascending");
    at[w.ops[k]] = k;
    in.push_back(ops[w.ops[k]]);
    if (v.ret[w.ops[k]] >= w.until) in.back().return_pos = kNoReturn, in.back().return_rank = 1;
  }
  for (bool again = true; again;) {
    again = false;
    for (size_t k = 0; k < w.ops.size(); ++k) {
      const int32_t c = v.writes_cluster[w.ops[k]];
      if (c < 0 || !v.clusters[c].unique) continue;
      for (size_t r : v.clusters[c].readers) {
        const SearchOp* reader = at[r] == kNoReturn ? nullptr : &in[at[r]];
        if (reader == nullptr || reader->return_pos == kNoReturn) continue;
        SearchOp& writer = in[k];
        // (A deadline before the writer's call: the history is illegal, the search finds no order.)
        if (std::pair{reader->return_pos, 0} >= std::pair{writer.return_pos, writer.return_rank} ||
            reader->return_pos <= writer.call_pos) {
          continue;
        }
        writer.return_pos = reader->return_pos;
        writer.return_rank = 0;
        again = true;
      }
    }
  }
  return in;
}

}  // namespace window_search

std::optional<std::vector<size_t>> SearchWindow(const std::vector<SearchOp>& ops, const Versions& v,
                                                const Window& w, CompiledPartition* p,
                                                uint64_t* steps_left) {
  std::vector<SearchOp> in = window_search::WindowOps(ops, v, w);
  // Unknown-outcome writes of values nothing reads, piling up from all the history before the
  // window, become twins (unread_values.h): k of them cost k + 1 choices, not 2^k. The state
  // may hold another unread value: no operation tells the two apart either.
  MergeUnreadValues(*p, &in);
  SearchBudget budget;
  budget.max_steps = std::min(kWindowSteps, *steps_left);
  // Required ops alone first (most windows need nothing else), then with the optional ones.
  const SearchOutcome s = SearchInStages(in, State{w.state}, &p->values, budget,
                                         {.staged = true, .search = {.reads_first = true}});
  *steps_left -= std::min(*steps_left, s.steps);
  if (s.verdict != Verdict::kOk) return std::nullopt;
  std::vector<size_t> order;
  order.reserve(s.linearization.size());
  for (size_t i : s.linearization) order.push_back(w.ops[i]);
  return order;
}

}  // namespace pg::checker
