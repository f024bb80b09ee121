// VerifyOrder (greedy_order.h): what makes the greedy order, window searches included, sound.
#include <algorithm>

#include "checker/assert.h"
#include "checker/greedy_order.h"

namespace pg::checker {

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

}  // namespace pg::checker
