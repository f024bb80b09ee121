#pragma once
// Messages among the servers of a coordination quorum (core/coord/coord_peer.h): a ZooKeeper
// ensemble's election, synchronisation and atomic broadcast (ZAB), reduced to what the meta
// servers need. A zxid is (epoch << 32) | counter, so comparing zxids compares epochs first.
#include <cstdint>
#include <string>
#include <vector>

#include "core/common/ids.h"
#include "core/common/time.h"
#include "core/proto/codec.h"
#include "core/proto/coord_messages.h"
#include "core/proto/coord_txn.h"

namespace pg {

// The epoch a zxid belongs to, and the first zxid of an epoch (the leader's snapshot point).
inline constexpr uint64_t CoordEpochOf(uint64_t zxid) { return zxid >> 32; }
inline constexpr uint64_t CoordEpochStart(uint64_t epoch) { return epoch << 32; }

// A candidate for `epoch` asks for a vote. A server grants at most one vote per epoch, and only to
// a candidate whose history is at least as new as its own (last_zxid), so whoever wins holds
// every txn a quorum acknowledged.
struct CoordVoteRequest {
  static constexpr std::string_view kName = "CoordVoteRequest";
  uint64_t epoch = 0;
  uint64_t last_zxid = 0;
  PG_FIELDS(epoch, last_zxid);
  bool operator==(const CoordVoteRequest&) const = default;
};

struct CoordVoteResponse {
  static constexpr std::string_view kName = "CoordVoteResponse";
  uint64_t epoch = 0;  // the voter's accepted epoch after the request
  bool granted = false;
  PG_FIELDS(epoch, granted);
  bool operator==(const CoordVoteResponse&) const = default;
};

// One logged txn of a history.
struct CoordLogged {
  uint64_t zxid = 0;
  CoordTxn txn;
  PG_FIELDS(zxid, txn);
  bool operator==(const CoordLogged&) const = default;
};

// The leader brings a follower to its history: the store as of snap_zxid, then the txns after it
// (ZooKeeper's SNAP followed by proposals). Every state is small (the meta servers' tables), so a
// whole image is simpler than ZooKeeper's DIFF/TRUNC and as correct.
// sync_seq numbers the leader's syncs to one follower: an ack counts only for the newest, since a
// sync replaces what the follower's log holds.
struct CoordSync {
  static constexpr std::string_view kName = "CoordSync";
  uint64_t epoch = 0;
  uint64_t sync_seq = 0;
  uint64_t snap_zxid = 0;
  CoordStoreImage image;
  std::vector<CoordLogged> tail;
  uint64_t commit_zxid = 0;  // what the follower may apply once it logged the sync
  // The leader's clock when it sent this; a follower echoes it (CoordAck::lease_from).
  Time sent_at;
  PG_FIELDS(epoch, sync_seq, snap_zxid, image, tail, commit_zxid, sent_at);
  bool operator==(const CoordSync&) const = default;
};

// A txn the leader logged; prev_zxid lets the follower see a gap (a lost or reordered proposal).
struct CoordProposal {
  static constexpr std::string_view kName = "CoordProposal";
  uint64_t epoch = 0;
  uint64_t prev_zxid = 0;
  CoordLogged logged;
  uint64_t commit_zxid = 0;
  Time sent_at;  // as in CoordSync
  PG_FIELDS(epoch, prev_zxid, logged, commit_zxid, sent_at);
  bool operator==(const CoordProposal&) const = default;
};

// The leader's heartbeat and commit notice: everything up to commit_zxid is committed, and the
// leader's history ends at last_zxid (a follower behind it lost a proposal and asks for a sync).
struct CoordCommit {
  static constexpr std::string_view kName = "CoordCommit";
  uint64_t epoch = 0;
  uint64_t commit_zxid = 0;
  uint64_t last_zxid = 0;
  Time sent_at;  // as in CoordSync
  PG_FIELDS(epoch, commit_zxid, last_zxid, sent_at);
  bool operator==(const CoordCommit&) const = default;
};

// A follower's answer to a sync, a proposal or a heartbeat: since the sync sync_seq, its history
// is durable up to durable_zxid (0: not even the sync yet). need_sync: it cannot follow from there
// (a gap, or it never synced in this epoch); the leader answers with a CoordSync. A peer of a
// newer epoch answers a stale leader with its epoch, and the leader steps down.
struct CoordAck {
  static constexpr std::string_view kName = "CoordAck";
  uint64_t epoch = 0;
  uint64_t sync_seq = 0;
  uint64_t durable_zxid = 0;
  bool need_sync = false;
  // The newest sent_at this follower received from its leader: the leader counts it as heard at
  // that time of its own clock, not when the ack arrived, so a late ack cannot stretch its lease
  // past the moment the follower may give up on it.
  Time lease_from;
  PG_FIELDS(epoch, sync_seq, durable_zxid, need_sync, lease_from);
  bool operator==(const CoordAck&) const = default;
};

// A client's request that only the leader may decide (a session's open, keepalive or close, and
// every write), passed on by the server the client talks to; `request` is the encoded Message.
// The leader's answer comes back as a CoordRelay and goes on to the client.
struct CoordForward {
  static constexpr std::string_view kName = "CoordForward";
  uint64_t epoch = 0;
  NodeId client;
  std::string request;
  PG_FIELDS(epoch, client, request);
  bool operator==(const CoordForward&) const = default;
};

struct CoordRelay {
  static constexpr std::string_view kName = "CoordRelay";
  NodeId client;
  std::string response;
  PG_FIELDS(client, response);
  bool operator==(const CoordRelay&) const = default;
};

}  // namespace pg
