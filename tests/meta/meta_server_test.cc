// Step-level rules of the MetaServer (PEGASUS.md §1.8, §1.9), each test named after one.
#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "core/meta/partition_table.h"
#include "tests/meta/meta_harness.h"

namespace pg::testing {
namespace {

TEST(MetaServer, NewTableIsPersistedWithoutMembers) {
  MetaFixture f(DefaultMetaOptions());
  f.BootCreating(At(0));
  const auto& table = f.meta().partitions();
  ASSERT_EQ(table.size(), 8u);
  for (size_t i = 0; i < table.size(); ++i) {
    const PartitionConfiguration& pc = table[i];
    EXPECT_EQ(pc.gpid, (Gpid{.app_id = 1, .partition_index = static_cast<int32_t>(i)}));
    EXPECT_EQ(pc.ballot, Ballot(1));
    EXPECT_TRUE(IsNewPartition(pc)) << "partition " << i << " was created with members";
    EXPECT_EQ(pc.max_replica_count, 3);
    EXPECT_EQ(pc.partition_count, 8);
  }
}

// Beacons from every server at `t`, then a check.
Outbox BeaconsThenCheck(MetaFixture& f, int64_t t) {
  for (NodeId s : f.options().replica_servers) f.Receive(At(t), s, Beacon{.send_time = At(t - 1)});
  return f.Step(At(t) + Millis(1), TimerFired{.timer = TimerId(1)});
}

// partition_guardian::on_missing_primary for a new partition: each gets one server proposed as its
// first primary, the servers' primaries balanced; a server becomes a member only by asking
// (CT_ASSIGN_PRIMARY), and then the others join as learners at once (on_missing_secondary's
// emergency), never listed before their replica exists.
TEST(MetaServer, NewPartitionGetsAFirstPrimaryThenLearners) {
  MetaFixture f(DefaultMetaOptions());
  f.BootCreating(At(0));
  Outbox check = BeaconsThenCheck(f, 1000);
  const auto proposals = SentOf<ConfigProposal>(check);
  ASSERT_EQ(proposals.size(), 8u);
  std::map<NodeId, int> primaries;
  for (const auto& [to, p] : proposals) {
    EXPECT_EQ(p.type, ConfigType::kAssignPrimary);
    EXPECT_EQ(p.node, to);
    EXPECT_TRUE(IsNewPartition(p.config));
    ++primaries[to];
  }
  for (NodeId s : Servers(4)) EXPECT_EQ(primaries[s], 2) << "server " << s.value();
  // Nothing is listed yet: the proposal alone makes nobody a member.
  for (const PartitionConfiguration& pc : f.meta().partitions()) EXPECT_TRUE(IsNewPartition(pc));

  // The first proposal's server asks; another server's request for the same partition is refused.
  const auto& [first, proposal] = proposals[0];
  PartitionConfiguration next = proposal.config;
  next.ballot = next.ballot.next();
  next.primary = first;
  const NodeId other = first == NodeId(1) ? NodeId(2) : NodeId(1);
  Outbox ask = f.Receive(
      At(1100), first,
      UpdateConfigRequest{.type = ConfigType::kAssignPrimary, .config = next, .node = first});
  ASSERT_EQ(AppendsOf(ask).size(), 1u);
  f.Complete(At(1101), AppendsOf(ask)[0]);
  const int i = proposal.config.gpid.partition_index;
  EXPECT_EQ(f.meta().partitions()[i].primary, first);
  EXPECT_EQ(f.meta().partitions()[i].ballot, Ballot(2));
  PartitionConfiguration late = next;
  late.primary = other;
  Outbox refused = f.Receive(
      At(1200), other,
      UpdateConfigRequest{.type = ConfigType::kAssignPrimary, .config = late, .node = other});
  ASSERT_EQ(SentOf<UpdateConfigResponse>(refused).size(), 1u);
  EXPECT_NE(SentOf<UpdateConfigResponse>(refused)[0].second.error, ErrorCode::kOk);
  EXPECT_EQ(f.meta().partitions()[i].primary, first);

  // The next check proposes a learner to the new primary at once (no add_secondary_delay).
  Outbox learners = BeaconsThenCheck(f, 2000);
  bool proposed = false;
  for (const auto& [to, p] : SentOf<ConfigProposal>(learners)) {
    if (p.config.gpid.partition_index != i) continue;
    EXPECT_EQ(p.type, ConfigType::kAddSecondary);
    EXPECT_EQ(to, first);
    EXPECT_NE(p.node, first);
    proposed = true;
  }
  EXPECT_TRUE(proposed) << "no learner proposed to the new primary";
}

TEST(MetaServer, PersistsBeforeActing) {
  MetaFixture f(DefaultMetaOptions());
  Outbox boot = f.Step(At(0), Boot{});
  const auto appends = AppendsOf(boot);
  ASSERT_EQ(appends.size(), 1u);
  EXPECT_TRUE(appends[0].sync);
  EXPECT_EQ(appends[0].file, kMetaLogFile);
  EXPECT_FALSE(f.meta().ready());
  // Before the table is durable nobody gets an answer.
  Outbox q = f.Receive(At(1), NodeId(9), QueryConfigRequest{.app_name = "temp"});
  Outbox s = f.Receive(At(1), NodeId(1), ConfigSyncRequest{});
  EXPECT_TRUE(SentOf<QueryConfigResponse>(q).empty());
  EXPECT_TRUE(SentOf<ConfigSyncResponse>(s).empty());
  // Once it is, the waiting requests are answered.
  Outbox done = f.Complete(At(3), appends[0]);
  EXPECT_TRUE(f.meta().ready());
  EXPECT_EQ(SentOf<QueryConfigResponse>(done).size(), 1u);
  EXPECT_EQ(SentOf<ConfigSyncResponse>(done).size(), 1u);

  // A change to a serving table: appended (synced) first; applied and answered only on
  // LogAppended.
  MetaFixture g(DefaultMetaOptions());
  g.BootReady(At(0));
  PartitionConfiguration pc = g.meta().partitions()[0];
  const NodeId primary = *pc.primary;
  const NodeId victim = pc.secondaries[0];
  PartitionConfiguration next = pc;
  next.ballot = pc.ballot.next();
  std::erase(next.secondaries, victim);
  Outbox req =
      g.Receive(At(10), primary,
                UpdateConfigRequest{
                    .type = ConfigType::kDowngradeToInactive, .config = next, .node = victim});
  const auto change = AppendsOf(req);
  ASSERT_EQ(change.size(), 1u);
  EXPECT_TRUE(change[0].sync);
  EXPECT_TRUE(SentOf<UpdateConfigResponse>(req).empty());
  EXPECT_TRUE(g.meta().HasPendingChange(0));
  Outbox q2 = g.Receive(At(11), NodeId(9), QueryConfigRequest{.app_name = "temp"});
  ASSERT_EQ(SentOf<QueryConfigResponse>(q2).size(), 1u);
  EXPECT_EQ(SentOf<QueryConfigResponse>(q2)[0].second.partitions[0].ballot, Ballot(1))
      << "a configuration was served before it was durable";
  Outbox applied = g.Complete(At(12), change[0]);
  ASSERT_EQ(SentOf<UpdateConfigResponse>(applied).size(), 1u);
  EXPECT_EQ(g.meta().partitions()[0].ballot, Ballot(2));
}

TEST(MetaServer, LeaseShorterThanGraceIsAsserted) {
  ThrowingAsserts scope;
  MapDisk disk;
  CountingRng rng;
  const NodeEnv env{.id = kMeta, .name = "meta/0", .rng = &rng, .disk = &disk};
  MetaServerOptions equal = DefaultMetaOptions();
  equal.replica_lease = equal.grace;
  EXPECT_THROW(MetaServer(env, equal), AssertionThrown);
  MetaServerOptions longer = DefaultMetaOptions();
  longer.replica_lease = longer.grace + Millis(1);
  EXPECT_THROW(MetaServer(env, longer), AssertionThrown);
  MetaServerOptions fine = DefaultMetaOptions();
  fine.replica_lease = fine.grace - Millis(1);
  EXPECT_NO_THROW(MetaServer(env, fine));
}

// Beacons from every server but `silent` at each second up to `until_ms`, checks each second.
std::vector<std::pair<NodeId, ConfigProposal>> RunBeacons(MetaFixture& f, NodeId silent,
                                                          int64_t until_ms) {
  std::vector<std::pair<NodeId, ConfigProposal>> proposals;
  for (int64_t t = 1000; t <= until_ms; t += 1000) {
    for (NodeId s : f.options().replica_servers) {
      if (s == silent && t > 1000) continue;
      Outbox ack = f.Receive(At(t), s, Beacon{.send_time = At(t - 1)});
      const auto acks = SentOf<BeaconAck>(ack);
      EXPECT_EQ(acks.size(), 1u);
      if (!acks.empty()) {
        EXPECT_TRUE(acks[0].second.is_master);
      }
    }
    Outbox check = f.Step(At(t) + Millis(1), TimerFired{.timer = TimerId(1)});
    for (auto& p : SentOf<ConfigProposal>(check)) proposals.push_back(p);
  }
  return proposals;
}

TEST(MetaServer, DeclaresDeadAfterGraceSinceLastBeacon) {
  MetaFixture f(DefaultMetaOptions());
  f.BootReady(At(0));
  const NodeId silent(4);
  // Last beacon received at 1000 ms; grace 7000 ms: still alive at the check at 8001 ms
  // (7001 > 7000 is dead: the check right after 8000 ms sees exactly 7001 ms).
  auto proposals = RunBeacons(f, silent, 7000);
  EXPECT_TRUE(f.meta().IsWorkerAlive(silent));
  EXPECT_TRUE(proposals.empty());
  Outbox check = f.Step(At(8000), TimerFired{.timer = TimerId(1)});
  EXPECT_TRUE(f.meta().IsWorkerAlive(silent)) << "dead at exactly grace";
  check = f.Step(At(8000) + Millis(1), TimerFired{.timer = TimerId(1)});
  EXPECT_FALSE(f.meta().IsWorkerAlive(silent));
  // A beacon brings it back.
  f.Receive(At(8500), silent, Beacon{.send_time = At(8499)});
  EXPECT_TRUE(f.meta().IsWorkerAlive(silent));

  // A new incarnation considers everybody alive for a full grace after it boots.
  f.Rebuild();
  f.BootCreating(At(20000));
  EXPECT_TRUE(f.meta().IsWorkerAlive(silent));
  f.Step(At(26999), TimerFired{.timer = TimerId(1)});
  EXPECT_TRUE(f.meta().IsWorkerAlive(silent));
  f.Step(At(27001), TimerFired{.timer = TimerId(1)});
  EXPECT_FALSE(f.meta().IsWorkerAlive(silent));
}

TEST(MetaServer, ProposesRemovingDeadSecondaryToItsPrimary) {
  MetaFixture f(DefaultMetaOptions());
  f.BootReady(At(0));
  const NodeId silent(4);
  auto proposals = RunBeacons(f, silent, 10000);
  ASSERT_FALSE(proposals.empty());
  std::set<int> partitions;
  for (const auto& [to, p] : proposals) {
    const PartitionConfiguration& pc = f.meta().partitions()[p.config.gpid.partition_index];
    EXPECT_EQ(p.type, ConfigType::kDowngradeToInactive);
    EXPECT_EQ(p.node, silent);
    EXPECT_EQ(to, *pc.primary);
    EXPECT_TRUE(IsSecondary(pc, silent));
    partitions.insert(p.config.gpid.partition_index);
  }
  // Every partition where it is a secondary (4 of 8), none where it is the primary.
  int expected = 0;
  for (const auto& pc : f.meta().partitions()) expected += IsSecondary(pc, silent);
  EXPECT_EQ(partitions.size(), static_cast<size_t>(expected));
}

UpdateConfigRequest Downgrade(const PartitionConfiguration& pc, NodeId victim, Ballot ballot) {
  PartitionConfiguration next = pc;
  next.ballot = ballot;
  std::erase(next.secondaries, victim);
  return {.type = ConfigType::kDowngradeToInactive, .config = next, .node = victim};
}

// A primary whose lease lapsed while meta persisted its request gave up on the reply. Told the
// configuration being replaced at its next sync, it would resume at that ballot, and nothing would
// tell it the new one (a primary ignores config syncs): a secondary of meta's next ballot would
// never be prepared to. The primary hears of the partition once the change is done
// (scenarios/regressions/pegasus_swarm_seed1232_primary_behind_meta.json).
TEST(MetaServer, ConfigSyncLeavesOutAPartitionWhosePrimaryHasAChangeInFlight) {
  MetaFixture f(DefaultMetaOptions());
  f.BootReady(At(0));
  const PartitionConfiguration pc = f.meta().partitions()[3];
  const NodeId primary = *pc.primary;
  const auto appends =
      AppendsOf(f.Receive(At(5), primary, Downgrade(pc, pc.secondaries[1], pc.ballot.next())));
  ASSERT_EQ(appends.size(), 1u);
  ConfigSyncRequest req;
  for (int i = 0; i < 8; ++i) req.stored_replicas.push_back({.gpid = {1, i}});
  auto listed = [&](const Outbox& out) {
    const auto resps = SentOf<ConfigSyncResponse>(out);
    EXPECT_EQ(resps.size(), 1u);
    std::optional<Ballot> ballot;
    if (resps.empty()) return ballot;
    const ConfigSyncResponse resp = resps[0].second;
    for (const PartitionConfiguration& p : resp.partitions) {
      if (p.gpid == pc.gpid) ballot = p.ballot;
    }
    return ballot;
  };
  const Outbox early = f.Receive(At(6), primary, req);
  EXPECT_TRUE(HasMark(early, "meta.sync_skips_pending_change"));
  EXPECT_EQ(listed(early), std::nullopt) << "listed at the ballot being replaced";
  f.Complete(At(7), appends[0]);
  EXPECT_EQ(listed(f.Receive(At(8), primary, req)), Ballot(2));
}

TEST(MetaServer, RemovesFailedSecondaryWithBallotPlusOne) {
  MetaFixture f(DefaultMetaOptions());
  f.BootReady(At(0));
  const PartitionConfiguration pc = f.meta().partitions()[3];
  const NodeId victim = pc.secondaries[1];
  Outbox req = f.Receive(At(5), *pc.primary, Downgrade(pc, victim, pc.ballot.next()));
  const auto appends = AppendsOf(req);
  ASSERT_EQ(appends.size(), 1u);
  // A second request for the same partition while one is pending is dropped.
  Outbox again = f.Receive(At(6), *pc.primary, Downgrade(pc, victim, pc.ballot.next()));
  EXPECT_TRUE(AppendsOf(again).empty());
  EXPECT_TRUE(SentOf<UpdateConfigResponse>(again).empty());
  Outbox done = f.Complete(At(7), appends[0]);
  const auto replies = SentOf<UpdateConfigResponse>(done);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].first, *pc.primary);
  EXPECT_EQ(replies[0].second.error, ErrorCode::kOk);
  const PartitionConfiguration& now = replies[0].second.config;
  EXPECT_EQ(now.ballot, Ballot(2));
  EXPECT_EQ(now.primary, pc.primary);
  EXPECT_FALSE(IsMember(now, victim));
  EXPECT_EQ(now.secondaries.size(), 1u);
  EXPECT_EQ(now.last_drops, std::vector<NodeId>{victim});
  // A duplicate of the applied request is answered ok with the current configuration.
  Outbox dup = f.Receive(At(8), *pc.primary, Downgrade(pc, victim, pc.ballot.next()));
  ASSERT_EQ(SentOf<UpdateConfigResponse>(dup).size(), 1u);
  EXPECT_EQ(SentOf<UpdateConfigResponse>(dup)[0].second.error, ErrorCode::kOk);
  EXPECT_TRUE(AppendsOf(dup).empty());
  // The change survives a restart: the new incarnation replays meta.log.
  f.Rebuild();
  f.BootCreating(At(100));
  EXPECT_EQ(f.meta().partitions()[3], now);
}

TEST(MetaServer, RejectsWrongBallotWithInvalidVersion) {
  MetaFixture f(DefaultMetaOptions());
  f.BootReady(At(0));
  const PartitionConfiguration pc = f.meta().partitions()[1];
  const NodeId victim = pc.secondaries[0];
  for (Ballot b : {Ballot(3), Ballot(0)}) {
    Outbox out = f.Receive(At(5), *pc.primary, Downgrade(pc, victim, b));
    EXPECT_TRUE(AppendsOf(out).empty());
    const auto replies = SentOf<UpdateConfigResponse>(out);
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].second.error, ErrorCode::kInvalidVersion);
    EXPECT_EQ(replies[0].second.config, pc);
  }
  // Only the primary may remove a secondary.
  Outbox wrong = f.Receive(At(6), victim, Downgrade(pc, victim, pc.ballot.next()));
  EXPECT_TRUE(AppendsOf(wrong).empty());
  ASSERT_EQ(SentOf<UpdateConfigResponse>(wrong).size(), 1u);
  EXPECT_NE(SentOf<UpdateConfigResponse>(wrong)[0].second.error, ErrorCode::kOk);
}

// Every answer to a config update request names it: the replica takes only the answer to the
// request it has pending, since a refusal of an older one carries the same configuration
// (scenarios/regressions/pegasus_swarm_seed25_stale_refusal.json; rDSN matches a reply to its
// call).
TEST(MetaServer, AnswersToConfigUpdatesEchoTheRequestId) {
  MetaFixture f(DefaultMetaOptions());
  f.BootReady(At(0));
  const PartitionConfiguration pc = f.meta().partitions()[2];
  const NodeId victim = pc.secondaries[0];
  auto with_id = [&](Ballot b, uint64_t id) {
    UpdateConfigRequest req = Downgrade(pc, victim, b);
    req.request_id = id;
    return req;
  };
  auto answer_id = [](const Outbox& out) -> std::optional<uint64_t> {
    const auto replies = SentOf<UpdateConfigResponse>(out);
    if (replies.size() != 1) return std::nullopt;
    return replies[0].second.request_id;
  };
  EXPECT_EQ(answer_id(f.Receive(At(5), *pc.primary, with_id(Ballot(3), 41))), 41u) << "refused";
  Outbox req = f.Receive(At(6), *pc.primary, with_id(pc.ballot.next(), 42));
  ASSERT_EQ(AppendsOf(req).size(), 1u);
  EXPECT_EQ(answer_id(f.Complete(At(7), AppendsOf(req)[0])), 42u) << "persisted";
  EXPECT_EQ(answer_id(f.Receive(At(8), *pc.primary, with_id(pc.ballot.next(), 43))), 43u)
      << "a duplicate";
}

TEST(MetaServer, BadTableNameGetsAppNotExist) {
  MetaFixture f(DefaultMetaOptions());
  f.BootReady(At(0));
  Outbox out = f.Receive(At(1), NodeId(9), QueryConfigRequest{.app_name = "nope"});
  const auto r = SentOf<QueryConfigResponse>(out);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].second.error, ErrorCode::kAppNotExist);
  EXPECT_TRUE(r[0].second.partitions.empty());
  Outbox ok = f.Receive(At(1), NodeId(9), QueryConfigRequest{.app_name = "temp"});
  ASSERT_EQ(SentOf<QueryConfigResponse>(ok).size(), 1u);
  EXPECT_EQ(SentOf<QueryConfigResponse>(ok)[0].second.partitions.size(), 8u);
}

TEST(MetaServer, ConfigSyncListsMembershipAndCollectsStrayReplicas) {
  MetaFixture f(DefaultMetaOptions());
  f.BootReady(At(0));
  const NodeId node(2);
  ConfigSyncRequest req;
  for (int i = 0; i < 8; ++i) req.stored_replicas.push_back({.gpid = {1, i}});
  req.stored_replicas.push_back({.gpid = {7, 0}});
  Outbox out = f.Receive(At(1), node, req);
  const auto r = SentOf<ConfigSyncResponse>(out);
  ASSERT_EQ(r.size(), 1u);
  std::set<int> listed;
  for (const auto& pc : r[0].second.partitions) {
    EXPECT_TRUE(IsMember(pc, node));
    listed.insert(pc.gpid.partition_index);
  }
  EXPECT_EQ(listed.size(), 6u);
  EXPECT_EQ(r[0].second.gc_replicas.size(), 3u);  // two partitions without it + another app
}

TEST(MetaServer, ReplaySkipsTornAppendsAndRecreatesMissingPartitions) {
  MetaFixture f(DefaultMetaOptions());
  f.BootReady(At(0));
  const PartitionConfiguration pc = f.meta().partitions()[5];
  const NodeId victim = pc.secondaries[0];
  // A torn append: half a record at the end, never acknowledged.
  const std::string torn = EncodeMetaLogRecord(Downgrade(pc, victim, pc.ballot.next()).config);
  f.disk().files[kMetaLogFile] += torn.substr(0, torn.size() / 2);
  f.Rebuild();
  f.BootCreating(At(10));
  EXPECT_EQ(f.meta().partitions()[5], pc);
  // The next incarnation appends after the torn bytes and its record is found on replay.
  Outbox req = f.Receive(At(11), *pc.primary, Downgrade(pc, victim, pc.ballot.next()));
  ASSERT_EQ(AppendsOf(req).size(), 1u);
  f.Complete(At(12), AppendsOf(req)[0]);
  f.Rebuild();
  f.BootCreating(At(20));
  EXPECT_EQ(f.meta().partitions()[5].ballot, Ballot(2));

  // A log that lost the table's tail (a crash while creating it): the missing partitions are
  // created again, identically, before anything is answered.
  MetaFixture g(DefaultMetaOptions());
  g.disk().files[kMetaLogFile] = EncodeMetaLogRecord(
      CreateTableLayout({.partition_count = 8, .replica_count = 3, .servers = Servers(4)})[0]);
  Outbox boot = g.Step(At(0), Boot{});
  EXPECT_FALSE(g.meta().ready());
  ASSERT_EQ(AppendsOf(boot).size(), 1u) << "the replayed meta.log is synced first";
  EXPECT_TRUE(AppendsOf(boot)[0].bytes.empty());
  Outbox synced = g.Complete(At(1), AppendsOf(boot)[0]);
  EXPECT_FALSE(g.meta().ready());
  ASSERT_EQ(AppendsOf(synced).size(), 1u);
  g.Complete(At(2), AppendsOf(synced)[0]);
  EXPECT_TRUE(g.meta().ready());
  EXPECT_EQ(g.meta().partitions(),
            CreateTableLayout({.partition_count = 8, .replica_count = 3, .servers = Servers(4)}));
}

}  // namespace
}  // namespace pg::testing

namespace pg::testing {
namespace {

TEST(MetaServer, PrimaryForceUpdateBallotKeepsMembership) {
  MetaFixture f(DefaultMetaOptions());
  f.BootReady(At(0));
  const PartitionConfiguration pc = f.meta().partitions()[2];
  PartitionConfiguration next = pc;
  next.ballot = pc.ballot.next();
  const UpdateConfigRequest req{
      .type = ConfigType::kPrimaryForceUpdateBallot, .config = next, .node = *pc.primary};
  // Only the primary itself may ask.
  Outbox wrong = f.Receive(At(1), pc.secondaries[0], req);
  EXPECT_TRUE(AppendsOf(wrong).empty());
  Outbox out = f.Receive(At(2), *pc.primary, req);
  ASSERT_EQ(AppendsOf(out).size(), 1u);
  Outbox done = f.Complete(At(3), AppendsOf(out)[0]);
  const auto r = SentOf<UpdateConfigResponse>(done);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].second.error, ErrorCode::kOk);
  EXPECT_EQ(r[0].second.config.ballot, Ballot(2));
  EXPECT_EQ(r[0].second.config.primary, pc.primary);
  EXPECT_EQ(r[0].second.config.secondaries, pc.secondaries);
}

}  // namespace
}  // namespace pg::testing
