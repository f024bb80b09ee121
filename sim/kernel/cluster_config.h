#pragma once
// The plain configuration of a cluster's parts: links (network.h), clocks (sim_clock.h),
// partitions, crash modes and disks (cluster.h applies them). In a header of its own so that the
// parts need not include the whole Cluster.
#include <cstdint>
#include <optional>
#include <vector>

#include "core/common/ids.h"
#include "core/common/time.h"

namespace pg::sim {

// Per-link behaviour. Latency = min + Exp(mean - min) (so `mean` is the mean latency).
struct LinkConfig {
  Duration latency_min = Millis(1);
  Duration latency_mean = Millis(3);
  double drop_probability = 0.0;
  double duplicate_probability = 0.0;
  // Probability that a message ignores per-link FIFO order. Links are FIFO otherwise (TCP).
  double reorder_probability = 0.0;
  // A reordered message lags a further uniform [0, straggle_max] behind its drawn latency: a
  // straggler. rDSN carries the requests and the replies between two nodes on different TCP
  // sessions, and a session that lost a segment stalls for a retransmission timeout while the
  // other flows, so a reply can arrive seconds after requests sent later. 0: no lag (and no draw).
  Duration straggle_max;
  // A message of B bytes occupies its link's wire for B / bandwidth before its latency starts, and
  // later messages on the link wait for the wire: a big transfer (a checkpoint) takes simulated
  // time. 0: unlimited (sizes are then never computed).
  double bandwidth_bytes_per_ms = 0.0;
};

struct ClockConfig {
  Duration offset;         // local = global + offset + drift*global + jumps
  double drift_ppm = 0.0;  // positive: the local clock runs fast
};

// What a paused node's clock does: runs on (a stalled process, a long GC), or stands still (a
// paused virtual machine, whose guest clock is behind by the pause once it resumes).
enum class PauseClock : uint8_t { kRuns, kFrozen };

enum class CrashMode : uint8_t {
  kProcess,  // the process dies; the OS page cache (unsynced bytes) survives
  kMachine,  // power loss: unsynced bytes are lost
};

// A partition: messages between nodes of different groups are dropped. A node in no group is
// unaffected. With one_way, only messages from groups[0] to groups[1] are dropped.
struct PartitionSpec {
  std::vector<std::vector<NodeId>> groups;
  bool one_way = false;
};
using PartitionId = uint64_t;

// What a message is for, as a delay rule filters it (message_class.h): control messages steer
// membership and leadership (beacons and their acks, meta's proposals, configuration updates and
// syncs, group checks, the coordination service); data messages carry client operations,
// prepares and learning.
enum class MessageClass : uint8_t { kControl, kData };

// The connection a message from A to B rides (message_class.h): A's own session to B (its
// requests) or B's session to A (A's replies to B's requests).
enum class RpcSession : uint8_t { kRequests = 0, kReplies = 1 };

// A delay rule: while it is in force, each message departing on a matching link lags behind its
// drawn latency (network.h). A straggler lags a uniform [0, lag_max]; a held message departs no
// earlier than hold_until. Either way it stalls its session (RpcSession): the messages behind it on
// the same connection wait for it, as TCP delivers in order, while the other session between the
// two nodes, and every other link, keeps going.
struct DelaySpec {
  // The links it covers: from `from` to `to` when both are set, else every link from or to
  // `node` when set, else every link.
  std::optional<NodeId> node;
  std::optional<NodeId> from;
  std::optional<NodeId> to;
  std::optional<MessageClass> message_class;  // nullopt: every message
  double probability = 1;                     // each matching message is delayed with this chance
  Duration lag_max;                           // a straggler's extra lag (when no hold_until)
  std::optional<Time> hold_until;             // held: departs at this time
};
using DelayId = uint64_t;

// A corruption rule: while it is in force, each message departing on a matching link is, with
// `probability`, put on the wire as a damaged frame (frame.h): its encoding and checksum with 1 to
// `bits_max` bits flipped. The receiver checks the frame before its node sees anything, and drops
// one that fails (Cluster::AddCorruption). Scope as a DelaySpec's.
struct CorruptSpec {
  std::optional<NodeId> node;
  std::optional<NodeId> from;
  std::optional<NodeId> to;
  std::optional<MessageClass> message_class;  // nullopt: every message
  double probability = 1;
  uint32_t bits_max = 1;  // >= 1
};
using CorruptId = uint64_t;

// Means of the simulated disk's latencies (each drawn Exp(mean) from the "disk" stream). An
// AppendLog completes after the write latency, plus the sync latency when it asked for sync.
struct DiskLatency {
  Duration write_mean = Millis(1);
  Duration sync_mean = Millis(1);
  // The rate at which the disk takes the storage engine's own writes (SimDisk::EngineIo): after
  // a step, what the engine wrote costs bytes / rate and each of its syncs sync_mean, as busy
  // time on the node's disk queue, before the step's appends. 0: the engine's I/O takes no time.
  double engine_mb_per_s = 0;
};

// A fail-slow disk (Cluster::SetNodeDiskSlow): the node's process and network are fine, its disk
// is not. Either every latency drawn for an append on it is multiplied by `factor` (> 1), or
// (`stall`) no append issued while it is in force completes before it ends: each then completes
// its drawn latency after the end, in issue order. The AppendLog path pays disk latency (the
// mutation logs, meta.log, coord.log, the replica index and init-info appends), and with
// DiskLatency::engine_mb_per_s the storage engine's writes cost busy time too: a slow disk
// multiplies both, a stall holds the engine's busy time until it ends.
struct DiskSlow {
  double factor = 1;
  bool stall = false;
};

// Faults of every node's disk. io_error_probability is the chance that one operation of any kind
// (read, write, sync; sim_disk.h) fails, drawn from the "disk" stream only when it is > 0, so a
// fault-free run draws exactly what it drew before. A failed AppendLog write gives the node
// LogFailed{kIoError} after the usual latency and NOTHING of it reaches the file, so later appends
// to the same file stay contiguous with what was written before; a failed sync leaves the written
// bytes unsynced. RocksDB's file operations (rocks_fs.h) fail the same way.
// A machine crash leaves each file with unsynced bytes torn with torn_write_probability (part of
// what was never synced reached the platter: a prefix of its first unsynced append, whole
// appends, or pages written back out of order; SimDisk::LoseUnsynced), else cuts it to its synced
// length.
struct DiskFaults {
  double io_error_probability = 0;
  double torn_write_probability = 0.5;
};

}  // namespace pg::sim
