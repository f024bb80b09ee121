#pragma once
// Runs a rapidcheck property with the exploration's budget. In ctest the budget is small and the
// seed fixed, so the same cases run every time; PG_EXPLORE_CASES=N runs N cases per property on
// rapidcheck's seed (random, or RC_PARAMS="seed=S"), and RC_PARAMS="max_success=N" works too.
#include <rapidcheck.h>

#include <functional>
#include <string>

#include "sim/driver/runner.h"
#include "tests/explore/explore_case.h"

namespace pg::explore {

rc::detail::TestParams ExploreParams(int default_cases);

// The property: a run of the generated case has verdict ok; on failure rapidcheck shrinks the
// case and its counterexample is the scenario file that replays it.
void RunIsOk(const ExploreCase& c, const sim::RunOptions& options);

// Checks `property` under ExploreParams; a failure is a gtest failure whose message has
// rapidcheck's report (the shrunk scenario file) and the seed that reproduces it.
rc::detail::TestResult CheckExploration(const std::string& name, int default_cases,
                                        const std::function<void()>& property);

}  // namespace pg::explore
