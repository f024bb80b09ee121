#include "core/proto/data_model.h"

#include <array>

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

}  // namespace pg
