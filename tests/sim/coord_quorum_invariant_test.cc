// coord_quorum (sim/pegasus/coord_quorum_invariant.h) over hand-made views of three peers: one
// serving leader per epoch now and over the run, and equal commit digests at equal zxids, also
// when a peer's map grew since the last check or was replaced by a restart.
#include "sim/pegasus/coord_quorum_invariant.h"

#include <gtest/gtest.h>

#include "core/proto/coord_quorum_messages.h"

namespace pg::sim {
namespace {

using DigestMap = std::map<uint64_t, uint64_t>;
using PeerViews = std::vector<std::optional<CoordPeerView>>;

uint64_t Zxid(uint64_t epoch, uint64_t counter) { return CoordEpochStart(epoch) + counter; }

class CoordQuorumCheckTest : public ::testing::Test {
 protected:
  CoordQuorumCheckTest() {
    for (int i = 0; i < 3; ++i) {
      views.emplace_back(CoordPeerView{.name = fmt::format("coord/{}", i),
                                       .incarnation = 1,
                                       .accepted_epoch = 1,
                                       .commit_digests = &digests[i]});
    }
  }
  std::string Violation() { return check.Check(views).value_or(""); }

  DigestMap digests[3];
  PeerViews views;
  CoordQuorumCheck check{3};
};

TEST_F(CoordQuorumCheckTest, AgreeingPeersAndOneLeaderPass) {
  views[1]->serving_as_leader = true;
  for (DigestMap& d : digests) d = {{Zxid(1, 0), 7}, {Zxid(1, 1), 8}};
  digests[2].erase(Zxid(1, 1));  // a follower behind
  EXPECT_EQ(Violation(), "");
  digests[2][Zxid(1, 1)] = 8;
  digests[1][Zxid(1, 2)] = 9;
  EXPECT_EQ(Violation(), "");
}

TEST_F(CoordQuorumCheckTest, TwoLeadersOfOneEpochAreAViolation) {
  views[0]->serving_as_leader = true;
  views[2]->serving_as_leader = true;
  EXPECT_EQ(Violation(), "coord/0 and coord/2 both serve as leader of epoch 1");
  views[2]->accepted_epoch = 2;  // leaders of two epochs at once: the old one has not noticed
  CoordQuorumCheck fresh(3);
  EXPECT_EQ(fresh.Check(views), std::nullopt);
}

TEST_F(CoordQuorumCheckTest, AnEpochLedByAnotherPeerEarlierInTheRunIsAViolation) {
  views[0]->serving_as_leader = true;
  EXPECT_EQ(Violation(), "");
  views[0].reset();  // coord/0 crashes; coord/1 then serves the same epoch
  views[1]->serving_as_leader = true;
  EXPECT_EQ(Violation(),
            "coord/1 serves as leader of epoch 1, which coord/0 led earlier in the run");
}

TEST_F(CoordQuorumCheckTest, DifferentDigestsAtOneZxidAreAViolationNamingIt) {
  digests[0] = {{Zxid(3, 4), 1}, {Zxid(3, 5), 2}};
  digests[2] = {{Zxid(3, 5), 3}};
  EXPECT_EQ(Violation(),
            "coord/0 and coord/2 committed different histories: at zxid 3:5 (0x300000005) their "
            "digests are 0x2 and 0x3");
}

TEST_F(CoordQuorumCheckTest, ADigestAddedSinceTheLastCheckIsCompared) {
  for (DigestMap& d : digests) d = {{Zxid(1, 1), 5}};
  EXPECT_EQ(Violation(), "");
  digests[0][Zxid(1, 2)] = 6;
  EXPECT_EQ(Violation(), "");
  digests[1][Zxid(1, 2)] = 60;
  EXPECT_NE(Violation().find("at zxid 1:2"), std::string::npos);
}

TEST_F(CoordQuorumCheckTest, ARestartedPeerIsComparedWhole) {
  for (DigestMap& d : digests) d = {{Zxid(1, 1), 5}, {Zxid(1, 2), 6}};
  EXPECT_EQ(Violation(), "");
  views[2].reset();
  EXPECT_EQ(Violation(), "");
  // Back with a log whose older part differs (and the same newest entry).
  digests[2] = {{Zxid(1, 1), 50}, {Zxid(1, 2), 6}};
  views[2] = CoordPeerView{.name = "coord/2", .incarnation = 2, .commit_digests = &digests[2]};
  EXPECT_NE(Violation().find("at zxid 1:1"), std::string::npos);
}

TEST_F(CoordQuorumCheckTest, AMapReplacedInPlaceIsComparedWhole) {
  for (DigestMap& d : digests) d = {{Zxid(1, 1), 5}, {Zxid(1, 2), 6}};
  EXPECT_EQ(Violation(), "");
  // A sync replaced coord/1's map: fewer entries, one of them different.
  digests[1] = {{Zxid(1, 1), 51}};
  EXPECT_NE(Violation().find("at zxid 1:1"), std::string::npos);
}

}  // namespace
}  // namespace pg::sim
