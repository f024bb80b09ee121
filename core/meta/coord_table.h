#pragma once
// CoordTable: where a meta server of a multi-meta cluster keeps its partition table and takes its
// leader lock: the coordination service (core/coord), as Pegasus keeps both in ZooKeeper
// (meta_service.cpp: the "dsn.meta.server.leader" lock; server_state.cpp: one znode per
// partition under the app's znode, read back by initialize_data_structure on takeover). A pure
// helper over CoordClient that MetaServer embeds; it owns no table, only the znode versions.
//
// Layout: "/meta/leader" is the ephemeral lock znode, holding the leader's NodeId in decimal;
// "/meta/app/<partition>" holds the partition's configuration, encoded as one meta.log record
// (meta_log.h: framed and checksummed).
//
// Fencing. Every write is a compare-and-set against the version the leader last read or wrote
// (a partition znode not yet created is created, which fails if it exists). A write fails
// (kExpired) once the session it was issued in is gone, and the lock dies with that session, so
// no write of a deposed leader can land after the next leader acquired the lock and read the
// table; a write that lands between another leader's read and its own write fails the CAS.
// Whatever fails or is unknown (kTimeout) is reported as a failure: the host steps down, closes
// the session (fencing what may still be in flight) and reads the table afresh if it leads again.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/coord/coord_client.h"
#include "core/proto/pegasus_types.h"

namespace pg {

inline constexpr char kMetaLeaderPath[] = "/meta/leader";
std::string PartitionZnodePath(int partition_index);

class CoordTable {
 public:
  enum class EventKind : uint8_t {
    kLoaded,   // the table read by Load: `table`
    kWritten,  // every configuration of Write(token) is durable
    kFailed,   // a load or write failed or its outcome is unknown: step down
  };
  struct Event {
    EventKind kind = EventKind::kFailed;
    uint64_t token = 0;  // kWritten, kFailed of a write
    // kLoaded: per partition, its configuration, or nullopt if its znode does not exist.
    std::vector<std::optional<PartitionConfiguration>> table;
    std::string why;  // kFailed
  };

  CoordTable(CoordClientOptions client, NodeId self, int partition_count);

  void Start(Time now, Outbox& out) { client_.Start(now, out); }
  bool OnMessage(NodeId from, const Message& msg, Time now, Outbox& out);
  bool OnTimer(TimerId timer, Time now, Outbox& out);

  // Leader election: campaigns for the lock (a no-op while held or while an attempt runs).
  void Campaign(Time now, Outbox& out);
  bool HoldsLock(Time now) const { return client_.HoldsLock(now); }
  // The meta the latest finished lock attempt found holding the lock, if another one.
  std::optional<NodeId> LeaderHint() const;
  // Gives the lock up: forgets every load and write in flight, closes the session (so that
  // nothing of it can take effect any more) and opens a new one.
  void Resign(Time now, Outbox& out);

  // Reads every partition's znode; a kLoaded (or kFailed) event follows.
  void Load(Time now, Outbox& out);
  // Writes `configs` (each a different partition); a kWritten or kFailed event with `token`
  // follows. Only after Load's kLoaded.
  void Write(uint64_t token, const std::vector<PartitionConfiguration>& configs, Time now,
             Outbox& out);
  std::vector<Event> TakeEvents();

  const CoordClient& client() const { return client_; }

  // The client's invariants, and the bookkeeping of loads and writes in flight (its owner's
  // CheckInvariants calls it).
  void CheckInvariants() const;

 private:
  struct PendingWrite {
    uint64_t token = 0;
    int partition = 0;
    bool create = false;
  };
  void OnResult(const CoordResult& r);
  void Fail(std::string why);

  CoordClient client_;
  NodeId self_;
  int partition_count_;
  // Load in flight: op id -> partition; what it read so far.
  std::map<uint64_t, int> loads_;
  std::vector<std::optional<PartitionConfiguration>> loaded_;
  // Per partition, the znode version the leader last read or wrote (nullopt: no znode).
  // Valid after a successful load.
  std::vector<std::optional<int64_t>> versions_;
  std::map<uint64_t, PendingWrite> writes_;  // op id -> write
  std::map<uint64_t, int> writes_left_;      // token -> operations still in flight
  std::vector<Event> events_;
  // The lock holder the last finished lock attempt saw (LeaderHint).
  std::optional<std::string> last_holder_;
};

}  // namespace pg
