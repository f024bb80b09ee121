// The bug zoo's meta-side switches (core/common/bugs.h): each test shows that the guard a real fix
// put in place holds with its switch off, and that the behaviour it prevents happens with it on.
//  - no_force_update_ballot (rDSN #522, #525): a restarted primary still listed by meta resumes
//    at its old ballot instead of asking for CT_PRIMARY_FORCE_UPDATE_BALLOT;
//  - primary_on_empty_replica (Pegasus #895): after all replicas were dropped, a replica that
//    lacks the partition's data is made primary (by meta's rule and on the replica's side);
//  - ddd_pick_by_committed (Pegasus 449c9cf08): the DDD pick goes by committed decree, not by
//    ballot and prepared decree;
//  - meta_act_before_persist: meta answers a configuration change before it is durable.
#include <gtest/gtest.h>

#include <set>

#include "core/meta/meta_log.h"
#include "core/meta/meta_recovery.h"
#include "core/meta/meta_server.h"
#include "tests/meta/full_layout.h"
#include "tests/meta/held_replica.h"
#include "tests/replica/replica_harness.h"

namespace pg::testing {
namespace {

BugSet With(Bug bug) {
  BugSet bugs;
  bugs.Enable(bug);
  return bugs;
}

// ---- no_force_update_ballot ------------------------------------------------------------------

struct Restarted {
  bool forced = false;
  PartitionStatus status{};
  Ballot ballot{0};
};

// The primary of a ballot-1 group prepares a write it does not commit, crashes (its log intact)
// and restarts; meta, whose grace has not run out, still lists it as primary.
Restarted RestartPrimaryStillListed(BugSet bugs) {
  ReplicaServerOptions options = DefaultOptions();
  options.bugs = bugs;
  Harness h(options);
  h.StartGroup();
  h.Deliver(kClient, NodeId(1), Write(OpKind::kSet, "h", "s", "v", 1));
  h.CompleteLogs(NodeId(1));
  h.Build(NodeId(1));
  h.Step(NodeId(1), Boot{});
  h.Deliver(kMeta, NodeId(1), BeaconAck{.send_time = h.now, .is_master = true});
  Outbox sync = h.Deliver(kMeta, NodeId(1), ConfigSyncResponse{.partitions = {h.Config()}});
  const ReplicaServer::ReplicaView v = h.View(NodeId(1));
  return {.forced = HasMark(sync, "replica.force_update_ballot"),
          .status = v.status,
          .ballot = v.ballot};
}

TEST(BugZooMeta, NoForceUpdateBallotLetsARestartedPrimaryResumeAtItsOldBallot) {
  const Restarted guarded = RestartPrimaryStillListed({});
  EXPECT_TRUE(guarded.forced);
  EXPECT_NE(guarded.status, PartitionStatus::kPrimary) << "not before meta gave a new ballot";
  const Restarted buggy = RestartPrimaryStillListed(With(Bug::kNoForceUpdateBallot));
  EXPECT_FALSE(buggy.forced);
  EXPECT_EQ(buggy.status, PartitionStatus::kPrimary);
  EXPECT_EQ(buggy.ballot, Ballot(1)) << "it serves at the ballot it had before the crash";
}

// ---- the DDD rule: primary_on_empty_replica, ddd_pick_by_committed
// -------------------------------

// A partition whose members were dropped in the order kA, kB, kC (kC was the last primary).
struct Ddd {
  PartitionConfiguration pc{
      .gpid = {1, 0}, .ballot = Ballot(9), .last_drops = {kA, kB, kC}, .partition_count = 1};
  Decree known{0};
  std::map<NodeId, ReplicaInfo> collected;

  DddDecision Decide(BugSet bugs = {}) const {
    return DecideDddPrimary(DddView{.config = &pc,
                                    .known_committed = known,
                                    .alive = [](NodeId) { return true; },
                                    .synced = [](NodeId) { return true; },
                                    .collected = &collected,
                                    .bugs = bugs});
  }
};

TEST(BugZooMeta, PrimaryOnEmptyReplicaPicksPastALostMostRecentDrop) {
  Ddd w;
  // kC, the last primary, lost its replica (a disk error failed it): what it alone committed is
  // on no other replica, so meta refuses; with the switch the stale earlier drop gets it.
  w.collected = {{kB, Held(5, 40, 42)},
                 {kC, ReplicaInfo{.gpid = {1, 0}, .status = PartitionStatus::kError}}};
  EXPECT_EQ(w.Decide().kind, DddDecision::Kind::kRefuse);
  const DddDecision buggy = w.Decide(With(Bug::kPrimaryOnEmptyReplica));
  ASSERT_EQ(buggy.kind, DddDecision::Kind::kRecover) << buggy.why;
  EXPECT_EQ(buggy.primary, kB);
}

TEST(BugZooMeta, PrimaryOnEmptyReplicaPicksAReplicaLackingCommittedDecrees) {
  Ddd w;
  w.known = Decree(45);                                      // meta heard decree 45 committed
  w.collected = {{kB, Held(7, 0, 0)}, {kC, Held(7, 0, 0)}};  // both empty
  EXPECT_EQ(w.Decide().kind, DddDecision::Kind::kRefuse);
  const DddDecision buggy = w.Decide(With(Bug::kPrimaryOnEmptyReplica));
  ASSERT_EQ(buggy.kind, DddDecision::Kind::kRecover) << buggy.why;
  EXPECT_EQ(buggy.primary, kC);
}

// The replica's side of the same rule: it never asks to serve without a decree meta knows
// committed.
bool AsksForAssignPrimary(BugSet bugs) {
  ReplicaServerOptions options = DefaultOptions();
  options.bugs = bugs;
  Harness h(options);
  h.StartGroup();
  h.Build(NodeId(2));  // a process crash: its (empty) log is intact
  h.Step(NodeId(2), Boot{});
  h.Deliver(kMeta, NodeId(2), BeaconAck{.send_time = h.now, .is_master = true});
  const PartitionConfiguration ddd{.gpid = kGpid,
                                   .ballot = Ballot(5),
                                   .last_drops = {NodeId(1), NodeId(2)},
                                   .last_committed_decree = Decree(30),
                                   .partition_count = 1};
  Outbox out = h.Deliver(
      kMeta, NodeId(2),
      ConfigProposal{.type = ConfigType::kAssignPrimary, .config = ddd, .node = NodeId(2)});
  for (const auto& [to, req] : Sent<UpdateConfigRequest>(out)) {
    if (req.type == ConfigType::kAssignPrimary) return true;
  }
  return false;
}

TEST(BugZooMeta, PrimaryOnEmptyReplicaLetsAnEmptyReplicaAskToServe) {
  EXPECT_FALSE(AsksForAssignPrimary({}));
  EXPECT_TRUE(AsksForAssignPrimary(With(Bug::kPrimaryOnEmptyReplica)));
}

TEST(BugZooMeta, DddPickByCommittedIgnoresBallotAndPrepared) {
  Ddd w;
  // Equal ballot and committed: the rule takes the larger prepared decree (kB), whose suffix may
  // hold acknowledged writes; by committed alone the tie goes to the most recent drop.
  w.collected = {{kB, Held(7, 45, 48)}, {kC, Held(7, 45, 46)}};
  EXPECT_EQ(w.Decide().primary, kB);
  EXPECT_EQ(w.Decide(With(Bug::kDddPickByCommitted)).primary, kC);
  // The larger ballot wins by the rule; by committed alone it does not.
  w.collected = {{kB, Held(8, 45, 46)}, {kC, Held(7, 45, 46)}};
  EXPECT_EQ(w.Decide().primary, kB);
  EXPECT_EQ(w.Decide(With(Bug::kDddPickByCommitted)).primary, kC);
}

// ---- meta_act_before_persist -----------------------------------------------------------------

class FixedRng final : public Rng {
 public:
  uint64_t NextU64() override { return state_ += 0x9E3779B97F4A7C15ULL; }

 private:
  uint64_t state_ = 1;
};

std::vector<AppendLog> Appends(const Outbox& out) {
  std::vector<AppendLog> v;
  for (const Effect& e : out.effects()) {
    if (const auto* a = std::get_if<AppendLog>(&e)) v.push_back(*a);
  }
  return v;
}

struct Answered {
  bool before_durable = false;   // the requester heard ok while the write was in flight
  Ballot after_meta_restart{0};  // what a meta restarted before the write landed knows
  Ballot told{0};                // what the requester was told
};

// The primary of partition 0 asks for CT_PRIMARY_FORCE_UPDATE_BALLOT; meta appends the change and
// then crashes before the append is durable.
Answered ForceUpdateThenMetaCrash(BugSet bugs) {
  MetaServerOptions options{.replica_servers = {NodeId(1), NodeId(2), NodeId(3), NodeId(4)},
                            .partition_count = 8,
                            .replica_count = 3};
  options.bugs = bugs;
  MapDisk disk;
  FixedRng rng;
  const NodeEnv env{.id = kMeta, .name = "meta/0", .rng = &rng, .disk = &disk};
  for (const PartitionConfiguration& pc :
       FullLayout(options.partition_count, options.replica_count, options.replica_servers)) {
    disk.files[kMetaLogFile] += EncodeMetaLogRecord(pc);  // a serving table, from meta.log
  }
  auto meta = std::make_unique<MetaServer>(env, options);
  Outbox boot;
  meta->Step(Time::Zero(), Boot{}, boot);
  for (const AppendLog& a : Appends(boot)) {
    disk.files[a.file] += a.bytes;
    Outbox done;
    meta->Step(Time::Zero(), LogAppended{.file = a.file, .token = a.token}, done);
  }
  EXPECT_TRUE(meta->ready());
  const PartitionConfiguration pc = meta->partitions()[0];
  PartitionConfiguration next = pc;
  next.ballot = pc.ballot.next();
  Outbox out;
  meta->Step(Time::Zero() + Millis(1),
             Receive{.from = *pc.primary,
                     .msg = UpdateConfigRequest{.type = ConfigType::kPrimaryForceUpdateBallot,
                                                .config = next,
                                                .node = *pc.primary}},
             out);
  meta->CheckInvariants();
  EXPECT_EQ(Appends(out).size(), 1u);
  Answered a;
  for (const auto& [to, r] : Sent<UpdateConfigResponse>(out)) {
    a.before_durable = r.error == ErrorCode::kOk;
    a.told = r.config.ballot;
  }
  meta = std::make_unique<MetaServer>(env, options);  // the append never reached the disk
  Outbox reboot;
  meta->Step(Time::Zero() + Millis(2), Boot{}, reboot);
  for (const AppendLog& s : Appends(reboot)) {  // the sync of the replayed meta.log
    Outbox done;
    meta->Step(Time::Zero() + Millis(3), LogAppended{.file = s.file, .token = s.token}, done);
  }
  EXPECT_TRUE(meta->ready());
  a.after_meta_restart = meta->partitions()[0].ballot;
  return a;
}

TEST(BugZooMeta, MetaActBeforePersistAnswersAChangeItThenForgets) {
  const Answered guarded = ForceUpdateThenMetaCrash({});
  EXPECT_FALSE(guarded.before_durable) << "meta answers only once the change is durable";
  const Answered buggy = ForceUpdateThenMetaCrash(With(Bug::kMetaActBeforePersist));
  EXPECT_TRUE(buggy.before_durable);
  EXPECT_EQ(buggy.told, Ballot(2));
  EXPECT_EQ(buggy.after_meta_restart, Ballot(1)) << "the primary acts on a ballot meta lost";
}

}  // namespace
}  // namespace pg::testing
