// The coordination quorum's rules, one test each: election, durability before every answer,
// commit by quorum, followers that lag or miss proposals, leaders that lose their quorum, sessions
// on the leader's clock, and reads fenced by what a client has seen.
#include "core/coord/coord_peer.h"

#include <gtest/gtest.h>

#include "tests/coord/coord_quorum_harness.h"
#include "tests/support/outbox_views.h"

namespace pg::testing {
namespace {

const NodeId kQuorumClient{100};

template <class T>
std::vector<T> ClientGot(QuorumWorld& w, NodeId client = kQuorumClient) {
  std::vector<T> got;
  for (const auto& [from, msg] : w.inbox[client]) {
    if (const auto* m = std::get_if<T>(&msg)) got.push_back(*m);
  }
  return got;
}

size_t ElectedLeader(QuorumWorld& w) {
  w.RunFor(Millis(500));
  const std::optional<size_t> leader = w.Leader();
  EXPECT_TRUE(leader.has_value()) << "no single established leader";
  return leader.value_or(0);
}

size_t AFollower(QuorumWorld& w, size_t leader) { return (leader + 1) % w.size(); }

CoordSessionId OpenVia(QuorumWorld& w, size_t peer, uint64_t request_id = 1) {
  w.SendFromClient(kQuorumClient, peer,
                   CoordOpenSession{.request_id = request_id, .timeout = Millis(1000)});
  w.RunFor(Millis(20));
  for (const auto& r : ClientGot<CoordOpenSessionResponse>(w)) {
    if (r.request_id == request_id && r.error == ErrorCode::kOk) return r.session;
  }
  ADD_FAILURE() << "no session opened via peer " << peer;
  return kNoCoordSession;
}

TEST(CoordPeerElection, ThreePeersElectOneLeaderWhoseEpochStartEveryPeerCommits) {
  QuorumWorld w;
  const size_t leader = ElectedLeader(w);
  const uint64_t epoch = w.peer(leader).accepted_epoch();
  EXPECT_GE(epoch, 1u);
  for (size_t i = 0; i < w.size(); ++i) {
    EXPECT_EQ(w.peer(i).accepted_epoch(), epoch) << i;
    EXPECT_EQ(w.peer(i).commit_zxid(), CoordEpochStart(epoch)) << i;
    EXPECT_EQ(w.peer(i).role(),
              i == leader ? CoordPeer::Role::kLeading : CoordPeer::Role::kFollowing);
  }
  EXPECT_EQ(w.CountMark("coord.peer.established"), 1u);
}

TEST(CoordPeerElection, AVoteForACandidateWithAnOlderHistoryIsRefused) {
  QuorumWorld w;
  const size_t leader = ElectedLeader(w);
  const size_t voter = AFollower(w, leader);
  const size_t candidate = (leader + 2) % 3;
  w.Crash(leader);
  w.Crash(candidate);
  w.RunFor(Millis(300));  // the voter's leader fell silent: it defends nobody
  const uint64_t epoch = w.peer(voter).accepted_epoch() + 10;
  w.inbox.clear();
  w.SendFromClient(w.Id(candidate), voter, CoordVoteRequest{.epoch = epoch, .last_zxid = 0});
  w.RunFor(Millis(1));
  const auto answers = ClientGot<CoordVoteResponse>(w, w.Id(candidate));
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_FALSE(answers[0].granted) << "voted for a candidate missing committed txns";
  EXPECT_EQ(answers[0].epoch, epoch) << "a newer epoch is accepted even without a vote";
}

TEST(CoordPeerElection, OneVotePerEpochEvenAcrossARestart) {
  QuorumWorld w;
  const size_t leader = ElectedLeader(w);
  const size_t voter = AFollower(w, leader);
  const size_t other = (leader + 2) % 3;
  w.Crash(leader);
  w.Crash(other);
  w.RunFor(Millis(300));
  const uint64_t epoch = w.peer(voter).accepted_epoch() + 5;
  const uint64_t zxid = w.peer(voter).last_zxid();
  w.inbox.clear();
  w.SendFromClient(w.Id(leader), voter, CoordVoteRequest{.epoch = epoch, .last_zxid = zxid});
  w.RunFor(Millis(1));
  ASSERT_EQ(ClientGot<CoordVoteResponse>(w, w.Id(leader)).size(), 1u);
  EXPECT_TRUE(ClientGot<CoordVoteResponse>(w, w.Id(leader))[0].granted);
  w.Crash(voter);
  w.Boot(voter);
  EXPECT_EQ(w.peer(voter).accepted_epoch(), epoch) << "the vote did not survive the restart";
  w.SendFromClient(w.Id(other), voter, CoordVoteRequest{.epoch = epoch, .last_zxid = zxid + 5});
  w.RunFor(Millis(1));
  const auto second = ClientGot<CoordVoteResponse>(w, w.Id(other));
  ASSERT_EQ(second.size(), 1u);
  EXPECT_FALSE(second[0].granted) << "two votes in one epoch";
}

TEST(CoordPeerElection, NoVoteLeavesBeforeItsRecordIsDurable) {
  QuorumWorld w;
  w.RunFor(Millis(500));
  const size_t leader = *w.Leader();
  const size_t voter = AFollower(w, leader);
  w.Crash(leader);
  w.Crash((leader + 2) % 3);
  w.RunFor(Millis(300));
  w.HoldAppends(voter, true);
  const NodeId asker = w.Id(leader);  // crashed: its mail is kept for the test
  w.inbox.clear();
  const uint64_t epoch = w.peer(voter).accepted_epoch() + 1;
  w.SendFromClient(asker, voter,
                   CoordVoteRequest{.epoch = epoch, .last_zxid = w.peer(voter).last_zxid()});
  w.RunFor(Millis(1));
  EXPECT_TRUE(w.inbox[asker].empty()) << "a vote answered before it was durable";
  w.CompleteAppends(voter);
  w.RunFor(Millis(1));
  ASSERT_EQ(w.inbox[asker].size(), 1u);
  EXPECT_TRUE(std::get<CoordVoteResponse>(w.inbox[asker][0].second).granted);
}

TEST(CoordPeerBroadcast, AWriteViaAFollowerIsAnsweredThroughItOnceAQuorumLoggedIt) {
  QuorumWorld w;
  const size_t leader = ElectedLeader(w);
  const size_t follower = AFollower(w, leader);
  const CoordSessionId s = OpenVia(w, follower);
  ASSERT_NE(s, kNoCoordSession);
  // With both followers' disks stalled, nothing commits and nobody hears back.
  w.HoldAppends(follower, true);
  w.HoldAppends((leader + 2) % 3, true);
  w.SendFromClient(kQuorumClient, follower,
                   CoordCreate{.request_id = 7, .session = s, .path = "/a", .data = "x"});
  w.RunFor(Millis(5));
  EXPECT_TRUE(ClientGot<CoordCreateResponse>(w).empty()) << "answered before a quorum logged it";
  EXPECT_EQ(w.peer(leader).committed().Find("/a"), nullptr);
  w.HoldAppends(follower, false);
  w.CompleteAppends(follower);
  w.RunFor(Millis(5));
  const auto created = ClientGot<CoordCreateResponse>(w);
  ASSERT_EQ(created.size(), 1u);
  EXPECT_EQ(created[0].error, ErrorCode::kOk);
  EXPECT_NE(w.peer(leader).committed().Find("/a"), nullptr);
  EXPECT_EQ(w.inbox[kQuorumClient].back().first, w.Id(follower)) << "not relayed by the follower";
}

TEST(CoordPeerBroadcast, AFollowerAcknowledgesOnlyWhatIsDurable) {
  QuorumWorld w;
  const size_t leader = ElectedLeader(w);
  const size_t f = AFollower(w, leader);
  const CoordSessionId s = OpenVia(w, leader);
  uint64_t acked = 0;
  w.drop = [&](const QuorumWorld::InFlight& m) {
    if (const auto* a = std::get_if<CoordAck>(&m.msg); a && m.from == w.Id(f)) {
      acked = std::max(acked, a->durable_zxid);
    }
    return false;
  };
  w.HoldAppends(f, true);
  const uint64_t before = w.peer(f).last_zxid();
  w.SendFromClient(kQuorumClient, leader,
                   CoordCreate{.request_id = 8, .session = s, .path = "/d", .data = "x"});
  w.RunFor(Millis(50));  // proposals and heartbeats reach f; its disk holds the record
  EXPECT_GT(w.peer(f).last_zxid(), before);
  EXPECT_LE(acked, before) << "acknowledged a proposal before it was durable";
  w.HoldAppends(f, false);
  w.CompleteAppends(f);
  w.RunFor(Millis(20));
  EXPECT_EQ(acked, w.peer(f).last_zxid());
}

TEST(CoordPeerBroadcast, ARefusalWaitsForTheProposalsBeforeIt) {
  QuorumWorld w;
  const size_t leader = ElectedLeader(w);
  const CoordSessionId s = OpenVia(w, leader);
  w.HoldAppends(AFollower(w, leader), true);
  w.HoldAppends((leader + 2) % 3, true);
  w.SendFromClient(kQuorumClient, leader,
                   CoordCreate{.request_id = 2, .session = s, .path = "/a", .data = "x"});
  w.SendFromClient(kQuorumClient, leader,
                   CoordCreate{.request_id = 3, .session = s, .path = "/a", .data = "y"});
  w.RunFor(Millis(5));
  // "already exists" was judged against an uncommitted create: it must not be told yet.
  EXPECT_TRUE(ClientGot<CoordCreateResponse>(w).empty());
  w.HoldAppends(AFollower(w, leader), false);
  w.CompleteAppends(AFollower(w, leader));
  w.RunFor(Millis(5));
  const auto got = ClientGot<CoordCreateResponse>(w);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].error, ErrorCode::kOk);
  EXPECT_EQ(got[1].error, ErrorCode::kNodeAlreadyExist);
}

TEST(CoordPeerBroadcast, AFollowerThatMissedAProposalResyncsAndCatchesUp) {
  QuorumWorld w;
  const size_t leader = ElectedLeader(w);
  const size_t lagging = AFollower(w, leader);
  const CoordSessionId s = OpenVia(w, leader);
  bool dropped = false;
  w.drop = [&](const QuorumWorld::InFlight& m) {
    if (dropped || m.to != w.Id(lagging) || !std::holds_alternative<CoordProposal>(m.msg)) {
      return false;
    }
    dropped = true;
    return true;
  };
  for (int i = 0; i < 3; ++i) {
    w.SendFromClient(
        kQuorumClient, leader,
        CoordCreate{
            .request_id = 10u + i, .session = s, .path = fmt::format("/k{}", i), .data = "v"});
  }
  w.RunFor(Millis(100));
  EXPECT_TRUE(dropped);
  EXPECT_GE(w.CountMark("coord.peer.gap") + w.CountMark("coord.peer.synced"), 1u);
  EXPECT_EQ(w.peer(lagging).commit_zxid(), w.peer(leader).commit_zxid());
  for (int i = 0; i < 3; ++i) {
    EXPECT_NE(w.peer(lagging).committed().Find(fmt::format("/k{}", i)), nullptr) << i;
  }
}

TEST(CoordPeerFailover, ALeaderCutOffFromItsQuorumStepsDownAndItsUncommittedWriteIsLost) {
  QuorumWorld w;
  const size_t old_leader = ElectedLeader(w);
  const CoordSessionId s = OpenVia(w, old_leader);
  w.Isolate(old_leader);
  // The client still reaches the old leader (a client-side view of a partial partition).
  w.Isolate(old_leader, false);
  for (size_t i = 0; i < 3; ++i) {
    if (i != old_leader) w.Cut(w.Id(old_leader), w.Id(i));
  }
  w.SendFromClient(kQuorumClient, old_leader,
                   CoordCreate{.request_id = 5, .session = s, .path = "/lost", .data = "x"});
  w.RunFor(Millis(400));
  EXPECT_EQ(w.peer(old_leader).role(), CoordPeer::Role::kLooking)
      << "a leader without a quorum kept leading";
  EXPECT_TRUE(ClientGot<CoordCreateResponse>(w).empty()) << "an uncommitted write acknowledged";
  const std::optional<size_t> leader = w.Leader();
  ASSERT_TRUE(leader.has_value());
  EXPECT_NE(*leader, old_leader);
  EXPECT_GT(w.peer(*leader).accepted_epoch(), w.leaders_seen().begin()->first);
  // Healed, the old leader follows the new epoch and drops its never-committed txn.
  for (size_t i = 0; i < 3; ++i) w.Cut(w.Id(old_leader), w.Id(i), false);
  w.RunFor(Millis(300));
  EXPECT_EQ(w.peer(old_leader).role(), CoordPeer::Role::kFollowing);
  EXPECT_EQ(w.peer(old_leader).committed().Find("/lost"), nullptr);
  EXPECT_EQ(w.peer(*leader).committed().Find("/lost"), nullptr);
}

TEST(CoordPeerFailover, CommittedStateSurvivesTheLeadersCrashAndEveryRestart) {
  QuorumWorld w;
  const size_t leader = ElectedLeader(w);
  const CoordSessionId s = OpenVia(w, AFollower(w, leader));
  w.SendFromClient(kQuorumClient, AFollower(w, leader),
                   CoordCreate{.request_id = 4, .session = s, .path = "/kept", .data = "v1"});
  w.RunFor(Millis(20));
  ASSERT_EQ(ClientGot<CoordCreateResponse>(w).size(), 1u);
  w.PowerLoss(leader);
  w.RunFor(Millis(500));
  const std::optional<size_t> next = w.Leader();
  ASSERT_TRUE(next.has_value());
  ASSERT_NE(w.peer(*next).committed().Find("/kept"), nullptr);
  for (size_t i = 0; i < 3; ++i) {
    if (w.up(i)) w.PowerLoss(i);
  }
  for (size_t i = 0; i < 3; ++i) w.Boot(i);
  w.RunFor(Millis(600));
  const std::optional<size_t> last = w.Leader();
  ASSERT_TRUE(last.has_value());
  const Znode* z = w.peer(*last).committed().Find("/kept");
  ASSERT_NE(z, nullptr);
  EXPECT_EQ(z->data, "v1");
}

TEST(CoordPeerFailover, AStaleLeaderLearnsTheNewEpochFromAFollowerAndStepsDown) {
  QuorumWorld w;
  const size_t leader = ElectedLeader(w);
  const size_t f = AFollower(w, leader);
  const uint64_t stale = w.peer(leader).accepted_epoch();
  // Cut from f only, the leader keeps its quorum with the third peer; f, hearing nothing, stands
  // for newer epochs that the third peer (whose leader is alive) refuses.
  w.Cut(w.Id(leader), w.Id(f));
  w.RunFor(Millis(300));
  EXPECT_TRUE(w.peer(leader).serving_as_leader());
  EXPECT_EQ(w.peer(leader).accepted_epoch(), stale);
  EXPECT_GT(w.peer(f).accepted_epoch(), stale);
  const size_t stepped_down = w.CountMark("coord.peer.stepped_down");
  w.Cut(w.Id(leader), w.Id(f), false);
  w.RunFor(Millis(300));
  // f answered the old epoch's heartbeat with its own: the leader stepped down, and a leader of
  // an epoch newer than f's took over.
  EXPECT_EQ(w.CountMark("coord.peer.stepped_down"), stepped_down + 1);
  const std::optional<size_t> next = w.Leader();
  ASSERT_TRUE(next.has_value());
  EXPECT_GT(w.peer(*next).accepted_epoch(), stale);
}

TEST(CoordPeerFailover, ALateAckDoesNotStretchTheLeadersLease) {
  QuorumWorld w;  // follower_timeout 100 ms: the leader's lease is 50 ms
  const size_t leader = ElectedLeader(w);
  const size_t f = AFollower(w, leader);
  // The followers stop hearing the leader; their acks stop with it.
  w.drop = [&](const QuorumWorld::InFlight& m) { return m.from == w.Id(leader); };
  const Time cut_at = w.now();
  w.RunFor(Millis(30));
  // An ack of something the leader sent before the cut arrives now, late.
  w.SendFromClient(w.Id(f), leader,
                   CoordAck{.epoch = w.peer(leader).accepted_epoch(),
                            .sync_seq = 0,
                            .need_sync = true,
                            .lease_from = cut_at - Millis(5)});
  w.RunFor(Millis(30));
  // Counted from its arrival, the ack would keep the leader leading until cut_at + 80 ms.
  EXPECT_NE(w.peer(leader).role(), CoordPeer::Role::kLeading)
      << "a late ack extended the leader's lease";
}

TEST(CoordPeerSessions, AKeepaliveViaAFollowerRenewsOnTheLeaderAndAReadThereDoesNot) {
  QuorumWorld w;
  const size_t leader = ElectedLeader(w);
  const size_t f = AFollower(w, leader);
  const CoordSessionId s = OpenVia(w, f);
  w.SendFromClient(kQuorumClient, f, CoordKeepAlive{.request_id = 20, .session = s});
  w.SendFromClient(kQuorumClient, f, CoordGet{.request_id = 21, .session = s, .path = "/x"});
  w.SendFromClient(kQuorumClient, leader, CoordGet{.request_id = 22, .session = s, .path = "/x"});
  w.RunFor(Millis(5));
  const auto ka = ClientGot<CoordKeepAliveResponse>(w);
  ASSERT_EQ(ka.size(), 1u);
  EXPECT_EQ(ka[0].error, ErrorCode::kOk);
  const auto gets = ClientGot<CoordGetResponse>(w);
  ASSERT_EQ(gets.size(), 2u);
  for (const auto& g : gets) {
    EXPECT_EQ(g.error, ErrorCode::kObjectNotFound);
    EXPECT_EQ(g.renewed, g.request_id == 22) << g.request_id;
  }
}

TEST(CoordPeerSessions, ASilentSessionExpiresOnTheLeaderAndEveryPeerDropsItsEphemerals) {
  QuorumWorld w;
  const size_t leader = ElectedLeader(w);
  const CoordSessionId s = OpenVia(w, leader);  // timeout 1000 ms
  w.SendFromClient(kQuorumClient, leader,
                   CoordCreate{.request_id = 30, .session = s, .path = "/lock", .ephemeral = true});
  w.RunFor(Millis(900));
  for (size_t i = 0; i < 3; ++i) ASSERT_NE(w.peer(i).committed().Find("/lock"), nullptr) << i;
  w.RunFor(Millis(300));
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_FALSE(w.peer(i).committed().HasSession(s)) << i;
    EXPECT_EQ(w.peer(i).committed().Find("/lock"), nullptr) << i;
  }
}

TEST(CoordPeerSessions, ANewLeaderGivesEverySessionAFullTimeoutFromItsEstablishment) {
  QuorumWorld w;
  const size_t leader = ElectedLeader(w);
  const CoordSessionId s = OpenVia(w, AFollower(w, leader));
  w.RunFor(Millis(800));  // 800 of the session's 1000 ms gone without a keepalive
  w.Crash(leader);
  w.RunFor(Millis(400));  // a new leader within 400 ms: the old clock would have expired it
  const std::optional<size_t> next = w.Leader();
  ASSERT_TRUE(next.has_value());
  EXPECT_TRUE(w.peer(*next).committed().HasSession(s));
}

TEST(CoordPeerReads, AReadOnALaggingFollowerWaitsForWhatTheClientHasSeen) {
  QuorumWorld w;
  const size_t leader = ElectedLeader(w);
  const size_t lagging = AFollower(w, leader);
  const CoordSessionId s = OpenVia(w, leader);
  // The lagging follower hears nothing from the leader for a while.
  w.Cut(w.Id(leader), w.Id(lagging));
  w.SendFromClient(kQuorumClient, leader,
                   CoordCreate{.request_id = 40, .session = s, .path = "/new", .data = "v"});
  w.RunFor(Millis(5));
  const auto created = ClientGot<CoordCreateResponse>(w);
  ASSERT_EQ(created.size(), 1u);
  const uint64_t seen = created[0].zxid;
  ASSERT_GT(seen, w.peer(lagging).commit_zxid());
  // Another client, which has seen nothing, reads the stale state there (ZooKeeper's reads).
  const NodeId other{101};
  w.SendFromClient(other, lagging, CoordGet{.request_id = 41, .session = s, .path = "/new"});
  // This client saw the create: its read waits.
  w.SendFromClient(kQuorumClient, lagging,
                   CoordGet{.request_id = 42, .session = s, .path = "/new", .seen_zxid = seen});
  w.RunFor(Millis(5));
  ASSERT_EQ(ClientGot<CoordGetResponse>(w, other).size(), 1u)
      << "role " << CoordRoleName(w.peer(lagging).role()) << " commit "
      << w.peer(lagging).commit_zxid() << " last " << w.peer(lagging).last_zxid();
  EXPECT_EQ(ClientGot<CoordGetResponse>(w, other)[0].error, ErrorCode::kObjectNotFound);
  EXPECT_TRUE(ClientGot<CoordGetResponse>(w).empty()) << "read older than what the client saw";
  w.Cut(w.Id(leader), w.Id(lagging), false);
  w.RunFor(Millis(30));
  const auto got = ClientGot<CoordGetResponse>(w);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].error, ErrorCode::kOk);
  EXPECT_EQ(got[0].data, "v");
}

TEST(CoordPeerReads, APeerThatIsNotServingDropsClientRequests) {
  QuorumWorld w;
  // Before any election has finished nobody serves.
  w.SendFromClient(kQuorumClient, 0, CoordOpenSession{.request_id = 1, .timeout = Millis(500)});
  w.RunFor(Millis(1));
  EXPECT_TRUE(w.inbox[kQuorumClient].empty());
}

TEST(CoordPeerLog, ReplayKeepsTheNewestVoteAndSnapshotAndSkipsATxnAfterAGap) {
  MapDisk disk;
  CoordStore store;
  ASSERT_EQ(store.Apply({.kind = CoordTxnKind::kOpenSession,
                         .session = CoordSessionId(7),
                         .timeout = Millis(100)}),
            ErrorCode::kOk);
  const uint64_t start = CoordEpochStart(2);
  std::string& f = disk.files[std::string(kCoordLogBase)];
  f += EncodePeerRecord({.kind = PeerRecordKind::kVote, .epoch = 1, .voted_for = NodeId(0)});
  f += EncodePeerRecord({.kind = PeerRecordKind::kVote, .epoch = 2, .voted_for = NodeId(1)});
  f += EncodePeerRecord(
      {.kind = PeerRecordKind::kSnapshot, .zxid = start, .image = store.ToImage()});
  f += EncodePeerRecord(
      {.kind = PeerRecordKind::kTxn,
       .zxid = start + 1,
       .txn = {.kind = CoordTxnKind::kCreate, .session = CoordSessionId(7), .path = "/a"}});
  f += EncodePeerRecord(
      {.kind = PeerRecordKind::kTxn,
       .zxid = start + 3,
       .txn = {.kind = CoordTxnKind::kCreate, .session = CoordSessionId(7), .path = "/c"}});
  const PeerLogReplay r = ReplayPeerLog(disk, kCoordLogBase);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.accepted_epoch, 2u);
  EXPECT_EQ(r.voted_for, NodeId(1));
  EXPECT_EQ(r.snap_zxid, start);
  EXPECT_EQ(r.snapshot.ToImage(), store.ToImage());
  EXPECT_EQ(r.snapshot.SessionTimeout(CoordSessionId(7)), Millis(100));
  ASSERT_EQ(r.txns.size(), 1u);
  EXPECT_EQ(r.txns[0].txn.path, "/a");
  EXPECT_EQ(r.skipped, 1u);
}

TEST(CoordPeerLog, ASnapshotThatIsNotAValidStoreOrATxnThatDoesNotApplyIsCorruption) {
  CoordStoreImage bad;
  bad.znodes["/e"] = Znode{.ephemeral_owner = CoordSessionId(9)};  // owner not a session
  MapDisk a;
  a.files[std::string(kCoordLogBase)] = EncodePeerRecord(
      {.kind = PeerRecordKind::kSnapshot, .zxid = CoordEpochStart(1), .image = bad});
  EXPECT_EQ(ReplayPeerLog(a, kCoordLogBase).status.code(), ErrorCode::kCorruption);
  MapDisk b;
  b.files[std::string(kCoordLogBase)] =
      EncodePeerRecord({.kind = PeerRecordKind::kSnapshot, .zxid = CoordEpochStart(1)}) +
      EncodePeerRecord(
          {.kind = PeerRecordKind::kTxn,
           .zxid = CoordEpochStart(1) + 1,
           .txn = {.kind = CoordTxnKind::kSet, .session = CoordSessionId(3), .path = "/nope"}});
  EXPECT_EQ(ReplayPeerLog(b, kCoordLogBase).status.code(), ErrorCode::kCorruption);
  MapDisk c;
  c.files[std::string(kCoordLogBase)] =
      EncodePeerRecord({.kind = PeerRecordKind::kVote, .epoch = 3}) +
      EncodePeerRecord({.kind = PeerRecordKind::kVote, .epoch = 2});
  EXPECT_EQ(ReplayPeerLog(c, kCoordLogBase).status.code(), ErrorCode::kCorruption);
}

TEST(CoordPeerLog, APeerWhoseLogDoesNotReplayFailStops) {
  QuorumWorld w;
  w.RunFor(Millis(300));
  w.Crash(2);
  std::string& f = w.disk(2).files[std::string(kCoordLogBase)];
  ASSERT_GT(f.size(), 40u);
  f[30] ^= 0x40;  // damage followed by intact records
  w.Boot(2);
  EXPECT_FALSE(w.up(2));
  EXPECT_GE(w.CountMark("coord.log_unreadable"), 1u);
}

}  // namespace
}  // namespace pg::testing
