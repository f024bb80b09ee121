#include "sim/pegasus/engine_content.h"

#include <fmt/format.h>

#include "core/common/crc.h"

namespace pg::sim {
namespace {

// splitmix64's finalizer: spreads a CRC's bits so that sums of record hashes do not cancel.
uint64_t SpreadBits(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t RecordHash(std::string_view hashkey, std::string_view sortkey, std::string_view value,
                    uint32_t expire_ts) {
  // Each field is length-prefixed, so no two records share an encoding.
  uint64_t h = 0;
  for (std::string_view field : {hashkey, sortkey, value}) {
    h = SpreadBits(h ^ field.size());
    h = Crc64(field, h);
  }
  return SpreadBits(h ^ (uint64_t{expire_ts} << 32));
}

}  // namespace

void EngineContent::Put(std::string_view hashkey, std::string_view sortkey, std::string_view value,
                        uint32_t expire_ts) {
  const uint64_t h = RecordHash(hashkey, sortkey, value, expire_ts);
  auto [it, added] = records_.try_emplace({std::string(hashkey), std::string(sortkey)}, h);
  if (!added) {
    sum_ -= it->second;
    it->second = h;
  }
  sum_ += h;
}

void EngineContent::Delete(std::string_view hashkey, std::string_view sortkey) {
  auto it = records_.find({std::string(hashkey), std::string(sortkey)});
  if (it == records_.end()) return;
  sum_ -= it->second;
  records_.erase(it);
}

void EngineContent::Apply(const WriteBatch& batch) {
  for (const WriteOp& op : batch.ops) {
    if (op.kind == WriteOp::Kind::kPut) {
      Put(op.hashkey, op.sortkey, op.value, op.expire_ts);
    } else {
      Delete(op.hashkey, op.sortkey);
    }
  }
}

void EngineContent::Reset(const Checkpoint& checkpoint) {
  records_.clear();
  sum_ = 0;
  for (const CheckpointEntry& e : checkpoint.entries) {
    Put(e.hashkey, e.sortkey, e.value, e.expire_ts);
  }
}

void ContentLedger::Record(std::string_view node, Gpid gpid, Decree d, uint64_t digest) {
  if (d <= Decree(0)) return;
  std::vector<std::optional<First>>& firsts = first_[gpid];
  const auto index = static_cast<size_t>(d.value());
  if (firsts.size() <= index) firsts.resize(index + 1);
  std::optional<First>& first = firsts[index];
  if (!first) {
    first = First{.digest = digest, .node = std::string(node)};
    return;
  }
  if (first->digest == digest || violation_) return;
  violation_ = fmt::format(
      "partition {}: {} holds a different engine content at applied decree {} (digest {:016x}) "
      "than {} held there (digest {:016x})",
      gpid, node, d, digest, first->node, first->digest);
}

}  // namespace pg::sim
