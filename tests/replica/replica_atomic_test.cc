// Atomic writes re-executed on every replica (Pegasus's default, atomic_idempotent false): the
// mutation carries the request, each replica executes it against its own state when it applies
// the decree, and the primary answers from its own execution.
#include <gtest/gtest.h>

#include "core/replica/write_executor.h"
#include "core/storage/mem_engine.h"
#include "tests/replica/replica_harness.h"

namespace pg::testing {
namespace {

// Every engine the harness's servers open, in opening order.
struct OpenedEngines {
  std::vector<MemEngine*> engines;
};

ReplicaServerOptions RecordingOptions(const std::shared_ptr<OpenedEngines>& opened) {
  ReplicaServerOptions o = DefaultOptions();
  o.open_engine = [opened](Gpid) -> Result<std::unique_ptr<KvEngine>> {
    auto engine = std::make_unique<MemEngine>();
    opened->engines.push_back(engine.get());
    return std::unique_ptr<KvEngine>(std::move(engine));
  };
  return o;
}

std::optional<std::string> Stored(const KvEngine& engine, const std::string& hk,
                                  const std::string& sk) {
  Result<std::optional<std::string>> v = engine.Get(hk, sk, Time::Zero());
  EXPECT_TRUE(v.ok());
  return v.ok() ? *v : std::nullopt;
}

ClientRequest IncrBy(std::string hk, std::string sk, int64_t by, uint64_t id) {
  ClientRequest r = Write(OpKind::kIncr, std::move(hk), std::move(sk), "", id);
  r.increment = by;
  return r;
}

// Logs every pending append of the primary, then delivers each prepare of `p` and its ack;
// returns the client replies.
std::vector<ClientResponse> CommitEverywhere(Harness& h, const Outbox& p) {
  std::vector<ClientResponse> replies;
  for (auto& [to, r] : Sent<ClientResponse>(h.CompleteLogs(kP))) replies.push_back(r);
  for (auto& [to, prep] : Sent<PrepareRequest>(p)) {
    h.Deliver(kP, to, prep);
    for (auto& [dest, ack] : Sent<PrepareAck>(h.CompleteLogs(to))) {
      for (auto& [client, r] : Sent<ClientResponse>(h.Deliver(to, dest, ack))) {
        replies.push_back(r);
      }
    }
  }
  return replies;
}

// The secondaries apply what the primary committed when the next group check carries the
// commit point.
void SpreadCommitPoint(Harness& h) {
  Outbox check = h.Fire(kP, MakeReplicaTimerId(kGpid, ReplicaTimer::kGroupCheck));
  for (auto& [to, req] : Sent<GroupCheckRequest>(check)) h.Deliver(kP, to, req);
}

TEST(ReplicaAtomic, TheMutationCarriesTheRequestAndEveryReplicaExecutesIt) {
  auto opened = std::make_shared<OpenedEngines>();
  Harness h(RecordingOptions(opened));
  h.StartGroup();
  ASSERT_EQ(opened->engines.size(), 3u);
  Outbox p = h.Deliver(kClient, kP, IncrBy("h", "n", 5, 1));
  auto preps = Sent<PrepareRequest>(p);
  ASSERT_EQ(preps.size(), 2u);
  ASSERT_EQ(preps[0].second.mutation.updates.size(), 1u);
  const WriteUpdate& u = preps[0].second.mutation.updates[0];
  EXPECT_EQ(u.kind, OpKind::kIncr) << "the request, not its result";
  EXPECT_EQ(u.increment, 5);
  EXPECT_EQ(u.timestamp, h.now) << "the primary's clock when it took the request";
  auto replies = CommitEverywhere(h, p);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].error, ErrorCode::kOk);
  EXPECT_EQ(replies[0].new_value, 5) << "the primary's own execution";

  Outbox again = h.Deliver(kClient, kP, IncrBy("h", "n", 2, 2));
  auto second = CommitEverywhere(h, again);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].new_value, 7);
  SpreadCommitPoint(h);
  for (const MemEngine* e : opened->engines) {
    EXPECT_EQ(e->last_applied(), Decree(2));
    EXPECT_EQ(Stored(*e, "h", "n"), std::optional<std::string>("7"))
        << "each replica executed both increments against its own state";
  }
}

TEST(ReplicaAtomic, AReExecutedAtomicWriteWaitsForNothing) {
  Harness h;
  h.StartGroup();
  Outbox set = h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "n", "10", 1));
  Outbox incr = h.Deliver(kClient, kP, IncrBy("h", "n", 1, 2));
  ASSERT_EQ(Sent<PrepareRequest>(incr).size(), 2u)
      << "prepared at once behind the uncommitted set on its row";
  EXPECT_EQ(h.View(kP).last_prepared, Decree(2));
  std::vector<ClientResponse> replies = CommitEverywhere(h, set);
  for (const ClientResponse& r : CommitEverywhere(h, incr)) replies.push_back(r);
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[1].new_value, 11) << "executed against the set committed before it";
}

TEST(ReplicaAtomic, AnIncrOfANonIntegerCommitsAsNothingAndAnswersInvalidArgument) {
  auto opened = std::make_shared<OpenedEngines>();
  Harness h(RecordingOptions(opened));
  h.StartGroup();
  ASSERT_EQ(
      CommitEverywhere(h, h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "abc", 1))).size(),
      1u);
  Outbox p = h.Deliver(kClient, kP, IncrBy("h", "s", 1, 2));
  ASSERT_EQ(Sent<PrepareRequest>(p).size(), 2u) << "the primary does not read before it prepares";
  auto replies = CommitEverywhere(h, p);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].error, ErrorCode::kInvalidArgument);
  SpreadCommitPoint(h);
  for (const MemEngine* e : opened->engines) {
    EXPECT_EQ(e->last_applied(), Decree(2)) << "the decree is applied, as an empty write";
    EXPECT_EQ(Stored(*e, "h", "s"), std::optional<std::string>("abc"));
  }
}

TEST(ReplicaAtomic, ACheckAndSetIsJudgedByEachReplicaAtApply) {
  Harness h;
  h.StartGroup();
  ClientRequest cas = Write(OpKind::kCheckAndSet, "h", "s", "new", 1);
  cas.check = ExpectValue("old");
  Outbox first = h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "s", "old", 2));
  Outbox second = h.Deliver(kClient, kP, cas);
  auto preps = Sent<PrepareRequest>(second);
  ASSERT_EQ(preps.size(), 2u);
  EXPECT_EQ(preps[0].second.mutation.updates[0].kind, OpKind::kCheckAndSet);
  EXPECT_EQ(preps[0].second.mutation.updates[0].check, ExpectValue("old"));
  CommitEverywhere(h, first);
  auto replies = CommitEverywhere(h, second);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_TRUE(replies[0].cas_matched) << "the set before it committed first";
  auto got = Sent<ClientResponse>(h.Deliver(kClient, kP, Get("h", "s", 3)));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].second.value, std::optional<std::string>("new"));
}

TEST(ApplyUpdates, AnAtomicUpdateReadsWhatTheSameMutationWroteBeforeIt) {
  MemEngine engine;
  std::vector<WriteUpdate> updates{
      WriteUpdate{.kind = OpKind::kSet, .hashkey = "h", .sortkey = "n", .value = "40"},
      WriteUpdate{.kind = OpKind::kIncr, .hashkey = "h", .sortkey = "n", .increment = 2},
      WriteUpdate{.kind = OpKind::kDel, .hashkey = "h", .sortkey = "c"},
      WriteUpdate{.kind = OpKind::kCheckAndSet,
                  .hashkey = "h",
                  .sortkey = "c",
                  .value = "x",
                  .check = ExpectValue(std::nullopt)}};
  ASSERT_TRUE(engine
                  .ApplyBatch(Decree(1),
                              [] {
                                WriteBatch b;
                                b.Put("h", "c", "present");
                                return b;
                              }())
                  .ok());
  Result<AppliedUpdates> applied = ApplyUpdates(updates, engine, {}, Time());
  ASSERT_TRUE(applied.ok());
  ASSERT_EQ(applied->outcomes.size(), 4u);
  EXPECT_EQ(applied->outcomes[1].new_value, 42);
  EXPECT_TRUE(applied->outcomes[3].cas_matched) << "the delete before it made the key absent";
  ASSERT_TRUE(engine.ApplyBatch(Decree(2), applied->batch).ok());
  EXPECT_EQ(Stored(engine, "h", "n"), std::optional<std::string>("42"));
  EXPECT_EQ(Stored(engine, "h", "c"), std::optional<std::string>("x"));
}

TEST(ApplyUpdates, FailedChecksWriteNothingAndAReadIsCorruption) {
  MemEngine engine;
  std::vector<WriteUpdate> miss{WriteUpdate{.kind = OpKind::kCheckAndSet,
                                            .hashkey = "h",
                                            .sortkey = "s",
                                            .value = "x",
                                            .check = ExpectValue("expected")}};
  Result<AppliedUpdates> applied = ApplyUpdates(miss, engine, {}, Time());
  ASSERT_TRUE(applied.ok());
  EXPECT_FALSE(applied->outcomes[0].cas_matched);
  EXPECT_TRUE(applied->batch.ops.empty());

  std::vector<WriteUpdate> overflow{
      WriteUpdate{.kind = OpKind::kSet, .hashkey = "h", .sortkey = "n", .value = "1"},
      WriteUpdate{.kind = OpKind::kIncr,
                  .hashkey = "h",
                  .sortkey = "n",
                  .increment = std::numeric_limits<int64_t>::max()}};
  applied = ApplyUpdates(overflow, engine, {}, Time());
  ASSERT_TRUE(applied.ok());
  EXPECT_EQ(applied->outcomes[1].status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(applied->outcomes[1].new_value, 1) << "an overflow answers the old value";
  EXPECT_EQ(applied->batch.ops.size(), 1u) << "only the set";

  std::vector<WriteUpdate> read{WriteUpdate{.kind = OpKind::kGet, .hashkey = "h"}};
  EXPECT_EQ(ApplyUpdates(read, engine, {}, Time()).status().code(), ErrorCode::kCorruption);
}

}  // namespace
}  // namespace pg::testing
