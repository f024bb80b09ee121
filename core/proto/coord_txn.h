#pragma once
// What the coordination service stores and logs, shared by its server (core/coord) and the
// messages of its quorum (coord_quorum_messages.h): the txn, the znode, and the whole state as
// one value.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/time.h"
#include "core/proto/codec.h"
#include "core/proto/coord_messages.h"

namespace pg {

enum class CoordTxnKind : uint8_t {
  kOpenSession = 0,
  kCloseSession = 1,   // the client asked
  kExpireSession = 2,  // the server's session timer ran out
  kCreate = 3,
  kSet = 4,
  kDelete = 5,
};
std::string_view CoordTxnKindName(CoordTxnKind kind);

// One mutation of the store (ZooKeeper's "txn"): what the server appends to its log, one record
// each, and replays at boot.
struct CoordTxn {
  CoordTxnKind kind = CoordTxnKind::kCreate;
  CoordSessionId session;  // the session it acts for; for kOpenSession the new session's id
  Duration timeout;        // kOpenSession: the negotiated session timeout
  std::string path;        // kCreate, kSet, kDelete
  std::string data;        // kCreate, kSet
  bool ephemeral = false;  // kCreate
  int64_t expected_version = kAnyVersion;  // kSet, kDelete
  PG_FIELDS(kind, session, timeout, path, data, ephemeral, expected_version);
  bool operator==(const CoordTxn&) const = default;
};

struct Znode {
  std::string data;
  int64_t version = 0;             // 0 at create, +1 per set
  CoordSessionId ephemeral_owner;  // kNoCoordSession for a persistent znode
  PG_FIELDS(data, version, ephemeral_owner);
  bool operator==(const Znode&) const = default;
};

// An open session and the paths of its ephemeral znodes, in order.
struct CoordSessionState {
  Duration timeout;
  std::vector<std::string> ephemerals;
  PG_FIELDS(timeout, ephemerals);
  bool operator==(const CoordSessionState&) const = default;
};

// The whole state of the store, as a value (a quorum's snapshot).
struct CoordStoreImage {
  std::map<std::string, Znode> znodes;
  std::map<CoordSessionId, CoordSessionState> sessions;
  PG_FIELDS(znodes, sessions);
  bool operator==(const CoordStoreImage&) const = default;
};

}  // namespace pg
