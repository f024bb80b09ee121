#include "core/client/workload.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/common/assert.h"

namespace pg {
namespace {

using nlohmann::json;

const std::map<std::string, OpKind>& KnownOperations() {
  static const auto* ops = new std::map<std::string, OpKind>{
      {"get", OpKind::kGet},           {"set", OpKind::kSet},
      {"del", OpKind::kDel},           {"incr", OpKind::kIncr},
      {"cas", OpKind::kCheckAndSet},   {"multi_get", OpKind::kMultiGet},
      {"multi_set", OpKind::kMultiSet}};
  return *ops;
}

// JSON text as nlohmann's dump() writes it. The workload's keys and values are printable ASCII
// without a quote or backslash, which dump() writes as they are: those are appended directly, the
// rest goes through nlohmann (its escaping).
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

}  // namespace

std::vector<std::string> WorkloadSortkeys(int sortkeys) {
  PG_ASSERT_GT(sortkeys, 0);
  std::vector<std::string> out;
  for (int i = 0; i < sortkeys; ++i) out.push_back(fmt::format("s{}", i));
  out.push_back(kCounterSortkey);
  return out;
}

WorkloadGenerator::WorkloadGenerator(WorkloadShape shape) : shape_(std::move(shape)) {
  PG_ASSERT_GT(shape_.hashkeys, 0);
  PG_ASSERT_GT(shape_.sortkeys, 0);
  PG_ASSERT(shape_.key_rotation_ops >= 0);
  for (const auto& [f, w] : shape_.mix) {
    if (KnownOperations().contains(f) && w > 0) {
      total_weight_ += w;
      drawable_.push_back({.f = f, .kind = KnownOperations().at(f), .weight = w});
    }
  }
}

std::string WorkloadGenerator::NextValue() {
  return fmt::format("c{}-{}", shape_.process, ++next_value_);
}

std::string WorkloadGenerator::DrawSortkey(Rng& rng) const {
  PG_ASSERT_GT(shape_.sortkeys, 0);
  return fmt::format("s{}", rng.Uniform(static_cast<uint64_t>(shape_.sortkeys)));
}

std::optional<std::string> WorkloadGenerator::DrawExpectation(Rng& rng, const std::string& hashkey,
                                                              const std::string& sortkey) const {
  // Expect what this client last saw most of the time, so that cas often matches.
  auto it = known_.find({hashkey, sortkey});
  if (it != known_.end() && rng.Chance(0.75)) return it->second;
  return std::nullopt;
}

WorkloadOp WorkloadGenerator::Next(Rng& rng) {
  PG_ASSERT(has_operations(), "no operation has a positive weight");
  double x = rng.NextDouble() * total_weight_;
  const Drawable* drawn = nullptr;
  for (const Drawable& d : drawable_) {
    drawn = &d;  // the last one also absorbs rounding at the top
    if (x < d.weight) break;
    x -= d.weight;
  }
  // A positive total weight means some known operation was drawn.
  PG_ASSERT(drawn != nullptr);
  const std::string& f = drawn->f;
  WorkloadOp op{.f = f};
  ClientRequest& r = op.request;
  r.kind = drawn->kind;
  const auto hashkeys = static_cast<uint64_t>(shape_.hashkeys);
  const uint64_t key_set =
      shape_.key_rotation_ops > 0 ? drawn_ / static_cast<uint64_t>(shape_.key_rotation_ops) : 0;
  ++drawn_;
  r.hashkey = fmt::format("h{}", key_set * hashkeys + rng.Uniform(hashkeys));
  op.invoke_value_json = "null";
  switch (r.kind) {
    case OpKind::kGet:
    case OpKind::kDel:
      r.sortkey = DrawSortkey(rng);
      break;
    case OpKind::kSet:
      r.sortkey = DrawSortkey(rng);
      r.value = NextValue();
      op.invoke_value_json = JsonString(r.value);
      break;
    case OpKind::kIncr:
      r.sortkey = kCounterSortkey;
      r.increment = rng.UniformRange(1, 5);
      op.invoke_value_json = JsonString(std::to_string(r.increment));
      break;
    case OpKind::kCheckAndSet:
      r.sortkey = DrawSortkey(rng);
      r.check_value = DrawExpectation(rng, r.hashkey, r.sortkey);
      r.value = NextValue();
      // {"expect":...,"set":...}: the keys in a json object's (sorted) order.
      op.invoke_value_json = "{\"expect\":";
      AppendJsonOpt(op.invoke_value_json, r.check_value);
      op.invoke_value_json += ",\"set\":";
      AppendJsonString(op.invoke_value_json, r.value);
      op.invoke_value_json += '}';
      break;
    case OpKind::kMultiGet:
      break;
    case OpKind::kMultiSet: {
      // A random non-empty subset of the sortkeys, each with its own unique value.
      for (int i = 0; i < shape_.sortkeys; ++i) {
        if (!rng.Chance(0.5)) continue;
        r.kvs[fmt::format("s{}", i)] = NextValue();
      }
      if (r.kvs.empty()) r.kvs[DrawSortkey(rng)] = NextValue();
      op.invoke_value_json = JsonObject(r.kvs, AppendJsonString);
      break;
    }
  }
  // The history's sortkey rule (DESIGN.md §4): multi operations name none, the others one.
  const bool multi = r.kind == OpKind::kMultiGet || r.kind == OpKind::kMultiSet;
  PG_ASSERT_EQ(r.sortkey.empty(), multi, "{}", f);
  return op;
}

void WorkloadGenerator::Learn(const WorkloadOp& op, const ClientResponse& resp) {
  // Only an ok answer says what the store holds.
  PG_ASSERT_EQ(resp.error, ErrorCode::kOk, "learning from a failed {}", op.f);
  PG_ASSERT_EQ(KnownOperations().at(op.f), op.request.kind, "{}", op.f);
  const ClientRequest& r = op.request;
  switch (r.kind) {
    case OpKind::kGet:
      known_[{r.hashkey, r.sortkey}] = resp.value;
      break;
    case OpKind::kSet:
      known_[{r.hashkey, r.sortkey}] = r.value;
      break;
    case OpKind::kDel:
      known_[{r.hashkey, r.sortkey}] = std::nullopt;
      break;
    case OpKind::kCheckAndSet:
      if (resp.cas_matched) known_[{r.hashkey, r.sortkey}] = r.value;
      break;
    case OpKind::kMultiGet:
      for (int i = 0; i < shape_.sortkeys; ++i) {
        const std::string sk = fmt::format("s{}", i);
        auto it = resp.kvs.find(sk);
        known_[{r.hashkey, sk}] =
            it == resp.kvs.end() ? std::nullopt : std::optional<std::string>(it->second);
      }
      break;
    case OpKind::kMultiSet:
      for (const auto& [k, v] : r.kvs) known_[{r.hashkey, k}] = v;
      break;
    case OpKind::kIncr:
      break;
  }
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
    case OpKind::kCheckAndSet:
      return resp.cas_matched ? "true" : "false";
    case OpKind::kMultiGet: {
      std::map<std::string, std::optional<std::string>> kvs;
      for (const std::string& sk : WorkloadSortkeys(sortkeys)) kvs[sk] = std::nullopt;
      // Anything else the server returned is reported too: the checker then judges it.
      for (const auto& [k, v] : resp.kvs) kvs[k] = v;
      return JsonObject(kvs, AppendJsonOpt);
    }
    case OpKind::kSet:
    case OpKind::kDel:
    case OpKind::kMultiSet:
      return "null";
  }
  return "null";
}

}  // namespace pg
