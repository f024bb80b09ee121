// Resolving a scenario into the knobs of one run.
//
// DEFAULTS (non-swarm; a knob the file leaves out). Kept in sync with Defaults in knob_tables.h and
// the table in docs/scenarios.md.
//   seed                    1 (the command line's --seed wins over the file's)
//   duration_ms             60000
//   timing                  "pegasim" (timing_sets.h)
//   system                  "pegasus"
//   cluster.meta_servers    1
//   cluster.coord_servers   1 (only where the cluster has coordination: pegasus, several metas)
//   cluster.replica_servers 4, or replica_count if that is larger
//   cluster.partitions      8
//   cluster.replica_count   3, or replica_servers if that is smaller
//   cluster.storage         "rocksdb"
//   network.latency_ms_min  1, or latency_ms_mean if that is smaller
//   network.latency_ms_mean 3, or latency_ms_min if that is larger
//   network.*_probability   0
//   disk.write_latency_ms_mean 1, disk.sync_latency_ms_mean 2, disk.io_error_probability 0,
//   disk.torn_write_probability 0.5
//   clocks.drift_ppm_max 0, clocks.offset_ms_max 0
//   workload.clients 4, hashkeys 8, sortkeys 4, ops 1000, timeout_ms 2000
//   workload.ttl_fraction   0: no write takes a TTL; ttl_s_max 10 when a fraction is given
//   workload.mix            get .35, set .3, del .05, incr .1, cas .1, multi_get .05, multi_set
//   .05,
//                           multi_get_range .04, multi_del .03, sortkey_count .02,
//                           check_and_mutate .04
//                           (a mix the file gives is taken whole: operations it omits weigh 0)
//   faults                  none
//   scheduler               {"kind": "timed"}; pct: depth 3, steps 2000
//   network.bandwidth_mb_per_s  unlimited
//   disk.engine_mb_per_s    free: the storage engine's own I/O takes no simulated time
//   cluster.balance         false: meta's load balancer off
//   cluster.atomic_idempotent false: atomic writes re-executed on every replica (Pegasus's default)
//   cluster.staleness_for_commit 20 (Pegasus's default)
//   cluster.learn_cache_decrees 40, plog_gc_reserve_decrees 100, checkpoint_interval_ms 10000
//
// SWARM (a knob the file leaves out is drawn from Xoshiro256::ForkStream(seed, "swarm")). The draw
// order is fixed and every knob is drawn even when the file gives it (the draw is then discarded),
// so making one knob explicit does not shift the draws of the others.
//    1 duration_ms          [20000, 90000], a multiple of 1000; at least the latest explicit at_ms
//    2 meta_servers         [1, 3]; at least the highest meta/N a fault names + 1
//    3 replica_servers      [3, 8]; at least replica_count and the highest replica/N named + 1
//    4 partitions           [1, 16]
//    5 replica_count        [2, min(5, replica_servers)]
//    6 storage              "rocksdb" or "memory"
//    7 latency_ms_min       [0, 5] (at most an explicit latency_ms_mean)
//    8 latency_ms_mean      [latency_ms_min, latency_ms_min + 20]
//    9 drop_probability     0 with chance 1/2, else [0, 0.05]
//   10 duplicate_probability 0 with chance 1/2, else [0, 0.05]
//   11 reorder_probability  0 with chance 1/2, else [0, 0.3]
//   12 write_latency_ms_mean [0, 5]
//   13 sync_latency_ms_mean [0, 10]
//   14 io_error_probability 0 with chance 1/2, else [0, 0.001]
//   15 drift_ppm_max        [0, 500]
//   16 offset_ms_max        [0, 500]
//   17 clients              [1, 8]; at least the highest client/N named + 1
//   18 hashkeys [1, 32], 19 sortkeys [1, 8], 20 ops [200, 3000], 21 timeout_ms [200, 5000]
//   22 mix                  per operation (get, set, del, incr, cas, multi_get, multi_set): 0 with
//                           chance 1/3, else an integer in [1, 10]; all 0 becomes get 1, set 1
//   23 faults (only when the file has no "faults" key): see sim/scenario/swarm_faults.cc.
//   24 key_rotation_ops     [2, 8] (drawn last, so that the draws above are what they were
//                           before it existed)
//   25 torn_write_probability [0, 1] (after key_rotation_ops, for the same reason)
//   26 atomic_idempotent    true or false, chance 1/2 each (after torn_write_probability)
//   27 staleness_for_commit 20 with chance 1/2, else [2, 4] (both drawn every time)
//   28 learn_cache_decrees  40 with chance 1/2, else [0, 8]
//   29 plog_gc_reserve_decrees 100 with chance 1/2, else [0, 16]
//   30 checkpoint_interval_ms 10000 with chance 1/2, else [500, 5000] (28..30: each choice and
//                           value drawn every time, in this order)
//   31 balance              on with chance 1/2 (pegasus only; drawn whatever the system)
//   32 bandwidth_mb_per_s   unlimited with chance 1/2, else log-uniform in [0.5, 20]
//   33 engine_mb_per_s      free with chance 1/2, else log-uniform in [1, 100] (31..33: each
//                           choice and value drawn every time, in this order)
//   34 mix, continued       per operation (multi_get_range, multi_del, sortkey_count,
//                           check_and_mutate) as in 22
//   35 scheduler            (only when the file has no "scheduler" and no "faults" key, as the
//                           timing set below) "timed" with chance 1/2,
//                           "random" 1/4, "pct" 1/4 with depth [1, 3] and steps log-uniform in
//                           [1000, 100000] (kind, depth and steps drawn every time)
//   36 ttl_fraction         0 with chance 1/2, else [0.05, 0.5]; ttl_s_max [1, 20] (choice,
//                           fraction and maximum drawn every time)
//   37 scan, full_scan      each 0 with chance 1/2, else an integer in [1, 4] (choice and
//                           weight drawn every time); last
// And on a stream of its own, ForkStream(seed, "swarm-timing"), so that the draws above do not
// move:
//    timing               (pegasus, only when the file names no set and has no "faults" key)
//                         "upstream" with chance 1/4, else "pegasim" (timing_sets.h). A drawn
//                         set scales duration_ms (the file's or drawn) by its lease + grace over
//                         pegasim's (3.5 for upstream), so that a run sees as many lease periods
//                         under either, and liveness_ms by its repair path over pegasim's
//                         (RepairPathMs: 152 / 14 for upstream), so that the phase holds as many
//                         of its slowest repairs; a set the file names takes its durations as
//                         written.
// And on another, ForkStream(seed, "swarm-coord"), for the same reason:
//    coord_servers        (pegasus with several metas drawn or given, only when the file names
//                         no coord_servers and has no "faults" key) 3 with chance 1/2, else 1
//                         (SwarmBounds::kCoordQuorumOneIn); drawn before the faults, which may
//                         then name coord/1 and coord/2. A file that gives coord_servers above 1
//                         and leaves meta_servers out draws at least 2 metas.
// Real numbers are rounded to 3 decimals so verdicts read well (and still round-trip exactly).
#include "sim/scenario/knobs.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/common/overloaded.h"
#include "sim/kernel/rng.h"
#include "sim/scenario/swarm_faults.h"
#include "sim/scenario/timing_sets.h"

namespace pg::sim {
namespace {

using nlohmann::json;

// The highest index a scenario's explicit faults name per node kind, and their latest at_ms.
struct NamedNodes {
  int max_meta = -1;
  int max_replica = -1;
  int max_client = -1;
  int64_t max_at_ms = 0;
};

void NoteNode(const std::string& name, NamedNodes& named) {
  const size_t slash = name.find('/');
  if (slash == std::string::npos) return;
  int index = 0;
  const char* begin = name.data() + slash + 1;
  if (std::from_chars(begin, name.data() + name.size(), index).ec != std::errc()) return;
  const std::string_view kind(name.data(), slash);
  if (kind == "coord") {
    named.max_meta = std::max(named.max_meta, 1);  // the coordination node needs two metas
    return;
  }
  int* slot = kind == "meta"      ? &named.max_meta
              : kind == "replica" ? &named.max_replica
                                  : &named.max_client;
  *slot = std::max(*slot, index);
}

NamedNodes NamedByFaults(const Scenario& s) {
  NamedNodes named;
  if (!s.faults) return named;
  for (const Fault& fault : *s.faults) {
    named.max_at_ms = std::max(named.max_at_ms, fault.at_ms);
    for (const std::string& name : FaultNodes(fault.action)) NoteNode(name, named);
  }
  return named;
}

// Fills knobs in the fixed order above; `swarm` chooses draws over defaults for omitted knobs.
class Resolver {
 public:
  Resolver(const Scenario& s, uint64_t seed)
      : s_(s), rng_(Xoshiro256::ForkStream(seed, "swarm")), named_(NamedByFaults(s)) {
    k_.seed = seed;
    k_.system = s.system;
    k_.swarm = s.swarm;
    // A coordination quorum needs the metas that use it.
    if (s.cluster.coord_servers.value_or(1) > 1) named_.max_meta = std::max(named_.max_meta, 1);
  }
  Knobs Resolve();

 private:
  template <class T>
  T Pick(const std::optional<T>& given, T fallback, T drawn) const {
    if (given) return *given;
    return s_.swarm ? drawn : fallback;
  }
  int DrawInt(Bounds<int> b, int lo_at_least = 0) {
    const int lo = std::min(std::max(b.lo, lo_at_least), b.hi);
    return static_cast<int>(rng_.UniformRange(lo, b.hi));
  }
  double DrawReal(Bounds<double> b) {
    return std::clamp(Round3(b.lo + rng_.NextDouble() * (b.hi - b.lo)), b.lo, b.hi);
  }
  // Log-uniform: as likely within [1, 2] as within [10, 20].
  double DrawLogUniform(Bounds<double> b) {
    return std::clamp(Round3(b.lo * std::pow(b.hi / b.lo, rng_.NextDouble())), b.lo, b.hi);
  }
  double DrawMaybeZero(Bounds<double> b) {
    const bool zero = rng_.Uniform(2) == 0;  // both draws always happen: a fixed draw count
    const double v = DrawReal(b);
    return zero ? 0 : v;
  }
  void ResolveTiming();
  void ResolveRunAndCluster();
  void ResolveCoordServers();
  void ResolveNetworkDiskClocks();
  void ResolveWorkload();
  void ResolveMix();
  void ResolveRetention();
  void ResolveLoadShaping();
  void ResolveRicherOperations();
  void ResolveScheduler();
  void ResolveTtl();
  void ResolveScans();
  double DrawMixWeight();

  const Scenario& s_;
  Xoshiro256 rng_;
  NamedNodes named_;
  Knobs k_;
  bool timing_drawn_ = false;                // the swarm chose the set: durations scale with it
  std::map<std::string, double> swarm_mix_;  // draws 22 and 34
};

// Draws 28..30: what a primary keeps to serve learners. Each is drawn whatever the system and
// whatever the file gives, so that the draws do not move; only pegasus has learners.
void Resolver::ResolveRetention() {
  const bool small_cache = rng_.Uniform(2) == 0;
  const int cache = DrawInt(SwarmBounds::kSmallLearnCacheDecrees);
  const bool small_reserve = rng_.Uniform(2) == 0;
  const int reserve = DrawInt(SwarmBounds::kSmallPlogGcReserveDecrees);
  const bool frequent_flush = rng_.Uniform(2) == 0;
  const int64_t interval = rng_.UniformRange(SwarmBounds::kShortCheckpointIntervalMs.lo,
                                             SwarmBounds::kShortCheckpointIntervalMs.hi);
  if (k_.system != "pegasus") return;
  k_.learn_cache_decrees = Pick(s_.cluster.learn_cache_decrees, Defaults::kLearnCacheDecrees,
                                small_cache ? cache : Defaults::kLearnCacheDecrees);
  k_.plog_gc_reserve_decrees =
      Pick(s_.cluster.plog_gc_reserve_decrees, Defaults::kPlogGcReserveDecrees,
           small_reserve ? reserve : Defaults::kPlogGcReserveDecrees);
  k_.checkpoint_interval_ms =
      Pick(s_.cluster.checkpoint_interval_ms, Defaults::kCheckpointIntervalMs,
           frequent_flush ? interval : Defaults::kCheckpointIntervalMs);
}

// Draws 31..33: what moves load around a cluster and what makes it wait: the balancer's replica
// moves, links whose bandwidth makes a large message (a learned checkpoint, a batch) hold up the
// ones behind it, and disks whose time the storage engine's flushes take from the logs.
void Resolver::ResolveLoadShaping() {
  const bool balance = rng_.Uniform(2) == 0;
  const bool limited = rng_.Uniform(2) == 0;
  const double bandwidth = DrawLogUniform(SwarmBounds::kBandwidthMbPerS);
  const bool engine_costs = rng_.Uniform(2) == 0;
  const double engine_rate = DrawLogUniform(SwarmBounds::kEngineMbPerS);
  k_.balance = Pick(s_.cluster.balance, false, balance && k_.system == "pegasus");
  k_.bandwidth_mb_per_s = Pick(s_.network.bandwidth_mb_per_s, 0.0, limited ? bandwidth : 0.0);
  k_.engine_mb_per_s = Pick(s_.disk.engine_mb_per_s, 0.0, engine_costs ? engine_rate : 0.0);
}

Knobs Resolver::Resolve() {
  ResolveTiming();
  ResolveRunAndCluster();
  ResolveCoordServers();
  ResolveNetworkDiskClocks();
  ResolveWorkload();
  ResolveMix();
  if (s_.faults) {
    k_.faults = *s_.faults;
  } else if (s_.swarm) {
    k_.faults = DrawSwarmFaults(k_, rng_);
  }
  k_.key_rotation_ops =
      Pick(s_.workload.key_rotation_ops, 0, DrawInt(SwarmBounds::kKeyRotationOps));
  k_.torn_write_probability = Pick(s_.disk.torn_write_probability, Defaults::kTornWriteProbability,
                                   DrawReal(SwarmBounds::kTornWriteProbability));
  // Drawn whatever the system, so that the draws after it do not move; only pegasus has the mode.
  k_.atomic_idempotent =
      Pick(s_.cluster.atomic_idempotent, false, rng_.Uniform(2) == 0) && k_.system == "pegasus";
  const bool small_pipeline = rng_.Uniform(2) == 0;
  const int small_staleness = DrawInt(SwarmBounds::kSmallStalenessForCommit);
  k_.staleness_for_commit =
      k_.system == "pegasus"
          ? Pick(s_.cluster.staleness_for_commit, Defaults::kStalenessForCommit,
                 small_pipeline ? small_staleness : Defaults::kStalenessForCommit)
          : Defaults::kStalenessForCommit;
  ResolveRetention();
  ResolveLoadShaping();
  ResolveRicherOperations();
  ResolveScheduler();
  ResolveTtl();
  ResolveScans();
  // Not a swarm knob: no draw, so the swarm's draw sequence is what it always was.
  k_.bugs = s_.bugs;
  std::stable_sort(k_.faults.begin(), k_.faults.end(),
                   [](const Fault& a, const Fault& b) { return a.at_ms < b.at_ms; });
  return std::move(k_);
}

// A swarm scenario that draws its faults draws its timing set too; one whose faults are written
// out (a regression, a verdict's knobs) was written for the set it names, pegasim when none.
void Resolver::ResolveTiming() {
  if (s_.timing) {
    k_.timing = *s_.timing;
    return;
  }
  if (!s_.swarm || s_.faults || s_.system != "pegasus") return;
  Xoshiro256 rng = Xoshiro256::ForkStream(k_.seed, "swarm-timing");
  const bool upstream = rng.Uniform(SwarmBounds::kUpstreamTimingOneIn) == 0;
  k_.timing = upstream ? "upstream" : std::string(kDefaultTimingSet);
  timing_drawn_ = true;
}

// Before the faults are drawn: they may name every coordination node.
void Resolver::ResolveCoordServers() {
  k_.coord_servers = Defaults::kCoordServers;
  if (!HasCoordNode(k_.system, k_.meta_servers)) return;
  if (s_.cluster.coord_servers) {
    k_.coord_servers = *s_.cluster.coord_servers;
    return;
  }
  if (!s_.swarm || s_.faults) return;
  Xoshiro256 rng = Xoshiro256::ForkStream(k_.seed, "swarm-coord");
  const bool quorum = rng.Uniform(SwarmBounds::kCoordQuorumOneIn) == 0;
  if (quorum) k_.coord_servers = SwarmBounds::kCoordQuorumServers;
}

void Resolver::ResolveRunAndCluster() {
  using B = SwarmBounds;
  using D = Defaults;
  const ClusterSection& c = s_.cluster;
  const auto min_seconds = (named_.max_at_ms + 999) / 1000;
  const int64_t seconds = rng_.UniformRange(
      std::min(std::max(B::kDurationMs.lo / 1000, min_seconds), B::kDurationMs.hi / 1000),
      B::kDurationMs.hi / 1000);
  k_.duration_ms = Pick(s_.duration_ms, D::kDurationMs, seconds * 1000);
  k_.liveness_ms = s_.liveness_ms.value_or(0);
  if (timing_drawn_) {
    const TimingSet& set = TimingSetNamed(k_.timing);
    k_.duration_ms = ScaleToTiming(k_.duration_ms, set);
    k_.liveness_ms = ScaleLivenessToTiming(k_.liveness_ms, set);
  }
  k_.meta_servers =
      Pick(c.meta_servers, D::kMetaServers, DrawInt(B::kMetaServers, named_.max_meta + 1));
  const int rs_floor = std::max(c.replica_count.value_or(0), named_.max_replica + 1);
  k_.replica_servers =
      Pick(c.replica_servers, std::max(D::kReplicaServers, c.replica_count.value_or(0)),
           DrawInt(B::kReplicaServers, rs_floor));
  k_.partitions = Pick(c.partitions, D::kPartitions, DrawInt(B::kPartitions));
  const Bounds<int> rc_bounds{B::kReplicaCount.lo,
                              std::min(B::kReplicaCount.hi, k_.replica_servers)};
  k_.replica_count =
      Pick(c.replica_count, std::min(D::kReplicaCount, k_.replica_servers), DrawInt(rc_bounds));
  const bool memory = rng_.Uniform(2) == 0;
  k_.storage =
      Pick(c.storage, std::string(D::kStorage), std::string(memory ? "memory" : "rocksdb"));
}

void Resolver::ResolveNetworkDiskClocks() {
  using B = SwarmBounds;
  using D = Defaults;
  const NetworkSection& n = s_.network;
  const double min_hi =
      std::min(B::kLatencyMsMin.hi, n.latency_ms_mean.value_or(B::kLatencyMsMin.hi));
  k_.latency_ms_min = Pick(n.latency_ms_min,
                           std::min(D::kLatencyMsMin, n.latency_ms_mean.value_or(D::kLatencyMsMin)),
                           DrawReal({B::kLatencyMsMin.lo, min_hi}));
  const double mean_lo = k_.latency_ms_min;
  k_.latency_ms_mean = Pick(n.latency_ms_mean, std::max(D::kLatencyMsMean, mean_lo),
                            DrawReal({mean_lo, mean_lo + B::kLatencyMsMeanAboveMin}));
  k_.drop_probability = Pick(n.drop_probability, 0.0, DrawMaybeZero(B::kDropProbability));
  k_.duplicate_probability =
      Pick(n.duplicate_probability, 0.0, DrawMaybeZero(B::kDuplicateProbability));
  k_.reorder_probability = Pick(n.reorder_probability, 0.0, DrawMaybeZero(B::kReorderProbability));
  const DiskSection& d = s_.disk;
  k_.write_latency_ms_mean =
      Pick(d.write_latency_ms_mean, D::kWriteLatencyMsMean, DrawReal(B::kWriteLatencyMsMean));
  k_.sync_latency_ms_mean =
      Pick(d.sync_latency_ms_mean, D::kSyncLatencyMsMean, DrawReal(B::kSyncLatencyMsMean));
  k_.io_error_probability =
      Pick(d.io_error_probability, 0.0, DrawMaybeZero(B::kIoErrorProbability));
  k_.drift_ppm_max = Pick(s_.clocks.drift_ppm_max, 0.0, DrawReal(B::kDriftPpmMax));
  k_.offset_ms_max = Pick(s_.clocks.offset_ms_max, 0.0, DrawReal(B::kOffsetMsMax));
}

void Resolver::ResolveWorkload() {
  using B = SwarmBounds;
  using D = Defaults;
  const WorkloadSection& w = s_.workload;
  k_.clients = Pick(w.clients, D::kClients, DrawInt(B::kClients, named_.max_client + 1));
  k_.hashkeys = Pick(w.hashkeys, D::kHashkeys, DrawInt(B::kHashkeys));
  k_.sortkeys = Pick(w.sortkeys, D::kSortkeys, DrawInt(B::kSortkeys));
  k_.ops = Pick(w.ops, D::kOps, DrawInt(B::kOps));
  const int64_t timeout = rng_.UniformRange(B::kTimeoutMs.lo, B::kTimeoutMs.hi);
  k_.timeout_ms = Pick(w.timeout_ms, D::kTimeoutMs, timeout);
}

double Resolver::DrawMixWeight() {
  const bool zero = rng_.Uniform(3) == 0;
  const int weight = DrawInt({1, SwarmBounds::kMixWeight.hi});
  return zero ? 0 : weight;
}

// Draw 22: the original operations' weights.
void Resolver::ResolveMix() {
  std::map<std::string, double> drawn;
  double total = 0;
  const std::vector<std::string>& ops = MixOperations();
  for (size_t i = 0; i < FirstRicherOperation(); ++i) {
    drawn[ops[i]] = DrawMixWeight();
    total += drawn[ops[i]];
  }
  if (total == 0) drawn["get"] = drawn["set"] = 1;
  swarm_mix_ = std::move(drawn);
}

// Draw 34, then the mix as the file, the swarm or the default gives it.
void Resolver::ResolveRicherOperations() {
  const std::vector<std::string>& ops = MixOperations();
  for (size_t i = FirstRicherOperation(); i < FirstScanOperation(); ++i) {
    swarm_mix_[ops[i]] = DrawMixWeight();
  }
  const WorkloadSection& w = s_.workload;
  const std::map<std::string, double>& chosen =
      !w.mix.empty() ? w.mix : (s_.swarm ? swarm_mix_ : DefaultMix());
  // An operation the system does not serve is never issued: its weight is 0 in the knobs, which
  // say what the run does (the draws above are made all the same, so other knobs keep theirs).
  for (const std::string& op : ops) {
    auto it = chosen.find(op);
    k_.mix[op] = it == chosen.end() || !SystemSupports(s_.system, op) ? 0 : it->second;
  }
}

// Draw 35: who orders deliveries. The swarm draws PCT and random scheduling beside the drawn
// delivery times, since they reach orders that latency alone makes rare (results/exploration.md).
// The kind, the depth and the steps are drawn every time, in this order; a file's scheduler
// section is taken as it is. Like the timing set, only a file that draws its faults draws it: a
// verdict's knobs carry their faults and leave the default scheduler out, so they replay as run.
void Resolver::ResolveScheduler() {
  const uint64_t kind = rng_.Uniform(4);
  const int depth = DrawInt(SwarmBounds::kPctDepth);
  const auto steps = static_cast<int64_t>(std::llround(DrawLogUniform(SwarmBounds::kPctSteps)));
  if (s_.swarm && !s_.scheduler.kind && !s_.faults) {
    k_.scheduler.kind = kind < 2 ? "timed" : kind == 2 ? "random" : "pct";
    if (k_.scheduler.kind == "pct") {
      k_.scheduler.depth = depth;
      k_.scheduler.steps = steps;
    }
  }
  k_.scheduler.kind = s_.scheduler.kind.value_or(k_.scheduler.kind);
  k_.scheduler.depth = s_.scheduler.depth.value_or(k_.scheduler.depth);
  k_.scheduler.steps = s_.scheduler.steps.value_or(k_.scheduler.steps);
}

void Resolver::ResolveTtl() {
  const bool with_ttl = rng_.Uniform(2) == 0;
  const double fraction = DrawReal(SwarmBounds::kTtlFraction);
  const int s_max = DrawInt(SwarmBounds::kTtlSMax);
  // Drawn whatever the system, so that the draws after it do not move; pegasus's client writes
  // TTLs.
  k_.ttl_fraction =
      k_.system == "pegasus" ? Pick(s_.workload.ttl_fraction, 0.0, with_ttl ? fraction : 0.0) : 0.0;
  k_.ttl_s_max = k_.ttl_fraction > 0 ? Pick(s_.workload.ttl_s_max, Defaults::kTtlSMax, s_max) : 0;
}

// Draw 37: the scans' weights (ResolveRicherOperations gave them the file's or the default's,
// 0 in a swarm's until here).
void Resolver::ResolveScans() {
  const std::vector<std::string>& ops = MixOperations();
  for (size_t i = FirstScanOperation(); i < ops.size(); ++i) {
    const bool zero = rng_.Uniform(2) == 0;
    const int weight = DrawInt(SwarmBounds::kScanWeight);
    if (s_.swarm && s_.workload.mix.empty() && SystemSupports(s_.system, ops[i])) {
      k_.mix[ops[i]] = zero ? 0 : weight;
    }
  }
}

}  // namespace

uint64_t SeedFor(const Scenario& scenario, std::optional<uint64_t> command_line_seed) {
  return command_line_seed.value_or(scenario.seed.value_or(Defaults::kSeed));
}

Knobs ResolveKnobs(const Scenario& scenario, uint64_t seed) {
  return Resolver(scenario, seed).Resolve();
}

}  // namespace pg::sim
