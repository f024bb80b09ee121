#include "core/replica/scanner_cache.h"

#include "core/common/assert.h"

namespace pg {

void ScannerCache::Seed(int64_t base) {
  PG_ASSERT(!next_id_, "the scanner ids are seeded once");
  PG_ASSERT_GE(base, 0, "a context id is never negative (negative ids mean completed or none)");
  next_id_ = base;
}

int64_t ScannerCache::Put(ScannerContext context, Time now) {
  PG_ASSERT(next_id_.has_value(), "Put before Seed");
  PG_ASSERT(!context.rest.empty(), "a context with nothing left is completed, not kept");
  DropLapsed(now);
  const int64_t id = (*next_id_)++;
  context.lapses_at = now + kScannerLifetime;
  const bool fresh = contexts_.emplace(id, std::move(context)).second;
  PG_ASSERT(fresh, "context id {} handed out twice", id);
  return id;
}

std::optional<ScannerContext> ScannerCache::Fetch(int64_t id, Time now) {
  DropLapsed(now);
  auto it = contexts_.find(id);
  if (it == contexts_.end()) return std::nullopt;
  ScannerContext context = std::move(it->second);
  contexts_.erase(it);
  return context;
}

void ScannerCache::DropLapsed(Time now) {
  std::erase_if(contexts_, [now](const auto& entry) { return entry.second.lapses_at <= now; });
}

void ScannerCache::CheckInvariants() const {
  for (const auto& [id, context] : contexts_) {
    PG_ASSERT_GE(id, 0);
    PG_ASSERT(next_id_ && id < *next_id_, "context {} beyond the next id", id);
    PG_ASSERT(!context.rest.empty(), "context {} holds nothing", id);
    PG_ASSERT_GE(context.batch_size, 1, "context {}", id);
  }
}

}  // namespace pg
