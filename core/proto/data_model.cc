#include "core/proto/data_model.h"

#include <array>
#include <limits>

namespace pg {
namespace {

constexpr std::array<std::string_view, kCheckTypeCount> kCheckTypeNames = {
    "no_check",
    "value_not_exist",
    "value_not_exist_or_empty",
    "value_exist",
    "value_not_empty",
    "match_anywhere",
    "match_prefix",
    "match_postfix",
    "bytes_less",
    "bytes_less_or_equal",
    "bytes_equal",
    "bytes_greater_or_equal",
    "bytes_greater",
    "int_less",
    "int_less_or_equal",
    "int_equal",
    "int_greater_or_equal",
    "int_greater"};

}  // namespace

std::string_view CheckTypeName(CheckType t) {
  const auto i = static_cast<size_t>(t);
  return i < kCheckTypeNames.size() ? kCheckTypeNames[i] : "invalid";
}

std::optional<CheckType> ParseCheckType(std::string_view name) {
  for (size_t i = 0; i < kCheckTypeNames.size(); ++i) {
    if (kCheckTypeNames[i] == name) return static_cast<CheckType>(i);
  }
  return std::nullopt;
}

std::string_view FilterTypeName(FilterType t) {
  switch (t) {
    case FilterType::kNone:
      return "none";
    case FilterType::kAnywhere:
      return "anywhere";
    case FilterType::kPrefix:
      return "prefix";
    case FilterType::kPostfix:
      return "postfix";
  }
  return "invalid";
}

std::optional<int64_t> ParseIncrValue(std::string_view v) {
  if (v.empty()) return 0;  // Pegasus: an empty value counts as 0
  size_t i = 0;
  const bool negative = v[0] == '-';
  if (negative) i = 1;
  if (i == v.size() || v.size() - i > 19) return std::nullopt;
  uint64_t magnitude = 0;
  for (; i < v.size(); ++i) {
    if (v[i] < '0' || v[i] > '9') return std::nullopt;
    magnitude = magnitude * 10 + static_cast<uint64_t>(v[i] - '0');
  }
  const uint64_t limit =
      static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + (negative ? 1 : 0);
  if (magnitude > limit) return std::nullopt;
  return negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
}

}  // namespace pg
