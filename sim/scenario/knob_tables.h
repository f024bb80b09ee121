#pragma once
// The knobs' defaults and swarm bounds, and the node names a cluster size implies: what both a
// scenario's checks (scenario.h) and its resolution into Knobs (knobs.h) read, so neither includes
// the other.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace pg::sim {

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
  static constexpr int kCoordServers = 1;    // where the cluster has coordination (HasCoordNode)
  static constexpr int kReplicaServers = 4;  // raised to replica_count when that is larger
  static constexpr int kStalenessForCommit = 20;  // Pegasus's staleness_for_commit
  static constexpr int kTtlSMax = 10;             // when a file gives ttl_fraction alone
  // What a primary keeps to serve learners (ReplicaServerOptions): its cache of committed
  // mutations, the log records kept below the durable decree, and how often it flushes.
  static constexpr int kLearnCacheDecrees = 40;
  static constexpr int kPlogGcReserveDecrees = 100;
  static constexpr int64_t kCheckpointIntervalMs = 10'000;
  static constexpr int kPartitions = 8;
  static constexpr int kReplicaCount = 3;  // lowered to replica_servers when that is smaller
  static constexpr std::string_view kStorage = "rocksdb";
  static constexpr double kLatencyMsMin = 1;   // lowered to latency_ms_mean when that is smaller
  static constexpr double kLatencyMsMean = 3;  // raised to latency_ms_min when that is larger
  static constexpr double kWriteLatencyMsMean = 1;
  static constexpr double kSyncLatencyMsMean = 2;
  static constexpr double kTornWriteProbability = 0.5;
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
// The position in MixOperations() of the first operation the swarm draws last (draw 34), after
// every other knob, so that the draws before it are what they were before those operations
// existed.
size_t FirstRicherOperation();
// The position of the first scan (draw 37), drawn after every other knob for the same reason.
size_t FirstScanOperation();
// Whether a system's clients issue an operation of the mix (the register system: get and set).
bool SystemSupports(std::string_view system, std::string_view op);

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
  static constexpr Bounds<double> kTornWriteProbability{0, 1};
  static constexpr Bounds<double> kDriftPpmMax{0, 500};
  static constexpr Bounds<double> kOffsetMsMax{0, 500};
  static constexpr Bounds<int> kClients{1, 8};
  static constexpr Bounds<int> kHashkeys{1, 32};
  static constexpr Bounds<int> kSortkeys{1, 8};
  static constexpr Bounds<int> kOps{200, 3000};
  static constexpr Bounds<int64_t> kTimeoutMs{200, 5000};
  static constexpr Bounds<int> kMixWeight{0, 10};  // an integer; 0 with chance 1/3
  // Per client and key set: with 8 clients a hashkey sees at most 64 operations, which keeps
  // the checker's search decidable under heavy timeouts (one hashkey taking 300 to 500
  // operations, many of unknown outcome, is beyond it).
  static constexpr Bounds<int> kKeyRotationOps{2, 8};
  // Drawn faults: their count, and the window (fractions of duration_ms) they start and end in.
  static constexpr Bounds<int> kFaultEpisodes{2, 12};
  static constexpr double kFaultWindowStart = 0.05;
  static constexpr double kFaultWindowEnd = 0.8;  // every drawn fault is over by then
  static constexpr Bounds<int64_t> kClockJumpMs{-2000, 2000};
  // The pegasus system's drawn clock jumps sum to at most this, in absolute value, over a run.
  // Its leases assume clocks bounded against real time. A replica's clock jumping back, or
  // meta's jumping forward, eats into the replica lease margin grace - lease (2000 ms under both
  // timing sets, timing_sets.h), past which two primaries may serve
  // (pegasus/clock_drift_beyond_margin). A meta's clock jumping back eats into the leader lock's
  // safety margin (a tenth of the 4 s coordination session, which no timing set changes), past
  // which two metas may lead (pegasus/meta_clock_drift_beyond_margin). Kept inside the smaller
  // one, with room for drift (+-1000 ppm: a few ms a session).
  static constexpr int64_t kPegasusClockJumpBudgetMs = 300;
  // The pegasus system's drawn frozen pauses (a VM paused with its clock) freeze clocks for at
  // most ClockFreezeBudgetMs(set in force) in all over a run (timing_sets.h derives it): a frozen
  // replica server reads behind by its pause until the NTP step, so its lease outlives what it
  // believes by that much; a lone meta's step forward makes its grace run out early by as much:
  // either eats the replica lease margin grace - lease, as does everything else that may add up
  // with it: the jumps (kPegasusClockJumpBudgetMs, all on one side at worst) and drift (a clock at
  // most 1000 ppm off, kClockDriftPpm, which replaces the drawn drift: over a lease on a slow
  // clock and a grace on a fast one, 12 ms under pegasim's 5 s + 7 s, 42 ms under upstream's
  // 20 s + 22 s). 2000 - 300 - 12 and 2000 - 300 - 42, rounded down: 1600 ms under both. Meta
  // servers of a multi-meta cluster are never frozen: their leader lock's margin (400 ms, the
  // jumps' budget above) has no room left for a pause.
  static constexpr Bounds<double> kClockDriftPpm{-1000, 1000};
  static constexpr Bounds<double> kSpellDropProbability{0, 0.3};
  static constexpr Bounds<double> kSpellDuplicateProbability{0, 0.1};
  static constexpr Bounds<double> kSpellReorderProbability{0, 0.5};
  static constexpr Bounds<double> kSpellDiskErrorProbability{0, 0.05};
  // The corruption a lossy spell carries with chance 1/2 (corrupt_messages on every link, for
  // the spell): each message damaged with a probability in this range, 1..bits_max bits flipped.
  // 1..3 flips always fail the frame's CRC-32C; more fail it but for odds of about 2^-32.
  static constexpr Bounds<double> kSpellCorruptProbability{0.01, 0.2};
  static constexpr Bounds<int64_t> kSpellCorruptBitsMax{1, 8};
  // A slow-disk episode's factor (when it is not a stall): from a disk a little behind to one
  // whose millisecond appends take tens of milliseconds, past a prepare's patience at the top.
  static constexpr Bounds<double> kSlowDiskFactor{2, 50};
  // The pegasus system's timing set (timing_sets.h), when a swarm scenario names none and draws
  // its faults: "upstream" with chance 1 in this, else "pegasim"; drawn on a stream of its own
  // ("swarm-timing"), so the seeds that draw pegasim draw every other knob as they always did.
  static constexpr uint64_t kUpstreamTimingOneIn = 4;
  // The primary's bounded 2PC pipeline (Pegasus's staleness_for_commit, default 20): with chance
  // 1/2 a small one, so that writes wait in the write queue and gather into batches. Not 1: one
  // mutation at a time per partition, under the swarm's tightest client timeouts (~200 ms) and up
  // to 8 clients on one partition, queues writes whose clients already gave up faster than it
  // commits them, and every later operation times out too (swarm seed 9223: 7 clients, 1
  // partition, a 244 ms timeout; 332 operations ok and 535 timed out after the heal). That is
  // congestion collapse, which Pegasus shows too at that setting, not a protocol failure the
  // liveness condition is about; scenarios/pegasus/write_queue_failover.json runs 1 with a 2 s
  // timeout.
  static constexpr Bounds<int> kSmallStalenessForCommit{2, 4};
  // A link's bandwidth, when limited (chance 1/2): log-uniform, from links where a learned
  // checkpoint of a few hundred kilobytes holds the link for a second to ones where only the
  // largest batches wait. The learner scenarios run 0.1 MB/s, below this range.
  static constexpr Bounds<double> kBandwidthMbPerS{0.5, 20};
  // The disk's rate for the storage engine's own writes, when they cost time (chance 1/2):
  // log-uniform, from a disk where a flush of a few hundred kilobytes holds the logs' appends
  // back for a few hundred milliseconds (past a prepare's patience with a slow-disk fault on top)
  // to one where it costs a millisecond.
  static constexpr Bounds<double> kEngineMbPerS{1, 100};
  // PCT's depth (bugs of up to depth - 1 ordering constraints) and the ticks its change points
  // fall in, log-uniform: from the first second of a small run to the whole of a long one.
  static constexpr Bounds<int> kPctDepth{1, 3};
  static constexpr Bounds<double> kPctSteps{1000, 100000};
  // Writes with a TTL (chance 1/2): a share of the sets and multi_sets, each TTL a few seconds
  // at most, so that values expire while the run still reads them.
  static constexpr Bounds<double> kTtlFraction{0.05, 0.5};
  static constexpr Bounds<int> kTtlSMax{1, 20};
  // A scan's weight: 0 with chance 1/2, else an integer in [1, 4] (a full scan reads a whole
  // partition, so scans weigh less than the other operations' [1, 10]).
  static constexpr Bounds<int> kScanWeight{1, 4};
  // What a primary keeps for learners: with chance 1/2 each, a small learn cache, a small log
  // reserve, and frequent flushes, so that learners are served from the log and from checkpoints
  // (not only the cache), and a learner's start falls on the edges between them.
  static constexpr Bounds<int> kSmallLearnCacheDecrees{0, 8};
  static constexpr Bounds<int> kSmallPlogGcReserveDecrees{0, 16};
  static constexpr Bounds<int64_t> kShortCheckpointIntervalMs{500, 5000};
  // A drawn delay's bound (straggle) or hold, in units of DelayUnitMs (swarm_faults.h): lease +
  // grace of the timing set in force in pegasus.
  static constexpr Bounds<double> kDelayUnits{0.25, 3};
  static constexpr Bounds<double> kDelayProbability{0.05, 1};
  // The coordination service of a cluster with several metas, when a swarm scenario names no
  // coord_servers and draws its faults: a quorum of kCoordQuorumServers peers with chance 1 in
  // kCoordQuorumOneIn, else one server; drawn on a stream of its own ("swarm-coord"), so the
  // draws of the other knobs do not move.
  static constexpr uint64_t kCoordQuorumOneIn = 2;
  static constexpr int kCoordQuorumServers = 3;
};

// The coordination nodes a cluster may have: one CoordServer, or a quorum of CoordPeers.
inline constexpr int kCoordServerCounts[] = {1, 3, 5};

// Whether a cluster has coordination nodes "coord/0".. (coord_servers of them): a pegasus cluster
// with several meta servers keeps its table and leader lock there (last in NodeId order, so the
// other ids do not depend on them).
bool HasCoordNode(std::string_view system, int meta_servers);

}  // namespace pg::sim
