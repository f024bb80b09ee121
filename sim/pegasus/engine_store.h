#pragma once
// EngineStore: the host-side keeper of one node's KvEngines, so that their durable state outlives
// the Node objects (a crash deletes the ReplicaServer and every engine it holds).
//
// Open(gpid) is the ReplicaServerOptions::open_engine of that node. It returns a handle; dropping
// the handle closes the engine the way a crash does: RocksDB's WAL is off (as in Pegasus,
// PEGASUS.md §1.10), so whatever was applied since the last Flush is gone on the next Open.
//  - "memory": the store keeps a MemEngine per gpid and calls SimulateCrash() on it at each Open.
//  - "rocksdb": a real RocksDbEngine in /pegasim/<node>/<gpid> on the node's SimDisk, through a
//    SimRocksEnv (sim/pegasus/rocks_env.h) the store keeps: closing the DB without a flush loses
//    the memtable; the SST files stay as far as RocksDB synced them, so a machine crash, a torn
//    write or an I/O error reaches RocksDB exactly as it reaches the mutation log.
// The store also remembers each engine's durable decree, which the "monotonic" invariant uses as
// the floor a restarted replica's commit point must not fall below. A wiped disk (SimDisk::Wipe)
// takes the engines with it: a MemEngine and its durable decree are forgotten at the next Open
// after the disk's generation changed (RocksDB's files are gone from the disk itself).
// With a ContentLedger attached, each engine's content digest (engine_content.h) is kept from
// what it applies and restores, and recorded in the ledger at every applied decree; the digest of
// the durable state (as of the last Flush or restore) is what an engine reopened at that decree
// holds. An engine reopened at another decree (RocksDB flushed on its own) is not recorded until
// it restores a checkpoint.
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "core/common/result.h"
#include "core/common/time.h"
#include "core/storage/kv_engine.h"
#include "sim/pegasus/engine_content.h"

namespace pg::sim {

class SimDisk;
class SimRocksEnv;
struct ContentRecorder;  // engine_store.cc

class EngineStore {
 public:
  // storage: "memory" or "rocksdb". node_name names the RocksDB directory.
  EngineStore(std::string storage, std::string node_name);
  // "rocksdb" needs the node's disk before the first Open; `now` is the node's local clock.
  // Both must outlive every engine the store opens.
  void AttachDisk(SimDisk* disk, std::function<Time()> now);
  // Records every engine's content digest in `ledger` from now on.
  void AttachContentLedger(std::shared_ptr<ContentLedger> ledger);
  ~EngineStore();
  EngineStore(const EngineStore&) = delete;
  EngineStore& operator=(const EngineStore&) = delete;

  // kBusy when the gpid's engine is still open (a second Open without closing the first);
  // kInvalidArgument for an unknown storage; RocksDB's errors otherwise.
  Result<std::unique_ptr<KvEngine>> Open(Gpid gpid);

  // Forgets the gpid's closed engine and deletes its files (RocksDB's directory): Pegasus moves
  // the directory of a replica whose data was corrupted to the error path when it closes
  // (replica_stub.cpp close_replica -> move_to_err_path), so a new replica of the gpid starts
  // empty. The next Open creates a new database.
  void Discard(Gpid gpid);

  // The last durable decree of the gpid's engine as of its last Open/Flush/Restore (0 if never).
  Decree DurableDecree(Gpid gpid) const;
  bool IsOpen(Gpid gpid) const;

  struct Slot;  // one gpid's engine state (engine_store.cc)

 private:
  std::string DbPath(Gpid gpid) const;  // the gpid's RocksDB directory on the disk
  ContentRecorder Recorder(Gpid gpid) const;

  std::string storage_;
  std::string node_name_;
  SimDisk* disk_ = nullptr;
  std::shared_ptr<SimRocksEnv> env_;  // rocksdb only; shared with open handles
  std::map<Gpid, std::shared_ptr<Slot>> slots_;
  std::shared_ptr<ContentLedger> ledger_;
};

}  // namespace pg::sim
