#include "core/client/workload.h"

#include "core/client/history_json.h"
#include "core/common/assert.h"

namespace pg {
namespace {

// The mix's operations: the kind each draws, and whether it is multi_get's ranged form.
struct MixEntry {
  OpKind kind;
  bool range = false;
};

const std::map<std::string, MixEntry>& KnownOperations() {
  static const auto* ops =
      new std::map<std::string, MixEntry>{{"get", {OpKind::kGet}},
                                          {"set", {OpKind::kSet}},
                                          {"del", {OpKind::kDel}},
                                          {"incr", {OpKind::kIncr}},
                                          {"cas", {OpKind::kCheckAndSet}},
                                          {"multi_get", {OpKind::kMultiGet}},
                                          {"multi_set", {OpKind::kMultiSet}},
                                          {"multi_get_range", {OpKind::kMultiGet, /*range=*/true}},
                                          {"sortkey_count", {OpKind::kSortkeyCount}},
                                          {"multi_del", {OpKind::kMultiDel}},
                                          {"check_and_mutate", {OpKind::kCheckAndMutate}},
                                          {"scan", {OpKind::kScan}},
                                          {"full_scan", {OpKind::kFullScan}}};
  return *ops;
}

}  // namespace

bool HistoryNamesSortkey(OpKind kind) {
  return kind == OpKind::kGet || kind == OpKind::kSet || kind == OpKind::kDel ||
         kind == OpKind::kIncr || kind == OpKind::kCheckAndSet;
}

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
  PG_ASSERT(shape_.ttl_fraction >= 0 && shape_.ttl_fraction <= 1, "ttl_fraction {}",
            shape_.ttl_fraction);
  PG_ASSERT(shape_.ttl_fraction == 0 || shape_.ttl_s_max >= 1, "ttl_s_max {}", shape_.ttl_s_max);
  for (const auto& [f, w] : shape_.mix) {
    auto it = KnownOperations().find(f);
    if (it != KnownOperations().end() && w > 0) {
      total_weight_ += w;
      drawable_.push_back(
          {.name = f, .kind = it->second.kind, .range = it->second.range, .weight = w});
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

uint32_t WorkloadGenerator::DrawTtl(Rng& rng) const {
  if (shape_.ttl_fraction <= 0 || !rng.Chance(shape_.ttl_fraction)) return 0;
  return static_cast<uint32_t>(rng.UniformRange(1, shape_.ttl_s_max));
}

std::optional<std::string> WorkloadGenerator::DrawExpectation(Rng& rng, const std::string& hashkey,
                                                              const std::string& sortkey) const {
  // Expect what this client last saw most of the time, so that cas often matches.
  auto it = known_.find({hashkey, sortkey});
  if (it != known_.end() && rng.Chance(0.75)) return it->second;
  return std::nullopt;
}

const WorkloadGenerator::Drawable& WorkloadGenerator::DrawKind(Rng& rng) const {
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
  return *drawn;
}

WorkloadOp WorkloadGenerator::Next(Rng& rng) {
  const Drawable* drawn = &DrawKind(rng);
  WorkloadOp op{.f = std::string(OpKindName(drawn->kind))};
  ClientRequest& r = op.request;
  r.kind = drawn->kind;
  const auto hashkeys = static_cast<uint64_t>(shape_.hashkeys);
  const uint64_t key_set =
      shape_.key_rotation_ops > 0 ? drawn_ / static_cast<uint64_t>(shape_.key_rotation_ops) : 0;
  ++drawn_;
  r.hashkey = fmt::format("h{}", key_set * hashkeys + rng.Uniform(hashkeys));
  switch (r.kind) {
    case OpKind::kGet:
    case OpKind::kDel:
      r.sortkey = DrawSortkey(rng);
      break;
    case OpKind::kSet:
      r.sortkey = DrawSortkey(rng);
      r.value = NextValue();
      op.ttl_s = DrawTtl(rng);
      break;
    case OpKind::kIncr:
      r.sortkey = kCounterSortkey;
      r.increment = rng.UniformRange(1, 5);
      break;
    case OpKind::kCheckAndSet:
      r.sortkey = DrawSortkey(rng);
      // Half the time the original expectation (bytes_equal, or value_not_exist for absent),
      // else any check upstream offers but the int comparisons, which a cas sortkey never
      // passes (its values are no integers).
      if (rng.Chance(0.5)) {
        r.check = ExpectValue(DrawExpectation(rng, r.hashkey, r.sortkey));
      } else {
        r.check = DrawCheck(rng, r.hashkey, r.sortkey, /*int_checks=*/false);
      }
      r.value = NextValue();
      break;
    case OpKind::kMultiGet:
      if (drawn->range) r.range = DrawRange(rng);
      break;
    case OpKind::kMultiSet:
      for (auto& [k, v] : DrawSubset(rng, /*with_values=*/true)) r.kvs[k] = std::move(v);
      op.ttl_s = DrawTtl(rng);
      break;
    case OpKind::kSortkeyCount:
      break;
    case OpKind::kMultiDel:
      for (auto& [k, v] : DrawSubset(rng, /*with_values=*/false)) r.sortkeys.push_back(k);
      break;
    case OpKind::kCheckAndMutate: {
      // The counter in a third of them, so that the int comparisons meet integers.
      const bool counter = rng.Uniform(3) == 0;
      r.sortkey = counter ? kCounterSortkey : DrawSortkey(rng);
      r.check = DrawCheck(rng, r.hashkey, r.sortkey, /*int_checks=*/counter);
      r.mutations = DrawMutations(rng);
      break;
    }
    case OpKind::kScan:
    case OpKind::kFullScan:
      DrawScan(rng, key_set, op);
      return op;  // the client writes a scan's invocation: it depends on the partition
  }
  op.invoke_value_json = InvokeValueJson(r);
  return op;
}

void WorkloadGenerator::Learn(const WorkloadOp& op, const ClientResponse& resp) {
  // Only an ok answer says what the store holds.
  PG_ASSERT_EQ(resp.error, ErrorCode::kOk, "learning from a failed {}", op.f);
  PG_ASSERT_EQ(OpKindName(op.request.kind), op.f);
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
    case OpKind::kCheckAndMutate:
      if (resp.cas_matched) LearnMutations(r);
      break;
    case OpKind::kMultiGet:
      // A range read says nothing certain of the sortkeys it did not return (a limit or filter
      // may have left them out): only what it returned is learned.
      if (!r.range) {
        for (const std::string& sk : WorkloadSortkeys(shape_.sortkeys))
          known_[{r.hashkey, sk}] = std::nullopt;
      }
      for (const auto& [k, v] : resp.kvs) known_[{r.hashkey, k}] = v;
      break;
    case OpKind::kMultiSet:
      for (const auto& [k, v] : r.kvs) known_[{r.hashkey, k}] = v;
      break;
    case OpKind::kMultiDel:
      for (const std::string& k : r.sortkeys) known_[{r.hashkey, k}] = std::nullopt;
      break;
    case OpKind::kIncr:
    case OpKind::kSortkeyCount:
    case OpKind::kScan:
    case OpKind::kFullScan:
      break;
  }
}

}  // namespace pg
