#pragma once
// Timing sets: the named sets of failure-detection and replication timing a pegasus run uses (the
// scenario's "timing" knob), and what the swarm derives from the set in force. One place for the
// numbers, so that a longer lease lengthens what is counted in leases (the swarm's delays, its run
// lengths, its clock budgets) rather than widening a timeout.
//
//   "pegasim"  (the default) upstream's shape scaled down so that a minute-long run sees several
//              failovers: lease 5 s, grace 7 s (a 2 s margin), beacons every 1 s.
//   "upstream" Apache Pegasus's defaults (src/common/replication_common.cpp fd_lease_seconds,
//              fd_grace_seconds, fd_check_interval_seconds, fd_beacon_interval_seconds;
//              src/replica/replica_stub.cpp config_sync_interval_ms; src/replica/replica_check.cpp
//              group_check_interval_ms; src/replica/replica_2pc.cpp
//              prepare_timeout_ms_for_secondaries): lease 20 s, grace 22 s, a 10 % margin.
// docs/departures.md (row "timing") says what is not in a set and why.
#include <cstdint>
#include <span>
#include <string_view>

namespace pg::sim {

struct TimingSet {
  std::string_view name;
  int64_t beacon_interval_ms = 0;       // a replica server's beacon to meta
  int64_t lease_ms = 0;                 // the replica server's lease from meta
  int64_t grace_ms = 0;                 // meta's grace before it declares a server dead
  int64_t fd_check_interval_ms = 0;     // how often meta's failure detector checks
  int64_t group_check_interval_ms = 0;  // a primary's group check (and empty-write) interval
  int64_t config_sync_interval_ms = 0;  // a replica server's periodic config sync
  int64_t prepare_timeout_ms = 0;       // a secondary's time to ack a prepare
};

inline constexpr std::string_view kDefaultTimingSet = "pegasim";

// The sets' names, the default first: the values the "timing" knob accepts.
std::span<const std::string_view> TimingSetNames();
// The set of that name; nullptr for a name TimingSetNames does not list.
const TimingSet* FindTimingSet(std::string_view name);
// The set of a name the loader has checked (asserts it is known).
const TimingSet& TimingSetNamed(std::string_view name);

// The swarm's unit of time under a set: lease + grace, the longest a control message may be late
// before it reaches a node whose view has moved on (a replica replaced, a primary renewed).
int64_t TimingUnitMs(const TimingSet& set);
// `ms`, a length chosen for the default set, scaled to `set` by the ratio of their units (exact
// for the default set, so runs under it are what they were before sets existed).
int64_t ScaleToTiming(int64_t ms, const TimingSet& set);

// The slowest repair the liveness phase must leave room for under a set, after the last fault's
// effect: meta declares a silent server dead only after its grace, a restarted server reports what
// it lost at its next config sync, and a member listed at a live primary that came back holding
// nothing (a non-transient inactive replica) waits for that primary's group check to remove it, as
// Pegasus's replica_config.cpp on_config_sync leaves it ("waiting primary to remove me"). Under
// pegasim that is 7 + 5 + 2 = 14 s; under upstream 22 + 30 + 100 = 152 s.
int64_t RepairPathMs(const TimingSet& set);
// A liveness phase chosen for the default set, scaled to `set` by the ratio of their repair paths
// (exact for the default set): the phase must hold as many of the set's slowest repairs, and
// upstream's 100 s group check makes its repair path 10.9 times pegasim's where its lease + grace
// is only 3.5 times.
int64_t ScaleLivenessToTiming(int64_t ms, const TimingSet& set);

// What the swarm's clock faults may spend of the replica lease margin (grace - lease) under a set:
//  - drift: a clock at most SwarmBounds::kClockDriftPpm off real time gains or loses that much
//    over a lease on one side and a grace on the other;
//  - jumps: kPegasusClockJumpBudgetMs (knob_tables.h), fixed by the leader lock's margin, which no
//    set changes;
//  - freezes: what is left, rounded down to 100 ms.
int64_t DriftAllowanceMs(const TimingSet& set);
int64_t ClockFreezeBudgetMs(const TimingSet& set);

}  // namespace pg::sim
