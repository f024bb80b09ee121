#pragma once
// CoordClient: the client side of the coordination service (core/coord/coord_server.h, one
// server; core/coord/coord_peer.h, a quorum of them), a pure helper that a Node embeds (the
// MetaServer, for its state and its leader lock). It is not a Node itself: the host forwards it
// the inputs that are its own and it puts its effects in the host's Outbox.
//
// What the host does:
//   - Start(now, out) once (on Boot): opens a session.
//   - OnMessage(from, msg, now, out) for every Receive; it returns true if the message was the
//     client's (a response from one of the coordination servers).
//   - OnTimer(timer, now, out) for every TimerFired; true if the timer was the client's. The client
//     arms options.keepalive_timer and options.retry_timer, two ids the host reserves for it.
//   - Create/Get/Set/Delete issue operations; TakeResults() hands back the finished ones.
//   - TryAcquireLock/HoldsLock: leader election (below).
//
// Servers (ZooKeeper's connect string). The client talks to one current server of
// options.servers at a time: every request goes to it. When an attempt sent to the current
// server goes unanswered for request_timeout (an operation's attempt, an open attempt, a
// keepalive), the client moves on to the next server in the list (mark coord.client_rotated
// with more than one), and later sends go there; a quorum peer that is not serving drops
// requests, so its clients time out and move on (coord_peer.h). A response from any server of the
// list counts (matched by its request_id as below); anything from another node is not the
// client's. With one server the client never moves.
//
// What the client has seen. Every response carries the zxid of the state it reflects; the client
// keeps the newest it accepted (seen_zxid) and sends it with every read, and a server behind it
// holds the read until it caught up: one client never reads a state older than one it saw, even
// after moving to a follower that lags (ZooKeeper's lastZxid).
//
// Sessions. The client keeps one session open: it sends a keepalive every keepalive_interval
// (at most a third of the negotiated timeout). A response to a request of the session that the
// session's renewal stands behind proves that the service heard the session at or after the
// request's send time on the clock that expires it (the single server's, or the quorum leader's:
// a keepalive and every write are decided by the leader), so the client keeps `confirmed_at_`, the
// latest send time (own clock) of such a request answered without kExpired. A read a follower
// answered from its own state (CoordGetResponse::renewed false) proves nothing of the kind and is
// not counted. The session is known alive while now < confirmed_at_ + timeout - safety_margin. At
// confirmed_at_ + timeout the client gives the session up, or at once on a kExpired, and opens a
// new one; operations in flight then finish with kTimeout (their outcome is unknown).
//
// Operations. Each attempt carries a fresh request_id; a response whose request_id is not the
// current attempt's is stale and ignored. An attempt unanswered for request_timeout is re-sent
// (to the current server, which that timeout may just have moved); an operation unanswered for
// op_timeout finishes with kTimeout. The service does not deduplicate retries, so after a re-send
// (attempts > 1) a create may report kNodeAlreadyExist, a set or delete kInvalidVersion or
// kObjectNotFound, because an earlier attempt of the same operation took effect: a caller that
// retries a write must re-read to learn the outcome, as with ZooKeeper.
//
// The leader lock (Pegasus's distributed_lock_service over ZooKeeper, "dsn.meta.server.leader"):
// TryAcquireLock(path, owner_id) creates an ephemeral znode holding owner_id. kOk means the lock
// is ours; kNodeAlreadyExist is followed by a read, and the lock is ours only if the znode's
// ephemeral owner is our session (an earlier attempt created it). The lock lives exactly as long
// as the session in the service, and HoldsLock(now) is true only while the lock was acquired in
// the current session and that session is known alive.
//
// Why a deposed holder stops acting before anyone else can acquire the lock. Let T be the
// session timeout, M the safety margin, and rho the bound on the drift of any clock (each clock
// advances between 1 - rho and 1 + rho seconds per real second). "The server" below is the one
// whose clock expires sessions: the single server, or the quorum's leader, which renews a
// session on every keepalive and write it decides and expires sessions on its own clock (a new
// leader gives every session a full timeout from its establishment, which only helps, as a
// restart does). Let s be confirmed_at_: the client sent a request at its local time s and the
// server answered it without kExpired, so the server received it at some real time r no earlier
// than the send, and set its last-heard time for the session to at least its own clock at r.
// (a) The client believes it holds the lock only until its clock reads s + T - M, which is at
// most (T - M) / (1 - rho) real time after the send. (b) The server deletes the ephemeral znode
// only by expiring the session, and it expires it only when its clock has advanced more than T
// past the last-heard time, so at least T / (1 + rho) real time after r. A second client can
// create the lock znode only after that. Since the send is no later than r, (a) ends before (b)
// whenever (T - M) / (1 - rho) <= T / (1 + rho), that is M >= 2 * rho * T / (1 + rho); a margin
// of 2 * rho * T (plus the host's own reaction time) is enough, and the default T / 10 covers rho
// up to 5%. A server restart only helps: restored sessions get a full timeout from the boot. A
// follower's read answered alone never reached the leader, so its answer says nothing about r:
// counting it would let the client believe past (b) (hence CoordGetResponse::renewed). Requests
// of the session are fenced too: the service answers kExpired to every request of an expired
// session, so no coordination write of a deposed holder can take effect after the next holder
// acquired the lock. Assumed: clocks drift within rho and do not jump; the host checks
// HoldsLock(now) at the moment it acts. What the holder already sent to others (e.g. a config
// proposal in flight) is not covered and needs its own fencing (ballots).
#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/node/io.h"
#include "core/proto/message.h"

namespace pg {

struct CoordClientOptions {
  // The coordination servers, in the order the client tries them (non-empty, no repeats); it
  // starts with the first.
  std::vector<NodeId> servers;
  Duration session_timeout = Millis(10000);  // requested; the server may clamp it
  Duration keepalive_interval = Millis(1000);
  Duration request_timeout = Millis(1000);
  Duration op_timeout = Millis(5000);
  // Must be at least 2 * rho * session_timeout (see above).
  Duration safety_margin = Millis(1000);
  TimerId keepalive_timer;
  TimerId retry_timer;
};

enum class CoordOpKind : uint8_t { kCreate, kGet, kSet, kDelete };

struct CoordResult {
  uint64_t op_id = 0;
  CoordOpKind kind = CoordOpKind::kGet;
  std::string path;
  ErrorCode error = ErrorCode::kOk;  // kTimeout: outcome unknown
  std::string data;                  // kGet
  int64_t version = 0;               // kGet; kSet: the new version
  CoordSessionId ephemeral_owner;    // kGet
  int attempts = 0;
};

class CoordClient {
 public:
  explicit CoordClient(CoordClientOptions options);

  void Start(Time now, Outbox& out);
  // Closes the session (its ephemeral znodes, the lock among them, go with it) and stays idle
  // until Start.
  void Close(Time now, Outbox& out);
  bool OnMessage(NodeId from, const Message& msg, Time now, Outbox& out);
  bool OnTimer(TimerId timer, Time now, Outbox& out);

  // Each returns the operation's id; its CoordResult comes out of TakeResults. Without a session
  // known alive the operation finishes at once with kExpired.
  uint64_t Create(const std::string& path, const std::string& data, bool ephemeral, Time now,
                  Outbox& out);
  uint64_t Get(const std::string& path, Time now, Outbox& out);
  uint64_t Set(const std::string& path, const std::string& data, int64_t expected_version, Time now,
               Outbox& out);
  uint64_t Delete(const std::string& path, int64_t expected_version, Time now, Outbox& out);
  std::vector<CoordResult> TakeResults();

  // ---- Leader lock ----
  // Starts an attempt unless one is running. Without a session known alive it does nothing.
  void TryAcquireLock(const std::string& path, const std::string& owner_id, Time now, Outbox& out);
  bool HoldsLock(Time now) const;
  bool lock_attempt_running() const { return lock_ && lock_->op_id != 0; }
  // The owner_id that the last attempt found holding the lock (ours if we hold it).
  std::optional<std::string> lock_holder() const;

  // ---- Session ----
  bool SessionAlive(Time now) const;
  CoordSessionId session() const { return session_; }
  Duration session_timeout() const { return timeout_; }
  int sessions_lost() const { return sessions_lost_; }

  // ---- Servers ----
  // Where requests go now.
  NodeId current_server() const;
  // How often the client moved on to the next server.
  uint64_t rotations() const { return rotations_; }
  // The newest zxid of a response the client accepted (sent with every read).
  uint64_t seen_zxid() const { return seen_zxid_; }

  void CheckInvariants() const;

 private:
  enum class State : uint8_t { kIdle, kOpening, kOpen };
  struct PendingOp {
    CoordOpKind kind = CoordOpKind::kGet;
    std::string path;
    std::string data;
    bool ephemeral = false;
    int64_t expected_version = kAnyVersion;
    bool for_lock = false;  // issued by the lock recipe; not reported by TakeResults
    Time deadline;          // of the operation
    uint64_t request_id = 0;
    Time sent_at;      // of the current attempt
    uint64_t via = 0;  // rotations_ when the current attempt was sent (names its server)
    int attempts = 0;
  };
  struct KeepAlive {
    Time sent_at;
    uint64_t via = 0;  // as PendingOp::via
  };
  struct Lock {
    std::string path;
    std::string owner_id;
    uint64_t op_id = 0;  // the recipe's operation in flight, 0 = none
    bool held = false;
    CoordSessionId session;  // the session it was acquired in
    std::optional<std::string> holder;
  };

  void SendOpen(Time now, Outbox& out);
  void OnOpened(const CoordOpenSessionResponse& resp, Time now, Outbox& out);
  void OnKeepAliveResponse(const CoordKeepAliveResponse& resp, Time now, Outbox& out);
  void OnKeepAliveTimer(Time now, Outbox& out);
  void OnRetryTimer(Time now, Outbox& out);
  // An operation's response as the client reads it.
  struct OpAnswer {
    uint64_t request_id = 0;
    uint64_t zxid = 0;
    bool renewed = true;  // the answer proves the session renewed at the attempt (see Confirm)
    CoordResult result;
  };
  void OnOpResponse(OpAnswer answer, Time now, Outbox& out);
  // Gives the session up: in-flight operations finish with kTimeout, the lock is lost, and a new
  // session is opened unless `reopen` is false.
  void LoseSession(const char* why, bool reopen, Time now, Outbox& out);
  uint64_t Issue(PendingOp op, Time now, Outbox& out);
  void SendAttempt(uint64_t op_id, PendingOp& op, Time now, Outbox& out);
  void ArmRetryTimer(Time now, Outbox& out);
  void Finish(uint64_t op_id, CoordResult result, Time now, Outbox& out);
  void OnLockStep(const CoordResult& result, Time now, Outbox& out);
  void Confirm(Time sent_at);
  // Notes the zxid of an accepted response.
  void Saw(uint64_t zxid) { seen_zxid_ = std::max(seen_zxid_, zxid); }
  bool IsServer(NodeId node) const;
  // An attempt sent via `via` went unanswered for request_timeout: if it was sent to the current
  // server, moves on to the next one. Only the first timed-out attempt to a server moves the
  // client; attempts sent to earlier servers do not move it again.
  void AttemptTimedOut(uint64_t via, Outbox& out);

  CoordClientOptions options_;
  State state_ = State::kIdle;
  // Invariant: state_ == kOpen iff session_ != kNoCoordSession.
  CoordSessionId session_;
  Duration timeout_;
  Time confirmed_at_;
  uint64_t open_request_id_ = 0;  // the open attempt awaiting an answer (kOpening)
  Time open_sent_at_;
  uint64_t open_via_ = 0;
  // How often the client moved on; the current server is servers[rotations_ % servers.size()].
  uint64_t rotations_ = 0;
  // Invariant: never decreases.
  uint64_t seen_zxid_ = 0;
  uint64_t next_request_id_ = 1;
  uint64_t next_op_id_ = 1;
  // Keepalives awaiting an answer, by request_id.
  std::map<uint64_t, KeepAlive> keepalives_;
  // Invariant: ops_ is empty unless state_ == kOpen; by_request_ maps each op's current attempt.
  std::map<uint64_t, PendingOp> ops_;
  std::map<uint64_t, uint64_t> by_request_;
  std::vector<CoordResult> results_;
  std::optional<Lock> lock_;
  int sessions_lost_ = 0;
};

}  // namespace pg
