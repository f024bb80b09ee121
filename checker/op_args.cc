// Names and meanings of the arguments of Pegasus's range reads and checked writes.
#include <array>

#include "checker/assert.h"
#include "checker/history.h"

namespace pg::checker {
namespace {

// In the order of CheckType (idl/rrdb.thrift cas_check_type, lower-case without CT_).
constexpr std::array<std::string_view, 18> kCheckNames = {"no_check",
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
constexpr std::array<std::string_view, 3> kFilterNames = {"anywhere", "prefix", "postfix"};

}  // namespace

std::string_view CheckTypeName(CheckType type) {
  CK_ASSERT_LT(static_cast<size_t>(type), kCheckNames.size());
  return kCheckNames[static_cast<size_t>(type)];
}

std::optional<CheckType> ParseCheckType(std::string_view name) {
  for (size_t i = 0; i < kCheckNames.size(); ++i) {
    if (kCheckNames[i] == name) return static_cast<CheckType>(i);
  }
  return std::nullopt;
}

std::string_view FilterTypeName(FilterType type) {
  CK_ASSERT_LT(static_cast<size_t>(type), kFilterNames.size());
  return kFilterNames[static_cast<size_t>(type)];
}

std::optional<FilterType> ParseFilterType(std::string_view name) {
  for (size_t i = 0; i < kFilterNames.size(); ++i) {
    if (kFilterNames[i] == name) return static_cast<FilterType>(i);
  }
  return std::nullopt;
}

// Upstream: src/server/pegasus_server_impl.cpp on_multi_get (the sort-key range bounds) and
// validate_filter (FT_MATCH_ANYWHERE/PREFIX/POSTFIX, an empty pattern matching everything).
// std::string_view compares bytes as unsigned, as RocksDB's bytewise comparator does.
bool InRange(const SortkeyRange& r, std::string_view k) {
  if (!r.start.empty()) {
    if (k < r.start || (k == r.start && !r.start_inclusive)) return false;
  }
  if (!r.stop.empty()) {
    if (k > r.stop || (k == r.stop && !r.stop_inclusive)) return false;
  }
  if (!r.filter || r.filter->pattern.empty()) return true;
  const std::string_view pattern = r.filter->pattern;
  switch (r.filter->type) {
    case FilterType::kAnywhere:
      return k.find(pattern) != std::string_view::npos;
    case FilterType::kPrefix:
      return k.starts_with(pattern);
    case FilterType::kPostfix:
      return k.ends_with(pattern);
  }
  CK_UNREACHABLE("filter {}", static_cast<int>(r.filter->type));
}

bool ReadsWholeHashkey(const Operation& op) {
  if (op.outcome != Outcome::kOk) return false;
  return op.f == Fn::kSortkeyCount || (op.f == Fn::kMultiGet && op.range.has_value());
}

std::optional<Error> CheckableHistory(const History& h) {
  if (!h.initial_value) return std::nullopt;
  for (const Operation& op : h.operations) {
    if (op.f != Fn::kSortkeyCount && !(op.f == Fn::kMultiGet && op.range)) continue;
    // A scan's or full_scan's reads are ranged multi_gets (scan_lowering.h): named as recorded.
    const Fn f = RecordedFn(h, op);
    return Error{h.source, h.events[op.invoke_event].line, "f",
                 fmt::format("{} reads every sortkey of its hashkey, which needs every sortkey "
                             "to start absent (no initial value)",
                             f == Fn::kMultiGet ? "a ranged multi_get" : FnName(f))};
  }
  return std::nullopt;
}

}  // namespace pg::checker
