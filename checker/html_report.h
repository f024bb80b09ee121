#pragma once
// `--html FILE`: one self-contained offline page. A lane per process, operations as bars over
// (event) time, the operations that cannot be placed in red, the longest linearizable prefix in
// green with its order drawn as a line through the bars; hover a bar for its details.
#include <string>

#include "checker/check.h"
#include "checker/history.h"

namespace pg::checker {

std::string HtmlReport(const History& history, const CheckResult& result);

}  // namespace pg::checker
