#pragma once
// A scenario file (DESIGN.md §4) as loaded: every knob is optional here, because a swarm scenario
// lets the seed choose what the file leaves out. ResolveKnobs (knobs.h) turns a Scenario and a seed
// into the Knobs a run uses. CONTRACT between the loader, the nemesis and the runner.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/common/bugs.h"
#include "core/common/result.h"

namespace pg::sim {

// ---- Faults: one struct per "kind" ------------------------------------------------------------
// Node names are "meta/N", "replica/N", "client/N"; the loader checks them against the cluster.

struct CrashFault {  // "crash": {"node", "mode": "process"|"machine", "on_mark"?, "within_ms"?}
  std::string node;
  std::string mode = "process";
  // With on_mark: not a crash at at_ms but a trigger armed then, for within_ms (absent: the
  // default, crash_marks.h): the node crashes right after the first step in which it emits this
  // mark (one of crash_marks.h); no such step, no crash.
  std::optional<std::string> on_mark;
  std::optional<int64_t> within_ms;  // only with on_mark
  bool operator==(const CrashFault&) const = default;
};
struct RestartFault {  // "restart": {"node"}
  std::string node;
  bool operator==(const RestartFault&) const = default;
};
struct PauseFault {  // "pause": {"node", "duration_ms", "clock"?, "leap_after_ms"?}; resumes
                     // after duration
  std::string node;
  int64_t duration_ms = 0;
  // "runs" (a stalled process) or "frozen" (a paused VM: its clock stands still for the pause,
  // then reads behind by it until an NTP step, leap_after_ms after the resume, brings it
  // forward; absent: drawn by the nemesis from the run's "clock_leap" stream, kDefaultLeapMaxMs).
  std::string clock = "runs";
  std::optional<int64_t> leap_after_ms;  // only with "frozen"
  bool operator==(const PauseFault&) const = default;
};
// The bound of a frozen pause's drawn leap delay: NTP daemons step a clock that far off within
// seconds of noticing (chrony's makestep, VMware's and Hyper-V's time sync after a resume).
inline constexpr int64_t kDefaultLeapMaxMs = 10'000;
struct PartitionFault {  // "partition": {"groups": [[...], [...]], "duration_ms"?}; heals after
  std::vector<std::vector<std::string>> groups;
  std::optional<int64_t> duration_ms;  // absent: until a "heal"
  bool operator==(const PartitionFault&) const = default;
};
struct OneWayFault {  // "one_way": {"from": [...], "to": [...], "duration_ms"?}
  std::vector<std::string> from;
  std::vector<std::string> to;
  std::optional<int64_t> duration_ms;
  bool operator==(const OneWayFault&) const = default;
};
struct HealFault {  // "heal": ends every partition
  bool operator==(const HealFault&) const = default;
};
struct ClogFault {  // "clog": {"node"} or {"from", "to"} (one link), "duration_ms"
  std::optional<std::string> node;
  std::optional<std::string> from;
  std::optional<std::string> to;
  int64_t duration_ms = 0;
  bool operator==(const ClogFault&) const = default;
};
struct ClockJumpFault {  // "clock_jump": {"node", "by_ms"} (may be negative)
  std::string node;
  int64_t by_ms = 0;
  bool operator==(const ClockJumpFault&) const = default;
};
struct ClockDriftFault {  // "clock_drift": {"node", "drift_ppm"}
  std::string node;
  double drift_ppm = 0;
  bool operator==(const ClockDriftFault&) const = default;
};
struct NetworkFault {  // "network": {"drop_probability"?, "duplicate_probability"?,
                       //  "reorder_probability"?, "straggle_ms"?, "node"?, "duration_ms"}: a
                       //  lossy spell on every link, or on the node's links
  std::optional<double> drop_probability;
  std::optional<double> duplicate_probability;
  std::optional<double> reorder_probability;
  std::optional<int64_t> straggle_ms;  // a reordered message lags up to this much more
  std::optional<std::string> node;     // only the links from and to this node
  int64_t duration_ms = 0;
  bool operator==(const NetworkFault&) const = default;
};

struct DiskErrorsFault {  // "disk_errors": {"node", "read_error_probability"?,
                          //  "write_error_probability"?, "sync_error_probability"?, "duration_ms"}:
                          // a window of I/O errors on one node's disk (absent kinds: 0)
  std::string node;
  std::optional<double> read_error_probability;
  std::optional<double> write_error_probability;
  std::optional<double> sync_error_probability;
  bool full = false;        // "full": every write fails with ENOSPC (IoFaults::full)
  bool lying_sync = false;  // "lying_sync": syncs succeed and persist nothing (opt-in)
  int64_t duration_ms = 0;
  bool operator==(const DiskErrorsFault&) const = default;
};

struct DiskSlowFault {  // "disk_slow": {"node", "duration_ms", and "factor" (a number in (1, 1000])
                        //  or "stall": true}: a fail-slow disk, its process and network fine.
                        //  Each append's latency on it is multiplied by the factor, or appends
                        //  issued in the window complete after its end (Cluster::SetNodeDiskSlow)
  std::string node;
  std::optional<double> factor;  // exactly one of factor and stall
  bool stall = false;
  int64_t duration_ms = 0;
  bool operator==(const DiskSlowFault&) const = default;
};

struct CorruptFault {  // "corrupt": {"node", "target"?, "file_prefix"?}: bit rot on the node's
                       // disk, drawn from the run's "corrupt" stream. target "log" (default): in
                       // each log whose name starts with file_prefix (default "plog.": a replica
                       // server's private logs; "meta.log", "coord.log" also frame records) one
                       // bit flips inside one of the last few records before the final one, so
                       // intact records follow the damage (corruption, not a torn tail). "sst" /
                       // "manifest": in one RocksDB table file (its blocks, not the footer) or
                       // MANIFEST (one record's payload) drawn among the node's files whose path
                       // starts with file_prefix (default: any)
  std::string node;
  std::string target = "log";  // "log", "sst" or "manifest"
  std::string file_prefix = "plog.";
  bool operator==(const CorruptFault&) const = default;
};

struct WipeFault {  // "wipe": {"node"}: the node's disk is replaced by an empty one; a node that is
                    // up loses power first. A later "restart" boots it empty.
  std::string node;
  bool operator==(const WipeFault&) const = default;
};

struct DelayFault {  // "delay": {"node"? | "from"? and "to"?, "class"?, "probability"?, "mode"?,
                     //  "delay_ms"?, "duration_ms"}: for the duration, each matching message
                     //  departing on the covered links lags a uniform [0, delay_ms] more
                     //  ("straggle") or is held until the duration ends ("hold")
  std::optional<std::string> node;  // every link from or to it
  std::optional<std::string> from;  // with `to`: one link
  std::optional<std::string> to;
  std::string message_class = "all";  // "control", "data" or "all"
  double probability = 1;
  std::string mode = "straggle";    // or "hold"
  std::optional<int64_t> delay_ms;  // straggle only (required there)
  int64_t duration_ms = 0;
  bool operator==(const DelayFault&) const = default;
};

// A corrupt_messages fault's default bits_max, and the most it may flip: 1..3 flips always fail
// the frame's CRC-32C (sim/kernel/frame.h); more may, with odds of about 2^-32, pass it.
inline constexpr int64_t kDefaultCorruptBitsMax = 3;
inline constexpr int64_t kMaxCorruptBitsMax = 64;

struct ResetFault {  // "reset": {"node"} or {"from", "to"}: breaks the TCP sessions of a link
                     // (both directions) or of every link of a node; what they carried and had
                     // not delivered is lost
  std::optional<std::string> node;
  std::optional<std::string> from;
  std::optional<std::string> to;
  bool operator==(const ResetFault&) const = default;
};

struct CorruptMessagesFault {  // "corrupt_messages": {"node"? | "from"? and "to"?, "class"?,
                               //  "probability", "bits_max"?, "duration_ms"}: for the duration,
                               //  each matching message departing on the covered links is, with
                               //  the probability, damaged on the wire (1..bits_max bits of its
                               //  checksummed frame flip) and its receiver's check drops it
  std::optional<std::string> node;  // every link from or to it
  std::optional<std::string> from;  // with `to`: one link
  std::optional<std::string> to;
  std::string message_class = "all";  // "control", "data" or "all"
  double probability = 0;             // (0, 1]; required
  int64_t bits_max = kDefaultCorruptBitsMax;
  int64_t duration_ms = 0;
  bool operator==(const CorruptMessagesFault&) const = default;
};

using FaultAction = std::variant<CrashFault, RestartFault, PauseFault, PartitionFault, OneWayFault,
                                 HealFault, ClogFault, ClockJumpFault, ClockDriftFault,
                                 NetworkFault, DiskErrorsFault, CorruptFault, DelayFault, WipeFault,
                                 ResetFault, DiskSlowFault, CorruptMessagesFault>;

struct Fault {
  int64_t at_ms = 0;
  FaultAction action;
  bool operator==(const Fault&) const = default;
};

// The "kind" a fault is written with: "crash", "one_way", ...
std::string_view FaultKind(const FaultAction& action);
// Every node name a fault mentions, in the order it mentions them.
std::vector<std::string> FaultNodes(const FaultAction& action);

// ---- Sections --------------------------------------------------------------------------------

struct ClusterSection {
  std::optional<int> meta_servers;  // 1..5
  // The coordination service's servers: 1, 3 or 5; only where there is one (HasCoordNode: pegasus
  // with meta_servers >= 2, or a swarm that draws meta_servers, then drawn >= 2). Absent: 1, or
  // drawn by a swarm that draws its faults.
  std::optional<int> coord_servers;
  std::optional<int> replica_servers;  // 1..16
  std::optional<int> partitions;       // 1..64
  std::optional<int> replica_count;    // 1..5, <= replica_servers
  std::optional<std::string> storage;  // "rocksdb" | "memory"
  std::optional<bool> balance;         // meta's load balancer; absent: off
  // How atomic writes replicate (ReplicaServerOptions::atomic_idempotent); absent: re-executed
  std::optional<bool> atomic_idempotent;
  // Mutations a primary keeps in 2PC at once (ReplicaServerOptions::staleness_for_commit); absent:
  // 20, Pegasus's default. Pegasus only.
  std::optional<int> staleness_for_commit;
  // What a primary keeps to serve learners (ReplicaServerOptions): committed mutations cached
  // (absent: 40), private-log records kept below the durable decree (absent: 100), and the
  // interval of its flushes (absent: 10 s). Pegasus only.
  std::optional<int> learn_cache_decrees;
  std::optional<int> plog_gc_reserve_decrees;
  std::optional<int64_t> checkpoint_interval_ms;
};
struct NetworkSection {
  std::optional<double> latency_ms_min;         // >= 0
  std::optional<double> latency_ms_mean;        // >= latency_ms_min
  std::optional<double> drop_probability;       // [0, 1)
  std::optional<double> duplicate_probability;  // [0, 1)
  std::optional<double> reorder_probability;    // [0, 1]
  std::optional<double> bandwidth_mb_per_s;     // [0, 1e6]; 0: unlimited; absent: 0, or drawn
};
struct DiskSection {
  std::optional<double> write_latency_ms_mean;   // >= 0
  std::optional<double> sync_latency_ms_mean;    // >= 0
  std::optional<double> io_error_probability;    // [0, 1)
  std::optional<double> torn_write_probability;  // [0, 1]
  std::optional<double> engine_mb_per_s;         // [0, 1e6]; 0: free; absent: free, or drawn
};
struct ClocksSection {
  std::optional<double> drift_ppm_max;  // [0, 1e5]: each node draws drift in [-max, max]
  std::optional<double> offset_ms_max;  // >= 0: each node draws an offset in [-max, max]
};
struct WorkloadSection {
  std::optional<int> clients;           // 1..256
  std::optional<int> hashkeys;          // 1..100000
  std::optional<int> sortkeys;          // 1..1000
  std::optional<int> ops;               // total operations across clients, 0..10^7
  std::optional<int64_t> timeout_ms;    // > 0
  std::optional<int> key_rotation_ops;  // 0..10^7; 0: no key rotation
  std::optional<double> ttl_fraction;   // [0, 1]: the share of sets and multi_sets with a TTL
  std::optional<int> ttl_s_max;         // 1..86400: each TTL in [1, ttl_s_max] seconds
  std::map<std::string, double> mix;  // f -> weight; f in get,set,del,incr,cas,multi_get,multi_set
};
// "scheduler": who orders message deliveries (sim/kernel/schedulers.h). Not drawn by swarm.
struct SchedulerSection {
  std::optional<std::string> kind;  // "timed" | "random" | "pct"
  std::optional<int> depth;         // pct only: 1..10, priority change points + 1
  std::optional<int64_t> steps;     // pct only: 1..10^8, ticks the change points are drawn over
};
struct ExpectSection {
  std::string verdict = "ok";               // "ok" | "fail"
  std::optional<std::string> failure_kind;  // with "fail": the kind the run must fail with
  std::vector<std::string> marks;           // coverage marks the run must hit
  // With "fail": false means the failure need not happen on every seed, only on at least one
  // seed of each sweep (a violation the bench must find, which timing may hide on some seeds).
  bool every_seed = true;
};

struct Scenario {
  std::string path;  // the file it came from
  std::string name;
  std::string description;  // optional "description": why the scenario exists, for its reader
  std::optional<uint64_t> seed;
  std::optional<int64_t> duration_ms;  // 1..3'600'000
  // After duration_ms, heal every fault and require the system's liveness condition within this
  // long (the liveness phase); absent or 0: no phase.
  std::optional<int64_t> liveness_ms;  // 0..3'600'000
  // Which system the cluster runs: "register" (the kernel's example, until the Pegasus core lands)
  // or "pegasus".
  std::string system = "pegasus";
  // "timing": the pegasus system's named timing set (timing_sets.h: "pegasim" or "upstream");
  // absent: "pegasim", or in a swarm scenario that draws its faults a set drawn from the seed.
  std::optional<std::string> timing;
  ClusterSection cluster;
  NetworkSection network;
  DiskSection disk;
  ClocksSection clocks;
  WorkloadSection workload;
  SchedulerSection scheduler;
  std::optional<std::vector<Fault>> faults;  // absent in a swarm scenario: the nemesis draws them
  bool swarm = false;
  ExpectSection expect;
  // "bugs": bug-zoo switches to turn on (core/common/bugs.h names them); absent: none.
  BugSet bugs;
};

// The cluster sizes a scenario's node names are checked against: the file's own sizes, else the
// defaults (non-swarm) or the swarm maxima (swarm), and the longest duration it may resolve to.
struct ScenarioLimits {
  int meta_servers = 0;
  int coord_servers = 1;  // where HasCoordNode(system, meta_servers)
  int replica_servers = 0;
  int clients = 0;
  int64_t duration_ms = 0;
};
ScenarioLimits LimitsOf(const Scenario& scenario);

// Reads and validates a scenario file. Any error is kInvalidArgument with a message of the form
//   FILE: $.faults[3].node: expected one of meta/0, replica/0.. (got "replica/9")
Result<Scenario> LoadScenario(const std::string& path);
// The same, from text (tests); `path` names it in messages.
Result<Scenario> ParseScenario(const std::string& text, const std::string& path);

// The two shapes the scenario grammar reads. kKnobs is what KnobsToJson writes into a verdict:
// every knob present (a missing one is an error), seed required, no name/description/expect.
enum class ScenarioForm : uint8_t { kScenario, kKnobs };
// The same checks over an already parsed document; `source` names it in messages.
Result<Scenario> ScenarioFromJson(const nlohmann::json& root, const std::string& source,
                                  ScenarioForm form);

}  // namespace pg::sim
