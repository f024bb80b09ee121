#pragma once
// A client history (DESIGN.md §4): the events as recorded, and the operations they pair into.
// The in-process API the simulator calls: build events, then BuildHistory (or parse JSON lines).
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "checker/result.h"

namespace pg::checker {

enum class EventType : uint8_t { kInvoke, kOk, kFail, kInfo };
enum class Fn : uint8_t {
  kGet,
  kSet,
  kDel,
  kIncr,
  kCas,
  kMultiGet,
  kMultiSet,
  kSortkeyCount,
  kMultiDel,
  kCheckAndMutate,
  // One scanner context (docs/checker.md "Scans"): BuildHistory lowers each into ranged
  // multi_gets (scan_lowering.h), so no Operation has these f.
  kScan,
  kFullScan,
};

std::string_view EventTypeName(EventType type);
std::string_view FnName(Fn f);
std::optional<EventType> ParseEventType(std::string_view name);
std::optional<Fn> ParseFn(std::string_view name);
// multi_get, multi_set, sortkey_count, multi_del, check_and_mutate, scan and full_scan name no
// sortkey; every other f names exactly one.
inline bool IsMulti(Fn f) {
  return f == Fn::kMultiGet || f == Fn::kMultiSet || f == Fn::kSortkeyCount || f == Fn::kMultiDel ||
         f == Fn::kCheckAndMutate || f == Fn::kScan || f == Fn::kFullScan;
}
inline bool IsScan(Fn f) { return f == Fn::kScan || f == Fn::kFullScan; }

// A value: a string, or absent (JSON null).
using OptValue = std::optional<std::string>;
// sortkey -> value; ordered so that output is deterministic.
using KeyValues = std::map<std::string, OptValue>;

// Pegasus's cas_check_type (idl/rrdb.thrift), in its order; names are lower-case without CT_.
enum class CheckType : uint8_t {
  kNoCheck,
  kValueNotExist,
  kValueNotExistOrEmpty,
  kValueExist,
  kValueNotEmpty,
  kMatchAnywhere,
  kMatchPrefix,
  kMatchPostfix,
  kBytesLess,
  kBytesLessOrEqual,
  kBytesEqual,
  kBytesGreaterOrEqual,
  kBytesGreater,
  kIntLess,
  kIntLessOrEqual,
  kIntEqual,
  kIntGreaterOrEqual,
  kIntGreater,
};
std::string_view CheckTypeName(CheckType type);
std::optional<CheckType> ParseCheckType(std::string_view name);

// {"type": T, "operand": S}: the operand is always given, even where the type ignores it.
struct CheckArgs {
  CheckType type = CheckType::kNoCheck;
  std::string operand;
  bool operator==(const CheckArgs&) const = default;
};

struct CasArgs {
  OptValue expect;  // absent = "the sortkey must be absent"
  std::string set;
  // The {"check", "set"} form: when present it decides, and expect is unused.
  std::optional<CheckArgs> check;
  bool operator==(const CasArgs&) const = default;
};

// A multi_get's sort-key range (Pegasus's multi_get_request with start/stop sortkeys).
enum class FilterType : uint8_t { kAnywhere, kPrefix, kPostfix };
std::string_view FilterTypeName(FilterType type);
std::optional<FilterType> ParseFilterType(std::string_view name);
struct SortkeyFilter {
  FilterType type = FilterType::kAnywhere;
  std::string pattern;  // empty matches every sortkey
  bool operator==(const SortkeyFilter&) const = default;
};
struct SortkeyRange {
  std::string start;  // "" = from the first sortkey (start_inclusive then irrelevant)
  bool start_inclusive = true;
  std::string stop;  // "" = to the last sortkey (stop_inclusive then irrelevant)
  bool stop_inclusive = true;
  std::optional<int64_t> limit;  // >= 1; absent = no limit
  bool reverse = false;
  std::optional<SortkeyFilter> filter;
  bool operator==(const SortkeyRange&) const = default;
};
// Whether sortkey k lies in the range and passes its filter (the limit aside).
bool InRange(const SortkeyRange& range, std::string_view k);

// One mutation of check_and_mutate: set sortkey to value, or delete it (value absent).
struct Mutation {
  std::string sortkey;
  OptValue value;
  bool operator==(const Mutation&) const = default;
};
struct CheckAndMutateArgs {
  std::string check_sortkey;
  CheckArgs check;
  std::vector<Mutation> mutations;  // non-empty, applied in order
  bool operator==(const CheckAndMutateArgs&) const = default;
};

// A scan's or full_scan's result: every record the scanner context returned, by the hashkey the
// server put on it (hashkey -> sortkey -> value, every value a string, every group non-empty).
using ScanRecords = std::map<std::string, KeyValues>;
// A key in Pegasus's order (src/base/pegasus_key_schema.h): by hashkey length, then hashkey bytes,
// then sortkey bytes (the 2-byte big-endian length prefix of the stored key makes it so).
struct ScanKey {
  std::string hashkey;
  std::string sortkey;
  bool operator==(const ScanKey&) const = default;
};
// get_unordered_scanners' one context: partition `partition` of `partition_count`, the hashkeys
// the client knows it holds, and, when it resumes a lost context, the last key that one returned
// (only keys strictly after it are read).
struct FullScanArgs {
  int64_t partition = 0;  // [0, partition_count)
  int64_t partition_count = 1;
  std::vector<std::string> hashkeys;  // distinct, in the order given
  std::optional<ScanKey> after;
  bool operator==(const FullScanArgs&) const = default;
};

// A value on the heap, or none: a field few events have costs the others one pointer. Copies
// copy the value and == compares it, as std::optional's.
template <class T>
class Boxed {
 public:
  Boxed() = default;
  Boxed(const Boxed& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
  Boxed(Boxed&&) noexcept = default;
  Boxed& operator=(const Boxed& o) {
    if (this != &o) p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
    return *this;
  }
  Boxed& operator=(Boxed&&) noexcept = default;
  Boxed& operator=(T value) {
    p_ = std::make_unique<T>(std::move(value));
    return *this;
  }
  T& emplace() {
    p_ = std::make_unique<T>();
    return *p_;
  }
  void reset() { p_.reset(); }
  bool has_value() const { return p_ != nullptr; }
  explicit operator bool() const { return has_value(); }
  T& operator*() { return *p_; }
  const T& operator*() const { return *p_; }
  T* operator->() { return p_.get(); }
  const T* operator->() const { return p_.get(); }
  bool operator==(const Boxed& o) const {
    return has_value() == o.has_value() && (!has_value() || *p_ == *o.p_);
  }

 private:
  std::unique_ptr<T> p_;
};

// A set's or multi_set's time to live (docs/checker.md "TTL"): expire_ts is Pegasus's
// expire_ts_seconds as the client sent it, in seconds of the history's time (second s starts at
// time s * 10^9); skew_ms bounds how far the clock of a replica judging the expiry may be from
// the history's time. So the value reads as expired from some instant in
// [expire_ts * 10^9 - skew, expire_ts * 10^9 + skew], and a read may see either side of it.
struct Ttl {
  int64_t expire_ts = 0;  // [1, 2^32 - 1], as Pegasus's u32
  int64_t skew_ms = 0;    // [0, 10^9]
  bool operator==(const Ttl&) const = default;
  int64_t expires_ns() const { return expire_ts * 1'000'000'000; }
  int64_t skew_ns() const { return skew_ms * 1'000'000; }
};

// One line of the history. Which value field is meaningful depends on (f, type), per the table
// of DESIGN.md §4 and docs/checker.md: value for get/incr/sortkey_count results and set/incr
// arguments, cas for a cas invocation, cas_result for a cas or check_and_mutate ok, kvs for a
// multi_set invocation and a multi_get ok, range for a ranged multi_get or a scan invocation, keys
// for a multi_del invocation, cam for a check_and_mutate invocation, full_scan for a full_scan
// invocation, records for a scan or full_scan ok. Ignored values (set/del/multi_set/multi_del ok,
// fail and info completions) are not kept.
struct Event {
  std::optional<int64_t> index;
  int64_t process = 0;
  EventType type = EventType::kInvoke;
  Fn f = Fn::kGet;
  std::string hashkey;
  std::optional<std::string> sortkey;
  OptValue value;
  CasArgs cas;
  bool cas_result = false;
  KeyValues kvs;
  std::optional<SortkeyRange> range;
  std::vector<std::string> keys;
  CheckAndMutateArgs cam;
  Boxed<FullScanArgs> full_scan;
  ScanRecords records;
  int64_t time = 0;
  // Optional: the position of this op's effect in its partition's apply order (a candidate
  // linearization the checker verifies before searching).
  std::optional<int64_t> witness;
  std::optional<Ttl> ttl;  // set and multi_set invocations only
  size_t line = 0;         // 1-based line in the source; 0 when built in memory
  bool operator==(const Event&) const = default;
};

enum class Outcome : uint8_t { kOk, kFail, kInfo };
std::string_view OutcomeName(Outcome outcome);

inline constexpr size_t kOpen = std::numeric_limits<size_t>::max();

// An invocation paired with its completion. An invocation never completed counts as info.
// A scan or full_scan becomes one or more multi_gets sharing its events (scan_lowering.h), so
// several operations may have one invoke_event; every other invocation is one operation.
struct Operation {
  size_t id = 0;  // position in History::operations, which is in invocation order
  int64_t process = 0;
  Fn f = Fn::kGet;
  Outcome outcome = Outcome::kInfo;
  std::string hashkey;
  std::string sortkey;                // empty for multi_get/multi_set
  OptValue arg;                       // set: the value; incr: the delta
  CasArgs cas;                        // cas arguments
  KeyValues kvs;                      // multi_set arguments, or the multi_get result
  std::optional<SortkeyRange> range;  // multi_get by sort-key range
  std::vector<std::string> keys;      // multi_del
  CheckAndMutateArgs cam;             // check_and_mutate
  OptValue result;          // get: the value read; incr: the new value; sortkey_count: the count
  bool cas_result = false;  // cas and check_and_mutate
  // Positions in History::events. Real-time order is event order: a precedes b iff
  // a.complete_event < b.invoke_event. complete_event is kOpen for info operations.
  size_t invoke_event = 0;
  size_t complete_event = kOpen;
  int64_t invoke_time = 0;
  int64_t complete_time = 0;
  std::optional<int64_t> witness;
  std::optional<Ttl> ttl;  // set and multi_set
};

struct History {
  std::string source;
  std::vector<Event> events;
  std::vector<Operation> operations;
  // The value every sortkey starts with (EDN's --initial); JSON-lines histories start absent.
  OptValue initial_value;
};

// The f the history recorded for op: a scan's or full_scan's where op is one of its reads.
inline Fn RecordedFn(const History& h, const Operation& op) { return h.events[op.invoke_event].f; }

// Which order of the events is real time (docs/checker.md "Order"):
// - kLines, the project's own convention: the order of the lines. An operation precedes another
//   iff its completion line comes before the other's invocation line; times must never go back.
// - kTime, for histories recorded elsewhere (Porcupine's and Jepsen's convention): by the events'
//   times, as closed intervals. A precedes B iff A's completion time < B's invocation time; equal
//   times overlap. Lines pair invocations with completions (per process, in line order) and times
//   may go back from line to line, but never within an operation.
enum class Order : uint8_t { kLines, kTime };

struct BuildOptions {
  Order order = Order::kLines;
  // Under kLines, whether times must never go back from line to line (nor an operation complete
  // before its invocation's time). This project's JSON lines: yes, the simulator writes them so.
  // Jepsen's EDN: no -- Knossos orders by position, and the recorded times step back by
  // nanoseconds (e.g. rethink-fail*.edn), which line order never reads.
  bool monotone_time = true;
};

// Validates events (one open operation per process, completions match their invocation; the
// times as BuildOptions says) and pairs them into operations. Under kTime, History::events comes
// back sorted by time (see time_order.h).
Result<History> BuildHistory(std::vector<Event> events, std::string source,
                             const BuildOptions& options = {});

// Whether an operation reads every sortkey of its hashkey: an ok ranged multi_get (it asserts
// the absence of the in-range sortkeys it does not return) or an ok sortkey_count.
bool ReadsWholeHashkey(const Operation& op);
// What Check needs beyond a well-formed history: range reads and sortkey_count need a finite
// set of sortkeys, so they cannot meet an initial value (which every sortkey would hold).
std::optional<Error> CheckableHistory(const History& history);

// Strict JSON lines (DESIGN.md §4). Errors name the line and the field.
Result<History> ParseJsonlHistory(std::string_view text, std::string_view source_name,
                                  Order order = Order::kLines);
// One event's "value" (DESIGN.md §4's table by f and type): fills the fields it carries, or names
// the shape it expected. ParseJsonlHistory reads every line's value with it, and so does the
// simulator's in-process check, which has the values but no lines of text.
std::optional<Error> ReadEventValue(const nlohmann::json& value, std::string_view source,
                                    size_t line, Event* event);
// One JSON object per line, in the format ParseJsonlHistory reads.
std::string WriteJsonlHistory(const History& history);
std::string EventToJsonLine(const Event& event);

}  // namespace pg::checker
