#include "core/coord/coord_peer.h"

#include <algorithm>
#include <functional>

#include "core/common/assert.h"
#include "core/common/crc.h"
#include "core/common/log.h"
#include "core/storage/segmented_log.h"

namespace pg {

std::string_view CoordRoleName(CoordPeer::Role role) {
  switch (role) {
    case CoordPeer::Role::kLooking:
      return "looking";
    case CoordPeer::Role::kFollowing:
      return "following";
    case CoordPeer::Role::kLeading:
      return "leading";
  }
  return "unknown";
}

CoordPeer::CoordPeer(const NodeEnv& env, CoordPeerOptions options)
    : env_(env), options_(std::move(options)) {
  PG_ASSERT_GE(options_.peers.size(), size_t{3}, "a quorum needs three peers or more");
  PG_ASSERT(IsPeer(env_.id), "{} is not one of its own peers", env_.name);
  PG_ASSERT_GT(options_.min_session_timeout, Duration());
  PG_ASSERT_LE(options_.min_session_timeout, options_.max_session_timeout);
  PG_ASSERT_GT(options_.tick_interval, Duration());
  PG_ASSERT_GT(options_.follower_timeout, options_.tick_interval);
  PG_ASSERT_GT(options_.election_timeout, Duration());
  PG_ASSERT(!options_.log_base.empty(), "the coordination log needs a name");
}

bool CoordPeer::IsPeer(NodeId node) const {
  return std::find(options_.peers.begin(), options_.peers.end(), node) != options_.peers.end();
}

void CoordPeer::Step(Time now, const Input& input, Outbox& out) {
  if (std::holds_alternative<Boot>(input)) return OnBoot(now, out);
  if (!booted_ || stopped_) return;
  if (const auto* r = std::get_if<Receive>(&input)) return OnReceive(*r, now, out);
  if (const auto* t = std::get_if<TimerFired>(&input)) {
    if (t->timer == kTickTimer) return OnTick(now, out);
    if (t->timer == kElectionTimer) {
      if (role_ == Role::kLooking) Stand(now, out);
      return;
    }
    PG_LOG(kWarn, "coord peer: unknown timer {}", t->timer);
    return;
  }
  if (const auto* done = std::get_if<LogAppended>(&input)) return OnLogAppended(*done, now, out);
  if (const auto* failed = std::get_if<LogFailed>(&input)) {
    // What reached coord.log is unknown: nothing that depends on it can be said.
    return FailStop(fmt::format("{} append {} failed: {}", failed->file, failed->token,
                                failed->status.ToString()),
                    out);
  }
}

// A restarted peer trusts only its log, and serves nothing until it follows or leads again.
void CoordPeer::OnBoot(Time now, Outbox& out) {
  PG_ASSERT(!booted_, "a CoordPeer boots once; a restart builds a new one");
  booted_ = true;
  PeerLogReplay replay;
  if (env_.disk != nullptr) replay = ReplayPeerLog(*env_.disk, options_.log_base);
  if (!replay.status.ok()) {
    out.Mark("coord.log_unreadable");
    return FailStop(
        fmt::format("cannot replay {}: {}", options_.log_base, replay.status.ToString()), out);
  }
  if (replay.cut_tail) {
    PG_LOG(kWarn, "cut a torn tail: {}", replay.cut_reason);
    out.Mark("coord.log_cut_tail");
  }
  if (replay.skipped > 0) out.Mark("coord.log_skipped_abandoned");
  log_file_ = SegmentName(options_.log_base, replay.write_segment);
  accepted_epoch_ = replay.accepted_epoch;
  voted_for_ = replay.voted_for;
  if (replay.snap_zxid > 0) {
    pending_base_ = PendingBase{.zxid = replay.snap_zxid, .store = std::move(replay.snapshot)};
  }
  log_ = std::move(replay.txns);
  last_zxid_ = log_.empty() ? BaseZxid() : log_.back().zxid;
  // What was replayed may have reached only the page cache: an empty synced append makes it
  // durable, and every record after it waits for it.
  const uint64_t boot_sync = next_token_++;
  token_zxid_[boot_sync] = last_zxid_;
  out.AppendLog({.file = log_file_, .token = boot_sync, .bytes = "", .sync = true});
  PG_LOG(kInfo, "coord peer up: epoch {}, zxid {:#x}, appending to {}", accepted_epoch_, last_zxid_,
         log_file_);
  out.SetTimer(kTickTimer, options_.tick_interval);
  BecomeLooking("boot", now, out);
}

void CoordPeer::FailStop(const std::string& why, Outbox& out) {
  PG_LOG(kError, "{}; fail-stop", why);
  out.Mark("coord.fail_stop");
  stopped_ = true;
  answers_.clear();
  held_reads_.clear();
  after_vote_.clear();
  out.Exit("coord peer log failed");
}

void CoordPeer::OnReceive(const Receive& r, Time now, Outbox& out) {
  const Message& m = r.msg;
  if (const auto* v = std::get_if<CoordVoteRequest>(&m)) return OnVoteRequest(r.from, *v, now, out);
  if (const auto* v = std::get_if<CoordVoteResponse>(&m)) {
    return OnVoteResponse(r.from, *v, now, out);
  }
  if (const auto* s = std::get_if<CoordSync>(&m)) return OnSync(r.from, *s, now, out);
  if (const auto* p = std::get_if<CoordProposal>(&m)) return OnProposal(r.from, *p, now, out);
  if (const auto* c = std::get_if<CoordCommit>(&m)) return OnCommit(r.from, *c, now, out);
  if (const auto* a = std::get_if<CoordAck>(&m)) return OnAck(r.from, *a, now, out);
  if (const auto* f = std::get_if<CoordForward>(&m)) return OnForward(r.from, *f, now, out);
  if (const auto* relay = std::get_if<CoordRelay>(&m)) return OnRelay(*relay, out);
  OnClientRequest(r.from, m, now, out);
}

// ---- History -----------------------------------------------------------------------------

uint64_t CoordPeer::Log(const PeerRecord& record, std::optional<uint64_t> zxid, Outbox& out) {
  PG_ASSERT(!stopped_ && !log_file_.empty());
  const uint64_t token = next_token_++;
  if (zxid) token_zxid_[token] = *zxid;
  out.AppendLog(
      {.file = log_file_, .token = token, .bytes = EncodePeerRecord(record), .sync = true});
  return token;
}

void CoordPeer::OnLogAppended(const LogAppended& done, Time now, Outbox& out) {
  if (done.file != log_file_ || done.token <= durable_token_ || done.token >= next_token_ ||
      !completed_.insert(done.token).second) {
    PG_LOG(kWarn, "ignoring completion of {} token {}: not an append in flight", done.file,
           done.token);
    return;
  }
  const uint64_t durable_before = durable_zxid_;
  while (completed_.erase(durable_token_ + 1) == 1) {
    ++durable_token_;
    if (auto it = token_zxid_.find(durable_token_); it != token_zxid_.end()) {
      durable_zxid_ = it->second;
      token_zxid_.erase(it);
    }
  }
  if (durable_token_ >= vote_token_ && !after_vote_.empty()) {
    for (Send& s : after_vote_) out.Send(s.to, std::move(s.msg));
    after_vote_.clear();
  }
  MaybeLead(now, out);
  if (durable_zxid_ == durable_before) return;
  if (role_ == Role::kFollowing && synced_) SendAck(false, out);
  if (role_ == Role::kLeading) AdvanceCommit(now, out);
}

void CoordPeer::CommitUpTo(uint64_t zxid, Time now, Outbox& out) {
  zxid = std::min(zxid, last_zxid_);
  if (zxid <= commit_zxid_) return;
  if (pending_base_) {
    if (zxid < pending_base_->zxid) return;
    committed_ = std::move(pending_base_->store);
    commit_zxid_ = pending_base_->zxid;
    pending_base_.reset();
    RecordDigest();
  }
  size_t applied = 0;
  for (const CoordLogged& l : log_) {
    if (l.zxid > zxid) break;
    PG_ASSERT_EQ(l.zxid, commit_zxid_ + 1, "the history has a gap");
    const ErrorCode e = committed_.Apply(l.txn);
    // The leader checked it against this very state: a refusal means the histories diverged.
    PG_ASSERT_EQ(e, ErrorCode::kOk, "committed txn {:#x} ({}) does not apply on {}", l.zxid,
                 CoordTxnKindName(l.txn.kind), env_.name);
    commit_zxid_ = l.zxid;
    RecordDigest();
    ++applied;
  }
  log_.erase(log_.begin(), log_.begin() + static_cast<std::ptrdiff_t>(applied));
  while (!answers_.empty() && answers_.begin()->first <= commit_zxid_) {
    for (Answer& a : answers_.begin()->second) Deliver(std::move(a), out);
    answers_.erase(answers_.begin());
  }
  ReleaseReads(now, out);
}

void CoordPeer::RecordDigest() {
  const std::string bytes = Encode(committed_.ToImage());
  commit_digests_[commit_zxid_] = Crc32c(bytes);
}

// ---- Ticks -------------------------------------------------------------------------------

void CoordPeer::OnTick(Time now, Outbox& out) {
  out.SetTimer(kTickTimer, options_.tick_interval);
  if (role_ == Role::kFollowing && now - heard_leader_at_ > options_.follower_timeout) {
    out.Mark("coord.peer.leader_lost");
    return BecomeLooking("the leader fell silent", now, out);
  }
  if (role_ != Role::kLeading) return;
  // The leader's lease: a follower gives up on it follower_timeout after it last heard it, so the
  // leader stops half that after the newest message a quorum has answered (its own sent_at,
  // echoed). The other half, less a tick, is the margin for clock drift and jumps: no peer of
  // that quorum can vote for anyone while this leader may still renew a session.
  size_t heard = 1;
  for (const auto& [peer, at] : heard_follower_at_) {
    if (now - at <= options_.follower_timeout / 2) ++heard;
  }
  if (heard < Quorum()) return BecomeLooking("lost its quorum", now, out);
  if (established_) ExpireSessions(now, out);
  SendCommit(now, out);
}

// ---- Invariants --------------------------------------------------------------------------

void CoordPeer::CheckInvariants() const {
  if (!booted_ || stopped_) return;
  committed_.CheckInvariants();
  PG_ASSERT_LE(commit_zxid_, last_zxid_);
  if (pending_base_) {
    PG_ASSERT_LT(commit_zxid_, pending_base_->zxid, "a pending base that is committed");
    pending_base_->store.CheckInvariants();
  }
  uint64_t prev = BaseZxid();
  for (const CoordLogged& l : log_) {
    PG_ASSERT_EQ(l.zxid, prev + 1, "the history has a gap");
    prev = l.zxid;
  }
  PG_ASSERT_EQ(prev, last_zxid_, "the history does not end at its last zxid");
  PG_ASSERT_LE(CoordEpochOf(last_zxid_), accepted_epoch_, "a history from a future epoch");
  PG_ASSERT(!established_ || role_ == Role::kLeading, "established but not leading");
  PG_ASSERT(!synced_ || role_ == Role::kFollowing, "synced but not following");
  PG_ASSERT_EQ(leader_.has_value(), role_ != Role::kLooking);
  if (role_ == Role::kLeading) {
    PG_ASSERT(leader_ == env_.id && voted_for_ == env_.id, "leading without its own vote");
    speculative_.CheckInvariants();
    for (const auto& [id, heard] : last_heard_) {
      PG_ASSERT(speculative_.HasSession(id), "liveness tracked for unknown session {}", id);
    }
  } else {
    PG_ASSERT(answers_.empty(), "answers held by a peer that does not lead");
  }
  for (const auto& [zxid, answers] : answers_) {
    PG_ASSERT(zxid > commit_zxid_ && zxid <= last_zxid_, "an answer held behind {:#x}", zxid);
  }
  if (!Serving()) PG_ASSERT(held_reads_.empty(), "reads held by a peer that does not serve");
}

}  // namespace pg
