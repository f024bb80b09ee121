#include "core/client/history_json.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "core/client/workload.h"
#include "core/common/assert.h"

namespace pg {
namespace {

using nlohmann::json;

// An object of strings or nulls; a std::map iterates its keys in the order a json object dumps
// them.
template <class Map, class AppendValue>
std::string JsonObject(const Map& m, AppendValue append_value) {
  std::string out = "{";
  for (const auto& [k, v] : m) {
    if (out.size() > 1) out += ',';
    AppendJsonString(out, k);
    out += ':';
    append_value(out, v);
  }
  out += '}';
  return out;
}

json CheckJson(const CasCheck& c) {
  return json{{"type", CheckTypeName(c.type)}, {"operand", c.operand}};
}

// check_and_set's two forms: the original {"expect", "set"} says bytes_equal (or, expecting
// absent, value_not_exist); any other check is written as {"check", "set"}.
std::string CasJson(const ClientRequest& r) {
  if (r.check.type == CheckType::kBytesEqual || r.check.type == CheckType::kValueNotExist) {
    // {"expect":...,"set":...}: the keys in a json object's (sorted) order.
    std::string out = "{\"expect\":";
    AppendJsonOpt(out, r.check.type == CheckType::kBytesEqual
                           ? std::optional<std::string>(r.check.operand)
                           : std::nullopt);
    out += ",\"set\":";
    AppendJsonString(out, r.value);
    out += '}';
    return out;
  }
  return json{{"check", CheckJson(r.check)}, {"set", r.value}}.dump();
}

std::string RangeJson(const SortkeyRange& g) {
  json j{{"start", g.start},
         {"start_inclusive", g.start_inclusive},
         {"stop", g.stop},
         {"stop_inclusive", g.stop_inclusive},
         {"reverse", g.reverse}};
  if (g.limit > 0) j["limit"] = g.limit;
  if (g.filter != FilterType::kNone) {
    j["filter"] = json{{"type", FilterTypeName(g.filter)}, {"pattern", g.pattern}};
  }
  return j.dump();
}

std::string CheckAndMutateJson(const ClientRequest& r) {
  json mutations = json::array();
  for (const Mutate& m : r.mutations) {
    if (m.del) {
      mutations.push_back(json{{"op", "del"}, {"sortkey", m.sortkey}});
    } else {
      mutations.push_back(json{{"op", "set"}, {"sortkey", m.sortkey}, {"value", m.value}});
    }
  }
  return json{{"check_sortkey", r.sortkey}, {"check", CheckJson(r.check)}, {"mutations", mutations}}
      .dump();
}

}  // namespace

void AppendJsonString(std::string& out, const std::string& s) {
  const bool plain = std::all_of(
      s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\'; });
  if (!plain) {
    out += json(s).dump();
    return;
  }
  out += '"';
  out += s;
  out += '"';
}

void AppendJsonOpt(std::string& out, const std::optional<std::string>& v) {
  if (v) {
    AppendJsonString(out, *v);
  } else {
    out += "null";
  }
}

std::string JsonString(const std::string& s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

std::string InvokeValueJson(const ClientRequest& r) {
  switch (r.kind) {
    case OpKind::kGet:
    case OpKind::kDel:
    case OpKind::kSortkeyCount:
      return "null";
    case OpKind::kSet:
      return JsonString(r.value);
    case OpKind::kIncr:
      return JsonString(std::to_string(r.increment));
    case OpKind::kCheckAndSet:
      return CasJson(r);
    case OpKind::kMultiGet:
      return r.range ? RangeJson(*r.range) : "null";
    case OpKind::kMultiSet:
      return JsonObject(r.kvs, AppendJsonString);
    case OpKind::kMultiDel:
      return json(r.sortkeys).dump();
    case OpKind::kCheckAndMutate:
      return CheckAndMutateJson(r);
    case OpKind::kScan:
    case OpKind::kFullScan:
      PG_ASSERT(false, "a scan's invocation is the client's (ScanInvokeJson, FullScanInvokeJson)");
      return "null";
  }
  PG_ASSERT(false, "an operation of unknown kind {}", static_cast<int>(r.kind));
  return "null";
}

std::string OkValueJson(const WorkloadOp& op, const ClientResponse& resp, int sortkeys) {
  PG_ASSERT_EQ(resp.error, ErrorCode::kOk, "the value of a failed {}", op.f);
  switch (op.request.kind) {
    case OpKind::kGet: {
      std::string out;
      AppendJsonOpt(out, resp.value);
      return out;
    }
    case OpKind::kIncr:
      return JsonString(std::to_string(resp.new_value));
    case OpKind::kSortkeyCount:
      return JsonString(std::to_string(resp.count));
    case OpKind::kCheckAndSet:
    case OpKind::kCheckAndMutate:
      return resp.cas_matched ? "true" : "false";
    case OpKind::kMultiGet: {
      // A range read lists what it returned; a whole-hashkey read names every workload sortkey,
      // absent ones as null. Anything else the server returned is reported too: the checker
      // then judges it.
      std::map<std::string, std::optional<std::string>> kvs;
      if (!op.request.range) {
        for (const std::string& sk : WorkloadSortkeys(sortkeys)) kvs[sk] = std::nullopt;
      }
      for (const auto& [k, v] : resp.kvs) kvs[k] = v;
      return JsonObject(kvs, AppendJsonOpt);
    }
    case OpKind::kSet:
    case OpKind::kDel:
    case OpKind::kMultiSet:
    case OpKind::kMultiDel:
      return "null";
    case OpKind::kScan:
    case OpKind::kFullScan:
      PG_ASSERT(false, "a scan's value is its records (ScanRecordsJson)");
  }
  return "null";
}

std::string ScanInvokeJson(const SortkeyRange& range) {
  PG_ASSERT(range.limit == 0 && !range.reverse, "a scan has no limit and no order");
  return RangeJson(range);
}

std::string FullScanInvokeJson(int32_t partition, int32_t partition_count,
                               const std::vector<std::string>& hashkeys,
                               const std::optional<ScanKey>& after) {
  PG_ASSERT(partition >= 0 && partition < partition_count, "partition {} of {}", partition,
            partition_count);
  json j{{"partition", partition}, {"partition_count", partition_count}, {"hashkeys", hashkeys}};
  if (after) j["after"] = json{{"hashkey", after->hashkey}, {"sortkey", after->sortkey}};
  return j.dump();
}

std::string ScanRecordsJson(const ScanRecords& records) {
  return JsonObject(records, [](std::string& out, const std::map<std::string, std::string>& kvs) {
    out += JsonObject(kvs, AppendJsonString);
  });
}

}  // namespace pg
