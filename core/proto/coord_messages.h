#pragma once
// Client <-> coordination service messages (core/coord): a ZooKeeper-like store of znodes, served
// by one server or by a quorum of them, that Pegasus's meta server uses for its state and for the
// leader lock (PEGASUS.md §1.1: meta_state_service + distributed_lock_service over ZooKeeper).
//
// Every request carries a request_id that its response echoes: a client gives each attempt a
// fresh id, so a late or duplicated response to an earlier attempt is recognised and ignored.
// Every request but CoordOpenSession names the session it belongs to; a request of a session the
// server does not hold (closed, expired, never opened) is answered kExpired and has no effect.
// Any request of a live session renews it on the server (in a quorum: on the leader, so a read a
// follower answers alone renews nothing; CoordGetResponse::renewed says which).
//
// Error codes (core/common/status.h, rDSN's zookeeper_error.cpp mapping):
//   kObjectNotFound    no znode at that path (ZNONODE)
//   kNodeAlreadyExist  create: a znode already has that path (ZNODEEXISTS)
//   kInvalidVersion    set/delete: the znode's version is not the expected one (ZBADVERSION)
//   kExpired           the session is not live (ZSESSIONEXPIRED)
//   kInvalidArgument   a malformed path
#include <cstdint>
#include <string>

#include "core/common/ids.h"
#include "core/common/status.h"
#include "core/common/time.h"
#include "core/proto/codec.h"

namespace pg {

struct CoordSessionTag {};
// A session of the coordination service; the server picks it. 0 = none.
using CoordSessionId = StrongId<CoordSessionTag, uint64_t>;
inline constexpr CoordSessionId kNoCoordSession{0};

// set/delete with this expected version match any version (ZooKeeper's -1).
inline constexpr int64_t kAnyVersion = -1;

struct CoordOpenSession {
  static constexpr std::string_view kName = "CoordOpenSession";
  uint64_t request_id = 0;
  Duration timeout;  // requested; the server clamps it to its [min, max]
  PG_FIELDS(request_id, timeout);
  bool operator==(const CoordOpenSession&) const = default;
};

struct CoordOpenSessionResponse {
  static constexpr std::string_view kName = "CoordOpenSessionResponse";
  uint64_t request_id = 0;
  ErrorCode error = ErrorCode::kOk;
  CoordSessionId session;
  Duration timeout;  // the negotiated timeout
  // The zxid of the state this answer reflects (a write's own txn); the client never reads
  // from a server behind the newest zxid it has seen.
  uint64_t zxid = 0;
  PG_FIELDS(request_id, error, session, timeout, zxid);
  bool operator==(const CoordOpenSessionResponse&) const = default;
};

struct CoordKeepAlive {
  static constexpr std::string_view kName = "CoordKeepAlive";
  uint64_t request_id = 0;
  CoordSessionId session;
  PG_FIELDS(request_id, session);
  bool operator==(const CoordKeepAlive&) const = default;
};

struct CoordKeepAliveResponse {
  static constexpr std::string_view kName = "CoordKeepAliveResponse";
  uint64_t request_id = 0;
  ErrorCode error = ErrorCode::kOk;  // kExpired: the session is gone
  uint64_t zxid = 0;                 // as in CoordOpenSessionResponse
  PG_FIELDS(request_id, error, zxid);
  bool operator==(const CoordKeepAliveResponse&) const = default;
};

// Ends the session; its ephemeral znodes are deleted.
struct CoordCloseSession {
  static constexpr std::string_view kName = "CoordCloseSession";
  uint64_t request_id = 0;
  CoordSessionId session;
  PG_FIELDS(request_id, session);
  bool operator==(const CoordCloseSession&) const = default;
};

struct CoordCloseSessionResponse {
  static constexpr std::string_view kName = "CoordCloseSessionResponse";
  uint64_t request_id = 0;
  ErrorCode error = ErrorCode::kOk;
  uint64_t zxid = 0;  // as in CoordOpenSessionResponse
  PG_FIELDS(request_id, error, zxid);
  bool operator==(const CoordCloseSessionResponse&) const = default;
};

// A new znode with version 0. An ephemeral znode lives as long as the session that created it.
struct CoordCreate {
  static constexpr std::string_view kName = "CoordCreate";
  uint64_t request_id = 0;
  CoordSessionId session;
  std::string path;
  std::string data;
  bool ephemeral = false;
  PG_FIELDS(request_id, session, path, data, ephemeral);
  bool operator==(const CoordCreate&) const = default;
};

struct CoordCreateResponse {
  static constexpr std::string_view kName = "CoordCreateResponse";
  uint64_t request_id = 0;
  ErrorCode error = ErrorCode::kOk;
  uint64_t zxid = 0;  // as in CoordOpenSessionResponse
  PG_FIELDS(request_id, error, zxid);
  bool operator==(const CoordCreateResponse&) const = default;
};

struct CoordGet {
  static constexpr std::string_view kName = "CoordGet";
  uint64_t request_id = 0;
  CoordSessionId session;
  std::string path;
  // The newest zxid the client has seen: a server behind it holds the read until it caught up.
  uint64_t seen_zxid = 0;
  PG_FIELDS(request_id, session, path, seen_zxid);
  bool operator==(const CoordGet&) const = default;
};

struct CoordGetResponse {
  static constexpr std::string_view kName = "CoordGetResponse";
  uint64_t request_id = 0;
  ErrorCode error = ErrorCode::kOk;
  std::string data;
  int64_t version = 0;
  CoordSessionId ephemeral_owner;  // kNoCoordSession for a persistent znode
  uint64_t zxid = 0;               // as in CoordOpenSessionResponse
  // The leader heard the session at this request (a read a follower answered from its own
  // state did not reach the leader, so it does not prove the session alive).
  bool renewed = true;
  PG_FIELDS(request_id, error, data, version, ephemeral_owner, zxid, renewed);
  bool operator==(const CoordGetResponse&) const = default;
};

// Compare-and-set: replaces the data if the znode's version is expected_version (or
// expected_version is kAnyVersion); the version then grows by one.
struct CoordSet {
  static constexpr std::string_view kName = "CoordSet";
  uint64_t request_id = 0;
  CoordSessionId session;
  std::string path;
  std::string data;
  int64_t expected_version = kAnyVersion;
  PG_FIELDS(request_id, session, path, data, expected_version);
  bool operator==(const CoordSet&) const = default;
};

struct CoordSetResponse {
  static constexpr std::string_view kName = "CoordSetResponse";
  uint64_t request_id = 0;
  ErrorCode error = ErrorCode::kOk;
  int64_t version = 0;  // the new version when kOk
  uint64_t zxid = 0;    // as in CoordOpenSessionResponse
  PG_FIELDS(request_id, error, version, zxid);
  bool operator==(const CoordSetResponse&) const = default;
};

struct CoordDelete {
  static constexpr std::string_view kName = "CoordDelete";
  uint64_t request_id = 0;
  CoordSessionId session;
  std::string path;
  int64_t expected_version = kAnyVersion;
  PG_FIELDS(request_id, session, path, expected_version);
  bool operator==(const CoordDelete&) const = default;
};

struct CoordDeleteResponse {
  static constexpr std::string_view kName = "CoordDeleteResponse";
  uint64_t request_id = 0;
  ErrorCode error = ErrorCode::kOk;
  uint64_t zxid = 0;  // as in CoordOpenSessionResponse
  PG_FIELDS(request_id, error, zxid);
  bool operator==(const CoordDeleteResponse&) const = default;
};

}  // namespace pg
