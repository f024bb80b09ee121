// Pegasus's richer operations through a replica group: ranged multi_get and sortkey_count served
// by the primary from committed state; multi_remove replicated as it is; check_and_mutate
// re-executed on every replica (Pegasus's default) or replicated as its puts and deletes
// (atomic_idempotent).
#include <gtest/gtest.h>

#include "core/replica/write_executor.h"
#include "core/storage/mem_engine.h"
#include "tests/replica/replica_harness.h"

namespace pg::testing {
namespace {

ReplicaServerOptions EnginesKept(std::vector<MemEngine*>* engines, bool atomic_idempotent) {
  ReplicaServerOptions o = DefaultOptions();
  o.atomic_idempotent = atomic_idempotent;
  o.open_engine = [engines](Gpid) -> Result<std::unique_ptr<KvEngine>> {
    auto engine = std::make_unique<MemEngine>();
    engines->push_back(engine.get());
    return std::unique_ptr<KvEngine>(std::move(engine));
  };
  return o;
}

// Commits `p`'s mutation on the whole group and spreads the commit point (the next group check);
// returns the client's replies.
std::vector<ClientResponse> CommitAll(Harness& h, const Outbox& p) {
  std::vector<ClientResponse> replies;
  for (auto& [to, r] : Sent<ClientResponse>(CommitByHand(h, p))) replies.push_back(r);
  Outbox check = h.Fire(kP, MakeReplicaTimerId(kGpid, ReplicaTimer::kGroupCheck));
  for (auto& [to, req] : Sent<GroupCheckRequest>(check)) h.Deliver(kP, to, req);
  return replies;
}

ClientRequest Read(OpKind kind, uint64_t id) { return Write(kind, "h", "", "", id); }

ClientRequest MultiSet(std::map<std::string, std::string> kvs, uint64_t id) {
  ClientRequest r = Write(OpKind::kMultiSet, "h", "", "", id);
  r.kvs = std::move(kvs);
  return r;
}

ClientRequest CheckAndMutate(std::string check_sortkey, CasCheck check,
                             std::vector<Mutate> mutations, uint64_t id) {
  ClientRequest r = Write(OpKind::kCheckAndMutate, "h", std::move(check_sortkey), "", id);
  r.check = std::move(check);
  r.mutations = std::move(mutations);
  return r;
}

ClientResponse Answer(Harness& h, const ClientRequest& r) {
  auto got = Sent<ClientResponse>(h.Deliver(kClient, kP, r));
  EXPECT_EQ(got.size(), 1u);
  return got.empty() ? ClientResponse{} : got[0].second;
}

std::string Contents(const MemEngine& e) {
  Result<std::vector<SortkeyValue>> kvs = e.MultiGet("h", Time::Zero());
  EXPECT_TRUE(kvs.ok());
  std::string out;
  for (const SortkeyValue& kv : *kvs) out += kv.sortkey + "=" + kv.value + " ";
  return out;
}

TEST(ReplicaDataModel, ThePrimaryServesRangesAndCountsFromCommittedState) {
  std::vector<MemEngine*> engines;
  Harness h(EnginesKept(&engines, false));
  h.StartGroup();
  CommitAll(h, h.Deliver(kClient, kP, MultiSet({{"a", "1"}, {"b", "2"}, {"c", "3"}}, 1)));
  Outbox uncommitted = h.Deliver(kClient, kP, Write(OpKind::kSet, "h", "d", "4", 2));

  ClientRequest range = Read(OpKind::kMultiGet, 3);
  range.range = SortkeyRange{.start = "a", .start_inclusive = false, .limit = 5, .reverse = true};
  ClientResponse got = Answer(h, range);
  ASSERT_EQ(got.error, ErrorCode::kOk);
  EXPECT_EQ(got.kvs, (std::map<std::string, std::string>{{"b", "2"}, {"c", "3"}}))
      << "d is prepared, not committed";
  range.range->limit = 1;
  EXPECT_EQ(Answer(h, range).kvs, (std::map<std::string, std::string>{{"c", "3"}}))
      << "reversed, the limit keeps the top";
  EXPECT_EQ(Answer(h, Read(OpKind::kSortkeyCount, 4)).count, 3);

  range.range->filter = static_cast<FilterType>(kFilterTypeCount);
  EXPECT_EQ(Answer(h, range).error, ErrorCode::kInvalidArgument);
}

TEST(ReplicaDataModel, AMultiRemoveIsReplicatedAsItIsAndDeletesEverywhere) {
  std::vector<MemEngine*> engines;
  Harness h(EnginesKept(&engines, false));
  h.StartGroup();
  CommitAll(h, h.Deliver(kClient, kP, MultiSet({{"a", "1"}, {"b", "2"}, {"c", "3"}}, 1)));
  ClientRequest del = Write(OpKind::kMultiDel, "h", "", "", 2);
  del.sortkeys = {"a", "c", "z"};
  Outbox p = h.Deliver(kClient, kP, del);
  auto preps = Sent<PrepareRequest>(p);
  ASSERT_EQ(preps.size(), 2u);
  EXPECT_EQ(preps[0].second.mutation.updates[0].kind, OpKind::kMultiDel);
  ASSERT_EQ(CommitAll(h, p).size(), 1u);
  ASSERT_EQ(engines.size(), 3u);
  for (const MemEngine* e : engines) EXPECT_EQ(Contents(*e), "b=2 ");

  del.sortkeys.clear();
  del.request_id = 3;
  EXPECT_EQ(Answer(h, del).error, ErrorCode::kInvalidArgument) << "upstream refuses no sortkeys";
}

TEST(ReplicaDataModel, ACheckAndMutateIsReExecutedByEveryReplica) {
  std::vector<MemEngine*> engines;
  Harness h(EnginesKept(&engines, false));
  h.StartGroup();
  CommitAll(h, h.Deliver(kClient, kP, MultiSet({{"n", "7"}, {"x", "old"}}, 1)));
  std::vector<Mutate> mutations{{.sortkey = "x", .value = "new"}, {.del = true, .sortkey = "n"}};
  Outbox p =
      h.Deliver(kClient, kP, CheckAndMutate("n", {CheckType::kIntGreater, "6"}, mutations, 2));
  auto preps = Sent<PrepareRequest>(p);
  ASSERT_EQ(preps.size(), 2u);
  EXPECT_EQ(preps[0].second.mutation.updates[0].kind, OpKind::kCheckAndMutate) << "the request";
  auto replies = CommitAll(h, p);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_TRUE(replies[0].cas_matched);
  for (const MemEngine* e : engines) EXPECT_EQ(Contents(*e), "x=new ");

  // The check sortkey is gone now: an int comparison fails without changing anything.
  auto missed = CommitAll(
      h, h.Deliver(kClient, kP, CheckAndMutate("n", {CheckType::kIntLess, "9"}, mutations, 3)));
  ASSERT_EQ(missed.size(), 1u);
  EXPECT_EQ(missed[0].error, ErrorCode::kOk);
  EXPECT_FALSE(missed[0].cas_matched);
  // On a value that is no integer, upstream answers invalid argument and applies nothing.
  auto invalid = CommitAll(
      h, h.Deliver(kClient, kP, CheckAndMutate("x", {CheckType::kIntLess, "9"}, mutations, 4)));
  ASSERT_EQ(invalid.size(), 1u);
  EXPECT_EQ(invalid[0].error, ErrorCode::kInvalidArgument);
  for (const MemEngine* e : engines) EXPECT_EQ(Contents(*e), "x=new ");
}

TEST(ReplicaDataModel, AnIdempotentCheckAndMutateReplicatesItsPutsAndDeletes) {
  std::vector<MemEngine*> engines;
  Harness h(EnginesKept(&engines, true));
  h.StartGroup();
  CommitAll(h, h.Deliver(kClient, kP, MultiSet({{"x", "abc"}}, 1)));
  std::vector<Mutate> mutations{{.sortkey = "y", .value = "v"}, {.del = true, .sortkey = "x"}};
  Outbox p =
      h.Deliver(kClient, kP, CheckAndMutate("x", {CheckType::kMatchPrefix, "ab"}, mutations, 2));
  auto preps = Sent<PrepareRequest>(p);
  ASSERT_EQ(preps.size(), 2u);
  const std::vector<WriteUpdate>& updates = preps[0].second.mutation.updates;
  ASSERT_EQ(updates.size(), 2u);
  EXPECT_EQ(updates[0].kind, OpKind::kSet);
  EXPECT_EQ(updates[1].kind, OpKind::kDel);
  auto replies = CommitAll(h, p);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_TRUE(replies[0].cas_matched);
  for (const MemEngine* e : engines) EXPECT_EQ(Contents(*e), "y=v ");
}

TEST(ApplyUpdates, CheckAndMutateAppliesItsMutationsInOrderOnlyWhenTheCheckPasses) {
  MemEngine engine;
  WriteUpdate cam{.kind = OpKind::kCheckAndMutate,
                  .hashkey = "h",
                  .sortkey = "c",
                  .check = {CheckType::kValueNotExist, ""},
                  .mutations = {{.sortkey = "a", .value = "1"},
                                {.del = true, .sortkey = "a"},
                                {.sortkey = "c", .value = "2"}}};
  Result<AppliedUpdates> applied = ApplyUpdates({cam, cam}, engine, {}, Time());
  ASSERT_TRUE(applied.ok());
  EXPECT_TRUE(applied->outcomes[0].cas_matched);
  EXPECT_FALSE(applied->outcomes[1].cas_matched) << "the first one wrote c";
  ASSERT_TRUE(engine.ApplyBatch(Decree(1), applied->batch).ok());
  EXPECT_EQ(Contents(engine), "c=2 ") << "a was set, then deleted";
}

}  // namespace
}  // namespace pg::testing
