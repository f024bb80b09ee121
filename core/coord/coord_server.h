#pragma once
// CoordServer: a single-server, ZooKeeper-like coordination service (what Pegasus's meta server
// keeps its state in and takes its leader lock from, PEGASUS.md §1.1). A linearizable store of
// znodes with compare-and-set versions, sessions that expire on the server's own clock, and
// ephemeral znodes that die with their session.
//
// Durable before acknowledged: every mutation (open, close and expiry of a session; create, set
// and delete of a znode) is a CoordTxn applied to the in-memory store at once, so that later
// requests are checked against it, and appended to coord.log with sync; nothing that reflects it
// is sent before the disk confirms it. Replies wait in `held_` behind the newest txn and go out,
// in order, in the LogAppended handler once every txn up to theirs is durable; a reply that
// reflects only durable state (no txn in flight) goes out at once. A LogFailed is fail-stop: what
// reached the log is unknown, so the server answers nothing more in this incarnation.
//
// Sessions (ZooKeeper semantics): a session expires when no request of it arrived within its
// timeout, measured on the server's clock (the `now` of Step), checked every tick_interval. A
// session restored from the log at Boot gets a fresh timeout from the boot time, so sessions
// survive a server restart if their clients come back in time.
//
// A replayed log may hold txns that reached only the page cache (the incarnation before failed
// its sync and stopped, then the process came back): the boot syncs the log before it answers
// anything that reflects them, and holds every reply until the sync lands (mark
// `coord.boot_sync`; docs/departures.md, "meta.log replay").
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/coord/coord_log.h"
#include "core/coord/coord_store.h"
#include "core/node/node.h"
#include "core/proto/message.h"

namespace pg {

struct CoordServerOptions {
  // A requested session timeout is clamped to [min, max] (ZooKeeper's minSessionTimeout and
  // maxSessionTimeout).
  Duration min_session_timeout = Millis(1000);
  Duration max_session_timeout = Millis(60000);
  // How often sessions are checked for expiry; an expiry is at most this late.
  Duration tick_interval = Millis(100);
  // The log's base file name (segments are "<base>", "<base>.1", ...).
  std::string log_base = std::string(kCoordLogBase);
};

class CoordServer final : public Node {
 public:
  static constexpr TimerId kTickTimer{1};

  CoordServer(const NodeEnv& env, CoordServerOptions options);

  void Step(Time now, const Input& input, Outbox& out) override;
  void CheckInvariants() const override;

  // ---- Observation (tests) ----
  bool booted() const { return booted_; }
  // Fail-stopped: a log append failed, or the log could not be replayed at boot.
  bool stopped() const { return stopped_; }
  // Includes txns not yet durable.
  const CoordStore& store() const { return store_; }
  uint64_t last_zxid() const { return last_zxid_; }
  uint64_t durable_zxid() const { return durable_zxid_; }
  // The log file appends go to in this incarnation.
  const std::string& log_file() const { return log_file_; }

 private:
  void OnBoot(Time now, Outbox& out);
  void OnReceive(const Receive& r, Time now, Outbox& out);
  void OnTick(Time now, Outbox& out);
  void OnLogAppended(const LogAppended& done, Outbox& out);
  void OnLogFailed(const LogFailed& failed, Outbox& out);

  void OnOpenSession(NodeId from, const CoordOpenSession& req, Time now, Outbox& out);
  void OnKeepAlive(NodeId from, const CoordKeepAlive& req, Time now, Outbox& out);
  void OnCloseSession(NodeId from, const CoordCloseSession& req, Time now, Outbox& out);
  void OnCreate(NodeId from, const CoordCreate& req, Time now, Outbox& out);
  void OnGet(NodeId from, const CoordGet& req, Time now, Outbox& out);
  void OnSet(NodeId from, const CoordSet& req, Time now, Outbox& out);
  void OnDelete(NodeId from, const CoordDelete& req, Time now, Outbox& out);

  // Applies `txn` to the store; if it applies, logs it (sync) under the next zxid. Returns the
  // outcome; a refused txn changes nothing and logs nothing.
  ErrorCode Mutate(const CoordTxn& txn, Time now, Outbox& out);
  // Renews a live session; false if the store holds no such session.
  bool Touch(CoordSessionId session, Time now);
  // Sends `msg` once everything applied so far is durable: at once, or from LogAppended.
  void Reply(NodeId to, Message msg, Outbox& out);
  void ReleaseHeld(Outbox& out);

  NodeEnv env_;
  CoordServerOptions options_;
  bool booted_ = false;
  bool stopped_ = false;
  std::string log_file_;
  CoordStore store_;
  // When the server last heard from each session, on its own clock.
  // Invariant: the keys are exactly store_.sessions()'s keys.
  std::map<CoordSessionId, Time> last_heard_;
  // Invariant: durable_zxid_ <= last_zxid_; every txn up to durable_zxid_ is on disk.
  uint64_t last_zxid_ = 0;
  uint64_t durable_zxid_ = 0;
  // Appends confirmed while an earlier one was still in flight.
  // Invariant: every entry is in (durable_zxid_ + 1, last_zxid_].
  std::set<uint64_t> appended_;
  // Replies waiting for the txn they follow to be durable, by that txn's zxid.
  // Invariant: every key is in (durable_zxid_, last_zxid_], or in [durable_zxid_, last_zxid_]
  // while the boot's sync is pending.
  std::map<uint64_t, std::vector<Send>> held_;
  // The sync of the replayed log, issued at Boot, has not completed yet.
  bool boot_sync_pending_ = false;
  // Replies sent; for the invariant that nothing was answered by a stopped server.
  uint64_t replies_sent_ = 0;
  uint64_t replies_at_stop_ = 0;
};

}  // namespace pg
