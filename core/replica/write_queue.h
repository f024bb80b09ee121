#pragma once
// Internal to core/replica. A primary's queue of client writes waiting to enter two-phase commit,
// Pegasus's mutation_queue (src/replica/mutation.{h,cpp}):
//  - a bounded pipeline: at most max_concurrent_op mutations are in 2PC (prepared, not yet
//    committed; Pegasus sets it to staleness_for_commit); a write arriving beyond waits here;
//  - batching: waiting puts and removes (RPC_RRDB_RRDB_PUT and _REMOVE, the two write codes
//    declared ALLOW_BATCH) gather in one pending mutation until it holds about 1 MiB or a write
//    that may not be batched arrives; every other write is a mutation of its own;
//  - row locks: an atomic write executed on the primary (the atomic_idempotent mode) reads the
//    applied state, so while a mutation that entered 2PC with a write to its row (hashkey) is not
//    yet applied it is set aside, blocked, and later work goes ahead of it; it is taken up again,
//    first, once the row's mutations are applied.
// The queue holds no replica state: the caller says whether the pipeline has room (fewer than
// staleness_for_commit mutations prepared and not committed) and what is applied, and prepares
// what it returns.
#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/common/ids.h"
#include "core/proto/client_messages.h"
#include "core/proto/replication_messages.h"

namespace pg {

struct QueuedWrite {
  NodeId client;
  ClientRequest request;
};

// One mutation's worth of client writes, in arrival order.
struct QueuedMutation {
  std::vector<QueuedWrite> writes;
  size_t approx_bytes = 0;
  bool blocking_candidate = false;  // an atomic write executed on the primary
};

// Whether Pegasus batches this kind of write with others into one mutation.
bool WriteAllowsBatch(OpKind kind);

class WriteQueue {
 public:
  // Pegasus's mutation::is_full: a pending mutation stops gathering writes at this size.
  static constexpr size_t kFullBytes = 1024 * 1024;

  // add_work: queues the write; returns a mutation to prepare now, if the pipeline has room.
  // `applied` is the last applied decree.
  std::optional<QueuedMutation> AddWork(QueuedWrite write, bool blocking_candidate, bool room,
                                        Decree applied);
  // next_work, after a commit: a mutation to prepare now, if any waits and the pipeline has room.
  std::optional<QueuedMutation> NextWork(bool room, Decree applied);
  // enter_2pc: a mutation was prepared at decree d; the rows its updates write stay locked until d
  // is applied. The caller enters re-prepared mutations too, where Pegasus, which takes the rows
  // from a mutation's client requests, has none for those a promoted secondary re-prepares
  // (docs/departures.md, "atomic writes").
  void EnterTwoPhaseCommit(const std::vector<WriteUpdate>& updates, Decree d, Decree applied);

  bool empty() const;
  size_t waiting_writes() const;

 private:
  void PromotePending();
  void TryPromotePending(OpKind kind);
  bool RowLocked(const QueuedMutation& mu, Decree applied) const;
  std::optional<QueuedMutation> TryUnblock(Decree applied);
  // Returns the mutation unless it must wait for its rows, then sets it aside.
  std::optional<QueuedMutation> PopOrBlock(QueuedMutation mu, Decree applied);
  // pop_or_block_queue: the queue's first mutation that need not wait, setting aside those before.
  std::optional<QueuedMutation> PopQueue(Decree applied);

  std::optional<QueuedMutation> pending_;
  std::deque<QueuedMutation> queue_;
  std::deque<QueuedMutation> blocked_;
  std::map<std::string, Decree> row_locks_;  // hashkey -> the last decree that wrote it
};

}  // namespace pg
