#pragma once
// How the workload's operations and their results are written as history values (docs/checker.md's
// table, read by checker/jsonl.cc). Strings the workload writes are printable ASCII; anything
// else goes through nlohmann's escaping, so the text is always what nlohmann would dump.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/proto/client_messages.h"
#include "core/proto/scan_messages.h"

namespace pg {

void AppendJsonString(std::string& out, const std::string& s);
void AppendJsonOpt(std::string& out, const std::optional<std::string>& v);
std::string JsonString(const std::string& s);

// The history value of an invocation of `r` (r.kind's shape; a ranged multi_get's range, a
// check_and_set's expectation or check).
std::string InvokeValueJson(const ClientRequest& r);

struct WorkloadOp;
// The history value of an ok completion.
std::string OkValueJson(const WorkloadOp& op, const ClientResponse& resp, int sortkeys);

// Scans (docs/checker.md): a hashkey scan's invocation is its range; a full scan's names its
// partition, the hashkeys the client knows map there, and where it resumes; either's ok value is
// every record its context returned, hashkey -> sortkey -> value.
using ScanRecords = std::map<std::string, std::map<std::string, std::string>>;
std::string ScanInvokeJson(const SortkeyRange& range);
std::string FullScanInvokeJson(int32_t partition, int32_t partition_count,
                               const std::vector<std::string>& hashkeys,
                               const std::optional<ScanKey>& after);
std::string ScanRecordsJson(const ScanRecords& records);

}  // namespace pg
