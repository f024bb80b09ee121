#include "checker/synthetic_history.h"

#include <algorithm>
#include <map>
#include <random>
#include <tuple>

#include "checker/assert.h"

namespace pg::checker {
namespace {

struct Planned {
  Operation op;
  int64_t invoke = 0, effect = 0, complete = 0;
  bool takes_effect = true;
};

// Each client issues operations back to back; an operation takes effect at a random point
// within its interval.
std::vector<Planned> Plan(const SyntheticOptions& o, std::mt19937_64& rng) {
  std::vector<Planned> plan;
  std::vector<int64_t> clock(o.clients, 0);
  std::uniform_real_distribution<double> unit(0, 1);
  std::uniform_int_distribution<int64_t> gap(1, 100), duration(50, 400);
  for (int i = 0; i < o.operations; ++i) {
    const int c = static_cast<int>(rng() % o.clients);
    Planned p;
    p.op.process = c;
    p.op.hashkey = "h" + std::to_string(rng() % o.hashkeys);
    p.op.sortkey = "s" + std::to_string(rng() % o.sortkeys);
    p.op.f = unit(rng) < o.read_fraction ? Fn::kGet : Fn::kSet;
    if (p.op.f == Fn::kSet) p.op.arg = "v" + std::to_string(i);
    p.invoke = clock[c] + gap(rng);
    p.complete = p.invoke + duration(rng);
    p.effect = p.invoke + 1 + static_cast<int64_t>(rng() % (p.complete - p.invoke - 1));
    // The effect lies strictly within the operation's interval.
    CK_ASSERT(p.invoke < p.effect && p.effect < p.complete, "op {}", i);
    p.op.outcome = unit(rng) < o.unknown_fraction ? Outcome::kInfo : Outcome::kOk;
    p.takes_effect = p.op.outcome == Outcome::kOk || rng() % 2 == 0;
    clock[c] = p.complete;
    plan.push_back(std::move(p));
  }
  return plan;
}

// Executes the planned operations in effect order, filling in results and witnesses.
void Execute(std::vector<Planned>* plan, bool witness) {
  std::vector<size_t> order(plan->size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return (*plan)[a].effect < (*plan)[b].effect; });
  std::map<std::string, std::string> store;
  std::map<std::string, int64_t> position;
  for (size_t i : order) {
    Planned& p = (*plan)[i];
    if (!p.takes_effect) continue;
    const std::string k = p.op.hashkey + "/" + p.op.sortkey;
    if (witness) p.op.witness = position[p.op.hashkey]++;
    if (p.op.f == Fn::kSet) {
      store[k] = *p.op.arg;
    } else if (auto it = store.find(k); it != store.end()) {
      p.op.result = it->second;
    }
  }
}

// Makes one read in the second half return the value of a write W_old that is followed, in real
// time, by another write W_new that completed before the read began: illegal whatever the order.
void Corrupt(std::vector<Planned>* plan) {
  for (size_t r = plan->size() / 2; r < plan->size(); ++r) {
    Planned& read = (*plan)[r];
    if (read.op.f != Fn::kGet || read.op.outcome != Outcome::kOk) continue;
    const Planned* newer = nullptr;
    for (size_t w = r; w-- > 0;) {
      const Planned& p = (*plan)[w];
      if (p.op.f != Fn::kSet || p.op.outcome != Outcome::kOk || p.op.hashkey != read.op.hashkey ||
          p.op.sortkey != read.op.sortkey) {
        continue;
      }
      if (newer == nullptr && p.complete < read.invoke) {
        newer = &p;
      } else if (newer != nullptr && p.complete < newer->invoke) {
        read.op.result = p.op.arg;
        return;
      }
    }
  }
}

std::vector<Event> ToEvents(const std::vector<Planned>& plan) {
  std::vector<std::tuple<int64_t, int, size_t>> points;  // completions first on ties
  for (size_t i = 0; i < plan.size(); ++i) {
    points.emplace_back(plan[i].invoke, 1, i);
    points.emplace_back(plan[i].complete, 0, i);
  }
  std::sort(points.begin(), points.end());
  std::vector<Event> events;
  for (const auto& [t, is_invoke, i] : points) {
    const Operation& op = plan[i].op;
    Event e;
    e.process = op.process;
    e.f = op.f;
    e.hashkey = op.hashkey;
    e.sortkey = op.sortkey;
    e.time = t;
    e.witness = op.witness;
    e.index = static_cast<int64_t>(events.size());
    if (is_invoke) {
      e.type = EventType::kInvoke;
      e.value = op.arg;
    } else {
      e.type = op.outcome == Outcome::kOk ? EventType::kOk : EventType::kInfo;
      if (op.outcome == Outcome::kOk && op.f == Fn::kGet) e.value = op.result;
    }
    events.push_back(std::move(e));
  }
  return events;
}

}  // namespace

History SyntheticHistory(const SyntheticOptions& o) {
  std::mt19937_64 rng(o.seed);
  std::vector<Planned> plan = Plan(o, rng);
  Execute(&plan, o.witness);
  if (o.corrupt) Corrupt(&plan);
  auto h = BuildHistory(ToEvents(plan), "synthetic");
  // Built to be well-formed: one operation open per process, completions after invocations.
  CK_ASSERT(h.ok(), "{}", h.error().ToString());
  return std::move(h).value();
}

}  // namespace pg::checker
