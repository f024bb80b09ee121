#include "sim/pegasus/pegasus_system.h"

#include <memory>

#include "core/client/pegasus_client.h"
#include "core/coord/coord_peer.h"
#include "core/coord/coord_server.h"
#include "core/meta/meta_server.h"
#include "core/replica/replica_server.h"
#include "sim/pegasus/coord_quorum_invariant.h"
#include "sim/pegasus/engine_store.h"
#include "sim/pegasus/meta_leader_invariant.h"
#include "sim/pegasus/pegasus_invariants.h"
#include "sim/pegasus/pegasus_liveness.h"
#include "sim/scenario/swarm_faults.h"
#include "sim/scenario/system_parts.h"
#include "sim/scenario/timing_sets.h"

namespace pg::sim {
namespace {

constexpr char kAppName[] = "temp";

int IndexOf(const std::string& name) { return std::stoi(name.substr(name.find('/') + 1)); }

PegasusClientOptions ClientOptions(const Knobs& knobs, int index,
                                   const std::vector<NodeId>& metas) {
  const int base = knobs.ops / knobs.clients;
  const int ops = base + (index < knobs.ops % knobs.clients ? 1 : 0);
  // Spread each client's operations over the first 80 % of the run, so faults meet traffic.
  const int64_t think_ms = ops > 0 ? std::max<int64_t>(1, knobs.duration_ms * 8 / 10 / ops) : 1;
  return {.process = static_cast<uint32_t>(index),
          .meta_servers = metas,
          .app_name = kAppName,
          .hashkeys = knobs.hashkeys,
          .sortkeys = knobs.sortkeys,
          .key_rotation_ops = knobs.key_rotation_ops,
          .ops = ops,
          .mix = knobs.mix,
          .ttl_fraction = knobs.ttl_fraction,
          .ttl_s_max = knobs.ttl_s_max,
          .timeout = Millis(knobs.timeout_ms),
          .think_time = Millis(think_ms),
          .bugs = knobs.bugs};
}

NodeFactory ReplicaFactory(const std::vector<NodeId>& metas, std::shared_ptr<EngineStore> store,
                           const PegasusTiming& t, const Knobs& knobs) {
  return [metas, store, t, knobs](const NodeEnv& env) {
    ReplicaServerOptions o{.meta_servers = metas,
                           .app_name = kAppName,
                           .open_engine = [store](Gpid gpid) { return store->Open(gpid); },
                           .discard_engine = [store](Gpid gpid) { store->Discard(gpid); },
                           .beacon_interval = t.beacon_interval,
                           .lease = t.lease,
                           .group_check_interval = t.group_check_interval,
                           .config_sync_interval = t.config_sync_interval,
                           .prepare_timeout = t.prepare_timeout,
                           .checkpoint_interval = Millis(knobs.checkpoint_interval_ms),
                           .staleness_for_commit = knobs.staleness_for_commit,
                           .learn_cache_decrees = knobs.learn_cache_decrees,
                           .plog_gc_reserve_decrees = knobs.plog_gc_reserve_decrees,
                           .atomic_idempotent = knobs.atomic_idempotent,
                           .bugs = knobs.bugs};
    return std::make_unique<ReplicaServer>(env, std::move(o));
  };
}

NodeFactory MetaFactory(const Knobs& knobs, std::vector<NodeId> replicas, const PegasusTiming& t,
                        const std::vector<NodeId>& coords) {
  MetaServerOptions o{.replica_servers = std::move(replicas),
                      .app_name = kAppName,
                      .partition_count = knobs.partitions,
                      .replica_count = knobs.replica_count,
                      .grace = t.grace,
                      .check_interval = t.meta_check_interval,
                      .replica_lease = t.lease,
                      .balance = knobs.balance,
                      .bugs = knobs.bugs};
  if (!coords.empty()) {
    o.coord = CoordClientOptions{.servers = coords,
                                 .session_timeout = t.coord_session_timeout,
                                 .keepalive_interval = t.coord_session_timeout / 8,
                                 .request_timeout = t.coord_session_timeout / 8,
                                 .op_timeout = t.coord_session_timeout / 2,
                                 .safety_margin = t.coord_session_timeout / 10};
  }
  return [o](const NodeEnv& env) { return std::make_unique<MetaServer>(env, o); };
}

// The coordination nodes: one CoordServer, or a quorum of CoordPeers (the coord_servers knob)
// whose timing follows the metas' session timeout T: a follower gives its leader up after T / 4
// of silence and a looking peer stands again after [T / 16, T / 8), so an election ends well
// within a session, and a meta's session survives a leader's loss if its keepalives find the
// next leader in time.
NodeFactory CoordFactory(const std::vector<NodeId>& coords, const PegasusTiming& t) {
  if (coords.size() == 1) {
    return
        [](const NodeEnv& env) { return std::make_unique<CoordServer>(env, CoordServerOptions{}); };
  }
  const CoordServerOptions single;
  const CoordPeerOptions o{.peers = coords,
                           .min_session_timeout = single.min_session_timeout,
                           .max_session_timeout = single.max_session_timeout,
                           .tick_interval = Millis(100),
                           .follower_timeout = t.coord_session_timeout / 4,
                           .election_timeout = t.coord_session_timeout / 16};
  return [o](const NodeEnv& env) { return std::make_unique<CoordPeer>(env, o); };
}

NodeFactory ClientFactory(PegasusClientOptions options) {
  auto builds = std::make_shared<int>(0);
  return [options, builds](const NodeEnv& env) {
    auto o = options;
    if ((*builds)++ > 0) o.ops = 0;
    return std::make_unique<PegasusClient>(env, o);
  };
}

// The swarm's bounds assume the run's timing (sim/scenario/knob_tables.h, timing_sets.h): its
// clock jumps and freezes, with drift, stay inside both lease margins, and its delays are counted
// in lease + grace.
void CheckSwarmFitsTiming(const Knobs& knobs, const TimingSet& set, const PegasusTiming& timing) {
  const Duration jumps = Millis(SwarmBounds::kPegasusClockJumpBudgetMs);
  PG_ASSERT_LT(jumps + Millis(ClockFreezeBudgetMs(set)) + Millis(DriftAllowanceMs(set)),
               timing.grace - timing.lease,
               "the swarm's clock budgets must fit the replica lease margin");
  PG_ASSERT_LT(jumps, timing.coord_session_timeout / 10,
               "the swarm's clock-jump budget must fit the leader lock's safety margin");
  PG_ASSERT_EQ(Millis(DelayUnitMs(knobs)), timing.lease + timing.grace, "swarm delay unit");
}

// The global invariants and the liveness condition over the built nodes.
void AddPegasusChecks(Cluster& cluster, const PegasusNodes& nodes,
                      const std::vector<NodeId>& clients, const std::vector<NodeId>& coords,
                      std::shared_ptr<ContentLedger> ledger) {
  std::shared_ptr<const PartitionFates> fates = AddPegasusInvariants(cluster, nodes);
  if (nodes.meta_servers.size() > 1) AddMetaLeaderInvariant(cluster, nodes.meta_servers);
  if (coords.size() > 1) AddCoordQuorumInvariant(cluster, coords);
  // applied_state (engine_content.h): replicas at equal applied decree hold equal content.
  cluster.AddInvariant("applied_state", [ledger](const Cluster&) { return ledger->violation(); });
  auto whole_since = std::make_shared<std::optional<Time>>();
  cluster.SetLivenessCondition(
      [parts = PegasusLivenessParts{.metas = nodes.meta_servers,
                                    .replica_servers = nodes.replica_servers,
                                    .clients = clients,
                                    .fates = fates},
       whole_since](const Cluster& c, Time /*healed_at*/) {
        return CheckPegasusLiveness(c, parts, *whole_since);
      });
}

}  // namespace

PegasusTiming PegasusTimingOf(const TimingSet& set) {
  return {.beacon_interval = Millis(set.beacon_interval_ms),
          .lease = Millis(set.lease_ms),
          .grace = Millis(set.grace_ms),
          .meta_check_interval = Millis(set.fd_check_interval_ms),
          .group_check_interval = Millis(set.group_check_interval_ms),
          .config_sync_interval = Millis(set.config_sync_interval_ms),
          .prepare_timeout = Millis(set.prepare_timeout_ms)};
}

Status BuildPegasusSystem(Cluster& cluster, const Knobs& knobs) {
  if (knobs.storage != "memory" && knobs.storage != "rocksdb") {
    return Status(ErrorCode::kInvalidArgument, fmt::format("unknown storage {:?}", knobs.storage));
  }
  if (knobs.meta_servers < 1 || knobs.replica_count < 1 ||
      knobs.replica_count > knobs.replica_servers || knobs.partitions < 1) {
    return Status(ErrorCode::kInvalidArgument,
                  "the pegasus system needs a meta server and replica_count <= replica_servers");
  }
  const TimingSet* set = FindTimingSet(knobs.timing);
  if (set == nullptr) {
    return Status(ErrorCode::kInvalidArgument, fmt::format("unknown timing {:?}", knobs.timing));
  }
  const PegasusTiming timing = PegasusTimingOf(*set);
  CheckSwarmFitsTiming(knobs, *set, timing);
  const std::vector<std::string> names = NodeNames(knobs);
  // NodeIds are dense in AddNode order, so every id is known before the first node is added.
  std::vector<NodeId> metas;
  std::vector<NodeId> coords;  // every coordination node, in NodeId order
  PegasusNodes nodes;
  std::vector<NodeId> clients;  // clients[p] is history process p
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i].starts_with("replica/")) nodes.replica_servers.push_back(NodeId(i));
    if (names[i].starts_with("meta/")) metas.push_back(NodeId(i));
    if (names[i].starts_with("client/")) clients.push_back(NodeId(i));
    if (names[i].starts_with("coord/")) coords.push_back(NodeId(i));
  }
  auto ledger = std::make_shared<ContentLedger>();
  Rng& clocks = cluster.stream("clocks");
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string& name = names[i];
    const ClockConfig clock = DrawClock(knobs, clocks);
    NodeFactory factory;
    if (name.starts_with("meta/")) {
      factory = MetaFactory(knobs, nodes.replica_servers, timing, coords);
    } else if (name.starts_with("coord/")) {
      factory = CoordFactory(coords, timing);
    } else if (name.starts_with("replica/")) {
      auto store = std::make_shared<EngineStore>(knobs.storage, name);
      store->AttachContentLedger(ledger);
      nodes.stores[NodeId(i)] = store;
      factory = ReplicaFactory(metas, store, timing, knobs);
    } else {
      factory = ClientFactory(ClientOptions(knobs, IndexOf(name), metas));
    }
    const NodeId id = cluster.AddNode(name, std::move(factory), clock);
    if (id != NodeId(i)) {
      return Status(ErrorCode::kInvalidState, fmt::format("{} got id {}, not {}", name, id, i));
    }
    // A client's requests travel over rDSN's TCP connections, which never deliver one twice, and
    // Pegasus does not deduplicate them: an incr delivered twice is applied twice. Duplicating
    // them would report a bug Pegasus cannot have; a client's own retries are the client's.
    if (name.starts_with("client/")) cluster.SetNeverDuplicates(id);
    if (auto it = nodes.stores.find(id); it != nodes.stores.end()) {
      it->second->AttachDisk(&cluster.disk(id), [&cluster, id] { return cluster.LocalTime(id); });
    }
  }
  nodes.meta_servers = metas;
  AddPegasusChecks(cluster, nodes, clients, coords, ledger);
  return Status::Ok();
}

}  // namespace pg::sim
