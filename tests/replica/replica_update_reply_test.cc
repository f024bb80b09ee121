// A primary's configuration update request and meta's answers to it under delays: only the answer
// to the pending request is taken (rDSN delivers a reply to the call that sent it, and
// replica_config.cpp update_configuration_on_meta_server cancels the previous call), whatever its
// ballot says.
#include <gtest/gtest.h>

#include "tests/replica/replica_harness.h"

namespace pg::testing {
namespace {

constexpr NodeId kS4{4};

// kP, primary of `current`, asks meta to drop `node` (meta's failure detector declared it dead);
// returns the request it sent.
UpdateConfigRequest DropSecondary(Harness& h, const PartitionConfiguration& current, NodeId node) {
  const auto asked = Sent<UpdateConfigRequest>(h.Deliver(
      kMeta, kP,
      ConfigProposal{.type = ConfigType::kDowngradeToInactive, .config = current, .node = node}));
  EXPECT_EQ(asked.size(), 1u);
  return asked.empty() ? UpdateConfigRequest{} : asked[0].second;
}

UpdateConfigResponse Persisted(const UpdateConfigRequest& req) {
  return UpdateConfigResponse{
      .error = ErrorCode::kOk, .config = req.config, .request_id = req.request_id};
}

// The seed-25 run (scenarios/regressions/pegasus_swarm_seed25_stale_refusal.json): a request of
// kP's, held in the network, reached meta two ballots later. Meta refused it (its ballot is not
// current + 1) with its current configuration: the very one kP's pending request is based on, so
// the refusal's ballot said it answered that request. kP gave the pending request up, resumed at
// the old ballot from a sync meta answered before the request arrived, and ignored meta's answer
// persisting it: meta named kP primary at a ballot kP never held, and as a primary ignores config
// syncs and meta saw a whole partition, nothing told kP again (liveness).
TEST(ReplicaUpdateReply, ARefusalOfAnEarlierRequestDoesNotAnswerThePendingOne) {
  Harness h;
  h.StartGroup({kS2, kS3, kS4});
  PartitionConfiguration meta = h.Config({kS2, kS3, kS4});
  const UpdateConfigRequest held = DropSecondary(h, meta, kS4);  // a copy stays in the network
  h.Deliver(kMeta, kP, Persisted(held));
  meta = held.config;
  const UpdateConfigRequest second = DropSecondary(h, meta, kS3);
  h.Deliver(kMeta, kP, Persisted(second));
  meta = second.config;
  ASSERT_EQ(h.View(kP).status, PartitionStatus::kPrimary);
  ASSERT_EQ(h.View(kP).ballot, Ballot(3));

  const UpdateConfigRequest pending = DropSecondary(h, meta, kS2);
  ASSERT_EQ(pending.config.ballot, Ballot(4));
  ASSERT_NE(pending.request_id, held.request_id);
  // Meta, at ballot 3, refuses the held copy of the ballot-2 request.
  Outbox stale = h.Deliver(
      kMeta, kP,
      UpdateConfigResponse{
          .error = ErrorCode::kInvalidVersion, .config = meta, .request_id = held.request_id});
  EXPECT_TRUE(HasMark(stale, "replica.superseded_update_reply"));
  EXPECT_TRUE(Sent<ConfigSyncRequest>(stale).empty()) << "no re-sync: nothing was refused";
  EXPECT_EQ(h.View(kP).status, PartitionStatus::kInactive) << "still waiting for meta";

  // Meta answers a sync from ballot 3 before the pending request reaches it: still waiting.
  h.Deliver(kMeta, kP, ConfigSyncResponse{.partitions = {meta}});
  EXPECT_EQ(h.View(kP).status, PartitionStatus::kInactive);
  EXPECT_EQ(h.View(kP).ballot, Ballot(3));

  // Meta persists the pending request: its answer makes kP primary of ballot 4.
  h.Deliver(kMeta, kP, Persisted(pending));
  EXPECT_EQ(h.View(kP).status, PartitionStatus::kPrimary);
  EXPECT_EQ(h.View(kP).ballot, Ballot(4));
}

// The answer to the pending request is taken whichever of its sends it answers (a retry carries
// the request's id), and once: a network duplicate of it finds nothing pending.
TEST(ReplicaUpdateReply, TheAnswerToARetryOfThePendingRequestIsTaken) {
  Harness h;
  h.StartGroup({kS2, kS3});
  const UpdateConfigRequest first = DropSecondary(h, h.Config({kS2, kS3}), kS3);
  const auto retries =
      Sent<UpdateConfigRequest>(h.Fire(kP, MakeReplicaTimerId(kGpid, ReplicaTimer::kConfigRetry)));
  ASSERT_EQ(retries.size(), 1u);
  EXPECT_EQ(retries[0].second.request_id, first.request_id) << "a retry is the same request";
  Outbox ok = h.Deliver(kMeta, kP, Persisted(retries[0].second));
  EXPECT_FALSE(HasMark(ok, "replica.superseded_update_reply"));
  EXPECT_EQ(h.View(kP).status, PartitionStatus::kPrimary);
  EXPECT_EQ(h.View(kP).ballot, Ballot(2));
  EXPECT_EQ(Sent<RemoveReplica>(ok).size(), 1u);
  EXPECT_TRUE(Sent<RemoveReplica>(h.Deliver(kMeta, kP, Persisted(first))).empty());

  // The next request is a new call with a new id.
  const UpdateConfigRequest next = DropSecondary(h, first.config, kS2);
  EXPECT_NE(next.request_id, first.request_id);
}

}  // namespace
}  // namespace pg::testing
