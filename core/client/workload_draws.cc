// The arguments of the workload's richer operations: ranges, checks and mutation lists, drawn so
// that they often meet the data (a range that holds records, a check that passes half the time).
#include <fmt/format.h>

#include "core/client/workload.h"
#include "core/common/assert.h"

namespace pg {
namespace {

// A fragment of `value` for the match checks: a prefix, a suffix or a middle piece, sometimes
// empty (which upstream lets match anything).
std::string Fragment(Rng& rng, const std::string& value) {
  if (value.empty() || rng.Uniform(8) == 0) return "";
  const uint64_t len = 1 + rng.Uniform(value.size());
  switch (rng.Uniform(3)) {
    case 0:
      return value.substr(0, len);
    case 1:
      return value.substr(value.size() - len);
    default:
      return value.substr(rng.Uniform(value.size() - len + 1), len);
  }
}

}  // namespace

std::map<std::string, std::string> WorkloadGenerator::DrawSubset(Rng& rng, bool with_values) {
  // A random non-empty subset of the sortkeys, each with its own unique value.
  std::map<std::string, std::string> out;
  for (int i = 0; i < shape_.sortkeys; ++i) {
    if (!rng.Chance(0.5)) continue;
    out[fmt::format("s{}", i)] = with_values ? NextValue() : "";
  }
  if (out.empty()) out[DrawSortkey(rng)] = with_values ? NextValue() : "";
  return out;
}

SortkeyRange WorkloadGenerator::DrawRange(Rng& rng) const {
  SortkeyRange g;
  if (rng.Uniform(4) != 0) g.start = DrawSortkey(rng);
  g.start_inclusive = rng.Chance(0.5);
  if (rng.Uniform(4) != 0) g.stop = DrawSortkey(rng);
  g.stop_inclusive = rng.Chance(0.5);
  // Bounds drawn apart are often reversed ("s3" before "s1"); swap most of them so that most
  // ranges hold records, and keep some empty ones, which upstream answers with nothing.
  if (!g.start.empty() && !g.stop.empty() && g.stop < g.start && rng.Uniform(4) != 0) {
    std::swap(g.start, g.stop);
  }
  if (rng.Chance(0.5)) g.limit = 1 + static_cast<uint32_t>(rng.Uniform(shape_.sortkeys));
  g.reverse = rng.Uniform(3) == 0;
  if (rng.Uniform(4) == 0) {
    g.filter = static_cast<FilterType>(1 + rng.Uniform(kFilterTypeCount - 1));
    // Sortkeys are "s<i>" and "cnt": a letter, or a digit, lets some through.
    g.pattern = rng.Chance(0.5) ? (rng.Chance(0.5) ? "s" : "c") : std::to_string(rng.Uniform(10));
  }
  return g;
}

// A hashkey scan's range is a ranged multi_get's without limit and order (upstream's
// scan_options have neither); pages of 1 to 4 records, so that most scans take several. A full
// scan covers one partition, in pages of 1 to 8.
void WorkloadGenerator::DrawScan(Rng& rng, uint64_t key_set, WorkloadOp& op) const {
  ClientRequest& r = op.request;
  if (r.kind == OpKind::kScan) {
    SortkeyRange g = DrawRange(rng);
    g.limit = 0;
    g.reverse = false;
    r.range = g;
    op.batch_size = static_cast<int32_t>(rng.UniformRange(1, 4));
    return;
  }
  r.hashkey.clear();
  op.partition_pick = static_cast<uint32_t>(rng.NextU64());
  op.batch_size = static_cast<int32_t>(rng.UniformRange(1, 8));
  for (int i = 0; i < shape_.hashkeys; ++i) {
    op.key_set.push_back(fmt::format("h{}", key_set * static_cast<uint64_t>(shape_.hashkeys) + i));
  }
}

CasCheck WorkloadGenerator::DrawCheck(Rng& rng, const std::string& hashkey,
                                      const std::string& sortkey, bool int_checks) const {
  const uint64_t types = int_checks ? kCheckTypeCount : static_cast<uint64_t>(CheckType::kIntLess);
  CasCheck c{.type = static_cast<CheckType>(rng.Uniform(types))};
  auto it = known_.find({hashkey, sortkey});
  const std::optional<std::string> known = it != known_.end() ? it->second : std::nullopt;
  if (c.type >= CheckType::kIntLess) {
    // Near the counter's last known value, so that every comparison outcome comes up.
    const std::optional<int64_t> base = known ? ParseIncrValue(*known) : std::nullopt;
    c.operand = std::to_string(base.value_or(0) + rng.UniformRange(-1, 1));
  } else if (c.type >= CheckType::kBytesLess) {
    c.operand =
        known && rng.Chance(0.75) ? *known : fmt::format("c{}-{}", rng.Uniform(4), rng.Uniform(20));
  } else if (c.type >= CheckType::kMatchAnywhere) {
    c.operand = Fragment(rng, known.value_or(fmt::format("c{}-", rng.Uniform(4))));
  }
  return c;
}

std::vector<Mutate> WorkloadGenerator::DrawMutations(Rng& rng) {
  std::vector<Mutate> out(1 + rng.Uniform(3));
  for (Mutate& m : out) {
    m.sortkey = DrawSortkey(rng);
    m.del = rng.Uniform(3) == 0;
    if (!m.del) m.value = NextValue();
  }
  return out;
}

void WorkloadGenerator::LearnMutations(const ClientRequest& r) {
  for (const Mutate& m : r.mutations) {
    known_[{r.hashkey, m.sortkey}] = m.del ? std::nullopt : std::optional<std::string>(m.value);
  }
}

}  // namespace pg
