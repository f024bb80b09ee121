#include "tests/explore/explore_check.h"

#include <fmt/format.h>

#include <cstdlib>
#include <cstring>

namespace pg::explore {

namespace {
// The ctest seed: any fixed value; a different one explores different cases.
constexpr uint64_t kCtestSeed = 20261126;
}  // namespace

rc::detail::TestParams ExploreParams(int default_cases) {
  rc::detail::TestParams params = rc::detail::configuration().testParams;
  const char* rc_params = std::getenv("RC_PARAMS");
  const char* cases = std::getenv("PG_EXPLORE_CASES");
  const bool long_mode = cases != nullptr && std::atoi(cases) > 0;
  if (long_mode) {
    params.maxSuccess = std::atoi(cases);
  } else if (rc_params == nullptr || std::strstr(rc_params, "max_success") == nullptr) {
    params.maxSuccess = default_cases;
  }
  if (!long_mode && (rc_params == nullptr || std::strstr(rc_params, "seed") == nullptr)) {
    params.seed = kCtestSeed;
  }
  return params;
}

void RunIsOk(const ExploreCase& c, const sim::RunOptions& options) {
  const sim::RunOutcome outcome = sim::RunKnobs(ToKnobs(c), options);
  if (outcome.failed()) {
    const std::string& detail = outcome.failure->detail;
    RC_FAIL(fmt::format("verdict fail: {}: {}", outcome.failure->kind,
                        detail.substr(0, std::min<size_t>(detail.find('\n'), 300))));
  }
}

rc::detail::TestResult CheckExploration(const std::string& name, int default_cases,
                                        const std::function<void()>& property) {
  const rc::detail::TestParams params = ExploreParams(default_cases);
  return rc::detail::checkTestable(
      property, rc::detail::TestMetadata{.id = name, .description = name}, params);
}

}  // namespace pg::explore
