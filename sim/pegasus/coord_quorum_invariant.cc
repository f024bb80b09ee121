#include "sim/pegasus/coord_quorum_invariant.h"

#include <fmt/format.h>

#include <iterator>
#include <memory>
#include <utility>

#include "core/common/assert.h"
#include "core/coord/coord_peer.h"
#include "sim/pegasus/cast_cache.h"

namespace pg::sim {
namespace {

using Views = std::vector<std::optional<CoordPeerView>>;

// "3:17": epoch 3, counter 17 (a zxid is (epoch << 32) | counter).
std::string ZxidText(uint64_t zxid) {
  return fmt::format("{}:{}", CoordEpochOf(zxid), zxid - CoordEpochStart(CoordEpochOf(zxid)));
}

// The digests in [from, to) of `mine` (peer `me`) against `theirs` (peer `them`).
std::optional<std::string> Compare(const CoordPeerView& me, const CoordPeerView& them,
                                   std::map<uint64_t, uint64_t>::const_iterator from,
                                   std::map<uint64_t, uint64_t>::const_iterator to) {
  const std::map<uint64_t, uint64_t>& theirs = *them.commit_digests;
  auto other = theirs.lower_bound(from->first);
  for (auto it = from; it != to && other != theirs.end(); ++it) {
    while (other != theirs.end() && other->first < it->first) ++other;
    if (other == theirs.end() || other->first != it->first) continue;
    if (other->second != it->second) {
      return fmt::format(
          "{} and {} committed different histories: at zxid {} ({:#x}) their digests are {:#x} "
          "and {:#x}",
          me.name, them.name, ZxidText(it->first), it->first, it->second, other->second);
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> CoordQuorumCheck::Check(const Views& peers) {
  PG_ASSERT_EQ(peers.size(), seen_.size(), "the quorum's size is fixed");
  for (size_t i = 0; i < peers.size(); ++i) {
    PG_ASSERT(!peers[i] || peers[i]->commit_digests != nullptr, "{} has no digests", i);
    if (!peers[i]) seen_[i] = Seen{};  // when it is back up, it is read afresh
  }
  if (auto v = CheckLeaders(peers)) return v;
  for (size_t i = 0; i < peers.size(); ++i) {
    if (!peers[i]) continue;
    if (auto v = CheckDigests(peers, i)) return v;
  }
  return std::nullopt;
}

// (a) one serving leader per epoch among the peers up now; (c) and over the whole run.
std::optional<std::string> CoordQuorumCheck::CheckLeaders(const Views& peers) {
  std::map<uint64_t, const CoordPeerView*> serving;  // epoch -> the peer serving it now
  for (const std::optional<CoordPeerView>& p : peers) {
    if (!p || !p->serving_as_leader) continue;
    auto [now, fresh] = serving.try_emplace(p->accepted_epoch, &*p);
    if (!fresh) {
      return fmt::format("{} and {} both serve as leader of epoch {}", now->second->name, p->name,
                         p->accepted_epoch);
    }
    auto [ever, first] = leaders_.try_emplace(p->accepted_epoch, p->name);
    if (!first && ever->second != p->name) {
      return fmt::format("{} serves as leader of epoch {}, which {} led earlier in the run",
                         p->name, p->accepted_epoch, ever->second);
    }
  }
  return std::nullopt;
}

// (b) peer i's commit digests against every other peer up: only the entries it added since the
// last check when its map just grew at the top (the rest was checked then), else all of them.
std::optional<std::string> CoordQuorumCheck::CheckDigests(const Views& peers, size_t i) {
  const CoordPeerView& me = *peers[i];
  const Digests& mine = *me.commit_digests;
  Seen& seen = seen_[i];
  auto from = mine.begin();
  if (seen.incarnation == me.incarnation && seen.last) {
    auto at = mine.find(seen.last->first);
    const auto above = at == mine.end() ? mine.end() : std::next(at);
    const bool grew =
        at != mine.end() && at->second == seen.last->second && mine.size() >= seen.size &&
        static_cast<size_t>(std::distance(above, mine.end())) == mine.size() - seen.size;
    if (grew) from = above;
  }
  seen = Seen{.incarnation = me.incarnation, .size = mine.size()};
  if (!mine.empty()) seen.last = *mine.rbegin();
  if (from == mine.end()) return std::nullopt;
  for (size_t j = 0; j < peers.size(); ++j) {
    if (j == i || !peers[j]) continue;
    if (auto v = Compare(me, *peers[j], from, mine.end())) return v;
  }
  return std::nullopt;
}

void AddCoordQuorumInvariant(Cluster& cluster, std::vector<NodeId> peers) {
  struct State {
    std::vector<NodeId> peers;
    std::vector<CastCache<CoordPeer>> casts;
    CoordQuorumCheck check;
    Views views;
  };
  const size_t n = peers.size();
  auto state = std::make_shared<State>(State{.peers = std::move(peers),
                                             .casts = std::vector<CastCache<CoordPeer>>(n),
                                             .check = CoordQuorumCheck(n),
                                             .views = Views(n)});
  cluster.AddInvariant("coord_quorum", [state](const Cluster& c) {
    for (size_t i = 0; i < state->peers.size(); ++i) {
      const CoordPeer* p = state->casts[i].Get(c, state->peers[i]);
      std::optional<CoordPeerView>& view = state->views[i];
      if (p == nullptr || !p->booted() || p->stopped()) {
        view.reset();
        continue;
      }
      if (!view) view.emplace(CoordPeerView{.name = c.name(state->peers[i])});
      view->incarnation = c.incarnation(state->peers[i]);
      view->serving_as_leader = p->serving_as_leader();
      view->accepted_epoch = p->accepted_epoch();
      view->commit_digests = &p->commit_digests();
    }
    return state->check.Check(state->views);
  });
}

}  // namespace pg::sim
