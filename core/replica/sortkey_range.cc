#include "core/replica/sortkey_range.h"

#include <string_view>
#include <utility>

namespace pg {
namespace {

bool InRange(std::string_view sortkey, const SortkeyRange& r) {
  if (!r.start.empty()) {
    const int c = sortkey.compare(r.start);
    if (c < 0 || (c == 0 && !r.start_inclusive)) return false;
  }
  if (!r.stop.empty()) {
    const int c = sortkey.compare(r.stop);
    if (c > 0 || (c == 0 && !r.stop_inclusive)) return false;
  }
  return true;
}

// Upstream's validate_filter: an empty pattern lets everything through.
bool PassesFilter(std::string_view sortkey, const SortkeyRange& r) {
  if (r.filter == FilterType::kNone || r.pattern.empty()) return true;
  if (r.filter == FilterType::kAnywhere) return sortkey.find(r.pattern) != std::string_view::npos;
  if (r.filter == FilterType::kPrefix) return sortkey.starts_with(r.pattern);
  return sortkey.ends_with(r.pattern);
}

}  // namespace

Status ValidateRange(const SortkeyRange& range) {
  if (static_cast<uint8_t>(range.filter) >= kFilterTypeCount) {
    return Status(ErrorCode::kInvalidArgument, "unknown sortkey filter type");
  }
  return Status::Ok();
}

std::vector<SortkeyValue> SelectRange(std::vector<SortkeyValue> records,
                                      const SortkeyRange& range) {
  std::vector<SortkeyValue> out;
  const size_t n = records.size();
  for (size_t i = 0; i < n; ++i) {
    SortkeyValue& kv = records[range.reverse ? n - 1 - i : i];
    if (!InRange(kv.sortkey, range) || !PassesFilter(kv.sortkey, range)) continue;
    out.push_back(std::move(kv));
    if (range.limit > 0 && out.size() >= range.limit) break;
  }
  return out;
}

}  // namespace pg
