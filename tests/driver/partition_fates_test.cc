// PartitionFates (sim/pegasus/partition_fates.h): which memberless partitions the liveness
// condition excuses, judged from the bench's own sightings of every replica.
#include "sim/pegasus/partition_fates.h"

#include <gtest/gtest.h>

namespace pg::sim {
namespace {

constexpr Gpid kGpid{.app_id = 1, .partition_index = 0};
constexpr NodeId kA{3}, kB{4};

ReplicaServer::ReplicaView View(PartitionStatus status, int64_t committed, int64_t prepared) {
  return {.gpid = kGpid,
          .status = status,
          .ballot = Ballot(2),
          .last_committed = Decree(committed),
          .last_prepared = Decree(prepared),
          .serving_as_primary = false,
          .lease_until = Time::Zero()};
}

ServerNow Server(NodeId id, std::vector<ReplicaServer::ReplicaView> views, bool up = true) {
  return {.id = id, .name = fmt::format("replica/{}", id.value()), .up = up, .views = views};
}

// Memberless, its most recent drop `last`.
PartitionConfiguration Memberless(std::vector<NodeId> last_drops) {
  return {.gpid = kGpid, .ballot = Ballot(3), .last_drops = std::move(last_drops)};
}

TEST(PartitionFates, AFailedMostRecentDropIsExcusedAHealthyOneIsNot) {
  PartitionFates fates;
  fates.Observe(kA, 0, {View(PartitionStatus::kPrimary, 5, 5)});
  fates.Observe(kB, 0, {View(PartitionStatus::kSecondary, 5, 5)});
  fates.Observe(kB, 0, {View(PartitionStatus::kError, 0, 0)});  // power loss: failed at load
  const std::vector<ServerNow> now = {Server(kA, {View(PartitionStatus::kInactive, 5, 5)}),
                                      Server(kB, {View(PartitionStatus::kError, 0, 0)})};
  const auto why = fates.WhyUnrecoverable(Memberless({kA, kB}), now);
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("most recent drop replica/4"), std::string::npos) << *why;
  // kA dropped last and is healthy: meta must bring the partition back.
  EXPECT_EQ(fates.WhyUnrecoverable(Memberless({kB, kA}), now), std::nullopt);
}

TEST(PartitionFates, ACommittedWriteGoneWithAFailedReplicaIsExcusedALossWithoutOneIsNot) {
  PartitionFates fates;
  fates.Observe(kA, 0, {View(PartitionStatus::kPrimary, 7, 7)});
  fates.Observe(kB, 0, {View(PartitionStatus::kSecondary, 4, 4)});
  const std::vector<ServerNow> now = {Server(kA, {View(PartitionStatus::kError, 0, 0)}),
                                      Server(kB, {View(PartitionStatus::kInactive, 4, 4)})};
  // Still healthy when last seen: decrees 5..7 vanished without a failure to explain it.
  EXPECT_EQ(fates.WhyUnrecoverable(Memberless({kB}), now), std::nullopt);
  fates.Observe(kA, 0, {View(PartitionStatus::kError, 0, 0)});
  const auto why = fates.WhyUnrecoverable(Memberless({kB}), now);
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("decree 7 was committed"), std::string::npos) << *why;
  EXPECT_NE(why->find("prepared only up to 4"), std::string::npos) << *why;
}

TEST(PartitionFates, NoJudgementWhileAServerIsDownOrAfterTheReplicaIsHealthyAgain) {
  PartitionFates fates;
  fates.Observe(kA, 0, {View(PartitionStatus::kPrimary, 5, 5)});
  fates.Observe(kA, 0, {View(PartitionStatus::kError, 0, 0)});
  std::vector<ServerNow> now = {Server(kA, {View(PartitionStatus::kError, 0, 0)}),
                                Server(kB, {}, /*up=*/false)};
  EXPECT_EQ(fates.WhyUnrecoverable(Memberless({kA}), now), std::nullopt) << "kB may come back";
  now[1].up = true;
  EXPECT_TRUE(fates.WhyUnrecoverable(Memberless({kA}), now).has_value());
  // A learner on kA later: the failure no longer stands.
  fates.Observe(kA, 0, {View(PartitionStatus::kPotentialSecondary, 5, 5)});
  now[0].views = {View(PartitionStatus::kPotentialSecondary, 5, 5)};
  EXPECT_EQ(fates.WhyUnrecoverable(Memberless({kA}), now), std::nullopt);
}

// A wipe: the replicas seen on the old disk are lost with it, though the server never reported
// them failed; one learned back on the new disk is healthy again.
TEST(PartitionFates, AReplicaOnAReplacedDiskIsLost) {
  PartitionFates fates;
  fates.Observe(kA, 0, {View(PartitionStatus::kPrimary, 5, 5)});
  fates.Observe(kB, 0, {View(PartitionStatus::kSecondary, 5, 5)});
  fates.Observe(kA, 1, {});  // back on an empty disk
  const std::vector<ServerNow> now = {Server(kA, {}),
                                      Server(kB, {View(PartitionStatus::kInactive, 5, 5)})};
  const auto why = fates.WhyUnrecoverable(Memberless({kB, kA}), now);
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("most recent drop replica/3 lost its replica"), std::string::npos) << *why;
  EXPECT_EQ(fates.WhyUnrecoverable(Memberless({kA, kB}), now), std::nullopt)
      << "kB dropped last and holds every decree";
  fates.Observe(kA, 1, {View(PartitionStatus::kPotentialSecondary, 5, 5)});
  EXPECT_EQ(fates.WhyUnrecoverable(Memberless({kB, kA}), now), std::nullopt) << "learned back";
}

}  // namespace
}  // namespace pg::sim
