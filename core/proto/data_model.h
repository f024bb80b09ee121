#pragma once
// The arguments of Pegasus's richer rrdb operations (idl/rrdb.thrift): the check of check_and_set
// and check_and_mutate, check_and_mutate's mutation list, and multi_get's sortkey range.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/proto/codec.h"

namespace pg {

// Pegasus's incr parses the stored value as a decimal int64 (empty = 0); nullopt when it is not.
// The int comparisons of a check parse both sides the same way (an empty text excepted).
std::optional<int64_t> ParseIncrValue(std::string_view v);

// cas_check_type, in upstream's order (the comparisons below rely on it, as upstream's do).
enum class CheckType : uint8_t {
  kNoCheck = 0,
  kValueNotExist,
  kValueNotExistOrEmpty,
  kValueExist,
  kValueNotEmpty,
  kMatchAnywhere,
  kMatchPrefix,
  kMatchPostfix,
  kBytesLess,
  kBytesLessOrEqual,
  kBytesEqual,
  kBytesGreaterOrEqual,
  kBytesGreater,
  kIntLess,
  kIntLessOrEqual,
  kIntEqual,
  kIntGreaterOrEqual,
  kIntGreater,
};
inline constexpr uint8_t kCheckTypeCount = static_cast<uint8_t>(CheckType::kIntGreater) + 1;
// The history's name: upstream's without CT_ and in lower case ("bytes_equal").
std::string_view CheckTypeName(CheckType t);
std::optional<CheckType> ParseCheckType(std::string_view name);

// What check_and_set and check_and_mutate test the check sortkey's current value against.
struct CasCheck {
  CheckType type = CheckType::kNoCheck;
  std::string operand;
  PG_FIELDS(type, operand);
  bool operator==(const CasCheck&) const = default;
};

// The check of a cas that expects `expect` (absent: nullopt), the original form of the history's
// cas: bytes_equal, or value_not_exist.
inline CasCheck ExpectValue(const std::optional<std::string>& expect) {
  return expect ? CasCheck{CheckType::kBytesEqual, *expect}
                : CasCheck{CheckType::kValueNotExist, ""};
}

// One entry of check_and_mutate's mutate_list: MO_PUT (a set) or MO_DELETE.
struct Mutate {
  bool del = false;
  std::string sortkey;
  std::string value;  // a put's
  PG_FIELDS(del, sortkey, value);
  bool operator==(const Mutate&) const = default;
};

// multi_get's sort_key_filter_type (FT_NO_FILTER, FT_MATCH_ANYWHERE, FT_MATCH_PREFIX,
// FT_MATCH_POSTFIX).
enum class FilterType : uint8_t { kNone = 0, kAnywhere, kPrefix, kPostfix };
inline constexpr uint8_t kFilterTypeCount = static_cast<uint8_t>(FilterType::kPostfix) + 1;
std::string_view FilterTypeName(FilterType t);

// multi_get by sortkey range (rrdb multi_get_request: start_sortkey, stop_sortkey, their
// inclusivity, sort_key_filter_type/pattern, max_kv_count, reverse). An empty start or stop is
// open on that side.
struct SortkeyRange {
  std::string start;
  bool start_inclusive = true;
  std::string stop;
  bool stop_inclusive = false;
  FilterType filter = FilterType::kNone;
  std::string pattern;
  uint32_t limit = 0;  // 0: no limit
  bool reverse = false;
  PG_FIELDS(start, start_inclusive, stop, stop_inclusive, filter, pattern, limit, reverse);
  bool operator==(const SortkeyRange&) const = default;
};

}  // namespace pg
