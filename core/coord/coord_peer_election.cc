// CoordPeer: standing for an epoch and voting (coord_peer.h, "Roles").
#include <algorithm>
#include <functional>

#include "core/common/assert.h"
#include "core/common/log.h"
#include "core/coord/coord_peer.h"

namespace pg {

void CoordPeer::BecomeLooking(const char* why, Time now, Outbox& out) {
  if (role_ == Role::kLeading) out.Mark("coord.peer.stepped_down");
  if (role_ != Role::kLooking) {
    PG_LOG(kInfo, "coord peer {} stops {} in epoch {}: {}", env_.name, CoordRoleName(role_),
           accepted_epoch_, why);
  }
  role_ = Role::kLooking;
  leader_.reset();
  established_ = false;
  synced_ = false;
  votes_.clear();
  // Clients whose answers were waiting time out and ask another peer: their outcome is unknown
  // to them, as with a ZooKeeper connection loss.
  answers_.clear();
  held_reads_.clear();
  last_heard_.clear();
  sync_sent_.clear();
  sync_sent_at_.clear();
  acked_.clear();
  heard_follower_at_.clear();
  (void)now;
  ArmElectionTimer(out);
}

void CoordPeer::ArmElectionTimer(Outbox& out) {
  const int64_t base = options_.election_timeout.ns();
  const int64_t after = env_.rng != nullptr ? env_.rng->UniformRange(base, 2 * base - 1) : base;
  out.SetTimer(kElectionTimer, Nanos(after));
}

void CoordPeer::AcceptEpoch(uint64_t epoch, std::optional<NodeId> vote, Outbox& out) {
  PG_ASSERT_GT(epoch, accepted_epoch_, "epochs only grow");
  accepted_epoch_ = epoch;
  voted_for_ = vote;
  votes_.clear();
  vote_token_ = Log(PeerRecord{.kind = PeerRecordKind::kVote, .epoch = epoch, .voted_for = vote},
                    std::nullopt, out);
}

void CoordPeer::SendAfterVote(NodeId to, Message msg, Outbox& out) {
  if (durable_token_ >= vote_token_) return out.Send(to, std::move(msg));
  after_vote_.push_back(Send{.to = to, .msg = std::move(msg)});
}

void CoordPeer::SeeEpoch(uint64_t epoch, Time now, Outbox& out) {
  if (epoch <= accepted_epoch_) return;
  AcceptEpoch(epoch, std::nullopt, out);
  BecomeLooking("a newer epoch", now, out);
}

void CoordPeer::Stand(Time now, Outbox& out) {
  PG_ASSERT(role_ == Role::kLooking);
  AcceptEpoch(accepted_epoch_ + 1, env_.id, out);
  votes_.insert(env_.id);
  out.Mark("coord.peer.stood");
  for (NodeId peer : options_.peers) {
    if (peer == env_.id) continue;
    SendAfterVote(peer, CoordVoteRequest{.epoch = accepted_epoch_, .last_zxid = last_zxid_}, out);
  }
  ArmElectionTimer(out);
  (void)now;
}

// One vote per epoch, to a candidate at least as up to date; a peer that hears from a live
// leader refuses to help unseat it (a partitioned peer coming back would otherwise force an
// election every time).
void CoordPeer::OnVoteRequest(NodeId from, const CoordVoteRequest& req, Time now, Outbox& out) {
  if (!IsPeer(from)) return;
  const bool leader_alive =
      (role_ == Role::kFollowing && now - heard_leader_at_ <= options_.follower_timeout) ||
      (role_ == Role::kLeading && established_);
  if (req.epoch > accepted_epoch_ && !leader_alive) {
    const bool up_to_date = req.last_zxid >= last_zxid_;
    const bool was_looking = role_ == Role::kLooking;
    AcceptEpoch(req.epoch, up_to_date ? std::optional<NodeId>(from) : std::nullopt, out);
    if (!was_looking) BecomeLooking("a candidate of a newer epoch", now, out);
    if (up_to_date) ArmElectionTimer(out);  // give the candidate time to win
  }
  const bool granted = req.epoch == accepted_epoch_ && voted_for_ == from;
  SendAfterVote(from, CoordVoteResponse{.epoch = accepted_epoch_, .granted = granted}, out);
}

void CoordPeer::OnVoteResponse(NodeId from, const CoordVoteResponse& resp, Time now, Outbox& out) {
  if (!IsPeer(from)) return;
  if (resp.epoch > accepted_epoch_) return SeeEpoch(resp.epoch, now, out);
  if (role_ != Role::kLooking || resp.epoch != accepted_epoch_ || voted_for_ != env_.id ||
      !resp.granted) {
    return;
  }
  votes_.insert(from);
  MaybeLead(now, out);
}

// A candidate leads once a quorum voted for it and its own vote is durable.
void CoordPeer::MaybeLead(Time now, Outbox& out) {
  if (role_ != Role::kLooking || voted_for_ != env_.id || votes_.size() < Quorum() ||
      durable_token_ < vote_token_) {
    return;
  }
  Lead(now, out);
}

}  // namespace pg
