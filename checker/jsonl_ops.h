#pragma once
// The JSON shapes of the operations beyond DESIGN.md §4's first table (docs/checker.md): a
// multi_get's sort-key range, multi_del's keys, check_and_mutate, cas's check form, and the
// scans' arguments and records. Shared
// by jsonl.cc's reader and writer; each reader names the offending field below "value".
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checker/history.h"

namespace pg::checker::jsonl {

struct FieldError {
  std::string field;  // "value.filter.type"
  std::string message;
};

std::optional<FieldError> ReadRange(const nlohmann::json& v, SortkeyRange* out,
                                    std::string_view expected = "null or a sort-key range object");
std::optional<FieldError> ReadMultiDelKeys(const nlohmann::json& v, std::vector<std::string>* out);
std::optional<FieldError> ReadCheckAndMutate(const nlohmann::json& v, CheckAndMutateArgs* out);
// cas's invoke value: {"expect": X|null, "set": Y} or {"check": {...}, "set": Y}.
std::optional<FieldError> ReadCas(const nlohmann::json& v, CasArgs* out);

// full_scan's invoke value: {"partition": P, "partition_count": N, "hashkeys": [H...]} and an
// optional "after": {"hashkey": HA, "sortkey": SA}. BuildHistory checks P < N and distinct H.
std::optional<FieldError> ReadFullScan(const nlohmann::json& v, FullScanArgs* out);
// A scan's or full_scan's ok value: an object hashkey -> (object sortkey -> string).
std::optional<FieldError> ReadScanRecords(const nlohmann::json& v, ScanRecords* out);

nlohmann::json RangeJson(const SortkeyRange& range);
nlohmann::json FullScanJson(const FullScanArgs& args);
nlohmann::json ScanRecordsJson(const ScanRecords& records);
nlohmann::json CheckAndMutateJson(const CheckAndMutateArgs& cam);
nlohmann::json CasJson(const CasArgs& cas);

}  // namespace pg::checker::jsonl
