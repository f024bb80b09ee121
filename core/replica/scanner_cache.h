#pragma once
// The scanner contexts a replica holds between pages: Pegasus's pegasus_context_cache
// (src/server/pegasus_scan_context.h). A context is the rest of a scan's snapshot; fetching one
// removes it, and a page that leaves records puts it back under a new id, as upstream's
// fetch/put does. A context nobody asks for lapses after kScannerLifetime (upstream's delayed
// fetch, 5 minutes after each put).
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "core/common/time.h"
#include "core/proto/scan_messages.h"

namespace pg {

inline constexpr Duration kScannerLifetime = Seconds(300);

struct ScannerContext {
  std::vector<ScanRecord> rest;  // the snapshot's records past the pages already answered
  int32_t batch_size = 1;
  Time lapses_at;  // by the replica's clock
};

class ScannerCache {
 public:
  // Ids count up from `base` (>= 0); set once, before the first Put.
  void Seed(int64_t base);
  bool seeded() const { return next_id_.has_value(); }
  // Stores `context` and returns its id. Drops the contexts that lapsed by `now`.
  int64_t Put(ScannerContext context, Time now);
  // Removes and returns the context `id`, or nullopt when there is none (or it lapsed).
  std::optional<ScannerContext> Fetch(int64_t id, Time now);
  size_t size() const { return contexts_.size(); }
  void CheckInvariants() const;

 private:
  void DropLapsed(Time now);

  std::optional<int64_t> next_id_;
  std::map<int64_t, ScannerContext> contexts_;
};

}  // namespace pg
