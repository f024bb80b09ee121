#pragma once
// Knobs: every value one run uses, nothing optional. ResolveKnobs fills what the scenario left out:
// from documented defaults, or, in a swarm scenario, from draws on the seed's "swarm" stream within
// documented bounds. The verdict records all knobs, so the verdict alone reproduces the run.
// CONTRACT between the loader, the nemesis and the runner.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/bugs.h"
#include "sim/scenario/scenario.h"

namespace pg::sim {

// The resolved "scheduler" section; depth and steps matter only for "pct".
struct SchedulerKnobs {
  std::string kind = "timed";
  int depth = 3;
  int64_t steps = 2000;
  bool operator==(const SchedulerKnobs&) const = default;
};

struct Knobs {
  uint64_t seed = 0;
  int64_t duration_ms = 0;
  int64_t liveness_ms = 0;  // the liveness phase after duration_ms; 0: none (never drawn by swarm)
  std::string system;
  bool swarm = false;
  // cluster
  int meta_servers = 1;
  int replica_servers = 0;
  int partitions = 0;
  int replica_count = 0;
  std::string storage;
  bool balance = false;  // meta's load balancer (never drawn by swarm)
  // network
  double latency_ms_min = 0;
  double latency_ms_mean = 0;
  double drop_probability = 0;
  double duplicate_probability = 0;
  double reorder_probability = 0;
  double bandwidth_mb_per_s = 0;  // 0: unlimited (never drawn by swarm)
  // disk
  double write_latency_ms_mean = 0;
  double sync_latency_ms_mean = 0;
  double io_error_probability = 0;
  // clocks
  double drift_ppm_max = 0;
  double offset_ms_max = 0;
  // workload
  int clients = 0;
  int hashkeys = 0;
  int sortkeys = 0;
  int ops = 0;
  int64_t timeout_ms = 0;
  // Key rotation (WorkloadShape::key_rotation_ops): each client moves to fresh hashkeys after
  // this many operations; 0: off (the default; swarm draws it).
  int key_rotation_ops = 0;
  std::map<std::string, double> mix;
  // faults, explicit or drawn (swarm), sorted by at_ms (stable)
  std::vector<Fault> faults;
  SchedulerKnobs scheduler;
  // The bug-zoo switches on (core/common/bugs.h): the scenario's "bugs", or `hunt --bug`.
  BugSet bugs;

  bool operator==(const Knobs&) const = default;
};

// ---- Defaults and swarm bounds (the tables in knobs.cc and docs/scenarios.md) ------------------

template <class T>
struct Bounds {
  T lo;
  T hi;
  bool Contains(T v) const { return lo <= v && v <= hi; }
};

// What a non-swarm scenario gets for a knob it leaves out.
struct Defaults {
  static constexpr uint64_t kSeed = 1;  // when neither the file nor the command line gives one
  static constexpr int64_t kDurationMs = 60'000;
  static constexpr int kMetaServers = 1;
  static constexpr int kReplicaServers = 4;  // raised to replica_count when that is larger
  static constexpr int kPartitions = 8;
  static constexpr int kReplicaCount = 3;  // lowered to replica_servers when that is smaller
  static constexpr std::string_view kStorage = "rocksdb";
  static constexpr double kLatencyMsMin = 1;   // lowered to latency_ms_mean when that is smaller
  static constexpr double kLatencyMsMean = 3;  // raised to latency_ms_min when that is larger
  static constexpr double kWriteLatencyMsMean = 1;
  static constexpr double kSyncLatencyMsMean = 2;
  static constexpr int kClients = 4;
  static constexpr int kHashkeys = 8;
  static constexpr int kSortkeys = 4;
  static constexpr int kOps = 1000;
  static constexpr int64_t kTimeoutMs = 2000;
  // Probabilities, clock drift and offset default to 0; faults to none.
};
// The default "mix" (weights; the workload normalises them).
const std::map<std::string, double>& DefaultMix();
// The operation names a mix may weight, in draw order.
const std::vector<std::string>& MixOperations();

// Where a swarm scenario draws a knob it leaves out. Some bounds move to fit the file's explicit
// values (e.g. replica_servers >= an explicit replica_count, or >= the highest replica a fault
// names + 1); the draw order is fixed (knobs.cc) so a seed always gives the same knobs.
struct SwarmBounds {
  static constexpr Bounds<int64_t> kDurationMs{20'000, 90'000};  // a multiple of 1000
  static constexpr Bounds<int> kMetaServers{1, 3};
  static constexpr Bounds<int> kReplicaServers{3, 8};
  static constexpr Bounds<int> kPartitions{1, 16};
  static constexpr Bounds<int> kReplicaCount{2, 5};  // and <= replica_servers
  static constexpr Bounds<double> kLatencyMsMin{0, 5};
  static constexpr double kLatencyMsMeanAboveMin = 20;  // mean in [min, min + 20]
  // Each probability is 0 with chance 1/2 (swarm testing: features off as often as on).
  static constexpr Bounds<double> kDropProbability{0, 0.05};
  static constexpr Bounds<double> kDuplicateProbability{0, 0.05};
  static constexpr Bounds<double> kReorderProbability{0, 0.3};
  static constexpr Bounds<double> kWriteLatencyMsMean{0, 5};
  static constexpr Bounds<double> kSyncLatencyMsMean{0, 10};
  static constexpr Bounds<double> kIoErrorProbability{0, 0.001};
  static constexpr Bounds<double> kDriftPpmMax{0, 500};
  static constexpr Bounds<double> kOffsetMsMax{0, 500};
  static constexpr Bounds<int> kClients{1, 8};
  static constexpr Bounds<int> kHashkeys{1, 32};
  static constexpr Bounds<int> kSortkeys{1, 8};
  static constexpr Bounds<int> kOps{200, 3000};
  static constexpr Bounds<int64_t> kTimeoutMs{200, 5000};
  static constexpr Bounds<int> kMixWeight{0, 10};  // an integer; 0 with chance 1/3
  // Per client and key set: with 8 clients a hashkey sees at most 64 operations, which keeps
  // the checker's search decidable under heavy timeouts (swarm seeds 44, 281, 396 and 434 had one
  // hashkey take 300 to 500 operations, many of unknown outcome, and the checker gave up).
  static constexpr Bounds<int> kKeyRotationOps{2, 8};
  // Drawn faults: their count, and the window (fractions of duration_ms) they start and end in.
  static constexpr Bounds<int> kFaultEpisodes{2, 12};
  static constexpr double kFaultWindowStart = 0.05;
  static constexpr double kFaultWindowEnd = 0.8;  // every drawn fault is over by then
  static constexpr Bounds<int64_t> kClockJumpMs{-2000, 2000};
  // The pegasus system's drawn clock jumps sum to at most this, in absolute value, over a run.
  // Its leases assume clocks bounded against real time. A replica's clock jumping back, or
  // meta's jumping forward, eats into the replica lease margin grace - lease (2000 ms,
  // PegasusTiming), past which two primaries may serve (pegasus/clock_drift_beyond_margin). A
  // meta's clock jumping back eats into the leader lock's safety margin (a tenth of the 4 s
  // coordination session), past which two metas may lead (pegasus/meta_clock_drift_beyond_margin).
  // Kept inside the smaller one, with room for drift (+-1000 ppm: a few ms a session).
  static constexpr int64_t kPegasusClockJumpBudgetMs = 300;
  static constexpr Bounds<double> kClockDriftPpm{-1000, 1000};
  static constexpr Bounds<double> kSpellDropProbability{0, 0.3};
  static constexpr Bounds<double> kSpellDuplicateProbability{0, 0.1};
  static constexpr Bounds<double> kSpellReorderProbability{0, 0.5};
  static constexpr Bounds<double> kSpellDiskErrorProbability{0, 0.05};
};

// The cluster sizes a scenario's node names are checked against: the file's own sizes, else the
// defaults (non-swarm) or the swarm maxima (swarm), and the longest duration it may resolve to.
struct ScenarioLimits {
  int meta_servers = 0;
  int replica_servers = 0;
  int clients = 0;
  int64_t duration_ms = 0;
};
ScenarioLimits LimitsOf(const Scenario& scenario);

// The seed a run of this scenario uses: the command line's, else the file's, else Defaults::kSeed.
uint64_t SeedFor(const Scenario& scenario, std::optional<uint64_t> command_line_seed);

// Whether a cluster has the coordination node "coord/0": a pegasus cluster with several meta
// servers keeps its table and leader lock there (last in NodeId order, so the other ids do not
// depend on it).
bool HasCoordNode(std::string_view system, int meta_servers);
// Node names of a resolved cluster, in NodeId order: meta/0.., replica/0.., client/0.., and
// coord/0 if HasCoordNode.
std::vector<std::string> NodeNames(const Knobs& knobs);

Knobs ResolveKnobs(const Scenario& scenario, uint64_t seed);
nlohmann::json KnobsToJson(const Knobs& knobs);
nlohmann::json FaultToJson(const Fault& fault);
// The inverse of KnobsToJson, exactly as strict as a scenario file: a verdict's "knobs" replay the
// run. `source` names the document in messages ("verdict.json:knobs").
Result<Knobs> KnobsFromJson(const nlohmann::json& json, std::string_view source);

}  // namespace pg::sim
