#pragma once
// CoordPeer: one server of a coordination quorum (a ZooKeeper ensemble of 3 or 5), the service
// CoordServer provides alone, made to survive the loss of a minority. The clients' protocol is the
// same (coord_messages.h); among themselves the peers run a reduced ZAB (coord_quorum_messages.h).
//
// Roles. A peer is looking, following or leading. A looking peer stands for the next epoch: it
// persists the epoch and its vote for itself, then asks the others. A peer grants one vote per
// epoch, persisted before it answers, and only to a candidate whose history is at least as new as
// its own (zxids compare epochs first). A candidate with a quorum of votes leads the epoch.
//
// Establishing an epoch (ZAB's synchronisation phase). The new leader's whole history becomes the
// epoch's starting state: it logs it as a snapshot at zxid CoordEpochStart(epoch) and sends every
// peer a CoordSync of it. A follower logs the sync (a snapshot record, synced) and acknowledges;
// when a quorum (the leader counted once its own record is durable) has, the snapshot is
// committed and the leader serves. Because the snapshot's zxid is of the new epoch, any later
// candidate that a quorum would elect holds it (the reason Raft commits a no-op of its new term).
//
// Broadcast. The leader decides every request that changes state or renews a session: it checks
// the request against its speculative store (committed state plus its proposals), logs the txn
// and proposes it; a follower logs it and acks once durable; a txn acked by a quorum is committed,
// and every peer applies committed txns to its committed store in zxid order. A follower that
// sees a gap (prev_zxid is not its last) or a proposal of an epoch it never synced in asks for a
// sync instead.
//
// Clients. A client talks to one peer at a time. Reads are answered by that peer from its
// committed store, which may lag the leader's (ZooKeeper's reads are not linearizable): a read is
// held until the peer has applied the client's seen_zxid, so one client never reads older than what
// it saw. Everything else is forwarded to the leader, which answers through the forwarding peer
// once the txn is committed; a keepalive is answered by the leader at once, so a session is
// renewed on the leader's clock only, and the lease argument of CoordClient holds as with one
// server. Sessions expire on the leader: a new leader gives every session a full timeout from its
// establishment. A peer that is not serving (looking, or a follower not synced in its leader's
// epoch) drops clients' requests; their clients time out and try another peer.
//
// Failure detection. The leader sends a CoordCommit every tick; a follower that hears nothing
// from its leader for follower_timeout looks for a new one (and votes for nobody before). The
// leader's lease: it stops leading once a quorum has not answered anything it sent in the last
// follower_timeout / 2 of its own clock. Answers echo the leader's send time, so a late one cannot
// stretch the lease, and a leader still renewing sessions has a quorum none of whose members can
// have voted for a successor (the other half of follower_timeout is the margin for drift). A
// looking peer retries its candidacy after a randomised election timeout (the host's rng), so that
// split votes end.
//
// Durability. Everything a peer acknowledges (a vote, a sync, a proposal) is in its coord.log and
// synced first. A failed append is fail-stop, as with one server. At boot a peer replays its log
// (coord_peer_log.h) and starts looking.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/coord/coord_log.h"
#include "core/coord/coord_peer_log.h"
#include "core/coord/coord_store.h"
#include "core/node/node.h"
#include "core/proto/message.h"

namespace pg {

struct CoordPeerOptions {
  // Every peer of the quorum, this one included, in the same order on every peer.
  std::vector<NodeId> peers;
  // As CoordServerOptions.
  Duration min_session_timeout = Millis(1000);
  Duration max_session_timeout = Millis(60000);
  // The leader's heartbeat and the sessions' expiry check.
  Duration tick_interval = Millis(100);
  // A follower that hears nothing from its leader this long looks for another; a leader that
  // has not heard from a quorum this long stops leading.
  Duration follower_timeout = Millis(1000);
  // A looking peer stands again after a time drawn in [election_timeout, 2 * election_timeout).
  Duration election_timeout = Millis(300);
  std::string log_base = std::string(kCoordLogBase);
};

class CoordPeer final : public Node {
 public:
  static constexpr TimerId kTickTimer{1};
  static constexpr TimerId kElectionTimer{2};

  enum class Role : uint8_t { kLooking, kFollowing, kLeading };

  CoordPeer(const NodeEnv& env, CoordPeerOptions options);

  void Step(Time now, const Input& input, Outbox& out) override;
  void CheckInvariants() const override;

  // ---- Observation (tests, the simulator's cross-peer invariants) ----
  bool booted() const { return booted_; }
  bool stopped() const { return stopped_; }
  Role role() const { return role_; }
  // The epoch this peer last accepted (voted in, led or followed).
  uint64_t accepted_epoch() const { return accepted_epoch_; }
  // Leading or following: whom; otherwise nullopt.
  std::optional<NodeId> leader() const { return leader_; }
  // True while leading an established epoch.
  bool serving_as_leader() const { return role_ == Role::kLeading && established_; }
  // The committed state and its zxid.
  const CoordStore& committed() const { return committed_; }
  uint64_t commit_zxid() const { return commit_zxid_; }
  // The newest zxid logged (durable or not).
  uint64_t last_zxid() const { return last_zxid_; }
  // Running digests of the committed txns, by zxid: equal digests at equal zxids on two peers mean
  // equal committed histories (the quorum's agreement invariant). Snapshots restart the chain
  // from a digest of their image.
  const std::map<uint64_t, uint64_t>& commit_digests() const { return commit_digests_; }

 private:
  // A client's answer, sent once the txn it follows is committed.
  struct Answer {
    std::optional<NodeId> via;  // the peer that forwarded the request; none: the leader's client
    NodeId client;
    Message response;
  };
  // A snapshot logged but not yet known committed (an epoch's start; a sync).
  struct PendingBase {
    uint64_t zxid = 0;
    CoordStore store;
  };

  void OnBoot(Time now, Outbox& out);
  void OnReceive(const Receive& r, Time now, Outbox& out);
  void OnTick(Time now, Outbox& out);
  void OnLogAppended(const LogAppended& done, Time now, Outbox& out);
  void FailStop(const std::string& why, Outbox& out);

  // ---- Election ----
  void BecomeLooking(const char* why, Time now, Outbox& out);
  void Stand(Time now, Outbox& out);
  void OnVoteRequest(NodeId from, const CoordVoteRequest& req, Time now, Outbox& out);
  void OnVoteResponse(NodeId from, const CoordVoteResponse& resp, Time now, Outbox& out);
  void MaybeLead(Time now, Outbox& out);
  void ArmElectionTimer(Outbox& out);
  // Moves to `epoch` (> accepted_epoch_) with `vote`, persisted; answers that depend on it wait
  // for the record (SendAfterVote).
  void AcceptEpoch(uint64_t epoch, std::optional<NodeId> vote, Outbox& out);
  void SendAfterVote(NodeId to, Message msg, Outbox& out);
  // A peer of a newer epoch spoke: stop leading or following an older one.
  void SeeEpoch(uint64_t epoch, Time now, Outbox& out);

  // ---- Leading ----
  void Lead(Time now, Outbox& out);
  void SendSync(NodeId follower, Time now, Outbox& out);
  void OnAck(NodeId from, const CoordAck& ack, Time now, Outbox& out);
  void AdvanceCommit(Time now, Outbox& out);
  void SendCommit(Time now, Outbox& out);
  void OnForward(NodeId from, const CoordForward& fwd, Time now, Outbox& out);
  void Decide(std::optional<NodeId> via, NodeId client, const Message& request, Time now,
              Outbox& out);
  // A session's open, keepalive or close.
  void DecideSession(std::optional<NodeId> via, NodeId client, const Message& request, Time now,
                     Outbox& out);
  // A create, set or delete.
  void DecideWrite(std::optional<NodeId> via, NodeId client, const Message& request, Time now,
                   Outbox& out);
  // Proposes `txn` if it applies to the speculative store.
  ErrorCode Propose(const CoordTxn& txn, Time now, Outbox& out);
  // Sends `response` once everything proposed so far is committed.
  void AnswerAfterCommit(std::optional<NodeId> via, NodeId client, Message response, Outbox& out);
  void Deliver(Answer answer, Outbox& out);
  bool Touch(CoordSessionId session, Time now);
  void ExpireSessions(Time now, Outbox& out);

  // ---- Following ----
  void OnSync(NodeId from, const CoordSync& sync, Time now, Outbox& out);
  void OnProposal(NodeId from, const CoordProposal& p, Time now, Outbox& out);
  void OnCommit(NodeId from, const CoordCommit& c, Time now, Outbox& out);
  void OnRelay(const CoordRelay& relay, Outbox& out);
  // Whether a message of the leader of `epoch` from `from` is one to act on; follows it if it is
  // the leader of a newer epoch, answers a stale one with this peer's epoch.
  bool FromMyLeader(NodeId from, uint64_t epoch, Time now, Outbox& out);
  void Follow(NodeId leader, uint64_t epoch, Time now, Outbox& out);
  void SendAck(bool need_sync, Outbox& out);

  // ---- Clients ----
  void OnClientRequest(NodeId client, const Message& request, Time now, Outbox& out);
  void ServeRead(NodeId client, const CoordGet& get, Time now, Outbox& out);
  void ReleaseReads(Time now, Outbox& out);

  // ---- History ----
  // Appends a record (synced); returns its token. `zxid`: the history it completes is durable up
  // to this zxid once the record is.
  uint64_t Log(const PeerRecord& record, std::optional<uint64_t> zxid, Outbox& out);
  // The history's start: the pending base if any, else the committed store.
  uint64_t BaseZxid() const { return pending_base_ ? pending_base_->zxid : commit_zxid_; }
  const CoordStore& BaseStore() const { return pending_base_ ? pending_base_->store : committed_; }
  // Applies what is committed up to `zxid` (capped at the history's end) to the committed store.
  void CommitUpTo(uint64_t zxid, Time now, Outbox& out);
  void RecordDigest();
  bool Serving() const;
  size_t Quorum() const { return options_.peers.size() / 2 + 1; }
  bool IsPeer(NodeId node) const;

  NodeEnv env_;
  CoordPeerOptions options_;
  bool booted_ = false;
  bool stopped_ = false;
  std::string log_file_;
  Role role_ = Role::kLooking;
  std::optional<NodeId> leader_;
  uint64_t accepted_epoch_ = 0;
  std::optional<NodeId> voted_for_;  // in accepted_epoch_
  std::set<NodeId> votes_;           // granted to this candidate in accepted_epoch_
  bool established_ = false;         // leading: a quorum acked the epoch's sync
  bool synced_ = false;              // following: the leader's sync of this epoch is logged
  uint64_t sync_seq_ = 0;            // following: of the sync logged
  uint64_t sync_token_ = 0;          // following: that sync's snapshot record
  Time heard_leader_at_;             // following: when the leader last spoke (own clock)
  Time leader_sent_at_;              // following: the newest sent_at of the leader's (its clock)

  // The history: the committed store, a pending base, then the logged txns after them.
  // Invariant: commit_zxid_ < pending_base_->zxid; log_ holds zxids BaseZxid() + 1, + 2, ...
  CoordStore committed_;
  uint64_t commit_zxid_ = 0;
  std::optional<PendingBase> pending_base_;
  std::vector<CoordLogged> log_;
  uint64_t last_zxid_ = 0;
  std::map<uint64_t, uint64_t> commit_digests_;

  // Durability: records complete in any order; the history is durable up to durable_zxid_, the
  // zxid of the newest record all of whose predecessors completed too.
  uint64_t next_token_ = 1;
  uint64_t durable_token_ = 0;
  std::set<uint64_t> completed_;             // tokens above durable_token_
  std::map<uint64_t, uint64_t> token_zxid_;  // in flight: token -> the zxid it makes durable
  uint64_t durable_zxid_ = 0;
  uint64_t vote_token_ = 0;  // the newest vote record
  std::vector<Send> after_vote_;

  // Leading.
  CoordStore speculative_;  // the history's end: committed, pending base and every proposal
  std::map<NodeId, uint64_t> sync_sent_;  // the sync_seq last sent to each follower
  std::map<NodeId, Time> sync_sent_at_;
  std::map<NodeId, uint64_t> acked_;  // each follower's durable zxid since that sync
  // Each follower's newest echo of this leader's sent_at: it heard the leader then.
  std::map<NodeId, Time> heard_follower_at_;
  uint64_t next_sync_seq_ = 1;
  std::map<uint64_t, std::vector<Answer>> answers_;  // by the zxid they wait for
  std::map<CoordSessionId, Time> last_heard_;

  // Reads held until the committed store reaches the client's seen_zxid.
  std::multimap<uint64_t, std::pair<NodeId, CoordGet>> held_reads_;
};

std::string_view CoordRoleName(CoordPeer::Role role);

}  // namespace pg
