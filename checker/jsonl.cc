// The JSON-lines history format of DESIGN.md §4: strict reader and writer.
#include <nlohmann/json.hpp>
#include <set>

#include "checker/assert.h"
#include "checker/history.h"
#include "checker/jsonl_ops.h"

namespace pg::checker {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 10> kKnownKeys = {
    "index", "process", "type", "f", "hashkey", "sortkey", "value", "time", "witness", "ttl"};

// Parses one line's object into an Event; every failure names the field.
class LineParser {
 public:
  LineParser(std::string_view source, size_t line) : source_(source), line_(line) {}

  Result<Event> Parse(const json& j);

 private:
  Error Fail(std::string field, std::string message) const {
    return Error{std::string(source_), line_, std::move(field), std::move(message)};
  }
  std::optional<Error> Int(const json& j, const char* key, bool required,
                           std::optional<int64_t>* out);
  // Int of j[key], where j is nested and the error names `field` (its path from the line).
  std::optional<Error> IntAt(const json& j, const char* key, const std::string& field,
                             bool required, std::optional<int64_t>* out);
  std::optional<Error> Str(const json& j, const char* key, std::string* out);
  std::optional<Error> ReadTtl(const json& j, Event* e);

  std::string_view source_;
  size_t line_;
};

// Reads one event's value by the table of DESIGN.md §4; every failure names the field.
class ValueParser {
 public:
  ValueParser(std::string_view source, size_t line) : source_(source), line_(line) {}

  std::optional<Error> Value(const json& v, Event* e);

 private:
  Error Fail(std::string field, std::string message) const {
    return Error{std::string(source_), line_, std::move(field), std::move(message)};
  }
  std::optional<Error> Opt(const json& v, std::string_view field, OptValue* out);
  std::optional<Error> Object(const json& v, bool allow_null, KeyValues* out);
  std::optional<Error> Extended(const json& v, Event* e);
  std::optional<Error> Lift(std::optional<jsonl::FieldError> err) const {
    if (!err) return std::nullopt;
    return Fail(std::move(err->field), std::move(err->message));
  }

  std::string_view source_;
  size_t line_;
};

std::optional<Error> LineParser::Int(const json& j, const char* key, bool required,
                                     std::optional<int64_t>* out) {
  return IntAt(j, key, key, required, out);
}

std::optional<Error> LineParser::IntAt(const json& j, const char* key, const std::string& field,
                                       bool required, std::optional<int64_t>* out) {
  auto it = j.find(key);
  if (it == j.end()) {
    if (required) return Fail(field, "missing");
    return std::nullopt;
  }
  const bool too_big =
      it->is_number_unsigned() && it->get<uint64_t>() > uint64_t{INT64_MAX};  // would wrap
  if (!it->is_number_integer() || too_big) {
    return Fail(field, "expected an integer in [-2^63, 2^63 - 1]");
  }
  *out = it->get<int64_t>();
  return std::nullopt;
}

// {"expire_ts": E, "skew_ms": S}, both integers; BuildHistory checks their ranges and that the
// event may carry one.
std::optional<Error> LineParser::ReadTtl(const json& j, Event* e) {
  auto it = j.find("ttl");
  if (it == j.end()) return std::nullopt;
  if (!it->is_object()) return Fail("ttl", "expected an object {\"expire_ts\": E, \"skew_ms\": S}");
  for (const auto& [k, v] : it->items()) {
    if (k != "expire_ts" && k != "skew_ms") return Fail("ttl." + k, "unknown key");
  }
  std::optional<int64_t> expire_ts, skew_ms;
  if (auto err = IntAt(*it, "expire_ts", "ttl.expire_ts", true, &expire_ts)) return err;
  if (auto err = IntAt(*it, "skew_ms", "ttl.skew_ms", true, &skew_ms)) return err;
  e->ttl = Ttl{.expire_ts = *expire_ts, .skew_ms = *skew_ms};
  return std::nullopt;
}

std::optional<Error> LineParser::Str(const json& j, const char* key, std::string* out) {
  auto it = j.find(key);
  if (it == j.end()) return Fail(key, "missing");
  if (!it->is_string()) return Fail(key, "expected a string");
  *out = it->get<std::string>();
  return std::nullopt;
}

std::optional<Error> ValueParser::Opt(const json& v, std::string_view field, OptValue* out) {
  if (v.is_null()) {
    out->reset();
  } else if (v.is_string()) {
    *out = v.get<std::string>();
  } else {
    return Fail(std::string(field), "expected a string or null");
  }
  return std::nullopt;
}

std::optional<Error> ValueParser::Object(const json& v, bool allow_null, KeyValues* out) {
  if (!v.is_object()) return Fail("value", "expected an object sortkey -> value");
  for (const auto& [k, x] : v.items()) {
    if (x.is_null() && !allow_null) return Fail("value." + k, "expected a string");
    if (auto err = Opt(x, "value." + k, &(*out)[k])) return err;
  }
  return std::nullopt;
}

std::optional<Error> ValueParser::Value(const json& v, Event* e) {
  const bool invoke = e->type == EventType::kInvoke;
  if (!invoke && e->type != EventType::kOk) return std::nullopt;  // fail/info: ignored
  switch (e->f) {
    case Fn::kMultiGet:
      if (invoke && !v.is_null()) {
        e->range.emplace();
        return Lift(jsonl::ReadRange(v, &*e->range));
      }
      [[fallthrough]];
    case Fn::kGet:
    case Fn::kDel:
      if (invoke && !v.is_null()) return Fail("value", "expected null on invoke");
      if (invoke || e->f == Fn::kDel) return std::nullopt;
      if (e->f == Fn::kGet) return Opt(v, "value", &e->value);
      return Object(v, /*allow_null=*/true, &e->kvs);
    case Fn::kSet:
    case Fn::kIncr:
      if (!invoke && e->f == Fn::kSet) return std::nullopt;
      if (!v.is_string()) return Fail("value", "expected a string");
      e->value = v.get<std::string>();
      return std::nullopt;
    case Fn::kMultiSet:
      if (!invoke) return std::nullopt;
      return Object(v, /*allow_null=*/false, &e->kvs);
    case Fn::kCas:
    case Fn::kSortkeyCount:
    case Fn::kMultiDel:
    case Fn::kCheckAndMutate:
    case Fn::kScan:
    case Fn::kFullScan:
      return Extended(v, e);
  }
  return std::nullopt;
}

// Invoke or ok values of cas and the operations docs/checker.md adds to DESIGN.md §4.
std::optional<Error> ValueParser::Extended(const json& v, Event* e) {
  const bool invoke = e->type == EventType::kInvoke;
  switch (e->f) {
    case Fn::kCas:
    case Fn::kCheckAndMutate:
      if (!invoke) {
        if (!v.is_boolean()) return Fail("value", "expected true or false");
        e->cas_result = v.get<bool>();
        return std::nullopt;
      }
      if (e->f == Fn::kCas) return Lift(jsonl::ReadCas(v, &e->cas));
      return Lift(jsonl::ReadCheckAndMutate(v, &e->cam));
    case Fn::kSortkeyCount:
      if (invoke && !v.is_null()) return Fail("value", "expected null on invoke");
      if (invoke) return std::nullopt;
      if (!v.is_string()) return Fail("value", "expected a count as a string of decimal digits");
      e->value = v.get<std::string>();
      return std::nullopt;
    case Fn::kMultiDel:
      if (!invoke) return std::nullopt;  // ignored, as del's
      return Lift(jsonl::ReadMultiDelKeys(v, &e->keys));
    case Fn::kScan:
    case Fn::kFullScan:
      // BuildHistory checks what the types leave open (CheckScanShape).
      if (!invoke) return Lift(jsonl::ReadScanRecords(v, &e->records));
      if (e->f == Fn::kFullScan) return Lift(jsonl::ReadFullScan(v, &e->full_scan.emplace()));
      return Lift(jsonl::ReadRange(v, &e->range.emplace(), "a sort-key range object"));
    default:
      break;
  }
  CK_UNREACHABLE("f {}", static_cast<int>(e->f));
}

Result<Event> LineParser::Parse(const json& j) {
  if (!j.is_object()) return Fail("", "expected a JSON object");
  for (const auto& [k, v] : j.items()) {
    if (std::find(kKnownKeys.begin(), kKnownKeys.end(), k) == kKnownKeys.end()) {
      return Fail(k, "unknown key");
    }
  }
  Event e;
  e.line = line_;
  std::optional<int64_t> n;
  if (auto err = Int(j, "process", true, &n)) return *err;
  e.process = *n;
  if (auto err = Int(j, "time", true, &n)) return *err;
  e.time = *n;
  if (auto err = Int(j, "index", false, &e.index)) return *err;
  if (auto err = Int(j, "witness", false, &e.witness)) return *err;
  if (auto err = ReadTtl(j, &e)) return *err;
  std::string s;
  if (auto err = Str(j, "type", &s)) return *err;
  auto type = ParseEventType(s);
  if (!type) return Fail("type", fmt::format("unknown type \"{}\"", s));
  e.type = *type;
  if (auto err = Str(j, "f", &s)) return *err;
  auto f = ParseFn(s);
  if (!f) return Fail("f", fmt::format("unknown f \"{}\"", s));
  e.f = *f;
  if (auto err = Str(j, "hashkey", &e.hashkey)) return *err;
  if (j.contains("sortkey")) {
    if (auto err = Str(j, "sortkey", &s)) return *err;
    e.sortkey = s;
  }
  if (!j.contains("value")) return Fail("value", "missing");
  if (auto err = ValueParser(source_, line_).Value(j["value"], &e)) return *err;
  return e;
}

// One line, strictly: nesting deeper than kMaxLineDepth is discarded while parsing (so it costs
// no memory) and reported, and a key repeated in one object is reported (nlohmann would keep the
// last one). Both come back as the error to give.
struct LineScan {
  std::vector<std::set<std::string>> keys;  // one per open container (an array's stays empty)
  std::optional<std::string> problem;
};

constexpr int kMaxLineDepth = 64;

json ParseLine(std::string_view raw, LineScan* scan) {
  using E = json::parse_event_t;
  auto callback = [scan](int depth, E event, json& parsed) {
    const bool starts = event == E::object_start || event == E::array_start;
    if (depth > kMaxLineDepth) return false;  // inside a discarded container
    if (starts && depth == kMaxLineDepth) {
      if (!scan->problem) {
        scan->problem =
            fmt::format("expected at most {} levels of nesting (got deeper)", kMaxLineDepth);
      }
      return false;
    }
    if (starts) {
      scan->keys.emplace_back();
    } else if (event == E::object_end || event == E::array_end) {
      scan->keys.pop_back();
    } else if (event == E::key && !scan->keys.back().insert(parsed.get<std::string>()).second &&
               !scan->problem) {
      scan->problem = fmt::format("key \"{}\" repeated in one object (expected each key once)",
                                  parsed.get<std::string>());
    }
    return true;
  };
  return json::parse(raw, callback, /*allow_exceptions=*/false);
}

json OptJson(const OptValue& v) { return v ? json(*v) : json(nullptr); }

json KvsJson(const KeyValues& kvs) {
  json o = json::object();
  for (const auto& [k, v] : kvs) o[k] = OptJson(v);
  return o;
}

json ValueJson(const Event& e) {
  const bool invoke = e.type == EventType::kInvoke;
  if (!invoke && e.type != EventType::kOk) return nullptr;
  switch (e.f) {
    case Fn::kGet:
      return invoke ? json(nullptr) : OptJson(e.value);
    case Fn::kSet:
    case Fn::kIncr:
      return invoke || e.f == Fn::kIncr ? OptJson(e.value) : json(nullptr);
    case Fn::kDel:
      return nullptr;
    case Fn::kCas:
      if (!invoke) return e.cas_result;
      return jsonl::CasJson(e.cas);
    case Fn::kMultiGet:
      if (invoke) return e.range ? jsonl::RangeJson(*e.range) : json(nullptr);
      return KvsJson(e.kvs);
    case Fn::kSortkeyCount:
      return invoke ? json(nullptr) : OptJson(e.value);
    case Fn::kMultiDel:
      return invoke ? json(e.keys) : json(nullptr);
    case Fn::kCheckAndMutate:
      if (!invoke) return e.cas_result;
      return jsonl::CheckAndMutateJson(e.cam);
    case Fn::kMultiSet:
      return invoke ? KvsJson(e.kvs) : json(nullptr);
    case Fn::kScan:
      if (!invoke) return jsonl::ScanRecordsJson(e.records);
      return e.range ? jsonl::RangeJson(*e.range) : json(nullptr);
    case Fn::kFullScan:
      if (!invoke) return jsonl::ScanRecordsJson(e.records);
      return e.full_scan ? jsonl::FullScanJson(*e.full_scan) : json(nullptr);
  }
  return nullptr;
}

}  // namespace

std::optional<Error> ReadEventValue(const json& value, std::string_view source, size_t line,
                                    Event* event) {
  return ValueParser(source, line).Value(value, event);
}

Result<History> ParseJsonlHistory(std::string_view text, std::string_view source_name,
                                  Order order) {
  std::vector<Event> events;
  size_t line = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view raw = text.substr(start, end - start);
    start = end + 1;
    ++line;
    if (raw.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    LineScan scan;
    json j = ParseLine(raw, &scan);
    if (j.is_discarded()) {
      return Error{std::string(source_name), line, "", "not valid JSON"};
    }
    if (scan.problem) return Error{std::string(source_name), line, "", *scan.problem};
    auto event = LineParser(source_name, line).Parse(j);
    if (!event.ok()) return event.error();
    CK_ASSERT_EQ(event->line, line);
    // Value keeps nothing of a fail or info event (DESIGN.md §4: its value is ignored).
    CK_ASSERT(event->type == EventType::kInvoke || event->type == EventType::kOk ||
                  (!event->value && event->kvs.empty() && event->records.empty()),
              "line {}: fail and info keep no value", line);
    events.push_back(std::move(event).value());
  }
  return BuildHistory(std::move(events), std::string(source_name), {.order = order});
}

std::string EventToJsonLine(const Event& e) {
  // Keys in the order of DESIGN.md's example; ordered_json keeps insertion order.
  nlohmann::ordered_json j;
  if (e.index) j["index"] = *e.index;
  j["process"] = e.process;
  j["type"] = EventTypeName(e.type);
  j["f"] = FnName(e.f);
  j["hashkey"] = e.hashkey;
  if (e.sortkey) j["sortkey"] = *e.sortkey;
  j["value"] = ValueJson(e);
  j["time"] = e.time;
  if (e.witness) j["witness"] = *e.witness;
  if (e.ttl) j["ttl"] = {{"expire_ts", e.ttl->expire_ts}, {"skew_ms", e.ttl->skew_ms}};
  // Replace invalid UTF-8 rather than throw: the writer must not raise.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string WriteJsonlHistory(const History& history) {
  std::string out;
  for (const Event& e : history.events) {
    out += EventToJsonLine(e);
    out += '\n';
  }
  return out;
}

}  // namespace pg::checker
