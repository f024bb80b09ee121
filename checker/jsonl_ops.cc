// Strict reading and writing of the shapes jsonl_ops.h lists: every key known, every required
// key present, every value of its type; nothing is defaulted but what the format leaves out.
#include "checker/jsonl_ops.h"

#include <algorithm>
#include <initializer_list>
#include <set>

namespace pg::checker::jsonl {
namespace {

using nlohmann::json;
using Keys = std::initializer_list<std::string_view>;

// v is an object whose keys are all in required or optional, with every required one present.
std::optional<FieldError> Shape(const json& v, const std::string& field, Keys required,
                                Keys optional, std::string_view expected) {
  if (!v.is_object()) return FieldError{field, fmt::format("expected {}", expected)};
  for (const auto& [k, x] : v.items()) {
    const bool known = std::find(required.begin(), required.end(), k) != required.end() ||
                       std::find(optional.begin(), optional.end(), k) != optional.end();
    if (!known) return FieldError{field + "." + k, "unknown key"};
  }
  for (std::string_view k : required) {
    if (!v.contains(k)) return FieldError{fmt::format("{}.{}", field, k), "missing"};
  }
  return std::nullopt;
}

std::optional<FieldError> String(const json& v, const std::string& field, std::string* out) {
  if (!v.is_string()) return FieldError{field, "expected a string"};
  *out = v.get<std::string>();
  return std::nullopt;
}

std::optional<FieldError> Bool(const json& v, const std::string& field, bool* out) {
  if (!v.is_boolean()) return FieldError{field, "expected true or false"};
  *out = v.get<bool>();
  return std::nullopt;
}

std::optional<FieldError> ReadFilter(const json& v, SortkeyFilter* out) {
  const std::string f = "value.filter";
  if (auto err = Shape(v, f, {"type", "pattern"}, {},
                       R"(an object {"type": "prefix"|"anywhere"|"postfix", "pattern": S})")) {
    return err;
  }
  std::string type;
  if (auto err = String(v["type"], f + ".type", &type)) return err;
  auto t = ParseFilterType(type);
  if (!t) return FieldError{f + ".type", fmt::format("unknown filter type \"{}\"", type)};
  out->type = *t;
  return String(v["pattern"], f + ".pattern", &out->pattern);
}

std::optional<FieldError> Integer(const json& v, const std::string& field, int64_t* out) {
  const bool too_big = v.is_number_unsigned() && v.get<uint64_t>() > uint64_t{INT64_MAX};
  if (!v.is_number_integer() || too_big) {
    return FieldError{field, "expected an integer in [-2^63, 2^63 - 1]"};
  }
  *out = v.get<int64_t>();
  return std::nullopt;
}

std::optional<FieldError> ReadLimit(const json& v, std::optional<int64_t>* out) {
  int64_t n = 0;
  if (Integer(v, "value.limit", &n) || n < 1) {
    return FieldError{"value.limit", "expected an integer >= 1"};
  }
  *out = n;
  return std::nullopt;
}

std::optional<FieldError> ReadCheck(const json& v, const std::string& field, CheckArgs* out) {
  if (auto err =
          Shape(v, field, {"type", "operand"}, {}, R"(an object {"type": T, "operand": S})")) {
    return err;
  }
  std::string type;
  if (auto err = String(v["type"], field + ".type", &type)) return err;
  auto t = ParseCheckType(type);
  if (!t) return FieldError{field + ".type", fmt::format("unknown check type \"{}\"", type)};
  out->type = *t;
  return String(v["operand"], field + ".operand", &out->operand);
}

std::optional<FieldError> ReadMutation(const json& v, const std::string& field, Mutation* out) {
  constexpr std::string_view kShape =
      R"(an object {"op": "set", "sortkey": S, "value": S} or {"op": "del", "sortkey": S})";
  if (!v.is_object() || !v.contains("op") || !v["op"].is_string()) {
    return FieldError{field, fmt::format("expected {}", kShape)};
  }
  const std::string op = v["op"].get<std::string>();
  if (op != "set" && op != "del") {
    return FieldError{field + ".op", fmt::format("expected \"set\" or \"del\" (got \"{}\")", op)};
  }
  const bool set = op == "set";
  if (auto err = set ? Shape(v, field, {"op", "sortkey", "value"}, {}, kShape)
                     : Shape(v, field, {"op", "sortkey"}, {}, kShape)) {
    return err;
  }
  if (auto err = String(v["sortkey"], field + ".sortkey", &out->sortkey)) return err;
  out->value.reset();
  if (!set) return std::nullopt;
  std::string value;
  if (auto err = String(v["value"], field + ".value", &value)) return err;
  out->value = std::move(value);
  return std::nullopt;
}

json CheckJson(const CheckArgs& c) {
  return json{{"type", CheckTypeName(c.type)}, {"operand", c.operand}};
}

}  // namespace

std::optional<FieldError> ReadRange(const json& v, SortkeyRange* out, std::string_view expected) {
  if (auto err =
          Shape(v, "value", {"start", "start_inclusive", "stop", "stop_inclusive", "reverse"},
                {"limit", "filter"}, expected)) {
    return err;
  }
  if (auto err = String(v["start"], "value.start", &out->start)) return err;
  if (auto err = Bool(v["start_inclusive"], "value.start_inclusive", &out->start_inclusive)) {
    return err;
  }
  if (auto err = String(v["stop"], "value.stop", &out->stop)) return err;
  if (auto err = Bool(v["stop_inclusive"], "value.stop_inclusive", &out->stop_inclusive)) {
    return err;
  }
  if (auto err = Bool(v["reverse"], "value.reverse", &out->reverse)) return err;
  if (v.contains("limit")) {
    if (auto err = ReadLimit(v["limit"], &out->limit)) return err;
  }
  if (v.contains("filter")) {
    out->filter.emplace();
    if (auto err = ReadFilter(v["filter"], &*out->filter)) return err;
  }
  return std::nullopt;
}

std::optional<FieldError> ReadMultiDelKeys(const json& v, std::vector<std::string>* out) {
  if (!v.is_array() || v.empty()) {
    return FieldError{"value", "expected a non-empty array of sortkeys"};
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string field = fmt::format("value[{}]", i);
    std::string k;
    if (auto err = String(v[i], field, &k)) return err;
    if (!seen.insert(k).second) {
      return FieldError{field, fmt::format("sortkey \"{}\" repeated (expected each once)", k)};
    }
    out->push_back(std::move(k));
  }
  return std::nullopt;
}

std::optional<FieldError> ReadCheckAndMutate(const json& v, CheckAndMutateArgs* out) {
  if (auto err = Shape(v, "value", {"check_sortkey", "check", "mutations"}, {},
                       R"(an object {"check_sortkey": S, "check": {...}, "mutations": [...]})")) {
    return err;
  }
  if (auto err = String(v["check_sortkey"], "value.check_sortkey", &out->check_sortkey)) {
    return err;
  }
  if (auto err = ReadCheck(v["check"], "value.check", &out->check)) return err;
  const json& m = v["mutations"];
  if (!m.is_array() || m.empty()) {
    return FieldError{"value.mutations", "expected a non-empty array of mutations"};
  }
  out->mutations.resize(m.size());
  for (size_t i = 0; i < m.size(); ++i) {
    if (auto err = ReadMutation(m[i], fmt::format("value.mutations[{}]", i), &out->mutations[i])) {
      return err;
    }
  }
  return std::nullopt;
}

std::optional<FieldError> ReadCas(const json& v, CasArgs* out) {
  constexpr std::string_view kShape =
      R"({"expect": X or null, "set": Y} or {"check": {"type": T, "operand": S}, "set": Y})";
  const bool checked = v.is_object() && v.contains("check");
  if (!checked &&
      (!v.is_object() || v.size() != 2 || !v.contains("expect") || !v.contains("set"))) {
    return FieldError{"value", fmt::format("expected {}", kShape)};  // as before the check form
  }
  if (checked) {
    if (auto err = Shape(v, "value", {"check", "set"}, {}, kShape)) return err;
  }
  if (auto err = String(v["set"], "value.set", &out->set)) return err;
  if (checked) {
    out->check.emplace();
    return ReadCheck(v["check"], "value.check", &*out->check);
  }
  const json& x = v["expect"];
  if (x.is_null()) {
    out->expect.reset();
    return std::nullopt;
  }
  if (!x.is_string()) return FieldError{"value.expect", "expected a string or null"};
  out->expect = x.get<std::string>();
  return std::nullopt;
}

std::optional<FieldError> ReadFullScan(const json& v, FullScanArgs* out) {
  if (auto err = Shape(v, "value", {"partition", "partition_count", "hashkeys"}, {"after"},
                       R"(an object {"partition": P, "partition_count": N, "hashkeys": [H...]})")) {
    return err;
  }
  if (auto err = Integer(v["partition"], "value.partition", &out->partition)) return err;
  if (auto err = Integer(v["partition_count"], "value.partition_count", &out->partition_count)) {
    return err;
  }
  const json& hashkeys = v["hashkeys"];
  if (!hashkeys.is_array()) return FieldError{"value.hashkeys", "expected an array of hashkeys"};
  out->hashkeys.resize(hashkeys.size());
  for (size_t i = 0; i < hashkeys.size(); ++i) {
    if (auto err = String(hashkeys[i], fmt::format("value.hashkeys[{}]", i), &out->hashkeys[i])) {
      return err;
    }
  }
  if (!v.contains("after")) return std::nullopt;
  const json& after = v["after"];
  if (auto err = Shape(after, "value.after", {"hashkey", "sortkey"}, {},
                       R"(an object {"hashkey": HA, "sortkey": SA})")) {
    return err;
  }
  out->after.emplace();
  if (auto err = String(after["hashkey"], "value.after.hashkey", &out->after->hashkey)) return err;
  return String(after["sortkey"], "value.after.sortkey", &out->after->sortkey);
}

std::optional<FieldError> ReadScanRecords(const json& v, ScanRecords* out) {
  if (!v.is_object()) {
    return FieldError{"value", "expected an object hashkey -> (object sortkey -> value)"};
  }
  for (const auto& [hashkey, kvs] : v.items()) {
    const std::string field = "value." + hashkey;
    if (!kvs.is_object()) return FieldError{field, "expected an object sortkey -> value"};
    KeyValues& row = (*out)[hashkey];
    for (const auto& [sortkey, x] : kvs.items()) {
      std::string value;
      if (auto err = String(x, field + "." + sortkey, &value)) return err;
      row[sortkey] = std::move(value);
    }
  }
  return std::nullopt;
}

json RangeJson(const SortkeyRange& r) {
  json j{{"start", r.start},
         {"start_inclusive", r.start_inclusive},
         {"stop", r.stop},
         {"stop_inclusive", r.stop_inclusive},
         {"reverse", r.reverse}};
  if (r.limit) j["limit"] = *r.limit;
  if (r.filter) {
    j["filter"] = json{{"type", FilterTypeName(r.filter->type)}, {"pattern", r.filter->pattern}};
  }
  return j;
}

json CheckAndMutateJson(const CheckAndMutateArgs& cam) {
  json mutations = json::array();
  for (const Mutation& m : cam.mutations) {
    if (m.value) {
      mutations.push_back(json{{"op", "set"}, {"sortkey", m.sortkey}, {"value", *m.value}});
    } else {
      mutations.push_back(json{{"op", "del"}, {"sortkey", m.sortkey}});
    }
  }
  return json{{"check_sortkey", cam.check_sortkey},
              {"check", CheckJson(cam.check)},
              {"mutations", std::move(mutations)}};
}

json FullScanJson(const FullScanArgs& a) {
  json j{
      {"partition", a.partition}, {"partition_count", a.partition_count}, {"hashkeys", a.hashkeys}};
  if (a.after) j["after"] = json{{"hashkey", a.after->hashkey}, {"sortkey", a.after->sortkey}};
  return j;
}

json ScanRecordsJson(const ScanRecords& records) {
  json j = json::object();
  for (const auto& [hashkey, kvs] : records) {
    json row = json::object();
    for (const auto& [sortkey, v] : kvs) row[sortkey] = v ? json(*v) : json(nullptr);
    j[hashkey] = std::move(row);
  }
  return j;
}

json CasJson(const CasArgs& cas) {
  if (cas.check) return json{{"check", CheckJson(*cas.check)}, {"set", cas.set}};
  return json{{"expect", cas.expect ? json(*cas.expect) : json(nullptr)}, {"set", cas.set}};
}

}  // namespace pg::checker::jsonl
