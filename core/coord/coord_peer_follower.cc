// CoordPeer as follower, and every peer's service to clients: syncs, proposals, reads.
#include <algorithm>
#include <functional>

#include "core/common/assert.h"
#include "core/common/log.h"
#include "core/coord/coord_peer.h"

namespace pg {

bool CoordPeer::FromMyLeader(NodeId from, uint64_t epoch, Time now, Outbox& out) {
  if (!IsPeer(from) || from == env_.id) return false;
  if (epoch < accepted_epoch_) {
    // A leader of an older epoch: tell it, so it steps down.
    out.Send(from, CoordAck{.epoch = accepted_epoch_});
    return false;
  }
  if (epoch > accepted_epoch_ || role_ == Role::kLooking) {
    Follow(from, epoch, now, out);
    return true;
  }
  if (role_ == Role::kFollowing && leader_ == from) {
    heard_leader_at_ = now;
    return true;
  }
  // A second leader of this epoch cannot exist; the quorum invariant reports it if it does.
  PG_LOG(kWarn, "coord peer {} ({} in epoch {}) ignores {} claiming to lead it", env_.name,
         CoordRoleName(role_), accepted_epoch_, from);
  return false;
}

void CoordPeer::Follow(NodeId leader, uint64_t epoch, Time now, Outbox& out) {
  if (epoch > accepted_epoch_) {
    AcceptEpoch(epoch, leader, out);
  } else if (voted_for_ && voted_for_ != leader && voted_for_ != env_.id) {
    PG_LOG(kInfo, "coord peer {} follows {} in epoch {} after voting for {}", env_.name, leader,
           epoch, *voted_for_);
  }
  if (role_ != Role::kLooking) BecomeLooking("a leader of a newer epoch", now, out);
  role_ = Role::kFollowing;
  leader_ = leader;
  synced_ = false;
  heard_leader_at_ = now;
  leader_sent_at_ = Time();
  out.CancelTimer(kElectionTimer);
}

void CoordPeer::OnSync(NodeId from, const CoordSync& sync, Time now, Outbox& out) {
  if (!FromMyLeader(from, sync.epoch, now, out)) return;
  leader_sent_at_ = std::max(leader_sent_at_, sync.sent_at);
  CoordStore base;
  if (Status s = base.FromImage(sync.image); !s.ok()) {
    PG_LOG(kWarn, "a sync from {} holds a bad image: {}", from, s.ToString());
    return;
  }
  CoordStore head = base;
  uint64_t prev = sync.snap_zxid;
  for (const CoordLogged& l : sync.tail) {
    if (l.zxid != prev + 1 || head.Apply(l.txn) != ErrorCode::kOk) {
      PG_LOG(kWarn, "a sync from {} holds a bad tail at {:#x}", from, l.zxid);
      return;
    }
    prev = l.zxid;
  }
  if (sync.snap_zxid < commit_zxid_) {
    PG_LOG(kWarn, "a sync from {} starts at {:#x}, before what this peer committed ({:#x})", from,
           sync.snap_zxid, commit_zxid_);
    return;
  }
  // The log now says: this snapshot, then this tail. Replay reads the same.
  sync_token_ = Log(
      PeerRecord{.kind = PeerRecordKind::kSnapshot, .zxid = sync.snap_zxid, .image = sync.image},
      sync.snap_zxid, out);
  for (const CoordLogged& l : sync.tail) {
    Log(PeerRecord{.kind = PeerRecordKind::kTxn, .zxid = l.zxid, .txn = l.txn}, l.zxid, out);
  }
  if (sync.snap_zxid > commit_zxid_) {
    pending_base_ = PendingBase{.zxid = sync.snap_zxid, .store = std::move(base)};
  } else {
    pending_base_.reset();
  }
  log_ = sync.tail;
  last_zxid_ = log_.empty() ? sync.snap_zxid : log_.back().zxid;
  synced_ = true;
  sync_seq_ = sync.sync_seq;
  out.Mark("coord.peer.synced");
  CommitUpTo(sync.commit_zxid, now, out);
  SendAck(false, out);
}

void CoordPeer::OnProposal(NodeId from, const CoordProposal& p, Time now, Outbox& out) {
  if (!FromMyLeader(from, p.epoch, now, out)) return;
  leader_sent_at_ = std::max(leader_sent_at_, p.sent_at);
  if (!synced_) return SendAck(true, out);
  if (p.logged.zxid <= last_zxid_) return SendAck(false, out);  // a duplicate
  if (p.prev_zxid != last_zxid_ || p.logged.zxid != last_zxid_ + 1) {
    out.Mark("coord.peer.gap");
    return SendAck(true, out);
  }
  log_.push_back(p.logged);
  last_zxid_ = p.logged.zxid;
  Log(PeerRecord{.kind = PeerRecordKind::kTxn, .zxid = p.logged.zxid, .txn = p.logged.txn},
      p.logged.zxid, out);
  CommitUpTo(p.commit_zxid, now, out);
}

void CoordPeer::OnCommit(NodeId from, const CoordCommit& c, Time now, Outbox& out) {
  if (!FromMyLeader(from, c.epoch, now, out)) return;
  leader_sent_at_ = std::max(leader_sent_at_, c.sent_at);
  if (!synced_) return SendAck(true, out);
  CommitUpTo(c.commit_zxid, now, out);
  if (c.last_zxid > last_zxid_) out.Mark("coord.peer.gap");
  SendAck(c.last_zxid > last_zxid_, out);
}

void CoordPeer::OnRelay(const CoordRelay& relay, Outbox& out) {
  Result<Message> response = Decode<Message>(relay.response);
  if (!response.ok()) {
    PG_LOG(kWarn, "a relayed response does not decode: {}", response.status().ToString());
    return;
  }
  out.Send(relay.client, std::move(*response));
}

// An ack speaks only for the newest sync, and only once that sync's snapshot is durable: before
// that, a replay could give back the history the sync replaced.
void CoordPeer::SendAck(bool need_sync, Outbox& out) {
  if (role_ != Role::kFollowing) return;
  const uint64_t durable = synced_ && durable_token_ >= sync_token_ ? durable_zxid_ : 0;
  out.Send(*leader_, CoordAck{.epoch = accepted_epoch_,
                              .sync_seq = sync_seq_,
                              .durable_zxid = durable,
                              .need_sync = need_sync,
                              .lease_from = leader_sent_at_});
}

// ---- Clients -----------------------------------------------------------------------------

bool CoordPeer::Serving() const {
  if (role_ == Role::kLeading) return established_;
  return role_ == Role::kFollowing && synced_ && !pending_base_;
}

void CoordPeer::OnClientRequest(NodeId client, const Message& m, Time now, Outbox& out) {
  if (IsPeer(client)) return;
  if (!Serving()) {
    PG_LOG(kDebug, "coord peer {} ({}) drops {} from {}: not serving", env_.name,
           CoordRoleName(role_), MessageName(m), client);
    return;
  }
  if (const auto* get = std::get_if<CoordGet>(&m)) {
    if (get->seen_zxid > commit_zxid_) {
      held_reads_.emplace(get->seen_zxid, std::make_pair(client, *get));
      return;
    }
    return ServeRead(client, *get, now, out);
  }
  if (role_ == Role::kLeading) return Decide(std::nullopt, client, m, now, out);
  out.Send(*leader_,
           CoordForward{.epoch = accepted_epoch_, .client = client, .request = Encode(m)});
}

void CoordPeer::ServeRead(NodeId client, const CoordGet& get, Time now, Outbox& out) {
  const bool leading = role_ == Role::kLeading;
  CoordGetResponse resp{.request_id = get.request_id, .zxid = commit_zxid_, .renewed = leading};
  if (leading) Touch(get.session, now);
  if (!committed_.HasSession(get.session)) {
    resp.error = ErrorCode::kExpired;
  } else {
    committed_.AnswerRead(get.path, resp);
  }
  out.Send(client, std::move(resp));
}

void CoordPeer::ReleaseReads(Time now, Outbox& out) {
  while (!held_reads_.empty() && held_reads_.begin()->first <= commit_zxid_) {
    auto [client, get] = std::move(held_reads_.begin()->second);
    held_reads_.erase(held_reads_.begin());
    ServeRead(client, get, now, out);
  }
}

}  // namespace pg
