#include "checker/hard_history.h"

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <tuple>
#include <vector>

#include "checker/assert.h"

namespace pg::checker {
// A named namespace, not an anonymous one: the batched build compiles this file together with
// synthetic_history.cc, whose file-local helpers have the same names.
namespace hard_shape {

struct Planned {
  Operation op;
  int64_t invoke = 0, effect = 0, complete = 0;
  bool takes_effect = true;
  bool expect_current = false;  // cas: expect the value current at its effect
};

Fn DrawFn(std::mt19937_64& rng) {
  const double u = std::uniform_real_distribution<double>(0, 1)(rng);
  if (u < 0.45) return Fn::kGet;
  if (u < 0.85) return Fn::kSet;
  if (u < 0.95) return Fn::kCas;
  return Fn::kDel;
}

// Back-to-back operations per client, so with C clients each overlaps about C - 1 others.
std::vector<Planned> Plan(const HardOptions& o, std::mt19937_64& rng) {
  std::vector<Planned> plan;
  std::vector<int64_t> clock(o.clients, 0);
  std::uniform_real_distribution<double> unit(0, 1);
  std::uniform_int_distribution<int64_t> gap(1, 100), duration(50, 400);
  for (int i = 0; i < o.operations; ++i) {
    const int c = static_cast<int>(rng() % o.clients);
    Planned p;
    p.op.process = c;
    p.op.hashkey = "h" + std::to_string(rng() % o.keys);
    p.op.sortkey = "s0";
    p.op.f = DrawFn(rng);
    if (p.op.f == Fn::kSet) p.op.arg = "v" + std::to_string(i);
    if (p.op.f == Fn::kCas) p.op.cas.set = "v" + std::to_string(i);
    p.expect_current = rng() % 2 == 0;
    p.invoke = clock[c] + gap(rng);
    p.complete = p.invoke + duration(rng);
    p.effect = p.invoke + 1 + static_cast<int64_t>(rng() % (p.complete - p.invoke - 1));
    CK_ASSERT(p.invoke < p.effect && p.effect < p.complete, "op {}", i);
    const bool write = p.op.f != Fn::kGet;
    p.op.outcome = write && unit(rng) < o.unknown_fraction ? Outcome::kInfo : Outcome::kOk;
    p.takes_effect = p.op.outcome == Outcome::kOk || rng() % 2 == 0;
    clock[c] = p.complete;
    plan.push_back(std::move(p));
  }
  return plan;
}

// Executes in effect order. A cas expecting "an older value" names the value two writes back on
// its key (or absent), which fails unless that value happens to be current again (absent after a
// del): then it succeeds, as the store says.
void Execute(std::vector<Planned>* plan) {
  std::vector<size_t> order(plan->size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return (*plan)[a].effect < (*plan)[b].effect; });
  std::map<std::string, OptValue> store;
  std::map<std::string, std::vector<OptValue>> past;  // values each key held, oldest first
  for (size_t i : order) {
    Planned& p = (*plan)[i];
    const std::string& k = p.op.hashkey;
    OptValue& cur = store[k];
    std::vector<OptValue>& was = past[k];
    if (p.op.f == Fn::kCas) {
      if (p.expect_current) {
        p.op.cas.expect = cur;
      } else {
        p.op.cas.expect = was.size() >= 2 ? was[was.size() - 2] : OptValue{};
      }
    }
    if (!p.takes_effect) continue;
    switch (p.op.f) {
      case Fn::kGet:
        p.op.result = cur;
        break;
      case Fn::kSet:
        cur = p.op.arg;
        was.push_back(cur);
        break;
      case Fn::kDel:
        cur.reset();
        was.push_back(cur);
        break;
      case Fn::kCas:
        p.op.cas_result = p.op.cas.expect == cur;
        if (p.op.cas_result) {
          cur = p.op.cas.set;
          was.push_back(cur);
        }
        break;
      default:
        CK_ASSERT(false, "op {}: no such f in the hard mix", i);
    }
  }
}

// An acknowledged write that replaced its key's value.
bool AckedWrite(const Planned& p) {
  if (p.op.outcome != Outcome::kOk) return false;
  return p.op.f == Fn::kSet || p.op.f == Fn::kDel || (p.op.f == Fn::kCas && p.op.cas_result);
}

// The value an acknowledged write wrote, if it wrote one (a del writes none).
OptValue Written(const Planned& p) {
  return p.op.f == Fn::kSet ? p.op.arg : OptValue(p.op.cas.set);
}

// The latest acknowledged write on `key` among plan[0, before) that completed before `t`.
std::optional<size_t> AckedBefore(const std::vector<Planned>& plan, size_t before,
                                  const std::string& key, int64_t t, bool needs_value) {
  for (size_t w = before; w-- > 0;) {
    const Planned& p = plan[w];
    if (p.op.hashkey != key || !AckedWrite(p) || p.complete >= t) continue;
    if (needs_value && p.op.f == Fn::kDel) continue;
    return w;
  }
  return std::nullopt;
}

std::optional<size_t> Corrupt(std::vector<Planned>* plan) {
  for (size_t r = plan->size() * 3 / 4; r < plan->size(); ++r) {
    Planned& read = (*plan)[r];
    if (read.op.f != Fn::kGet || read.op.outcome != Outcome::kOk) continue;
    const std::string& key = read.op.hashkey;
    const auto w2 = AckedBefore(*plan, r, key, read.invoke, false);
    if (!w2) continue;
    const auto w1 = AckedBefore(*plan, *w2, key, (*plan)[*w2].invoke, false);
    if (!w1) continue;
    const auto w0 = AckedBefore(*plan, *w1, key, (*plan)[*w1].invoke, true);
    if (!w0) continue;
    read.op.result = Written((*plan)[*w0]);
    return r;
  }
  return std::nullopt;
}

std::vector<Event> ToEvents(const std::vector<Planned>& plan, std::optional<size_t> corrupted,
                            size_t* corrupted_line) {
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
    e.line = events.size() + 1;
    if (is_invoke) {
      e.type = EventType::kInvoke;
      e.value = op.arg;
      e.cas = op.cas;
    } else {
      e.type = op.outcome == Outcome::kOk ? EventType::kOk : EventType::kInfo;
      if (op.outcome == Outcome::kOk && op.f == Fn::kGet) e.value = op.result;
      if (op.outcome == Outcome::kOk && op.f == Fn::kCas) e.cas_result = op.cas_result;
      if (corrupted == i && corrupted_line != nullptr) *corrupted_line = e.line;
    }
    events.push_back(std::move(e));
  }
  return events;
}

}  // namespace hard_shape

History HardHistory(const HardOptions& o, size_t* corrupted_line) {
  using namespace hard_shape;
  CK_ASSERT(o.clients > 0 && o.keys > 0 && o.operations >= 0, "options");
  std::mt19937_64 rng(o.seed);
  std::vector<Planned> plan = Plan(o, rng);
  Execute(&plan);
  std::optional<size_t> corrupted;
  if (o.corrupt) corrupted = Corrupt(&plan);
  auto h = BuildHistory(ToEvents(plan, corrupted, corrupted_line), "hard");
  CK_ASSERT(h.ok(), "{}", h.error().ToString());
  return std::move(h).value();
}

}  // namespace pg::checker
