#pragma once
// coord_quorum (a cluster whose coordination service is a quorum of CoordPeers,
// core/coord/coord_peer.h): after every event, over the peers that are up (booted, not stopped),
//   (a) at most one peer serves as leader (serving_as_leader) in any one accepted epoch;
//   (b) the committed histories agree: two peers that both hold a commit digest at a zxid hold
//       the same one (CoordPeer::commit_digests);
//   (c) across the whole run (peers crash and restart, and a restarted peer forgets), an epoch
//       is only ever served by one leader: the first peer seen serving an epoch is its leader
//       for good.
// ZAB's safety in the three forms the bench can see from outside: one leader per epoch (a
// quorum's votes), and a prefix of txns every quorum member commits alike.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/common/ids.h"
#include "sim/kernel/cluster.h"

namespace pg::sim {

// What the check reads of one peer that is up.
struct CoordPeerView {
  std::string name;
  uint64_t incarnation = 0;  // changes when the peer restarts
  bool serving_as_leader = false;
  uint64_t accepted_epoch = 0;
  const std::map<uint64_t, uint64_t>* commit_digests = nullptr;  // zxid -> digest
};

// The check itself, over views (so that a test can hand it any state). It remembers what it saw
// of each peer: (b) compares only the digests a peer added at the top of its map since the last
// check (the rest was compared then), and everything again when the map changed otherwise (a
// restart, a sync that replaced it); (c) remembers every epoch's leader.
class CoordQuorumCheck {
 public:
  explicit CoordQuorumCheck(size_t peers) : seen_(peers) {}
  // peers[i]: the i-th peer's view, nullopt while it is down (or not booted, or stopped).
  std::optional<std::string> Check(const std::vector<std::optional<CoordPeerView>>& peers);

 private:
  using Digests = std::map<uint64_t, uint64_t>;
  // What the check last saw of one peer's digests: enough to tell a map that only grew at its
  // top (peers commit in zxid order) from one that changed otherwise.
  struct Seen {
    std::optional<uint64_t> incarnation;  // nullopt: not up at the last check
    size_t size = 0;
    std::optional<std::pair<uint64_t, uint64_t>> last;  // the newest (zxid, digest)
  };
  std::optional<std::string> CheckLeaders(const std::vector<std::optional<CoordPeerView>>& peers);
  std::optional<std::string> CheckDigests(const std::vector<std::optional<CoordPeerView>>& peers,
                                          size_t i);

  std::vector<Seen> seen_;
  // Every epoch seen served in the run, and the peer that served it first.
  std::map<uint64_t, std::string> leaders_;
};

void AddCoordQuorumInvariant(Cluster& cluster, std::vector<NodeId> peers);

}  // namespace pg::sim
