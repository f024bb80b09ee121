#pragma once
// The JSON shapes of the operations beyond DESIGN.md §4's first table (docs/checker.md): a
// multi_get's sort-key range, multi_del's keys, check_and_mutate and cas's check form. Shared
// by jsonl.cc's reader and writer; each reader names the offending field below "value".
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "checker/history.h"

namespace pg::checker::jsonl {

struct FieldError {
  std::string field;  // "value.filter.type"
  std::string message;
};

std::optional<FieldError> ReadRange(const nlohmann::json& v, SortkeyRange* out);
std::optional<FieldError> ReadMultiDelKeys(const nlohmann::json& v, std::vector<std::string>* out);
std::optional<FieldError> ReadCheckAndMutate(const nlohmann::json& v, CheckAndMutateArgs* out);
// cas's invoke value: {"expect": X|null, "set": Y} or {"check": {...}, "set": Y}.
std::optional<FieldError> ReadCas(const nlohmann::json& v, CasArgs* out);

nlohmann::json RangeJson(const SortkeyRange& range);
nlohmann::json CheckAndMutateJson(const CheckAndMutateArgs& cam);
nlohmann::json CasJson(const CasArgs& cas);

}  // namespace pg::checker::jsonl
