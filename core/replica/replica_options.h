#pragma once
// ReplicaServerOptions (the contract in replica_server.h), apart so that Replica can see them
// without the server.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/common/bugs.h"
#include "core/common/ids.h"
#include "core/common/result.h"
#include "core/common/time.h"
#include "core/node/io.h"
#include "core/replica/replica_init_info.h"
#include "core/replica/replica_log.h"
#include "core/storage/kv_engine.h"

namespace pg {

struct ReplicaServerOptions {
  // Beacons and config traffic go to one of them at a time: the leader, found by forwards.
  std::vector<NodeId> meta_servers;
  std::string app_name = "temp";
  // Opens (or recovers) the engine of one replica at Boot; the host keeps engines' durable state
  // across crashes. Called once per gpid per incarnation.
  std::function<Result<std::unique_ptr<KvEngine>>(Gpid)> open_engine;
  // Deletes the closed engine of a replica whose data was corrupted, so that the next
  // open_engine of the gpid starts empty (Pegasus: replica_stub.cpp close_replica moves a
  // replica with _data_corrupted to the error path). Optional.
  std::function<void(Gpid)> discard_engine;
  Duration beacon_interval = Millis(1000);
  Duration lease = Millis(5000);                 // replica-side lease; meta's grace must be larger
  Duration group_check_interval = Millis(2000);  // also the empty-write interval
  Duration config_sync_interval = Millis(5000);
  Duration prepare_timeout = Millis(1500);
  // How often a replica flushes its engine, making last_durable catch up with last_applied
  // (Pegasus: the checkpoint timer, checkpoint_interval_seconds; shorter here so a minute-long run
  // flushes).
  Duration checkpoint_interval = Millis(10000);
  int staleness_for_commit = 20;  // Pegasus's bounded pipeline
  // Learning (PEGASUS.md §1.7): recent committed mutations kept in memory for LT_CACHE; plog
  // records kept for LT_LOG below the durable decree (Pegasus: log_private_reserve_max_*);
  // mutations per learn response; how long a learner waits for an answer, and how often.
  int learn_cache_decrees = 40;
  int plog_gc_reserve_decrees = 100;
  int learn_max_mutations = 256;
  Duration learn_retry_interval = Millis(2000);
  int learn_max_unanswered = 5;
  int mutation_2pc_min_replica_count = 2;
  // How atomic writes replicate (write_executor.h): false, Pegasus's default, re-executes them on
  // every replica from the logged request; true executes them on the primary and replicates the
  // result. Pegasus's is a table option (create_app's atomic_idempotent); here it is the
  // cluster's, fixed for a run (docs/departures.md, "atomic writes").
  bool atomic_idempotent = false;
  BugSet bugs;  // the bug zoo (core/common/bugs.h): all off but in bug hunts
};

// What a Replica needs from the server hosting it (Pegasus: replica_stub).
class ReplicaHost {
 public:
  virtual ~ReplicaHost() = default;
  virtual NodeId self() const = 0;
  virtual NodeId meta() const = 0;
  virtual const ReplicaServerOptions& options() const = 0;
  // The server's lease from meta (PEGASUS.md §1.9): now < last acked beacon send time + lease.
  virtual bool LeaseValid(Time now) const = 0;
  // The server's clock reading for the input it is handling: what Pegasus's utils::epoch_now()
  // would read while the handler runs (read only by a bug-zoo switch,
  // atomic_expiry_at_apply_clock).
  virtual Time StepClock() const = 0;
  // A draw from the server's randomness (the host's Rng): what upstream takes from dsn::rand.
  virtual uint64_t Random() = 0;
  // A fresh AppendLog token; completions for `file` are routed back to `gpid`.
  virtual uint64_t NewLogToken(const std::string& file, Gpid gpid) = 0;
  // Asks meta for this server's configuration now (after meta refused a configuration change).
  virtual void RequestConfigSync(Time now, Outbox& out) = 0;
  // A fresh id for a request to meta whose answer echoes it (UpdateConfigRequest): unique across
  // the server's incarnations, like config sync ids, so that an answer to any other request never
  // matches.
  virtual uint64_t NewMetaRequestId() = 0;
  // Reads a replica's private log from `first_segment` on (LT_LOG learning). A synchronous local
  // read, like the engine's (DESIGN.md §2).
  virtual SegmentedRead ReadPrivateLog(Gpid gpid, int32_t first_segment) const = 0;
  // Starts `gpid`'s private log afresh (a learner's, Replica::StartFreshLog): from the first
  // segment >= `at_least` that does not exist, which log completions are routed by from now on,
  // and an index entry (synced) that makes it the replica's first segment, so that a replay never
  // reads what was logged before. Replica::OnLogReset reports that entry's completion. Returns
  // the segment.
  virtual int32_t ResetPrivateLog(Gpid gpid, int32_t at_least, Outbox& out) = 0;
  // Writes `gpid`'s init info (replica_init_info.h), synced, without waiting for it: Pegasus's
  // update_init_info. Its completion is the server's; a failure is logged, as Pegasus's is.
  virtual void PersistInitInfo(Gpid gpid, const ReplicaInitInfo& info, Outbox& out) = 0;
};

}  // namespace pg
