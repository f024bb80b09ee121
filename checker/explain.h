#pragma once
// Explanations a person can read: one operation per line, and the story of a failing partition.
#include <string>

#include "checker/check.h"
#include "checker/history.h"

namespace pg::checker {

// "[lines 3-5] process 2 set h1/s0 "v1" -> ok"
std::string DescribeOperation(const History& history, const Operation& op);

// The explanation of a whole result: for illegal, the smallest failing partition, the longest
// linearizable prefix found and the operations that cannot be placed.
std::string Explain(const History& history, const CheckResult& result);

}  // namespace pg::checker
