#pragma once
// How the workload's operations and their results are written as history values (docs/checker.md's
// table, read by checker/jsonl.cc). Strings the workload writes are printable ASCII; anything
// else goes through nlohmann's escaping, so the text is always what nlohmann would dump.
#include <optional>
#include <string>

#include "core/proto/client_messages.h"

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

}  // namespace pg
