#pragma once
// The simulator kernel: owns the nodes, one event queue ordered by (time, sequence), the network,
// clocks, node lifecycle and a trace with a rolling hash. One thread; the whole run is a function
// of the root seed and the calls made on it. CONTRACT: the public API below is what
// sim/driver/runner, sim/scenario/nemesis and the CLI code against; extend it, do not change it.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/common/ids.h"
#include "core/common/time.h"
#include "core/node/node.h"
#include "sim/kernel/cluster_config.h"
#include "sim/kernel/delivery_policy.h"
#include "sim/kernel/fault_effects.h"
#include "sim/kernel/sim_disk.h"
#include "sim/kernel/trace_line.h"

namespace pg::sim {

// The first thing that went wrong in a run; the run stops there.
struct Failure {
  std::string kind;  // "invariant:<name>", "assertion", ...
  std::string detail;
  uint64_t event = 0;  // index of the event after which it was detected
  Time at;
};

// One client-operation event, stamped with global simulated time.
struct RecordedOp {
  Time at;
  NodeId node;
  RecordOp op;
};

// What the network did with the messages nodes sent; tests and reports read it.
struct NetworkStats {
  uint64_t sent = 0;               // Send effects executed
  uint64_t delivered = 0;          // Receive inputs stepped
  uint64_t dropped_random = 0;     // drop_probability
  uint64_t dropped_partition = 0;  // cut at send or at delivery time
  uint64_t dropped_down = 0;       // the receiver was down at delivery time
  uint64_t dropped_unknown = 0;    // sent to a NodeId the cluster does not have
  uint64_t duplicated = 0;         // extra copies made
  uint64_t held = 0;               // held back by a clog
  uint64_t delayed = 0;            // lagged or held by a delay rule (AddDelay)
  // Dropped: still in its sender's kernel (clogged, delayed, straggling) when the sender's machine
  // lost power.
  uint64_t dropped_sender_power = 0;
  // Dropped: sent on a session a reset broke before it was delivered (Cluster::ResetLink).
  uint64_t dropped_reset = 0;
  uint64_t corrupted = 0;  // damaged on the wire by a corruption rule (AddCorruption)
  // Dropped: a damaged frame its receiver's check refused (a checksum mismatch, or bytes that
  // passed it and decode to no message).
  uint64_t dropped_corrupt = 0;
};

struct ClusterOptions {
  uint64_t seed = 0;
  LinkConfig default_link;
  bool record_trace = false;  // keep TraceLines (slow); the hash is always computed
  // Added: who orders message deliveries (sim/kernel/delivery_policy.h). Null: the timed default,
  // where each message arrives at its drawn delivery time (every existing trace hash is of that
  // mode).
  std::shared_ptr<DeliveryPolicy> delivery_policy;
};

class Cluster {
 public:
  explicit Cluster(ClusterOptions options);
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  // ---- Building ----
  // Adds a node (down until Start or Restart). Names must be unique ("replica/2").
  NodeId AddNode(std::string name, NodeFactory factory, ClockConfig clock = {});
  // Boots every node added so far at the current time.
  void Start();

  // ---- Running ----
  // Executes the next event; false when the queue is empty or the run has failed.
  bool Step();
  // Executes every event with time <= t, then sets now() to t. A run that fails stops at its
  // failure: now() stays at the failing event's time.
  void RunUntil(Time t);
  Time now() const;
  uint64_t events() const;

  // ---- Faults, effective at now() ----
  void Crash(NodeId node, CrashMode mode);
  void Restart(NodeId node);  // a down node; builds a new Node over its disk, delivers Boot
  // A paused node executes nothing; its inputs wait and arrive on Resume in their original
  // order, with timers that came due firing late.
  // With PauseClock::kFrozen its clock stands still until Resume (or a crash), and reads behind
  // by the pause from then on, until LeapClock.
  void Pause(NodeId node, PauseClock clock = PauseClock::kRuns);
  void Resume(NodeId node);
  // The NTP step after a frozen pause: the node's clock jumps forward by what its freezes put it
  // behind (logged as ignored when it is not behind).
  void LeapClock(NodeId node);
  // Breaks both TCP sessions between `a` and `b` (a reset, or a middlebox dropping the
  // connection): every message sent on them and not yet delivered is lost (dropped where it
  // would have arrived, "connection reset"), held and lagged ones included; later messages ride
  // new sessions that nothing stalls. ResetNode does it to every link of `node`.
  void ResetLink(NodeId a, NodeId b);
  void ResetNode(NodeId node);
  // Steps the node's clock (LocalTime) by `by`. Timers already armed keep their global deadline,
  // like CLOCK_MONOTONIC timers under an NTP step of the wall clock (see sim_clock.h).
  void JumpClock(NodeId node, Duration by);
  void SetClockDrift(NodeId node, double drift_ppm);
  PartitionId AddPartition(PartitionSpec spec);
  void Heal(PartitionId id);
  void HealAll();
  // Messages sent from (or to) a clogged node wait until the clog ends, then travel normally.
  void ClogNode(NodeId node, Duration for_how_long);
  void ClogLink(NodeId from, NodeId to, Duration for_how_long);
  // Messages departing on the links `spec` covers lag or are held (DelaySpec) until EndDelay;
  // those already delayed keep their delivery time.
  DelayId AddDelay(const DelaySpec& spec);
  void EndDelay(DelayId id);
  void ClearDelays();
  // Messages departing on the links `spec` covers are, with its probability, damaged on the wire
  // (CorruptSpec) until EndCorruption: each is framed with a checksum, 1..bits_max of the frame's
  // bits flip, and the receiver's check drops it ("drop (corrupt frame: crc mismatch)"), or, should
  // the damage pass the check, delivers what the bytes decode to. Frames already damaged arrive
  // damaged after the rule ends.
  CorruptId AddCorruption(const CorruptSpec& spec);
  void EndCorruption(CorruptId id);
  void ClearCorruptions();
  void SetLink(NodeId from, NodeId to, LinkConfig config);
  void SetDefaultLink(LinkConfig config);
  // The links from and to `node` use `config` (nullopt: the default again); see Network.
  void SetNodeLinks(NodeId node, std::optional<LinkConfig> config);
  // Messages this node sends are never duplicated by the network (Network::SetNeverDuplicates).
  void SetNeverDuplicates(NodeId node);
  // Added: write/sync latency means of every node's disk (negative values count as zero).
  void SetDiskLatency(DiskLatency latency);
  // Added: I/O error probability of every node's disk (clamped to [0, 1]); logged as a fault only
  // when it changes, so setting the default keeps the trace as it was.
  void SetDiskFaults(DiskFaults faults);
  // Added: a window of I/O errors on one node's disk: while set, `faults` replace the global
  // io_error_probability for that disk (per operation kind); std::nullopt ends the window.
  void SetNodeDiskFaults(NodeId node, std::optional<IoFaults> faults);
  // Whether a SetNodeDiskFaults window is open on the node.
  bool has_disk_faults(NodeId node) const;
  // Added: a fail-slow window on one node's disk (DiskSlow); std::nullopt ends it, and the appends
  // a stall held complete then, each its drawn latency later, in issue order. A new window
  // replaces the one in force (a stall replaced by a factor releases what it held).
  void SetNodeDiskSlow(NodeId node, std::optional<DiskSlow> slow);
  // Whether a SetNodeDiskSlow window is open on the node.
  bool has_disk_slow(NodeId node) const;
  // Added: bit rot on demand: flips one bit of the byte at `offset` of the node's `file` (logged
  // as a fault; ignored with a note when there is no such byte).
  void CorruptDisk(NodeId node, const std::string& file, uint64_t offset);
  // The node's disk is replaced by an empty one (SimDisk::Wipe); a node that is up loses power
  // first (a machine crash). Restart boots it empty.
  void WipeDisk(NodeId node);
  // Records in the fault log a fault that found nothing to act on ("<what> ignored: <why>"), so
  // that the log lists every fault the scenario injected.
  void LogIgnoredFault(const std::string& what, const std::string& why);
  // Added: a crash triggered at a protocol point. From now until `until`, the first step in which
  // `node` emits the coverage mark `mark` crashes it (`mode`) once that step is done: its effects
  // run first, so appends it started are in flight and a crash takes them as usual. Arming,
  // firing and expiry (nothing matched by `until`: a recorded no-op) are logged as faults.
  uint64_t ArmCrashOnMark(NodeId node, std::string mark, CrashMode mode, Time until);
  // Added: cancels every armed trigger, logged per trigger (none armed: nothing is logged).
  void CancelCrashTriggers();
  // Runs a host action at a future global time (the nemesis uses it); ordered like any event.
  void Schedule(Time at, std::string label, std::function<void(Cluster&)> action);

  // ---- Checks ----
  // A global invariant checked after every event; returning a message fails the run with kind
  // "invariant:<name>". Node::CheckInvariants is called on the stepped node after every step.
  using Invariant = std::function<std::optional<std::string>(const Cluster&)>;
  void AddInvariant(std::string name, Invariant check);
  // The system's liveness condition, asked only in a run's liveness phase, after every fault
  // healed (RunKnobs): e.g. every partition has its full replica set again. `problem` is nullopt
  // when live; `exempt` names what the condition excused and why (e.g. a partition no safe rule
  // may bring back), so that the verdict shows it.
  struct LivenessCheck {
    std::optional<std::string> problem;
    std::vector<std::string> exempt;
  };
  using LivenessCondition = std::function<LivenessCheck(const Cluster&, Time healed_at)>;
  void SetLivenessCondition(LivenessCondition condition);
  const LivenessCondition& liveness_condition() const;
  const std::optional<Failure>& failure() const;
  // Fails the run from outside (e.g. a workload check).
  void Fail(std::string kind, std::string detail);

  // ---- Observation ----
  size_t node_count() const;
  const std::string& name(NodeId node) const;
  std::optional<NodeId> FindNode(const std::string& name) const;
  bool is_up(NodeId node) const;
  bool is_paused(NodeId node) const;
  Time LocalTime(NodeId node) const;  // the node's clock now
  // The largest distance from global time the node's clock read at any of its steps so far.
  Duration MaxClockSkew(NodeId node) const;
  // Until when a delayed message still stalls a connection (Network::LatestStallFloor): what a
  // node sends on it meanwhile waits behind that message, heal or no heal.
  Time SessionsStalledUntil() const;
  // The node the event being checked stepped (invariants may then re-read that node only), or
  // nullopt when it stepped none: a host action or fault, after which any node may have changed.
  std::optional<NodeId> stepped_node() const;
  const Node* node(NodeId node) const;  // nullptr while down
  Node* mutable_node(NodeId node);
  uint64_t trace_hash() const;
  const std::vector<TraceLine>& trace() const;
  const std::vector<RecordedOp>& history() const;
  const std::set<std::string>& marks() const;
  // Faults applied so far, in order, for the verdict: {at, description}.
  const std::vector<std::pair<Time, std::string>>& fault_log() const;
  // Added: how many effects each fault_log() entry had so far, by index (sim/kernel/
  // fault_effects.h): messages a partition cut, a clog held, a delay rule delayed, a link setting
  // dropped, duplicated or reordered; I/O operations a disk-error setting failed; 1 for a crash,
  // restart, pause, resume or clock change that found its node as it needed; 0 for an ignored one.
  std::vector<uint64_t> fault_effects() const;
  // Added: per coverage mark hit, the fault_log() indices it is credited to (kNoFault: emitted
  // before any fault took effect); the rule, a proxy, is in sim/kernel/fault_effects.h.
  const std::map<std::string, std::set<FaultIndex>>& mark_faults() const;
  Rng& stream(const std::string& name);  // "workload", "nemesis", ... (forked from the seed)

  // ---- Added observation ----
  // The node's disk (survives crashes); `node` must be a NodeId this cluster returned.
  SimDisk& disk(NodeId node);
  const SimDisk& disk(NodeId node) const;
  // 0 before the first Start/Restart; +1 on each.
  uint64_t incarnation(NodeId node) const;
  // How many times the node's disk was replaced (a "wipe"): SimDisk::generation.
  uint64_t disk_generation(NodeId node) const;
  // True when an active partition drops messages from `from` to `to` right now.
  bool Partitioned(NodeId from, NodeId to) const;
  const NetworkStats& network_stats() const;
  size_t pending_events() const;  // queue entries, stale ones included

  // A hook called after each node step with (index, time, node, input); tests use it to observe
  // delivery order. Host actions, drops and clog ends are events too but reach no node, so they
  // are not reported. Empty by default.
  using EventObserver =
      std::function<void(uint64_t index, Time at, NodeId node, const Input& input)>;
  void SetEventObserver(EventObserver observer);
  // Another hook, called after the one above; observers added here are never replaced (the run
  // page records who answered each operation through one while a delivery policy holds the slot).
  void AddEventObserver(EventObserver observer);

  // Added: a node took itself down (an Exit effect). `io_error_drawn_at` is set when the step that
  // exited handled a LogFailed: the time its disk drew that error (the append's issue; sim_disk.h
  // draws a failure when the operation starts and the node learns of it at completion).
  struct NodeExit {
    NodeId node;
    std::string reason;
    std::optional<Time> io_error_drawn_at;
  };
  // Added: a hook called once an Exit has taken its node down (the incarnation is gone, the exit
  // logged as a fault); it may schedule host actions (e.g. a restart). Empty by default.
  using ExitObserver = std::function<void(Cluster&, const NodeExit&)>;
  void SetExitObserver(ExitObserver observer);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pg::sim
