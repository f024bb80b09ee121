#include "sim/driver/history_export.h"

#include <fmt/format.h>

#include <algorithm>

#include "checker/check.h"
#include "sim/driver/runner.h"

namespace pg::sim {

namespace {

// A JSON string literal (quotes and escapes) through nlohmann, so escaping follows the library.
// Printable ASCII without a quote or backslash (the workload's keys, every type and f) needs no
// escape, and nlohmann would write it as it is: that is appended directly, without a json value.
void AppendJsonString(std::string& out, const std::string& s) {
  const bool plain = std::all_of(
      s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\'; });
  if (!plain) {
    out += nlohmann::json(s).dump();
    return;
  }
  out += '"';
  out += s;
  out += '"';
}

}  // namespace

int64_t ServingClockSkewMs(const Cluster& cluster) {
  Duration skew;
  for (size_t i = 0; i < cluster.node_count(); ++i) {
    const NodeId id(static_cast<uint32_t>(i));
    if (cluster.name(id).starts_with("replica/")) skew = std::max(skew, cluster.MaxClockSkew(id));
  }
  return (skew.ns() + 999'999) / 1'000'000;
}

// Written field by field rather than through a json object per line: this runs once per run in
// every sweep, and a history has thousands of lines. Keys keep DESIGN.md §4's order. Nodes build
// value_json with nlohmann, so it is inserted as it is; if it were ever malformed, the checker's
// strict reader would report the line instead of the bench guessing.
std::string HistoryToJsonl(const std::vector<RecordedOp>& history, int64_t ttl_skew_ms) {
  std::string out;
  out.reserve(history.size() * 120);
  uint64_t index = 0;
  for (const RecordedOp& r : history) {
    out += "{\"index\":";
    out += fmt::format_int(index++).c_str();
    out += ",\"process\":";
    out += fmt::format_int(r.op.process).c_str();
    out += ",\"type\":";
    AppendJsonString(out, r.op.type);
    out += ",\"f\":";
    AppendJsonString(out, r.op.f);
    out += ",\"hashkey\":";
    AppendJsonString(out, r.op.hashkey);
    if (!r.op.sortkey.empty()) {
      out += ",\"sortkey\":";
      AppendJsonString(out, r.op.sortkey);
    }
    out += ",\"value\":";
    out += r.op.value_json;
    out += ",\"time\":";
    out += fmt::format_int(r.at.ns()).c_str();
    if (r.op.expire_ts > 0) {
      out +=
          fmt::format(",\"ttl\":{{\"expire_ts\":{},\"skew_ms\":{}}}", r.op.expire_ts, ttl_skew_ms);
    }
    out += "}\n";
  }
  return out;
}

size_t CountCompletions(const std::vector<RecordedOp>& history) {
  size_t n = 0;
  for (const RecordedOp& r : history) n += r.op.type != "invoke";
  return n;
}

}  // namespace pg::sim

namespace pg::sim {
namespace {

using checker::Event;
using nlohmann::json;

const char kRunHistory[] = "run history";

// A JSON string literal without escapes or control characters at text[*pos] (the workload's keys
// and values): its content into *out and *pos past it; false for anything else.
bool PlainString(const std::string& text, size_t* pos, std::string* out) {
  if (*pos >= text.size() || text[*pos] != '"') return false;
  const size_t start = *pos + 1;
  for (size_t i = start; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      out->assign(text, start, i - start);
      *pos = i + 1;
      return true;
    }
    if (c < 0x20 || c > 0x7e || c == '\\') return false;
  }
  return false;
}

// An object of such strings and nulls written without spaces, as the workload writes multi_set,
// cas and multi_get values: built directly, as json::parse would build it. Nullopt for anything
// else, which then goes to the parser (a repeated key too).
std::optional<json> FlatObject(const std::string& text) {
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') return std::nullopt;
  json out = json::object();
  size_t pos = 1;
  if (text.size() == 2) return out;
  std::string key;
  std::string value;
  while (true) {
    if (!PlainString(text, &pos, &key) || out.contains(key)) return std::nullopt;
    if (pos >= text.size() || text[pos++] != ':') return std::nullopt;
    if (text.compare(pos, 4, "null") == 0) {
      pos += 4;
      out[key] = nullptr;
    } else if (PlainString(text, &pos, &value)) {
      out[key] = value;
    } else {
      return std::nullopt;
    }
    if (pos >= text.size()) return std::nullopt;
    const char next = text[pos++];
    if (next == '}') return pos == text.size() ? std::optional<json>(std::move(out)) : std::nullopt;
    if (next != ',') return std::nullopt;
  }
}

// The recorded "value" text as JSON. Nearly every value is null, a bool, a string without escapes
// or an object of those strings and nulls: those skip the JSON parser.
json ValueOf(const std::string& text) {
  if (text == "null") return json(nullptr);
  if (text == "true") return json(true);
  if (text == "false") return json(false);
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"' &&
      text.find_first_of("\"\\", 1) == text.size() - 1) {
    return json(text.substr(1, text.size() - 2));
  }
  if (std::optional<json> object = FlatObject(text)) return std::move(*object);
  return json::parse(text, nullptr, /*allow_exceptions=*/false);
}

}  // namespace

checker::Result<checker::History> HistoryOf(const std::vector<RecordedOp>& history,
                                            int64_t ttl_skew_ms) {
  std::vector<Event> events;
  events.reserve(history.size());
  for (size_t i = 0; i < history.size(); ++i) {
    const RecordOp& op = history[i].op;
    // As the JSON-lines form would number it: index from 0, lines from 1.
    const size_t line = i + 1;
    Event& e = events.emplace_back();
    e.index = static_cast<int64_t>(i);
    e.line = line;
    e.process = op.process;
    e.time = history[i].at.ns();
    const auto type = checker::ParseEventType(op.type);
    const auto f = checker::ParseFn(op.f);
    if (!type || !f) return checker::Error{kRunHistory, line, type ? "f" : "type", "unknown"};
    e.type = *type;
    e.f = *f;
    e.hashkey = op.hashkey;
    if (!op.sortkey.empty()) e.sortkey = op.sortkey;
    if (op.expire_ts > 0) e.ttl = checker::Ttl{.expire_ts = op.expire_ts, .skew_ms = ttl_skew_ms};
    if (auto error = checker::ReadEventValue(ValueOf(op.value_json), kRunHistory, line, &e)) {
      return *error;
    }
  }
  return checker::BuildHistory(std::move(events), kRunHistory);
}

nlohmann::json RunOutcome::CheckerJson() const {
  return checker ? checker::ToJson(*checker, /*include_elapsed=*/true) : nlohmann::json();
}

std::optional<Failure> JudgeHistory(const std::vector<RecordedOp>& history, int64_t ttl_skew_ms,
                                    double timeout_s, RunOutcome& outcome) {
  // The recorded operations go to the checker as they are, with no JSON text in between;
  // HistoryOf reads each value as the JSON-lines reader would (a test holds both equal), so the
  // checker judges what history.jsonl says.
  checker::Result<checker::History> parsed = HistoryOf(history, ttl_skew_ms);
  if (!parsed.ok()) {
    // The simulator wrote it, so a malformed history is a bug in the bench.
    return Failure{.kind = "history", .detail = parsed.error().ToString()};
  }
  outcome.checker = checker::Check(*parsed, {.timeout_s = timeout_s, .threads = 1});
  const checker::CheckResult& result = *outcome.checker;
  switch (result.verdict) {
    case checker::Verdict::kOk:
      return std::nullopt;
    case checker::Verdict::kIllegal:
      return Failure{.kind = "checker:illegal",
                     .detail = result.explanation,
                     .event = outcome.events,
                     .at = Time::Zero() + Millis(outcome.sim_time_ms)};
    case checker::Verdict::kUnknown:
      return Failure{.kind = "checker:unknown",
                     .detail = result.explanation,
                     .event = outcome.events,
                     .at = Time::Zero() + Millis(outcome.sim_time_ms)};
  }
  return std::nullopt;
}

}  // namespace pg::sim
