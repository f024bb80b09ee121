#include "sim/driver/pegasus_invariants.h"

#include <fmt/format.h>

#include <optional>
#include <string>

#include "core/replica/replica_server.h"

namespace pg::sim {
namespace {

struct ViewOf {
  NodeId node;
  const ReplicaServer* server;
  ReplicaServer::ReplicaView view;
};

// The replica views of every up replica server, taken once per event and shared by the checks.
struct Snapshot {
  uint64_t event = UINT64_MAX;
  std::map<Gpid, std::vector<ViewOf>> by_gpid;
};

struct State {
  PegasusNodes nodes;
  Snapshot snapshot;
  // committed_prefix: the first digest observed at each decree of each partition.
  std::map<Gpid, std::map<Decree, uint64_t>> digests;
  // monotonic: per (node, gpid), the high-water marks of the current life of that replica.
  struct Marks {
    uint64_t incarnation = 0;
    uint64_t last_seen_event = 0;
    Ballot ballot{0};
    Decree committed{0};
  };
  std::map<std::pair<NodeId, Gpid>, Marks> marks;
};

const Snapshot& Refresh(State& s, const Cluster& cluster) {
  if (s.snapshot.event == cluster.events()) return s.snapshot;
  s.snapshot.event = cluster.events();
  s.snapshot.by_gpid.clear();
  for (NodeId id : s.nodes.replica_servers) {
    const auto* server = dynamic_cast<const ReplicaServer*>(cluster.node(id));
    if (server == nullptr) continue;  // down
    for (const auto& v : server->Views(cluster.LocalTime(id))) {
      s.snapshot.by_gpid[v.gpid].push_back({id, server, v});
    }
  }
  return s.snapshot;
}

std::optional<std::string> SinglePrimary(State& s, const Cluster& cluster) {
  for (const auto& [gpid, views] : Refresh(s, cluster).by_gpid) {
    std::vector<std::string> serving;
    for (const ViewOf& v : views) {
      if (v.view.serving_as_primary) {
        serving.push_back(fmt::format("{} (ballot {})", cluster.name(v.node), v.view.ballot));
      }
    }
    if (serving.size() > 1) {
      return fmt::format("partition {} has {} primaries serving: {}", gpid, serving.size(),
                         fmt::join(serving, ", "));
    }
  }
  return std::nullopt;
}

std::optional<std::string> CheckDigest(State& s, const Cluster& cluster, const ViewOf& v,
                                       Decree d) {
  const std::optional<uint64_t> digest = v.server->CommittedDigest(v.view.gpid, d);
  if (!digest) return std::nullopt;
  auto [it, inserted] = s.digests[v.view.gpid].try_emplace(d, *digest);
  if (!inserted && it->second != *digest) {
    return fmt::format(
        "partition {}: {} committed a different sequence up to decree {} "
        "(digest {:016x}, first seen {:016x})",
        v.view.gpid, cluster.name(v.node), d, *digest, it->second);
  }
  return std::nullopt;
}

std::optional<std::string> CommittedPrefix(State& s, const Cluster& cluster) {
  for (const auto& [gpid, views] : Refresh(s, cluster).by_gpid) {
    for (size_t a = 0; a < views.size(); ++a) {
      if (auto err = CheckDigest(s, cluster, views[a], views[a].view.last_committed)) return err;
      for (size_t b = a + 1; b < views.size(); ++b) {
        const Decree d = std::min(views[a].view.last_committed, views[b].view.last_committed);
        if (d <= Decree(0)) continue;
        const auto da = views[a].server->CommittedDigest(gpid, d);
        const auto db = views[b].server->CommittedDigest(gpid, d);
        if (da && db && *da != *db) {
          return fmt::format(
              "partition {}: {} and {} disagree on the committed prefix at decree {}", gpid,
              cluster.name(views[a].node), cluster.name(views[b].node), d);
        }
      }
    }
  }
  return std::nullopt;
}

std::optional<std::string> Monotonic(State& s, const Cluster& cluster) {
  const Snapshot& snap = Refresh(s, cluster);
  for (const auto& [gpid, views] : snap.by_gpid) {
    for (const ViewOf& v : views) {
      State::Marks& m = s.marks[{v.node, gpid}];
      const uint64_t incarnation = cluster.incarnation(v.node);
      // A new life: the node restarted, or the replica was absent at the previous event.
      if (m.incarnation != incarnation || m.last_seen_event + 1 < snap.event) {
        m.incarnation = incarnation;
        m.ballot = Ballot(0);
        auto store = s.nodes.stores.find(v.node);
        m.committed =
            store == s.nodes.stores.end() ? Decree(0) : store->second->DurableDecree(gpid);
      }
      m.last_seen_event = snap.event;
      if (v.view.ballot < m.ballot) {
        return fmt::format("{} replica {}: ballot went back from {} to {}", cluster.name(v.node),
                           gpid, m.ballot, v.view.ballot);
      }
      if (v.view.last_committed < m.committed) {
        return fmt::format("{} replica {}: commit point went back from {} to {}",
                           cluster.name(v.node), gpid, m.committed, v.view.last_committed);
      }
      m.ballot = v.view.ballot;
      m.committed = v.view.last_committed;
    }
  }
  return std::nullopt;
}

}  // namespace

void AddPegasusInvariants(Cluster& cluster, const PegasusNodes& nodes) {
  auto state = std::make_shared<State>();
  state->nodes = nodes;
  cluster.AddInvariant("single_primary",
                       [state](const Cluster& c) { return SinglePrimary(*state, c); });
  cluster.AddInvariant("committed_prefix",
                       [state](const Cluster& c) { return CommittedPrefix(*state, c); });
  cluster.AddInvariant("monotonic", [state](const Cluster& c) { return Monotonic(*state, c); });
}

}  // namespace pg::sim
