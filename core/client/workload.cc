#include "core/client/workload.h"

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

json OptJson(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

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
    if (KnownOperations().contains(f) && w > 0) total_weight_ += w;
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
  std::string f;
  for (const auto& [name, w] : shape_.mix) {
    if (!KnownOperations().contains(name) || w <= 0) continue;
    f = name;  // the last positive one also absorbs rounding at the top
    if (x < w) break;
    x -= w;
  }
  // A positive total weight means some known operation was drawn.
  PG_ASSERT(KnownOperations().contains(f), "drew {:?}", f);
  WorkloadOp op{.f = f};
  ClientRequest& r = op.request;
  r.kind = KnownOperations().at(f);
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
      op.invoke_value_json = json(r.value).dump();
      break;
    case OpKind::kIncr:
      r.sortkey = kCounterSortkey;
      r.increment = rng.UniformRange(1, 5);
      op.invoke_value_json = json(std::to_string(r.increment)).dump();
      break;
    case OpKind::kCheckAndSet:
      r.sortkey = DrawSortkey(rng);
      r.check_value = DrawExpectation(rng, r.hashkey, r.sortkey);
      r.value = NextValue();
      op.invoke_value_json = json{{"expect", OptJson(r.check_value)}, {"set", r.value}}.dump();
      break;
    case OpKind::kMultiGet:
      break;
    case OpKind::kMultiSet: {
      // A random non-empty subset of the sortkeys, each with its own unique value.
      json kvs = json::object();
      for (int i = 0; i < shape_.sortkeys; ++i) {
        if (!rng.Chance(0.5)) continue;
        r.kvs[fmt::format("s{}", i)] = NextValue();
      }
      if (r.kvs.empty()) r.kvs[DrawSortkey(rng)] = NextValue();
      for (const auto& [k, v] : r.kvs) kvs[k] = v;
      op.invoke_value_json = kvs.dump();
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
    case OpKind::kGet:
      return OptJson(resp.value).dump();
    case OpKind::kIncr:
      return json(std::to_string(resp.new_value)).dump();
    case OpKind::kCheckAndSet:
      return json(resp.cas_matched).dump();
    case OpKind::kMultiGet: {
      json kvs = json::object();
      for (const std::string& sk : WorkloadSortkeys(sortkeys)) kvs[sk] = nullptr;
      // Anything else the server returned is reported too: the checker then judges it.
      for (const auto& [k, v] : resp.kvs) kvs[k] = v;
      return kvs.dump();
    }
    case OpKind::kSet:
    case OpKind::kDel:
    case OpKind::kMultiSet:
      return "null";
  }
  return "null";
}

}  // namespace pg
