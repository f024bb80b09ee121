#pragma once
// EngineStore: the host-side keeper of one node's KvEngines, so that their durable state outlives
// the Node objects (a crash deletes the ReplicaServer and every engine it holds).
//
// Open(gpid) is the ReplicaServerOptions::open_engine of that node. It returns a handle; dropping
// the handle closes the engine the way a crash does: RocksDB's WAL is off (as in Pegasus,
// PEGASUS.md §1.10), so whatever was applied since the last Flush is gone on the next Open.
//  - "memory": the store keeps a MemEngine per gpid and calls SimulateCrash() on it at each Open.
//  - "rocksdb": a real RocksDbEngine over a per-node rocksdb::NewMemEnv(Env::Default()) that the
//    store keeps; closing the DB without a flush loses the memtable, the SST files stay.
//    The MemEnv is a stand-in: a later issue puts RocksDB on the simulated disk (SimDisk), where
//    machine crashes and I/O errors reach it too. Today RocksDB's files survive every crash.
// The store also remembers each engine's durable decree, which the "monotonic" invariant uses as
// the floor a restarted replica's commit point must not fall below.
#include <map>
#include <memory>
#include <string>

#include "core/common/result.h"
#include "core/storage/kv_engine.h"

namespace rocksdb {
class Env;
}

namespace pg::sim {

class EngineStore {
 public:
  // storage: "memory" or "rocksdb". node_name names the RocksDB directory.
  EngineStore(std::string storage, std::string node_name);
  ~EngineStore();
  EngineStore(const EngineStore&) = delete;
  EngineStore& operator=(const EngineStore&) = delete;

  // kBusy when the gpid's engine is still open (a second Open without closing the first);
  // kInvalidArgument for an unknown storage; RocksDB's errors otherwise.
  Result<std::unique_ptr<KvEngine>> Open(Gpid gpid);

  // The last durable decree of the gpid's engine as of its last Open/Flush/Restore (0 if never).
  Decree DurableDecree(Gpid gpid) const;
  bool IsOpen(Gpid gpid) const;

  struct Slot;  // one gpid's engine state (engine_store.cc)

 private:
  std::string storage_;
  std::string node_name_;
  std::shared_ptr<rocksdb::Env> env_;  // rocksdb only; shared with open handles
  std::map<Gpid, std::shared_ptr<Slot>> slots_;
};

}  // namespace pg::sim
