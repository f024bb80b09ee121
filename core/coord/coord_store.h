#pragma once
// The coordination service's state: znodes (path -> data, version, ephemeral owner) and the open
// sessions. It changes only through Apply(CoordTxn), the one function both the live server and the
// log replay use, so a replayed log rebuilds exactly the state the server had.
//
// The namespace is flat: a path is "/" followed by non-empty components separated by single
// slashes ("/pegasus/meta/lock"), but a znode needs no parent and has no children list.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/status.h"
#include "core/proto/codec.h"
#include "core/proto/coord_messages.h"
#include "core/proto/coord_txn.h"

namespace pg {

// "/a/b": a slash, then non-empty components separated by single slashes.
bool ValidCoordPath(std::string_view path);

class CoordStore {
 public:
  // Checks `txn` against the current state and applies it if it is allowed. A refused txn
  // changes nothing. Never asserts on the txn's content: it may come from a client or a disk.
  ErrorCode Apply(const CoordTxn& txn);

  // The whole state as a value, and back. FromImage checks what Apply would have kept true (an
  // image may come from a disk or a peer): a bad image leaves the store as it was.
  CoordStoreImage ToImage() const;
  Status FromImage(const CoordStoreImage& image);

  const Znode* Find(const std::string& path) const;
  // A read of `path` for a live session: the znode into `resp`, or why not (kInvalidArgument,
  // kObjectNotFound) in resp.error. The caller judges the session.
  void AnswerRead(const std::string& path, CoordGetResponse& resp) const;
  // The sessions whose last-heard time (the server's clock) is more than their timeout ago.
  std::vector<CoordSessionId> Expired(const std::map<CoordSessionId, Time>& last_heard,
                                      Time now) const;
  bool HasSession(CoordSessionId session) const { return sessions_.contains(session); }
  // The negotiated timeout of a session the store holds.
  Duration SessionTimeout(CoordSessionId session) const;

  const std::map<std::string, Znode>& znodes() const { return znodes_; }
  // Each open session and the paths of its ephemeral znodes.
  struct Session {
    Duration timeout;
    std::set<std::string> ephemerals;
    bool operator==(const Session&) const = default;
  };
  const std::map<CoordSessionId, Session>& sessions() const { return sessions_; }

  void CheckInvariants() const;

 private:
  ErrorCode Open(const CoordTxn& txn);
  ErrorCode End(const CoordTxn& txn);
  ErrorCode Create(const CoordTxn& txn);
  ErrorCode Set(const CoordTxn& txn);
  ErrorCode Delete(const CoordTxn& txn);
  // The znode `txn` names if it exists and has the expected version, else why not.
  ErrorCode CheckVersion(const CoordTxn& txn) const;

  // Invariant: a znode with an ephemeral owner is listed in that session's ephemerals, and every
  // listed ephemeral is a znode owned by that session (an ephemeral never outlives its session).
  std::map<std::string, Znode> znodes_;
  std::map<CoordSessionId, Session> sessions_;
};

}  // namespace pg
