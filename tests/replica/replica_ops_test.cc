// Atomic operations, argument errors, boot replay and torn logs.
#include <gtest/gtest.h>

#include "core/replica/replica_init_info.h"
#include "core/replica/replica_log.h"
#include "core/replica/write_executor.h"
#include "tests/replica/replica_harness.h"

namespace pg::testing {
namespace {

// Delivers every prepare of `p` and every resulting ack; returns the client replies.
std::vector<std::pair<NodeId, ClientResponse>> Replicate(Harness& h, const Outbox& p) {
  std::vector<std::pair<NodeId, ClientResponse>> replies;
  for (auto& [to, r] : Sent<ClientResponse>(h.CompleteLogs(kP))) replies.emplace_back(to, r);
  for (auto& [to, prep] : Sent<PrepareRequest>(p)) {
    h.Deliver(kP, to, prep);
    for (auto& [dest, ack] : Sent<PrepareAck>(h.CompleteLogs(to))) {
      for (auto& r : Sent<ClientResponse>(h.Deliver(to, dest, ack))) replies.push_back(r);
    }
  }
  return replies;
}

// The atomic_idempotent mode: atomic writes executed on the primary and replicated as puts
// (replica_atomic_test.cc has the default, re-executed on every replica).
ReplicaServerOptions AtomicIdempotentOptions() {
  ReplicaServerOptions o = DefaultOptions();
  o.atomic_idempotent = true;
  return o;
}

ClientRequest Cas(std::optional<std::string> expect, std::string value, uint64_t id) {
  ClientRequest r = Write(OpKind::kCheckAndSet, "h", "s", std::move(value), id);
  r.check = ExpectValue(expect);
  return r;
}

TEST(ReplicaOps, IdempotentAtomicOpsReplicateTheirResult) {
  Harness h(AtomicIdempotentOptions());
  h.StartGroup();
  Outbox p = h.Deliver(kClient, kP, Incr("h", "n", 5, 1));
  auto preps = Sent<PrepareRequest>(p);
  ASSERT_EQ(preps.size(), 2u);
  ASSERT_EQ(preps[0].second.mutation.updates.size(), 1u);
  EXPECT_EQ(preps[0].second.mutation.updates[0].kind, OpKind::kSet) << "the result, not the op";
  EXPECT_EQ(preps[0].second.mutation.updates[0].value, "5");
  auto r = Replicate(h, p);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].second.new_value, 5);

  Outbox cas_hit = h.Deliver(kClient, kP, Cas(std::nullopt, "a", 2));
  EXPECT_TRUE(Sent<PrepareRequest>(cas_hit)[0].second.mutation.updates.size() == 1u);
  auto hit = Replicate(h, cas_hit);
  ASSERT_EQ(hit.size(), 1u);
  EXPECT_TRUE(hit[0].second.cas_matched);

  Outbox cas_miss = h.Deliver(kClient, kP, Cas(std::nullopt, "b", 3));
  auto miss_preps = Sent<PrepareRequest>(cas_miss);
  ASSERT_EQ(miss_preps.size(), 2u);
  EXPECT_TRUE(miss_preps[0].second.mutation.updates.empty()) << "a failed check writes nothing";
  auto miss = Replicate(h, cas_miss);
  ASSERT_EQ(miss.size(), 1u);
  EXPECT_FALSE(miss[0].second.cas_matched);
  auto got = Sent<ClientResponse>(h.Deliver(kClient, kP, Get("h", "s")));
  EXPECT_EQ(got[0].second.value, std::optional<std::string>("a"));
}

// Pegasus's row lock (mutation_queue::try_block): an atomic write executed on the primary waits
// until every mutation in 2PC that wrote its row is applied; it is set aside, and later writes,
// to its row or others, go ahead of it.
TEST(ReplicaOps, AnIdempotentAtomicOpWaitsForItsRowsMutationsToApply) {
  Harness h(AtomicIdempotentOptions());
  h.StartGroup();
  Outbox set = h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "n", "10", 1));
  Outbox incr = h.Deliver(kClient, kP, Incr("h", "n", 1, 2));
  EXPECT_TRUE(Sent<PrepareRequest>(incr).empty()) << "the set on that row is not applied";
  Outbox later = h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "m", "x", 3));
  EXPECT_EQ(Sent<PrepareRequest>(later).size(), 2u) << "a later write goes ahead of it";
  Outbox other = h.Deliver(kClient, kP, Incr("other", "n", 1, 4));
  EXPECT_EQ(Sent<PrepareRequest>(other).size(), 2u) << "other rows are not blocked";

  Outbox first = CommitByHand(h, set);
  EXPECT_TRUE(Sent<PrepareRequest>(first).empty()) << "the later set (decree 2) locks the row";
  Outbox second = CommitByHand(h, later);
  auto preps = Sent<PrepareRequest>(second);
  ASSERT_EQ(preps.size(), 2u) << "the incr, once both are applied";
  EXPECT_EQ(preps[0].second.mutation.decree, Decree(4));
  EXPECT_EQ(preps[0].second.mutation.updates[0].value, "11");
}

TEST(ReplicaOps, BadArgumentsGetErrorCodesNotCrashes) {
  Harness h(AtomicIdempotentOptions());
  h.StartGroup();
  auto one = [&](ClientRequest req) {
    auto r = Sent<ClientResponse>(h.Deliver(kClient, kP, req));
    EXPECT_EQ(r.size(), 1u);
    return r.empty() ? ErrorCode::kOk : r[0].second.error;
  };
  ClientRequest wrong_gpid = Write(OpKind::kSet, "h", "s", "v", 1);
  wrong_gpid.gpid = Gpid{.app_id = 7, .partition_index = 3};
  EXPECT_EQ(one(wrong_gpid), ErrorCode::kObjectNotFound);
  ClientRequest wrong_hash = Write(OpKind::kSet, "h", "s", "v", 2);
  wrong_hash.partition_hash ^= 1;
  EXPECT_EQ(one(wrong_hash), ErrorCode::kInvalidArgument);
  ClientRequest wrong_get = Get("h", "s", 3);
  wrong_get.partition_hash += 1;
  EXPECT_EQ(one(wrong_get), ErrorCode::kInvalidArgument);
  EXPECT_EQ(one(Write(OpKind::kMultiGet, "", "", "", 4)), ErrorCode::kInvalidArgument);
  ClientRequest empty_multi_set = Write(OpKind::kMultiSet, "", "", "", 5);
  empty_multi_set.kvs = {{"a", "b"}};
  EXPECT_EQ(one(empty_multi_set), ErrorCode::kInvalidArgument);
  EXPECT_EQ(one(Write(OpKind::kMultiSet, "h", "", "", 6)), ErrorCode::kInvalidArgument);
  EXPECT_EQ(one(Write(OpKind::kSet, std::string(0x10000, 'x'), "s", "v", 7)),
            ErrorCode::kInvalidArgument);
  ClientRequest bad_kind = Write(OpKind::kSet, "h", "s", "v", 8);
  bad_kind.kind = static_cast<OpKind>(42);
  EXPECT_EQ(one(bad_kind), ErrorCode::kInvalidArgument);

  // incr on a value that is not an integer: no effect, refused before it is prepared (a
  // re-executed incr commits as nothing: replica_atomic_test.cc).
  auto set = h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "abc", 9));
  ASSERT_EQ(Replicate(h, set).size(), 1u);
  EXPECT_EQ(one(Incr("h", "s", 1, 10)), ErrorCode::kInvalidArgument);
  EXPECT_EQ(h.View(kP).last_prepared, Decree(1));
  EXPECT_EQ(ParseIncrValue("-9223372036854775808"), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(ParseIncrValue("9223372036854775808"), std::nullopt);
  EXPECT_EQ(ParseIncrValue("1 "), std::nullopt);
  EXPECT_EQ(ParseIncrValue(""), 0);
}

TEST(ReplicaOps, WrongPartitionIsInvalidState) {
  Harness h;
  PartitionConfiguration pc = h.Config();
  pc.partition_count = 2;
  for (NodeId id : {kP, kS2, kS3}) h.BootWith(id, pc);
  // Find a key of the other partition.
  std::string hk = "k0";
  for (int i = 0; PartitionHash(hk, "s") % 2 == 0; ++i) hk = "k" + std::to_string(i);
  auto r = Sent<ClientResponse>(h.Deliver(kClient, kP, Write(OpKind::kSet, hk, "s", "v", 1)));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].second.error, ErrorCode::kInvalidState);
}

TEST(ReplicaOps, BootReplaysLogAndKeepsUncommittedSuffixPrepared) {
  Harness h;
  h.StartGroup();
  for (uint64_t i = 1; i <= 3; ++i) {
    Outbox p = h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "v" + std::to_string(i), i));
    Replicate(h, p);
  }
  // Secondary 2 logged decrees 1..3 with headers' commit points 0, 1, 2.
  ASSERT_EQ(h.View(kS2).last_committed, Decree(2));
  const auto digest2 = h.node(kP).CommittedDigest(kGpid, Decree(2));
  h.Build(kS2);  // crash: a new node over the surviving disk
  Outbox boot = h.Step(kS2, Boot{});
  EXPECT_EQ(Sent<Beacon>(boot).size(), 1u);
  auto sync = Sent<ConfigSyncRequest>(boot);
  ASSERT_EQ(sync.size(), 1u);
  ASSERT_EQ(sync[0].second.stored_replicas.size(), 1u);
  EXPECT_EQ(sync[0].second.stored_replicas[0].last_committed_decree, Decree(2));
  auto v = h.View(kS2);
  EXPECT_EQ(v.status, PartitionStatus::kInactive);
  EXPECT_EQ(v.ballot, Ballot(1));
  EXPECT_EQ(v.last_committed, Decree(2)) << "decree 3 is not proven committed by the log";
  EXPECT_EQ(v.last_prepared, Decree(3));
  EXPECT_EQ(h.node(kS2).CommittedDigest(kGpid, Decree(2)), digest2);
  // Same-ballot INACTIVE -> SECONDARY is not allowed after a restart (not transient).
  h.Deliver(kMeta, kS2, BeaconAck{.send_time = h.now, .is_master = true});
  h.Deliver(kMeta, kS2, ConfigSyncResponse{.partitions = {h.Config()}});
  EXPECT_EQ(h.View(kS2).status, PartitionStatus::kInactive);
}

TEST(ReplicaOps, TornLogTailIsCutOnReplay) {
  Harness h;
  h.StartGroup();
  for (uint64_t i = 1; i <= 3; ++i) {
    Replicate(h, h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "v", i)));
  }
  const std::string plog = PlogBaseName(kGpid);
  std::string& bytes = h.server(kS3).disk.files[plog];
  bytes.resize(bytes.size() - 5);  // the last record torn by a machine crash
  h.Build(kS3);
  Outbox boot = h.Step(kS3, Boot{});
  EXPECT_TRUE(HasMark(boot, "replica.plog_torn_tail"));
  EXPECT_EQ(h.View(kS3).last_prepared, Decree(2));
  EXPECT_EQ(h.View(kS3).last_committed, Decree(1));
  // New appends go to a fresh segment: nothing is ever written behind the torn bytes.
  PrepareRequest next{
      .config = {.gpid = kGpid,
                 .ballot = Ballot(2),
                 .primary = kP,
                 .status = PartitionStatus::kSecondary},
      .mutation = {.ballot = Ballot(2), .decree = Decree(3), .last_committed_decree = Decree(2)}};
  h.Deliver(kP, kS3, next);
  // The ballot rise's init info, then the prepare's.
  ASSERT_EQ(h.server(kS3).pending_logs.size(), 2u);
  EXPECT_EQ(h.server(kS3).pending_logs[0].file, InitInfoBaseName(kGpid));
  EXPECT_EQ(h.server(kS3).pending_logs[1].file, plog + ".1");
  h.CompleteLogs(kS3);
  h.Build(kS3);
  h.Step(kS3, Boot{});
  EXPECT_EQ(h.View(kS3).last_committed, Decree(2));
  EXPECT_EQ(h.View(kS3).last_prepared, Decree(3));
  EXPECT_EQ(h.View(kS3).ballot, Ballot(2));
}

// CT_PRIMARY_FORCE_UPDATE_BALLOT: a primary restarted with its log intact and still listed by
// meta asks for ballot + 1 before acting, then reconciles under it.
TEST(ReplicaOps, RestartedPrimaryStillListedForcesABallotUpdate) {
  Harness h;
  h.StartGroup();
  Replicate(h, h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "v", 1)));
  h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "w", 2));  // prepared, not committed
  h.CompleteLogs(kP);
  h.Build(kP);
  h.Step(kP, Boot{});
  h.Deliver(kMeta, kP, BeaconAck{.send_time = h.now, .is_master = true});
  Outbox sync = h.Deliver(kMeta, kP, ConfigSyncResponse{.partitions = {h.Config()}});
  EXPECT_TRUE(HasMark(sync, "replica.force_update_ballot"));
  auto reqs = Sent<UpdateConfigRequest>(sync);
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].second.type, ConfigType::kPrimaryForceUpdateBallot);
  EXPECT_EQ(reqs[0].second.config.ballot, Ballot(2));
  EXPECT_NE(h.View(kP).status, PartitionStatus::kPrimary) << "not before meta agreed";
  Outbox became = h.Deliver(
      kMeta, kP, UpdateConfigResponse{.error = ErrorCode::kOk, .config = reqs[0].second.config});
  EXPECT_EQ(h.View(kP).status, PartitionStatus::kPrimary);
  EXPECT_EQ(h.View(kP).ballot, Ballot(2));
  auto preps = Sent<PrepareRequest>(became);
  ASSERT_FALSE(preps.empty());
  EXPECT_EQ(preps[0].second.mutation.decree, Decree(2));
  EXPECT_EQ(preps[0].second.mutation.ballot, Ballot(2)) << "re-prepared under the new ballot";
}

// Its lease lapsed while the forced ballot was being asked for: the request went transient, and
// resuming from the next sync would make it primary at the old ballot, skipping the forced update
// (the hazard rDSN #522 fixed). It asks for the forced ballot again.
TEST(ReplicaOps, ARestartedPrimaryWhoseLeaseLapsedAsksForTheForcedBallotAgain) {
  Harness h;
  h.StartGroup();
  Replicate(h, h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "v", 1)));
  h.CompleteLogs(kP);
  h.Build(kP);
  h.Step(kP, Boot{});
  h.Deliver(kMeta, kP, BeaconAck{.send_time = h.now, .is_master = true});
  ASSERT_EQ(Sent<UpdateConfigRequest>(
                h.Deliver(kMeta, kP, ConfigSyncResponse{.partitions = {h.Config()}}))
                .size(),
            1u);
  h.now += Millis(5000);
  h.Fire(kP, TimerId(3));
  h.Deliver(kMeta, kP, BeaconAck{.send_time = h.now, .is_master = true});
  Outbox sync = h.Deliver(kMeta, kP, ConfigSyncResponse{.partitions = {h.Config()}});
  auto reqs = Sent<UpdateConfigRequest>(sync);
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].second.type, ConfigType::kPrimaryForceUpdateBallot);
  EXPECT_EQ(reqs[0].second.config.ballot, Ballot(2));
  EXPECT_NE(h.View(kP).status, PartitionStatus::kPrimary) << "not at the old ballot";
}

TEST(ReplicaOps, CorruptionInsideTheLogFailsTheReplica) {
  Harness h;
  h.StartGroup();
  for (uint64_t i = 1; i <= 3; ++i) {
    Replicate(h, h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "v", i)));
  }
  std::string& bytes = h.server(kS2).disk.files[PlogBaseName(kGpid)];
  bytes[12] ^= 0x40;  // inside the first record, followed by intact ones
  h.Build(kS2);
  Outbox boot = h.Step(kS2, Boot{});
  EXPECT_TRUE(HasMark(boot, "replica.error"));
  EXPECT_EQ(h.View(kS2).status, PartitionStatus::kError);
}

TEST(ReplicaOps, LogFailureIsFailStop) {
  Harness h;
  h.StartGroup();
  Outbox p = h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "v", 1));
  h.Deliver(kP, kS2, Sent<PrepareRequest>(p)[0].second);
  AppendLog a = h.server(kS2).pending_logs.front();
  h.server(kS2).pending_logs.clear();
  Outbox failed = h.Step(kS2, LogFailed{.file = a.file,
                                        .token = a.token,
                                        .status = Status(ErrorCode::kIoError, "injected")});
  EXPECT_TRUE(Sent<PrepareAck>(failed).empty());
  EXPECT_EQ(h.View(kS2).status, PartitionStatus::kError);
  auto again = Sent<PrepareAck>(h.Deliver(kP, kS2, Sent<PrepareRequest>(p)[0].second));
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].second.error, ErrorCode::kInvalidState);
}

TEST(ReplicaOps, GcReplicasDropsAndRecreatedReplicaStartsFresh) {
  Harness h;
  h.StartGroup();
  Replicate(h, h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "v", 1)));
  h.Deliver(kMeta, kS3, ConfigSyncResponse{.gc_replicas = {kGpid}});
  EXPECT_TRUE(h.node(kS3).Views(h.now).empty());
  h.CompleteLogs(kS3);
  h.Build(kS3);
  h.Step(kS3, Boot{});
  EXPECT_TRUE(h.node(kS3).Views(h.now).empty()) << "the index remembers the drop";
  h.Deliver(kMeta, kS3, BeaconAck{.send_time = h.now, .is_master = true});
  // It creates the replica again, empty, and is listed.
  h.CreateListed(kS3, h.Config());
  EXPECT_EQ(h.View(kS3).last_prepared, Decree(0)) << "the old plog is not replayed";
  EXPECT_EQ(h.View(kS3).status, PartitionStatus::kSecondary);
}

}  // namespace
}  // namespace pg::testing
