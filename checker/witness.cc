#include "checker/witness.h"

#include <algorithm>
#include <tuple>

#include "checker/assert.h"

namespace pg::checker {

bool VerifyWitness(const History& h, CompiledPartition* p, std::vector<size_t>* order) {
  std::vector<std::tuple<int64_t, size_t, size_t>> witnessed;  // (witness, invoke, compiled op)
  for (size_t i = 0; i < p->ops.size(); ++i) {
    CK_ASSERT_LT(p->ops[i].op_id, h.operations.size());
    const Operation& op = h.operations[p->ops[i].op_id];
    if (!op.witness) {
      if (p->ops[i].observed) return false;
      continue;
    }
    witnessed.emplace_back(*op.witness, op.invoke_event, i);
  }
  std::sort(witnessed.begin(), witnessed.end());
  // Real time: no operation may come after one that was invoked after it completed.
  size_t max_invoke = 0;
  for (const auto& [w, invoke, i] : witnessed) {
    const Operation& op = h.operations[p->ops[i].op_id];
    if (op.complete_event != kOpen && op.complete_event < max_invoke) return false;
    max_invoke = std::max(max_invoke, invoke);
  }
  State state = p->initial;
  order->clear();
  for (const auto& [w, invoke, i] : witnessed) {
    if (!Step(p->ops[i], &state, &p->values)) return false;
    order->push_back(i);
  }
  CK_ASSERT_EQ(order->size(), witnessed.size());
  CK_ASSERT_EQ(state.size(), p->initial.size(), "the model changed the state's width");
  return true;
}

}  // namespace pg::checker
