#include "tests/checker/oracle_generator.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "tests/checker/oracle_ops.h"

namespace pg::checker::testing {
namespace {

const std::vector<std::string> kValues = {"1", "2", "x", "y"};
const std::vector<std::string> kSortkeys = {"a", "b"};
const std::vector<std::string> kRowSortkeys = {"a", "b", "c"};

testing::Draw OpsDraw(const std::vector<std::string>& sortkeys = kSortkeys) {
  return testing::Draw{&sortkeys, &kValues, [](int lo, int hi) { return UniformIn(lo, hi); }};
}

struct Planned {
  Operation op;  // without positions yet
  int64_t invoke_time = 0;
  int64_t complete_time = 0;
  testing::ScanDraw scan;  // a scan's or full_scan's arguments and records
};

OptValue Lookup(const std::map<std::string, std::string>& s, const std::string& k) {
  auto it = s.find(k);
  return it == s.end() ? OptValue() : OptValue(it->second);
}

// What an execution's store holds beyond its values: the TTL of the values written with one.
using TtlStore = std::map<std::string, Ttl>;

// The keys op set or deleted, once executed (its outcome and results filled in).
std::vector<std::string> WrittenKeys(const Operation& op) {
  if (op.outcome == Outcome::kFail) return {};
  const std::string h = op.hashkey + "/";
  switch (op.f) {
    case Fn::kSet:
    case Fn::kDel:
    case Fn::kIncr:
      return {h + op.sortkey};
    case Fn::kCas:
      return op.cas_result ? std::vector<std::string>{h + op.sortkey} : std::vector<std::string>{};
    case Fn::kMultiSet: {
      std::vector<std::string> out;
      for (const auto& [k, v] : op.kvs) out.push_back(h + k);
      return out;
    }
    case Fn::kMultiDel: {
      std::vector<std::string> out;
      for (const std::string& k : op.keys) out.push_back(h + k);
      return out;
    }
    case Fn::kCheckAndMutate: {
      std::vector<std::string> out;
      if (op.cas_result) {
        for (const Mutation& m : op.cam.mutations) out.push_back(h + m.sortkey);
      }
      return out;
    }
    default:
      return {};
  }
}

Fn DrawFn(Shape shape) {
  static constexpr Fn kCasRegisterFns[] = {Fn::kGet, Fn::kSet, Fn::kDel, Fn::kCas};
  if (shape == Shape::kUniqueCasRegister) return kCasRegisterFns[UniformIn(0, 4)];
  if (shape == Shape::kUniqueRegister) return Coin() ? Fn::kGet : Fn::kSet;
  static constexpr Fn kRowFns[] = {
      Fn::kSet,      Fn::kDel,      Fn::kMultiGet,       Fn::kCas,
      Fn::kMultiDel, Fn::kMultiGet, Fn::kCheckAndMutate, Fn::kSortkeyCount,
      Fn::kScan,     Fn::kFullScan};
  if (shape == Shape::kRows) return kRowFns[UniformIn(0, 10)];
  if (shape == Shape::kExpiring) {
    // Mostly writes that take a TTL and the reads that see it expire.
    static constexpr Fn kExpiringFns[] = {Fn::kSet,      Fn::kMultiSet, Fn::kGet,
                                          Fn::kMultiGet, Fn::kSet,      Fn::kGet};
    if (Coin()) return kExpiringFns[UniformIn(0, 6)];
  }
  // Every f, those of docs/checker.md included; scans (the last two) but with TTLs, which
  // would change this shape's draws: those meet a known gap between the checker's relaxation
  // (an unknown-outcome check_and_mutate near an expiry leaves each sortkey a choice of its
  // own) and the exact oracle.
  return static_cast<Fn>(UniformIn(0, shape == Shape::kExpiring ? 10 : 12));
}

// Op i's cas on a unique-value register: expecting the current value, or a value written so far
// (or one not yet written), or absent; writing a value of its own.
CasArgs UniqueCas(int i, const OptValue& current) {
  CasArgs cas;
  cas.expect = Coin()   ? current
               : Coin() ? OptValue("u" + std::to_string(UniformIn(0, i + 1)))
                        : OptValue();
  cas.set = "u" + std::to_string(i);
  return cas;
}

void ExecuteBasic(int i, Shape shape, Operation* o, std::map<std::string, std::string>* store);

// What an operation at `at` sees of store: each value with a TTL judged by a clock within its
// own skew of `at` (the checker and the oracle judge each value apart too).
std::map<std::string, std::string> SeenAt(const std::map<std::string, std::string>& store,
                                          const TtlStore& ttls, int64_t at) {
  std::map<std::string, std::string> s = store;
  for (const auto& [k, ttl] : ttls) {
    const int64_t skew = ttl.skew_ms;
    const int64_t clock =
        at + static_cast<int64_t>(UniformIn<int64_t>(-skew, skew + 1)) * 1'000'000;
    if (ttl.expires_ns() <= clock) s.erase(k);
  }
  return s;
}

// Draws one operation and executes it at its linearization point against `store`.
Planned DrawAndExecute(int i, Shape shape, std::map<std::string, std::string>* store,
                       TtlStore* ttls) {
  const bool cas_register = shape == Shape::kUniqueCasRegister;
  const bool unique = shape == Shape::kUniqueRegister || cas_register;
  Planned p;
  Operation& op = p.op;
  op.f = DrawFn(shape);
  op.hashkey = std::string(shape != Shape::kAny || Coin() ? "h1" : "h2");
  const int outcome = UniformIn(0, 10);  // 0: fail, 1-2 (1-5 with many unknown): info, else ok
  const int info_max = (shape == Shape::kManyUnknown || cas_register) && op.f != Fn::kGet ? 5 : 2;
  op.outcome = outcome == 0 ? Outcome::kFail : outcome <= info_max ? Outcome::kInfo : Outcome::kOk;
  const bool takes_effect = op.outcome == Outcome::kOk || (op.outcome == Outcome::kInfo && Coin());
  const bool rows = shape == Shape::kRows;
  if (!IsMulti(op.f))
    op.sortkey = rows ? kRowSortkeys[UniformIn(0, 3)] : kSortkeys[unique ? 0 : UniformIn(0, 2)];
  const bool expiring = shape == Shape::kExpiring;
  // Operation i takes effect at `at`; under kExpiring, times are in seconds so that TTLs (whole
  // seconds) expire among the operations, and the serving clock reads up to a skew off.
  const int64_t unit = expiring ? 1'000'000 : 1;
  const int64_t at = 1000 * (i + 1) * unit;
  std::map<std::string, std::string> s = expiring ? SeenAt(*store, *ttls, at) : *store;
  // sortkey_count, multi_del and check_and_mutate; half the cas by check type and half the
  // multi_gets by range (oracle_ops.h). Refused (an int_* check on a non-integer): failed.
  const bool extended =
      op.f == Fn::kSortkeyCount || op.f == Fn::kMultiDel || op.f == Fn::kCheckAndMutate ||
      (!unique && (op.f == Fn::kCas || op.f == Fn::kMultiGet) && (rows || Coin()));
  if (extended && !testing::DrawExtended(OpsDraw(rows ? kRowSortkeys : kSortkeys), &op, &s)) {
    op.outcome = Outcome::kFail;
  }
  if (IsScan(op.f)) {
    // A full_scan of the partition of op's hashkey, each hashkey a partition of its own.
    const std::vector<std::string> hashkeys = shape == Shape::kAny
                                                  ? std::vector<std::string>{"h1", "h2"}
                                                  : std::vector<std::string>{"h1"};
    p.scan =
        testing::DrawScan(OpsDraw(rows ? kRowSortkeys : kSortkeys), op.f, op.hashkey, hashkeys, s);
  } else if (!extended) {
    ExecuteBasic(i, shape, &op, &s);
  }
  if (expiring && (op.f == Fn::kSet || op.f == Fn::kMultiSet) && Coin()) {
    op.ttl = Ttl{.expire_ts = i + 1 + UniformIn(0, 4), .skew_ms = UniformIn(0, 1500)};
  }
  if (takes_effect && op.outcome != Outcome::kFail) {
    if (!expiring) {
      *store = s;
    } else {
      // Only what it wrote changes: a value it saw expired stays, as Pegasus keeps it.
      for (const std::string& k : WrittenKeys(op)) {
        ttls->erase(k);
        auto it = s.find(k);
        if (it == s.end()) {
          store->erase(k);
          continue;
        }
        (*store)[k] = it->second;
        if (op.ttl) (*ttls)[k] = *op.ttl;
      }
    }
  }
  p.invoke_time = at - UniformIn(1, 2500) * unit;
  p.complete_time = at + UniformIn(1, 2500) * unit;
  return p;
}

// The operations of DESIGN.md §4's first table, executed at their linearization point.
void ExecuteBasic(int i, Shape shape, Operation* o, std::map<std::string, std::string>* store) {
  const bool cas_register = shape == Shape::kUniqueCasRegister;
  const bool unique = shape == Shape::kUniqueRegister || cas_register;
  auto pick = [] { return kValues[UniformIn<size_t>(0, kValues.size())]; };
  Operation& op = *o;
  std::map<std::string, std::string>& s = *store;
  const std::string k = op.hashkey + "/" + op.sortkey;
  switch (op.f) {
    case Fn::kGet:
      op.result = Lookup(s, k);
      break;
    case Fn::kSet:
      op.arg = unique ? "u" + std::to_string(i) : pick();
      s[k] = *op.arg;
      break;
    case Fn::kDel:
      s.erase(k);
      break;
    case Fn::kIncr: {
      op.arg = std::to_string(UniformIn(-1, 3));
      OptValue cur = Lookup(s, k);
      if (cur && cur != "1" && cur != "2" &&
          cur->find_first_not_of("-0123456789") != std::string::npos) {
        op.outcome = Outcome::kFail;  // Pegasus rejects incr of a non-integer
        break;
      }
      long long next = (cur ? std::stoll(*cur) : 0) + std::stoll(*op.arg);
      op.result = std::to_string(next);
      s[k] = *op.result;
      break;
    }
    case Fn::kCas: {
      op.cas.expect = Coin() ? OptValue() : OptValue(pick());
      op.cas.set = pick();
      if (cas_register) op.cas = UniqueCas(i, Lookup(s, k));
      op.cas_result = Lookup(s, k) == op.cas.expect;
      if (op.cas_result) s[k] = op.cas.set;
      break;
    }
    case Fn::kMultiGet:
    case Fn::kMultiSet: {
      const int mask = UniformIn(1, 4);
      for (int b = 0; b < 2; ++b) {
        if (!(mask & (1 << b))) continue;
        const std::string kk = op.hashkey + "/" + kSortkeys[b];
        if (op.f == Fn::kMultiGet) op.kvs[kSortkeys[b]] = Lookup(s, kk);
        if (op.f == Fn::kMultiSet) s[kk] = *(op.kvs[kSortkeys[b]] = pick());
      }
      break;
    }
    default:
      break;
  }
}

// Lays the operations out as events: invocations and completions in time order, each operation
// on a process that has nothing open.
// A scan's or full_scan's values: its range or arguments on invocation, its records when ok.
void ScanValues(const Planned& p, Event* e) {
  if (p.op.f == Fn::kFullScan) e->hashkey.clear();  // a full_scan names none
  if (e->type == EventType::kOk) e->records = p.scan.records;
  if (e->type != EventType::kInvoke) return;
  if (p.op.f == Fn::kScan) e->range = p.scan.range;
  if (p.op.f == Fn::kFullScan) e->full_scan = p.scan.full_scan;
}

std::vector<Event> ToEvents(const std::vector<Planned>& plan) {
  std::vector<std::tuple<int64_t, int, size_t>> points;  // (time, 0 complete/1 invoke, op)
  for (size_t i = 0; i < plan.size(); ++i) {
    points.emplace_back(plan[i].invoke_time, 1, i);
    points.emplace_back(plan[i].complete_time, 0, i);
  }
  std::sort(points.begin(), points.end());
  std::vector<int64_t> busy_until;  // per process: time its op completes
  std::vector<int64_t> process_of(plan.size());
  std::vector<Event> events;
  for (const auto& [t, is_invoke, i] : points) {
    const Operation& op = plan[i].op;
    Event e;
    e.time = t;
    e.f = op.f;
    e.hashkey = op.hashkey;
    if (!IsMulti(op.f)) e.sortkey = op.sortkey;
    if (is_invoke) {
      size_t p = 0;
      while (p < busy_until.size() && busy_until[p] >= 0) ++p;
      if (p == busy_until.size()) busy_until.push_back(0);
      busy_until[p] = plan[i].complete_time;
      process_of[i] = static_cast<int64_t>(p);
      e.type = EventType::kInvoke;
      e.value = op.f == Fn::kSet || op.f == Fn::kIncr ? op.arg : OptValue();
      e.ttl = op.ttl;
      e.cas = op.cas;
      if (op.f == Fn::kMultiSet) e.kvs = op.kvs;
      e.range = op.range;
      e.keys = op.keys;
      e.cam = op.cam;
    } else {
      busy_until[process_of[i]] = -1;
      e.type = op.outcome == Outcome::kOk     ? EventType::kOk
               : op.outcome == Outcome::kFail ? EventType::kFail
                                              : EventType::kInfo;
      if (e.type == EventType::kOk) {
        e.value = op.result;
        e.cas_result = op.cas_result;
        if (op.f == Fn::kMultiGet) e.kvs = op.kvs;
      }
    }
    if (IsScan(op.f)) ScanValues(plan[i], &e);
    e.process = process_of[i];
    events.push_back(std::move(e));
  }
  return events;
}

template <class Other>
void CorruptBasic(const Operation& op, Event* ev, const Other& other) {
  Event& e = *ev;
  switch (op.f) {
    case Fn::kGet:
      e.value = other(e.value);
      break;
    case Fn::kIncr:
      e.value = std::to_string(std::stoll(*e.value) + (Coin() ? 1 : -1));
      break;
    case Fn::kCas:
      e.cas_result = !e.cas_result;
      break;
    default: {
      auto it = std::next(e.kvs.begin(), UniformIn<size_t>(0, e.kvs.size()));
      it->second = other(it->second);
    }
  }
}

}  // namespace

History Generate(Shape shape) {
  const int n = UniformIn(1, 9);
  std::map<std::string, std::string> store;
  TtlStore ttls;
  std::vector<Planned> plan;
  for (int i = 0; i < n; ++i) plan.push_back(DrawAndExecute(i, shape, &store, &ttls));
  auto h = BuildHistory(ToEvents(plan), "generated");
  RC_ASSERT(h.ok());
  // Through the writer and the reader, so both are exercised on every shape.
  auto back = ParseJsonlHistory(WriteJsonlHistory(*h), "generated");
  RC_ASSERT(back.ok());
  return std::move(back).value();
}

// Changes one observation, if the history has one.
void Corrupt(History* h, bool unique) {
  std::vector<size_t> observed;
  for (const Operation& op : h->operations) {
    const bool scan = IsScan(RecordedFn(*h, op)) && op.outcome == Outcome::kOk;
    if (scan || testing::CorruptibleExtended(op) ||
        (op.outcome == Outcome::kOk && (op.f == Fn::kGet || op.f == Fn::kIncr || op.f == Fn::kCas ||
                                        (op.f == Fn::kMultiGet && !op.kvs.empty())))) {
      observed.push_back(op.id);
    }
  }
  if (observed.empty()) return;
  const Operation& op = h->operations[*rc::gen::elementOf(observed)];
  Event& e = h->events[op.complete_event];
  auto other = [unique](const OptValue& v) {
    std::vector<OptValue> choices = {OptValue()};
    for (const auto& x : kValues) choices.push_back(x);
    if (unique) choices = {OptValue(), "u0", "u1", "u2", "u3", "u4", "u5", "u6", "u7"};
    auto it = std::find(choices.begin(), choices.end(), v);
    if (it != choices.end()) choices.erase(it);
    return *rc::gen::elementOf(choices);
  };
  if (IsScan(RecordedFn(*h, op))) {
    testing::CorruptScan(OpsDraw(kRowSortkeys), &e);
  } else if (testing::CorruptibleExtended(op)) {
    testing::CorruptExtended(OpsDraw(), op, &e);
  } else {
    CorruptBasic(op, &e, other);
  }
  auto rebuilt = BuildHistory(h->events, "corrupted");
  RC_ASSERT(rebuilt.ok());
  *h = std::move(rebuilt).value();
}

}  // namespace pg::checker::testing
