#include "sim/pegasus/pegasus_invariants.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "core/meta/meta_server.h"
#include "core/replica/replica_init_info.h"
#include "core/replica/replica_server.h"
#include "core/storage/segmented_log.h"
#include "sim/pegasus/cast_cache.h"

namespace pg::sim {
namespace {

// Incremental: only the node an event stepped can have changed (Cluster::stepped_node), so after
// each event the checks re-read that node alone, and re-read every node after host actions and
// faults (a crash, a restart). Whether a cached primary still serves is re-evaluated from its
// lease expiry against the node's clock now, since time moves without steps.

struct Life;

struct NodeCache {
  CastCache<ReplicaServer> cast;
  const ReplicaServer* server = nullptr;  // nullptr while down
  uint64_t incarnation = 0;
  std::vector<ReplicaServer::ReplicaView> views;   // in gpid order
  std::vector<ReplicaServer::ReplicaView> before;  // the previous read (buffers reused)
  std::optional<uint64_t> observed_generation;     // the disk generation fates last observed
  // monotonic: the incarnation whose first step (its Boot) was checked.
  uint64_t booted = 0;
  // Parallel to views: whether its gpid was absent at the previous read (a new life), and the
  // State's entries for it, looked up again only when the gpids change (the maps' nodes stay put).
  std::vector<char> fresh;
  std::vector<Life*> lives;
  std::vector<std::vector<uint64_t>*> firsts;
};

// Per (node, gpid): the current life of that replica (a restart or a close and reopen starts a
// new one) and what has been checked of it.
struct Life {
  uint64_t incarnation = 0;
  Ballot ballot{0};
  Decree committed{0};
  Decree digests_checked{0};  // every MutationDigest up to here was compared
};

struct GpidHash {
  size_t operator()(Gpid g) const {
    return std::hash<uint64_t>()(uint64_t{static_cast<uint32_t>(g.app_id)} << 32 |
                                 static_cast<uint32_t>(g.partition_index));
  }
};
struct ReplicaKeyHash {
  size_t operator()(const std::pair<NodeId, Gpid>& k) const {
    return GpidHash()(k.second) * 31 + k.first.value();
  }
};

// The invariants, in the order they are registered and reported.
enum Invariant : size_t {
  kSinglePrimary,
  kCommittedPrefix,
  kMonotonic,
  kConfigDurable,
  kInvariants
};
constexpr std::array<const char*, kInvariants> kInvariantNames = {
    "single_primary", "committed_prefix", "monotonic", "config_durable"};

struct State {
  PegasusNodes nodes;
  uint64_t checked_event = UINT64_MAX;
  std::map<NodeId, NodeCache> cache;
  // committed_prefix: the first digest observed for each decree of each partition (index d - 1).
  // Both are looked up for every replica of every stepped node and never walked: hashed.
  std::unordered_map<Gpid, std::vector<uint64_t>, GpidHash> digests;
  std::unordered_map<std::pair<NodeId, Gpid>, Life, ReplicaKeyHash> lives;
  // single_primary: per partition, the nodes whose cached views hold it as primary (lease or
  // not), kept as the views are re-read, so a serving primary is compared with those alone.
  // Looked up, never walked.
  std::unordered_map<Gpid, std::vector<NodeId>, GpidHash> primaries;
  std::vector<ReplicaServer::ReplicaView> changed;  // scratch: views fates has not observed
  std::vector<NodeId> reread;                       // scratch: the nodes this event re-read
  // The current event's violations, by invariant (the first one found of each).
  std::array<std::optional<std::string>, kInvariants> found;
  std::shared_ptr<PartitionFates> fates = std::make_shared<PartitionFates>();
  mutable std::vector<CastCache<MetaServer>> meta_casts;  // parallel to nodes.meta_servers
};

using View = ReplicaServer::ReplicaView;

// What PartitionFates::Observe reads of a view: its gpid, whether it failed, its commit point.
// What Observe keeps (sets and maxima) is unchanged by a second look at the same ones.
bool SameFate(const View& a, const View& b) {
  return a.gpid == b.gpid && a.last_committed == b.last_committed &&
         (a.status == PartitionStatus::kError) == (b.status == PartitionStatus::kError);
}

// One merge walk over node `id`'s previous and current reads (both in gpid order): marks the
// gpids the previous read did not have (each starts a new life), gathers in s.changed the views
// fates has not observed as they are, and keeps s.primaries in step. Returns whether the two
// reads hold the same gpids.
bool CompareReads(State& s, NodeId id, NodeCache& c) {
  const std::vector<View>& before = c.before;
  c.fresh.assign(c.views.size(), 0);
  s.changed.clear();
  bool same = true;
  size_t b = 0;
  size_t n = 0;
  while (b < before.size() || n < c.views.size()) {
    const View* was = nullptr;
    const View* now = nullptr;
    if (n == c.views.size() || (b < before.size() && before[b].gpid < c.views[n].gpid)) {
      was = &before[b++];
    } else if (b == before.size() || c.views[n].gpid < before[b].gpid) {
      c.fresh[n] = 1;
      now = &c.views[n++];
    } else {
      was = &before[b++];
      now = &c.views[n++];
    }
    same = same && was != nullptr && now != nullptr;
    if (now != nullptr && (was == nullptr || !SameFate(*was, *now))) s.changed.push_back(*now);
    const bool was_primary = was != nullptr && was->status == PartitionStatus::kPrimary;
    const bool is_primary = now != nullptr && now->status == PartitionStatus::kPrimary;
    if (was_primary == is_primary) continue;
    std::vector<NodeId>& holders = s.primaries[is_primary ? now->gpid : was->gpid];
    if (is_primary) {
      holders.push_back(id);
    } else {
      std::erase(holders, id);
    }
  }
  return same;
}

// Re-reads one node: its views, what fates learns from them, and each view's entries.
NodeCache& RefreshNode(State& s, const Cluster& cluster, NodeId id) {
  NodeCache& c = s.cache[id];
  std::swap(c.before, c.views);
  c.server = c.cast.Get(cluster, id);
  c.incarnation = cluster.incarnation(id);
  c.views.clear();
  if (c.server != nullptr) c.server->Views(cluster.LocalTime(id), &c.views);
  const bool same_gpids = CompareReads(s, id, c);
  const uint64_t generation = cluster.disk_generation(id);
  if (c.observed_generation != generation) {
    s.fates->Observe(id, generation, c.views);
    c.observed_generation = generation;
  } else if (!s.changed.empty()) {
    // On the same disk every view fates last observed is as it was: only the others are news.
    s.fates->Observe(id, generation, s.changed);
  }
  if (!same_gpids || c.lives.size() != c.views.size()) {
    c.lives.clear();
    c.firsts.clear();
    for (const View& v : c.views) {
      c.lives.push_back(&s.lives[{id, v.gpid}]);
      c.firsts.push_back(&s.digests[v.gpid]);
    }
  }
  return c;
}

// The disk as it is, read without drawing I/O faults (SimDisk::ReadFile draws them): the
// checks must not perturb the run.
class UncheckedDisk final : public LocalDisk {
 public:
  explicit UncheckedDisk(const SimDisk& disk) : disk_(disk) {}
  Result<std::string> ReadFile(const std::string& file) const override {
    if (!disk_.Exists(file)) return Status(ErrorCode::kNotFound, "no such file: " + file);
    return std::string(disk_.ReadAt(file, 0, UINT64_MAX));
  }
  bool Exists(const std::string& file) const override { return disk_.Exists(file); }

 private:
  const SimDisk& disk_;
};

// The ballot a replica durably persisted, as its server's disk holds it now: the largest in the
// partition's init-info file since the replica was created there (each write appends a record,
// and a new replica of the gpid starts with one of ballot 0). Not the last record: a boot that
// ignored the file and persisted what its log held would write a lower one. Read with the log
// format alone, not with the replica's code; a damaged file gives none (the replica fails to
// load it).
Ballot PersistedBallot(const Cluster& cluster, NodeId id, Gpid gpid) {
  const SegmentedRead read =
      ReadSegments(UncheckedDisk(cluster.disk(id)), InitInfoBaseName(gpid), 0);
  if (!read.status.ok()) return Ballot(0);
  Ballot persisted{0};
  for (const LogRecord& r : read.records) {
    persisted = r.ballot == Ballot(0) ? Ballot(0) : std::max(persisted, r.ballot);
  }
  return persisted;
}

std::optional<std::string> CheckMonotonic(const State& s, const Cluster& cluster, NodeId id,
                                          const NodeCache& c, Life& life,
                                          const ReplicaServer::ReplicaView& v, bool appeared,
                                          bool boot_step) {
  // A failed replica (PS_ERROR: fail-stopped, or failed at load, perhaps without its engine)
  // never serves, acks or commits again; what it reports is not a commit point.
  if (v.status == PartitionStatus::kError) return std::nullopt;
  const uint64_t incarnation = c.incarnation;
  // A new life: the node restarted, or the replica was absent at the node's previous read.
  if (life.incarnation != incarnation || appeared) {
    life = Life{.incarnation = incarnation};
    auto store = s.nodes.stores.find(id);
    life.committed =
        store == s.nodes.stores.end() ? Decree(0) : store->second->DurableDecree(v.gpid);
    // From the start: decrees an earlier life applied (or a checkpoint restored) have no digest
    // in this one and are skipped; those this life replayed from its log are checked.
    life.digests_checked = Decree(0);
    // A replica its server loaded at boot starts no lower than the ballot it persisted; one
    // created later starts afresh (its own first record is 0).
    if (boot_step) {
      const Ballot persisted = PersistedBallot(cluster, id, v.gpid);
      if (v.ballot < persisted) {
        return fmt::format(
            "{} replica {}: restarted at ballot {}, below the ballot {} it persisted",
            cluster.name(id), v.gpid, v.ballot, persisted);
      }
      life.ballot = persisted;
    }
  }
  if (v.ballot < life.ballot) {
    return fmt::format("{} replica {}: ballot went back from {} to {}", cluster.name(id), v.gpid,
                       life.ballot, v.ballot);
  }
  if (v.last_committed < life.committed) {
    return fmt::format("{} replica {}: commit point went back from {} to {}", cluster.name(id),
                       v.gpid, life.committed, v.last_committed);
  }
  life.ballot = v.ballot;
  life.committed = v.last_committed;
  return std::nullopt;
}

// `first`: the partition's first digests (State::digests).
std::optional<std::string> CheckDigests(const Cluster& cluster, NodeId id, const NodeCache& c,
                                        Life& life, const ReplicaServer::ReplicaView& v,
                                        std::vector<uint64_t>& first) {
  for (Decree d = life.digests_checked.next(); d <= v.last_committed; d = d.next()) {
    const std::optional<uint64_t> digest = c.server->MutationDigest(v.gpid, d);
    if (!digest) continue;  // not applied by this life (restored from a checkpoint)
    const auto index = static_cast<size_t>(d.value() - 1);
    if (first.size() <= index) first.resize(index + 1, 0);
    if (first[index] == 0) {
      first[index] = *digest | 1;  // 0 marks "not seen yet"
    } else if (first[index] != (*digest | 1)) {
      return fmt::format(
          "partition {}: {} committed a different mutation at decree {} than was committed there "
          "before (digest {:016x}, first seen {:016x})",
          v.gpid, cluster.name(id), d, *digest | 1, first[index]);
    }
  }
  life.digests_checked = std::max(life.digests_checked, v.last_committed);
  return std::nullopt;
}

bool Serving(const Cluster& cluster, NodeId id, const ReplicaServer::ReplicaView& v) {
  return v.status == PartitionStatus::kPrimary && cluster.LocalTime(id) < v.lease_until;
}

// Partition `gpid` has two replicas serving as primary: name them all.
std::string DescribePrimaries(const State& s, const Cluster& cluster, Gpid gpid) {
  std::vector<std::string> who;
  for (const auto& [id, c] : s.cache) {
    for (const auto& v : c.views) {
      if (v.gpid == gpid && Serving(cluster, id, v)) {
        who.push_back(fmt::format("{} (ballot {})", cluster.name(id), v.ballot));
      }
    }
  }
  return fmt::format("partition {} has {} primaries serving: {}", gpid, who.size(),
                     fmt::join(who, ", "));
}

// Time only ends leases, so a second serving primary can appear only at a re-read node: check
// the partitions those nodes serve as primary against every other node.
std::optional<std::string> CheckSinglePrimary(const State& s, const Cluster& cluster,
                                              const std::vector<NodeId>& reread) {
  for (NodeId id : reread) {
    for (const auto& v : s.cache.at(id).views) {
      if (!Serving(cluster, id, v)) continue;
      // Only a node that holds the partition as primary can serve it.
      const auto holders = s.primaries.find(v.gpid);
      if (holders == s.primaries.end()) continue;
      for (NodeId other : holders->second) {
        if (other == id) continue;
        const std::vector<View>& views = s.cache.at(other).views;
        // A node's views are in gpid order, one per gpid.
        const auto w = std::lower_bound(views.begin(), views.end(), v.gpid,
                                        [](const View& x, Gpid gpid) { return x.gpid < gpid; });
        if (w != views.end() && w->gpid == v.gpid && Serving(cluster, other, *w)) {
          return DescribePrimaries(s, cluster, v.gpid);
        }
      }
    }
  }
  return std::nullopt;
}

// The meta server that leads and serves its table now, if one does.
std::pair<NodeId, const MetaServer*> LeadingMeta(const State& s, const Cluster& cluster) {
  s.meta_casts.resize(s.nodes.meta_servers.size());
  for (size_t i = 0; i < s.nodes.meta_servers.size(); ++i) {
    const NodeId id = s.nodes.meta_servers[i];
    const MetaServer* m = s.meta_casts[i].Get(cluster, id);
    if (m != nullptr && m->ready() && m->IsLeader(cluster.LocalTime(id))) return {id, m};
  }
  return {NodeId(0), nullptr};
}

// A leader's table changes only when it steps, and a replica's ballot only when it does: check
// the re-read replica servers against the leader, or every server when the leader stepped.
std::optional<std::string> CheckConfigDurable(const State& s, const Cluster& cluster,
                                              const std::vector<NodeId>& reread) {
  const std::optional<NodeId> stepped = cluster.stepped_node();
  // A step of a client (or of any node but a meta server or a re-read replica server) changes
  // neither side: whoever leads, there is nothing to compare.
  const std::vector<NodeId>& metas = s.nodes.meta_servers;
  if (stepped && reread.empty() && std::find(metas.begin(), metas.end(), *stepped) == metas.end()) {
    return std::nullopt;
  }
  const auto [meta_id, meta] = LeadingMeta(s, cluster);
  if (meta == nullptr) return std::nullopt;
  const bool all = !stepped || *stepped == meta_id;
  const std::vector<PartitionConfiguration>& table = meta->partitions();
  auto check = [&](NodeId id, const NodeCache& c) -> std::optional<std::string> {
    for (const auto& v : c.views) {
      if (v.status == PartitionStatus::kError) continue;
      const auto index = static_cast<size_t>(v.gpid.partition_index);
      if (index >= table.size() || table[index].gpid != v.gpid) continue;
      if (v.ballot > table[index].ballot) {
        return fmt::format(
            "{} replica {} holds ballot {}, above the ballot {} in the table of the leading meta "
            "{}: meta lost a configuration it had made durable",
            cluster.name(id), v.gpid, v.ballot, table[index].ballot, cluster.name(meta_id));
      }
    }
    return std::nullopt;
  };
  // One re-read node (the usual step): no walk over the others.
  if (!all && reread.size() <= 1) {
    return reread.empty() ? std::nullopt : check(reread[0], s.cache.at(reread[0]));
  }
  for (const auto& [id, c] : s.cache) {
    if (!all && std::find(reread.begin(), reread.end(), id) == reread.end()) continue;
    if (auto err = check(id, c)) return err;
  }
  return std::nullopt;
}

// Runs every check once per event and files each violation under its invariant's name.
void CheckEvent(State& s, const Cluster& cluster) {
  if (s.checked_event == cluster.events()) return;
  s.checked_event = cluster.events();
  for (auto& f : s.found) f.reset();
  const std::optional<NodeId> stepped = cluster.stepped_node();
  const bool all = !stepped || s.cache.empty();
  auto file = [&s](Invariant which, std::optional<std::string> err) {
    if (err && !s.found[which]) s.found[which] = std::move(err);
  };
  std::vector<NodeId>& reread = s.reread;
  reread.clear();
  for (NodeId id : s.nodes.replica_servers) {
    if (!all && id != *stepped) continue;
    reread.push_back(id);
    NodeCache& c = RefreshNode(s, cluster, id);
    // A node's first step in an incarnation is its Boot, the step in which it loads its
    // replicas (were an input to reach it first, the check would only be weaker).
    const bool boot_step = stepped == id && c.booted != c.incarnation;
    if (boot_step) c.booted = c.incarnation;
    for (size_t i = 0; i < c.views.size(); ++i) {
      const View& v = c.views[i];
      Life& life = *c.lives[i];
      file(kMonotonic, CheckMonotonic(s, cluster, id, c, life, v, c.fresh[i] != 0, boot_step));
      file(kCommittedPrefix, CheckDigests(cluster, id, c, life, v, *c.firsts[i]));
    }
  }
  file(kSinglePrimary, CheckSinglePrimary(s, cluster, reread));
  file(kConfigDurable, CheckConfigDurable(s, cluster, reread));
}

Cluster::Invariant Named(std::shared_ptr<State> state, Invariant which) {
  return [state, which](const Cluster& c) -> std::optional<std::string> {
    CheckEvent(*state, c);
    return state->found[which];
  };
}

}  // namespace

std::shared_ptr<const PartitionFates> AddPegasusInvariants(Cluster& cluster,
                                                           const PegasusNodes& nodes) {
  auto state = std::make_shared<State>();
  state->nodes = nodes;
  for (size_t i = 0; i < kInvariants; ++i) {
    cluster.AddInvariant(kInvariantNames[i], Named(state, static_cast<Invariant>(i)));
  }
  return state->fates;
}

}  // namespace pg::sim
