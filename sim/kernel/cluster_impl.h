#pragma once
// The Cluster's private state, shared by its source files: cluster.cc (executing events),
// cluster_network.cc (sending and delivering messages), cluster_faults.cc (the fault API) and
// cluster_api.cc (building and observing). Not for use outside the kernel.
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/common/assert.h"
#include "core/node/io.h"
#include "sim/kernel/cluster.h"
#include "sim/kernel/corrupt_rules.h"
#include "sim/kernel/event_queue.h"
#include "sim/kernel/fault_effects.h"
#include "sim/kernel/network.h"
#include "sim/kernel/rng.h"
#include "sim/kernel/sim_clock.h"
#include "sim/kernel/sim_disk.h"
#include "sim/kernel/trace.h"

namespace pg::sim {
namespace kernel {

// kDrain delivers the oldest parked input of a node that can take inputs again (see NodeState).
// kDeliveryTick lets a delivery policy deliver one in-flight message
// (sim/kernel/delivery_policy.h).
enum class EventKind : uint8_t { kInput, kAction, kClogEnd, kDrain, kDeliveryTick };

// What the trace hash is told each record is.
inline constexpr uint8_t kTraceStep = 1;
inline constexpr uint8_t kTraceDrop = 2;
inline constexpr uint8_t kTraceAction = 3;
inline constexpr uint8_t kTraceClogEnd = 4;
inline constexpr uint8_t kTraceFault = 5;
// Why a message a reset lost is dropped (Impl::ConnectionGone); compared by address.
inline constexpr const char* kConnectionReset = "connection reset";
// The "node" of records that belong to no node.
inline constexpr uint32_t kNoNode = 0xffffffff;

// A damaged frame in flight (frame.h) in place of its message, shared by duplicate copies: the
// receiver checks it before its node sees anything (Impl::DeliverFrame).
struct CorruptFrame {
  std::string bytes;
  uint32_t bits_flipped = 0;
};

struct Event {
  EventKind kind = EventKind::kInput;
  NodeId node;  // kInput: the receiver
  // Timers, log completions and Boot belong to the incarnation that caused them (they die with
  // it); messages carry 0 (see receiver_incarnation).
  uint64_t incarnation = 0;
  // Receive: the receiver's incarnation when the message was sent, whose connection carries it; a
  // crash of the receiver breaks that connection, so a later incarnation never gets the message
  // (Impl::ConnectionGone). 0: the receiver was down then, and whichever incarnation is up when it
  // arrives takes it (the sender's session connects to it).
  uint64_t receiver_incarnation = 0;
  // Receive: the connection of its link when it was sent (Network::Connection); a reset since
  // broke it, and the message is lost (Impl::ConnectionGone).
  uint64_t connection = 0;
  // TimerFired: the arming it belongs to; a re-armed or cancelled timer's older firing is stale.
  uint64_t timer_generation = 0;
  // LogAppended of a sync append: the file length that becomes durable on completion (0: none).
  uint64_t sync_upto = 0;
  // LogAppended and LogFailed: when the append was issued, which is when its I/O faults were
  // drawn (Impl::StartAppend).
  Time issued;
  uint64_t action = 0;  // kAction: key into Impl::actions
  // Receive: the trace digest of the message (see Trace::Digest), shared by duplicate copies.
  uint64_t msg_digest = 0;
  // Receive: until when the message waits in its sender's kernel (a delay rule's lag or a
  // straggler's: a TCP send stalled on a retransmission), and how many power losses its sender
  // had had when it was sent. A power loss of the sender before `leaves_sender` loses it
  // (Impl::LostWithSender); a message that left at once has `leaves_sender` = its send time.
  Time leaves_sender;
  uint32_t sender_power_losses = 0;
  // Receive: set when a corruption rule damaged the message on the wire; the Receive then holds
  // the message as sent (for the trace), and the receiver gets only what the frame decodes to.
  std::shared_ptr<const CorruptFrame> frame;
  Input input;
};

struct NodeState {
  explicit NodeState(ClockConfig config) : clock(config) {}
  std::string name;
  NodeFactory factory;
  SimClock clock;
  SimDisk disk;  // outlives every incarnation
  Rng* rng = nullptr;
  std::unique_ptr<Node> node;  // nullptr while down
  uint64_t incarnation = 0;
  // The largest |local - global| the node's clock read at a step: what it judged time by.
  Duration max_skew;
  // Invariant: booted implies node != nullptr.
  bool booted = false;
  bool paused = false;
  std::map<TimerId, uint64_t> timers;  // armed timer -> generation
  // Inputs that arrived while the node was paused or not yet booted, in arrival order (a Boot goes
  // first). They are delivered one per kDrain event, and while any wait, new arrivals queue
  // behind them: re-enqueuing them instead would let an input already queued for the same instant
  // overtake them, breaking per-link FIFO order.
  std::deque<Event> parked;
  bool drain_scheduled = false;
  Time disk_floor;  // the latest completion scheduled on this disk
  // Log appends issued and not yet completed, in submission order (which is completion order):
  // a crash takes them back off the disk (Impl::Crash).
  struct InFlightAppend {
    std::string file;
    uint64_t start = 0;  // the file's size before the append
  };
  std::deque<InFlightAppend> appends_in_flight;
  // The fail-slow window in force on this disk (Cluster::SetNodeDiskSlow), and the fault log entry
  // that opened it: each append it slows or holds is an effect of that entry.
  struct SlowWindow {
    DiskSlow slow;
    FaultIndex fault = kNoFault;
  };
  std::optional<SlowWindow> disk_slow;
  // Completions a stall holds, in issue order, each with its drawn latency: the window's end
  // schedules them (Impl::ReleaseStalled). They die with the incarnation that issued them.
  struct StalledAppend {
    Duration latency;
    Event event;
  };
  std::deque<StalledAppend> stalled;
  // The storage engine's busy time charged while a stall is in force: the window's end puts it
  // on the queue ahead of the appends the stall held.
  Duration stalled_engine_busy;
  Time engine_busy_until;  // when the engine's latest charged I/O ends on this disk
  // When each machine crash (power loss) happened, oldest first: what the node's kernel still
  // held to send died then (Impl::LostWithSender).
  std::vector<Time> power_losses;
};

// A message held by a clog (in the sender's kernel until the clog ends), or in flight under a
// delivery policy; the last two fields as in Event.
struct HeldMessage {
  NodeId from;
  NodeId to;
  uint64_t msg_digest;
  Message msg;
  Time leaves_sender;
  uint32_t sender_power_losses = 0;
  uint64_t receiver_incarnation = 0;
  uint64_t connection = 0;
  std::shared_ptr<const CorruptFrame> frame;  // in flight only: a held message has not departed
};

// A crash waiting for a node's mark (Cluster::ArmCrashOnMark).
struct MarkTrigger {
  NodeId node;
  std::string mark;
  CrashMode mode = CrashMode::kProcess;
  FaultIndex armed = kNoFault;  // the fault log entry that armed it: a firing is its effect
};

struct ScheduledAction {
  std::string label;
  std::function<void(Cluster&)> fn;
};

// Sets the node and local time that assertion reports and log lines carry, for one scope.
class AssertContextScope {
 public:
  AssertContextScope(const std::string& node, Time local) {
    AssertContext& ctx = CurrentAssertContext();
    ctx.node = node;  // copies into the existing buffer: no allocation per step
    ctx.time_ns = local.ns();
  }
  ~AssertContextScope() {
    AssertContext& ctx = CurrentAssertContext();
    ctx.node.clear();
    ctx.time_ns = -1;
  }
  AssertContextScope(const AssertContextScope&) = delete;
  AssertContextScope& operator=(const AssertContextScope&) = delete;
};

}  // namespace kernel

struct Cluster::Impl {
  using Event = kernel::Event;
  using NodeState = kernel::NodeState;

  Impl(Cluster* owner, ClusterOptions options);

  Rng& Stream(const std::string& name);
  NodeId AddNode(std::string name, NodeFactory factory, ClockConfig clock);
  void BootNode(NodeId id);

  // A queue slot at `at` with every field but the input reset; the caller sets the input.
  Event& NewEvent(Time at, kernel::EventKind kind, NodeId node, uint64_t incarnation);
  bool ExecuteNext();
  bool DeliverInput(Event& e);
  bool Stale(const NodeState& ns, const Event& e) const;
  bool MustPark(const NodeState& ns, const Event& e) const;
  void Park(NodeState& ns, Event&& e);
  bool Drain(const Event& drain);
  void ScheduleDrain(NodeState& ns, NodeId id);
  bool Deliver(NodeState& ns, const Event& e);
  bool DropDelivery(const Event& e, const char* why, uint64_t* counter);
  // True when the sender of `e` (a Receive) lost power while the message still waited in its
  // kernel: it never left the machine, so it never arrives.
  bool LostWithSender(const Event& e) const;
  // Why the connection that carried `e` (a Receive) broke before it arrived, or nullptr: its
  // receiver restarted since it was sent, or a reset broke the link's sessions.
  const char* ConnectionGone(const Event& e) const;
  uint32_t PowerLosses(NodeId node) const {
    return static_cast<uint32_t>(nodes[node.value()]->power_losses.size());
  }
  void StepNode(NodeState& ns, const Event& e);
  void ExecuteEffect(NodeState& ns, NodeId id, Effect& effect, uint64_t msg_digest);
  // Set by an Exit effect of the step being executed.
  std::optional<std::string> exit_reason;
  // Set by a Mark effect of the step being executed that an armed trigger waits for; the crash
  // comes once the step's effects are done (FireMarkTrigger).
  std::optional<uint64_t> fired_trigger;
  void MatchMarkTrigger(NodeId id, const std::string& mark);
  void FireMarkTrigger(NodeId id);
  // A coverage mark of `id`'s (its Mark effect, or one the kernel sets for it): triggers, the
  // fault ledger's credit, the run's set.
  void RecordMark(NodeId id, std::string name);
  void ArmTimer(NodeState& ns, NodeId id, TimerId timer, Duration after);
  void StartAppend(NodeState& ns, NodeId id, const AppendLog& append);
  // The completion event of an append whose drawn latency is `latency`, for the caller to fill:
  // in the queue after the disk's backlog and the latency (multiplied on a slow disk), or held by
  // a stall until its window ends (cluster_disk_slow.cc).
  Event& AppendCompletion(NodeState& ns, NodeId id, Duration latency);
  // Schedules what a stall held on the node's disk, in issue order.
  void ReleaseStalled(NodeState& ns);
  // Charges what the node's storage engine wrote and synced in the step just taken as busy time
  // on its disk queue (DiskLatency::engine_mb_per_s; nothing when 0); returns the time charged.
  Duration ChargeEngineIo(NodeState& ns);
  void SendMessage(NodeId from, NodeId to, uint64_t msg_digest, Message msg);
  // What connection a message rides, fixed when it is sent (a held one's at its send).
  struct Carried {
    uint64_t receiver_incarnation = 0;  // Event::receiver_incarnation
    uint64_t connection = 0;            // Event::connection
  };
  void Depart(NodeId from, NodeId to, uint64_t msg_digest, Message msg, Carried carried);
  // The damaged frame a corruption rule makes of `msg` as it departs, or null (cluster_corrupt.cc).
  // Depart asks only while a rule is in force, after every other draw of the departure: its
  // draws come from a stream of their own, so they shift no latency, loss or delay draw.
  std::shared_ptr<const kernel::CorruptFrame> MaybeCorrupt(NodeId from, NodeId to,
                                                           const Message& msg);
  // The receiver's check of a damaged frame: dropped (traced), or delivered as what it decodes to.
  bool DeliverFrame(NodeState& ns, const Event& e);
  // The receiver incarnation a message sent to `to` now is carried to
  // (Event::receiver_incarnation).
  uint64_t ConnectionTo(NodeId to) const;
  void ReleaseHeld();
  // A delivery tick: the policy picks one link's oldest in-flight message, which is delivered.
  bool DeliveryTick();
  bool Halted() const { return options.delivery_policy && options.delivery_policy->halted(); }
  void RunAction(uint64_t id);
  void Crash(NodeId id, CrashMode mode);
  // Trace lines (recording only) saying what a power loss left of each file with unsynced bytes.
  void TracePowerLoss(const NodeState& ns, const std::vector<SimDisk::PowerLossOutcome>& cuts);
  // Breaks the sessions between a and b for the fault just logged; the messages they lose are
  // dropped (and counted as its effects) where they would have arrived or departed.
  void ResetLink(NodeId a, NodeId b);
  // Hands the node's disk its current I/O fault probabilities (window, else global).
  void ApplyDiskFaults(NodeId id);
  void CheckGlobalInvariants();
  void SetFailure(std::string kind, std::string detail);
  void LogFault(std::string description);
  // The fault log's newest entry (logged just now) had `n` effects (fault_effects.h).
  void TookEffect(uint64_t n = 1) { effects.Add(fault_log.size() - 1, n); }
  FaultIndex LastFault() const { return fault_log.size() - 1; }
  // Hands the ledger the I/O errors the node's disk (or every disk) failed since it last looked.
  void CountDiskErrors(NodeId id) { effects.Disk(id, nodes[id.value()]->disk.io_errors()); }
  void CountDiskErrors();
  // Whether any disk may fail an operation now: only then can its error count move (a change of
  // setting counts first, cluster_faults.cc).
  bool DiskErrorsPossible() const {
    return disk_faults.io_error_probability > 0 || !disk_fault_windows.empty();
  }
  bool Valid(NodeId id) const;

  Cluster* owner;
  ClusterOptions options;
  Time now;
  uint64_t events = 0;
  bool in_event = false;
  uint64_t current_index = 0;     // the index of the event being executed
  std::optional<NodeId> stepped;  // the node the current event stepped, if any
  EventQueue<Event> queue;
  std::vector<std::unique_ptr<NodeState>> nodes;  // by NodeId; unique_ptr: NodeEnv points in
  std::map<std::string, NodeId> by_name;
  std::map<std::string, Xoshiro256> streams;  // references stay valid as streams are added
  Network network;
  CorruptRules corruptions;  // AddCorruption; draws from the "frame_corrupt" stream
  Rng* net_rng;
  Rng* disk_rng;
  DiskLatency disk_latency;
  DiskFaults disk_faults;
  std::map<NodeId, IoFaults> disk_fault_windows;  // SetNodeDiskFaults, by node
  NetworkStats stats;
  std::vector<kernel::HeldMessage> held;  // messages waiting for a clog to end, in send order
  // With a delivery policy only: messages in flight, per link (from, to), oldest first. A map, so
  // the policy always sees the links in one order.
  std::map<std::pair<uint32_t, uint32_t>, std::deque<kernel::HeldMessage>> in_flight;
  std::vector<DeliveryCandidate> candidates;  // reused by every tick
  bool policy_attached = false;
  Trace trace;
  Outbox outbox;  // reused by every step
  uint64_t timer_generation = 0;
  std::map<uint64_t, kernel::ScheduledAction> actions;
  uint64_t next_action = 0;
  std::vector<std::pair<std::string, Invariant>> invariants;
  LivenessCondition liveness;
  std::optional<Failure> failure;
  std::vector<RecordedOp> history;
  std::set<std::string> marks;
  std::vector<std::pair<Time, std::string>> fault_log;
  FaultEffects effects;  // what each entry of fault_log did; never traced
  std::map<uint64_t, kernel::MarkTrigger> mark_triggers;  // armed, by id (arming order)
  uint64_t next_mark_trigger = 0;
  EventObserver observer;
  std::vector<EventObserver> more_observers;
  ExitObserver exit_observer;
};

}  // namespace pg::sim
