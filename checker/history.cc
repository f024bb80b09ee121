#include "checker/history.h"

#include <array>
#include <charconv>
#include <utility>

#include "checker/assert.h"
#include "checker/model.h"
#include "checker/scan_lowering.h"
#include "checker/time_order.h"

namespace pg::checker {
namespace {

constexpr std::array<std::string_view, 4> kTypeNames = {"invoke", "ok", "fail", "info"};
constexpr std::array<std::string_view, 12> kFnNames = {
    "get",       "cas",       "set",           "del",       "incr",
    "multi_get", "multi_set", "sortkey_count", "multi_del", "check_and_mutate",
    "scan",      "full_scan"};
constexpr std::array<Fn, 12> kFnOrder = {
    Fn::kGet,      Fn::kCas,      Fn::kSet,          Fn::kDel,      Fn::kIncr,
    Fn::kMultiGet, Fn::kMultiSet, Fn::kSortkeyCount, Fn::kMultiDel, Fn::kCheckAndMutate,
    Fn::kScan,     Fn::kFullScan};

// A count as sortkey_count reports it: decimal digits only.
bool IsCount(const OptValue& v) {
  return v && !v->empty() && v->find_first_not_of("0123456789") == std::string::npos &&
         ParseInteger(*v).has_value();
}

bool IsInteger(const std::string& s) { return ParseInteger(s).has_value(); }

// Building state: the operation each process has open, by operation id.
class Pairer {
 public:
  Pairer(std::string source, const BuildOptions& options)
      : source_(std::move(source)),
        order_(options.order),
        check_time_(options.order == Order::kTime || options.monotone_time) {}

  Result<History> Run(std::vector<Event> events);

 private:
  Error Fail(const Event& e, std::string field, std::string message) const {
    return Error{source_, e.line, std::move(field), std::move(message)};
  }
  std::optional<Error> CheckShape(const Event& e) const;
  std::optional<Error> Invoke(size_t pos, const Event& e);
  std::optional<Error> ValidTtl(const Event& e) const;
  std::optional<Error> Complete(size_t pos, const Event& e);
  // What pairing guarantees of the history it returns (O(n), once per parse).
  void CheckPaired() const;

  std::string source_;
  Order order_;
  bool check_time_;  // times are checked (they order, or the format promises them monotone)
  History history_;
  std::map<int64_t, size_t> open_;  // process -> operation id
};

std::optional<Error> Pairer::CheckShape(const Event& e) const {
  if (IsMulti(e.f) && e.sortkey.has_value()) {
    return Fail(e, "sortkey", fmt::format("{} takes no sortkey", FnName(e.f)));
  }
  if (!IsMulti(e.f) && !e.sortkey.has_value()) {
    return Fail(e, "sortkey", fmt::format("{} needs a sortkey", FnName(e.f)));
  }
  if (e.f == Fn::kIncr && (e.type == EventType::kInvoke || e.type == EventType::kOk)) {
    if (!e.value.has_value() || !IsInteger(*e.value)) {
      return Fail(e, "value", "incr needs an integer (as a string)");
    }
  }
  if (e.f == Fn::kSet && e.type == EventType::kInvoke && !e.value.has_value()) {
    return Fail(e, "value", "set needs a string value");
  }
  if (e.f == Fn::kSortkeyCount && e.type == EventType::kOk && !IsCount(e.value)) {
    return Fail(e, "value", "sortkey_count needs a count (decimal digits, as a string)");
  }
  if (IsScan(e.f)) return CheckScanShape(e, source_);
  return std::nullopt;
}

std::optional<Error> Pairer::ValidTtl(const Event& e) const {
  if (!e.ttl) return std::nullopt;
  if (e.f != Fn::kSet && e.f != Fn::kMultiSet) {
    return Fail(e, "ttl", "expected only on set and multi_set (the writes that take a TTL)");
  }
  if (e.ttl->expire_ts < 1 || e.ttl->expire_ts > int64_t{UINT32_MAX}) {
    return Fail(e, "ttl.expire_ts",
                fmt::format("expected an integer in [1, 2^32 - 1] (got {})", e.ttl->expire_ts));
  }
  if (e.ttl->skew_ms < 0 || e.ttl->skew_ms > 1'000'000'000) {
    return Fail(e, "ttl.skew_ms",
                fmt::format("expected an integer in [0, 10^9] (got {})", e.ttl->skew_ms));
  }
  return std::nullopt;
}

std::optional<Error> Pairer::Invoke(size_t pos, const Event& e) {
  CK_ASSERT(e.type == EventType::kInvoke, "line {}", e.line);
  if (auto it = open_.find(e.process); it != open_.end()) {
    return Fail(
        e, "process",
        fmt::format("process {} invokes while its operation invoked at line {} is open", e.process,
                    history_.events[history_.operations[it->second].invoke_event].line));
  }
  if (auto err = ValidTtl(e)) return err;
  Operation op;
  op.id = history_.operations.size();
  op.process = e.process;
  op.f = e.f;
  op.hashkey = e.hashkey;
  op.sortkey = e.sortkey.value_or("");
  if (e.f == Fn::kSet || e.f == Fn::kIncr) op.arg = e.value;
  op.cas = e.cas;
  if (e.f == Fn::kMultiSet) op.kvs = e.kvs;
  op.range = e.range;
  op.keys = e.keys;
  op.cam = e.cam;
  op.invoke_event = pos;
  op.invoke_time = e.time;
  op.complete_time = e.time;
  op.witness = e.witness;
  op.ttl = e.ttl;
  open_[e.process] = op.id;
  history_.operations.push_back(std::move(op));
  CK_ASSERT_EQ(history_.operations.back().id + 1, history_.operations.size());
  return std::nullopt;
}

std::optional<Error> Pairer::Complete(size_t pos, const Event& e) {
  auto it = open_.find(e.process);
  if (it == open_.end()) {
    return Fail(e, "type",
                fmt::format("{} completion of process {} with no open invocation",
                            EventTypeName(e.type), e.process));
  }
  CK_ASSERT(e.type != EventType::kInvoke, "line {}", e.line);
  if (e.ttl) return Fail(e, "ttl", "expected only on an invocation (of set or multi_set)");
  CK_ASSERT_LT(it->second, history_.operations.size());
  Operation& op = history_.operations[it->second];
  // The open operation is this process's, invoked at an earlier position, and not completed.
  CK_ASSERT_EQ(op.process, e.process);
  CK_ASSERT_LT(op.invoke_event, pos, "line {}", e.line);
  CK_ASSERT_EQ(op.complete_event, kOpen, "line {}", e.line);
  open_.erase(it);
  // Under kLines with monotone times the line-to-line check already guarantees this.
  if (check_time_ && e.time < op.invoke_time) {
    return Fail(e, "time",
                fmt::format("expected at least the invocation's time {} (line {}): an operation "
                            "cannot complete before it starts (got {})",
                            op.invoke_time, history_.events[op.invoke_event].line, e.time));
  }
  if (e.f != op.f)
    return Fail(e, "f", fmt::format("does not match the invocation's {}", FnName(op.f)));
  if (e.hashkey != op.hashkey) return Fail(e, "hashkey", "does not match the invocation's");
  if (e.sortkey.value_or("") != op.sortkey)
    return Fail(e, "sortkey", "does not match the invocation's");
  if (e.witness.has_value()) {
    if (op.witness.has_value() && *op.witness != *e.witness) {
      return Fail(e, "witness", "differs from the invocation's witness");
    }
    op.witness = e.witness;
  }
  op.complete_time = e.time;
  if (e.type == EventType::kFail) {
    op.outcome = Outcome::kFail;
    op.complete_event = pos;
    return std::nullopt;
  }
  if (e.type == EventType::kInfo) return std::nullopt;  // stays open in the model forever
  op.outcome = Outcome::kOk;
  op.complete_event = pos;
  if (op.f == Fn::kGet || op.f == Fn::kIncr || op.f == Fn::kSortkeyCount) op.result = e.value;
  if (op.f == Fn::kCas || op.f == Fn::kCheckAndMutate) op.cas_result = e.cas_result;
  if (op.f == Fn::kMultiGet) op.kvs = e.kvs;
  if (op.range) {
    for (const auto& [k, v] : op.kvs) {
      // A ranged read returns only the sortkeys it found (on_multi_get), each with its value.
      if (!v)
        return Fail(e, "value." + k, "expected a string (a ranged multi_get returns no null)");
    }
  }
  return std::nullopt;
}

Result<History> Pairer::Run(std::vector<Event> events) {
  history_.source = source_;
  history_.events = std::move(events);
  int64_t last_time = std::numeric_limits<int64_t>::min();
  for (size_t pos = 0; pos < history_.events.size(); ++pos) {
    const Event& e = history_.events[pos];
    // Under kTime the times are the order, so lines may step back (Jepsen's do, by nanoseconds).
    if (order_ == Order::kLines && check_time_ && e.time < last_time) {
      return Fail(e, "time", "goes back in time");
    }
    last_time = e.time;
    if (auto err = CheckShape(e)) return *err;
    auto err = e.type == EventType::kInvoke ? Invoke(pos, e) : Complete(pos, e);
    if (err) return *err;
  }
  CheckPaired();
  if (order_ == Order::kTime) {
    OrderByTime(&history_);
    open_.clear();  // operation ids changed; CheckPaired's per-process check no longer applies
    CheckPaired();
  }
  LowerScans(&history_);  // last: it renumbers the operations
  return std::move(history_);
}

void Pairer::CheckPaired() const {
  const std::vector<Event>& events = history_.events;
  for (size_t i = 0; i < history_.operations.size(); ++i) {
    const Operation& op = history_.operations[i];
    CK_ASSERT_EQ(op.id, i);
    CK_ASSERT_LT(op.invoke_event, events.size());
    CK_ASSERT(events[op.invoke_event].type == EventType::kInvoke, "op {}", i);
    // Operations are in invocation order.
    if (i > 0) CK_ASSERT_LT(history_.operations[i - 1].invoke_event, op.invoke_event);
    // kOpen exactly for unknown outcomes; a completion lies after its invocation.
    CK_ASSERT_EQ(op.complete_event == kOpen, op.outcome == Outcome::kInfo, "op {}", i);
    if (op.complete_event != kOpen) {
      CK_ASSERT_LT(op.invoke_event, op.complete_event, "op {}", i);
      CK_ASSERT_LT(op.complete_event, events.size(), "op {}", i);
      CK_ASSERT_EQ(events[op.complete_event].process, op.process, "op {}", i);
    }
    if (check_time_) {
      CK_ASSERT_LE(op.invoke_time, op.complete_time, "op {}: times never go back", i);
    }
    // Shapes CheckShape let through: incr has an integer argument, and an integer result if ok.
    if (op.f == Fn::kIncr) {
      CK_ASSERT(op.arg && ParseInteger(*op.arg), "op {}", i);
      if (op.outcome == Outcome::kOk) CK_ASSERT(op.result && ParseInteger(*op.result), "op {}", i);
    }
  }
  for (const auto& [process, id] : open_) {
    CK_ASSERT_LT(id, history_.operations.size());
    CK_ASSERT_EQ(history_.operations[id].process, process);
  }
}

}  // namespace

std::string_view EventTypeName(EventType type) {
  CK_ASSERT_LT(static_cast<size_t>(type), kTypeNames.size());
  return kTypeNames[static_cast<size_t>(type)];
}

std::string_view FnName(Fn f) {
  for (size_t i = 0; i < kFnOrder.size(); ++i) {
    if (kFnOrder[i] == f) return kFnNames[i];
  }
  return "?";
}

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk:
      return "ok";
    case Outcome::kFail:
      return "fail";
    case Outcome::kInfo:
      return "info";
  }
  return "?";
}

std::optional<EventType> ParseEventType(std::string_view name) {
  for (size_t i = 0; i < kTypeNames.size(); ++i) {
    if (kTypeNames[i] == name) return static_cast<EventType>(i);
  }
  return std::nullopt;
}

std::optional<Fn> ParseFn(std::string_view name) {
  for (size_t i = 0; i < kFnNames.size(); ++i) {
    if (kFnNames[i] == name) return kFnOrder[i];
  }
  return std::nullopt;
}

Result<History> BuildHistory(std::vector<Event> events, std::string source,
                             const BuildOptions& options) {
  return Pairer(std::move(source), options).Run(std::move(events));
}

}  // namespace pg::checker
