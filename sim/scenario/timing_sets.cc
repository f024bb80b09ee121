#include "sim/scenario/timing_sets.h"

#include <algorithm>
#include <cmath>

#include "core/common/assert.h"
#include "sim/scenario/knob_tables.h"

namespace pg::sim {
namespace {

// Today's values, which every scenario that names no set runs with (PEGASUS.md §1.9: upstream's
// shape, scaled down so that a minute-long run sees several failovers).
constexpr TimingSet kPegasimTiming{.name = "pegasim",
                                   .beacon_interval_ms = 1000,
                                   .lease_ms = 5000,
                                   .grace_ms = 7000,
                                   .fd_check_interval_ms = 1000,
                                   .group_check_interval_ms = 2000,
                                   .config_sync_interval_ms = 5000,
                                   .prepare_timeout_ms = 1500};

// Apache Pegasus's defaults, flag by flag (the flags' definitions; src/server/config.ini sets the
// same): fd_beacon_interval_seconds 3, fd_lease_seconds 20, fd_grace_seconds 22,
// fd_check_interval_seconds 2 (src/common/replication_common.cpp); group_check_interval_ms 100000
// (src/replica/replica_check.cpp); config_sync_interval_ms 30000 (src/replica/replica_stub.cpp);
// prepare_timeout_ms_for_secondaries 3000 (src/replica/replica_2pc.cpp).
constexpr TimingSet kUpstreamTiming{.name = "upstream",
                                    .beacon_interval_ms = 3000,
                                    .lease_ms = 20000,
                                    .grace_ms = 22000,
                                    .fd_check_interval_ms = 2000,
                                    .group_check_interval_ms = 100000,
                                    .config_sync_interval_ms = 30000,
                                    .prepare_timeout_ms = 3000};

constexpr TimingSet kTimingSets[] = {kPegasimTiming, kUpstreamTiming};
constexpr std::string_view kTimingSetNames[] = {kPegasimTiming.name, kUpstreamTiming.name};
static_assert(kPegasimTiming.name == kDefaultTimingSet);

}  // namespace

std::span<const std::string_view> TimingSetNames() { return kTimingSetNames; }

const TimingSet* FindTimingSet(std::string_view name) {
  for (const TimingSet& set : kTimingSets) {
    if (set.name == name) return &set;
  }
  return nullptr;
}

const TimingSet& TimingSetNamed(std::string_view name) {
  const TimingSet* set = FindTimingSet(name);
  PG_ASSERT(set != nullptr, "unknown timing set {} (the loader checks names)", name);
  return *set;
}

int64_t TimingUnitMs(const TimingSet& set) { return set.lease_ms + set.grace_ms; }

int64_t ScaleToTiming(int64_t ms, const TimingSet& set) {
  return ms * TimingUnitMs(set) / TimingUnitMs(kPegasimTiming);
}

int64_t RepairPathMs(const TimingSet& set) {
  return set.grace_ms + set.config_sync_interval_ms + set.group_check_interval_ms;
}

int64_t ScaleLivenessToTiming(int64_t ms, const TimingSet& set) {
  return ms * RepairPathMs(set) / RepairPathMs(kPegasimTiming);
}

int64_t DriftAllowanceMs(const TimingSet& set) {
  const auto ppm = static_cast<int64_t>(std::ceil(SwarmBounds::kClockDriftPpm.hi));
  return (TimingUnitMs(set) * ppm + 999'999) / 1'000'000;
}

int64_t ClockFreezeBudgetMs(const TimingSet& set) {
  const int64_t left =
      set.grace_ms - set.lease_ms - SwarmBounds::kPegasusClockJumpBudgetMs - DriftAllowanceMs(set);
  return std::max<int64_t>(0, left / 100 * 100);
}

}  // namespace pg::sim
