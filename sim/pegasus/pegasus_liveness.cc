#include "sim/pegasus/pegasus_liveness.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/client/pegasus_client.h"
#include "core/meta/meta_server.h"
#include "core/proto/partition_hash.h"
#include "core/replica/replica_server.h"

namespace pg::sim {
namespace {

// Every replica server's replicas, read once per check.
std::vector<ServerNow> Snapshot(const Cluster& cluster, const std::vector<NodeId>& servers) {
  std::vector<ServerNow> now;
  for (NodeId id : servers) {
    const auto* server = dynamic_cast<const ReplicaServer*>(cluster.node(id));
    now.push_back({.id = id,
                   .name = cluster.name(id),
                   .up = server != nullptr,
                   .views = server != nullptr ? server->Views(cluster.LocalTime(id))
                                              : std::vector<ReplicaServer::ReplicaView>{}});
  }
  return now;
}

// Whether `node` holds `pc` in `role` at its ballot, a primary also with a valid lease.
std::optional<std::string> MemberProblem(const std::vector<ServerNow>& servers,
                                         const PartitionConfiguration& pc, NodeId node,
                                         PartitionStatus role) {
  auto server = std::find_if(servers.begin(), servers.end(),
                             [node](const ServerNow& s) { return s.id == node; });
  if (server == servers.end() || !server->up) {
    return fmt::format("partition {}: member {} is down", pc.gpid, node);
  }
  for (const ReplicaServer::ReplicaView& v : server->views) {
    if (v.gpid != pc.gpid || v.status != role || v.ballot != pc.ballot) continue;
    if (role == PartitionStatus::kPrimary && !v.serving_as_primary) {
      return fmt::format("partition {}: primary {} holds no lease", pc.gpid, server->name);
    }
    return std::nullopt;
  }
  return fmt::format("partition {}: {} does not hold it as {} at ballot {}", pc.gpid, server->name,
                     PartitionStatusName(role), pc.ballot);
}

// Fills `exempt` (partition index -> why) with the memberless partitions no rule may recover.
std::optional<std::string> ReplicaSetProblem(const std::vector<ServerNow>& servers,
                                             const MetaServer& meta, const PartitionFates& fates,
                                             std::map<int, std::string>& exempt) {
  for (const PartitionConfiguration& pc : meta.partitions()) {
    const int members = static_cast<int>(pc.secondaries.size()) + (pc.primary ? 1 : 0);
    if (members == 0) {
      if (auto why = fates.WhyUnrecoverable(pc, servers)) {
        exempt[pc.gpid.partition_index] = *why;
        continue;
      }
    }
    if (!pc.primary || members < pc.max_replica_count) {
      return fmt::format("partition {} has {} of {} replicas{} (ballot {})", pc.gpid, members,
                         pc.max_replica_count, pc.primary ? "" : " and no primary", pc.ballot);
    }
    if (auto p = MemberProblem(servers, pc, *pc.primary, PartitionStatus::kPrimary)) return p;
    for (NodeId s : pc.secondaries) {
      if (auto p = MemberProblem(servers, pc, s, PartitionStatus::kSecondary)) return p;
    }
  }
  return std::nullopt;
}

// Per client process, over operations invoked at or after `since`: its latest completion, left
// out where the operation was routed (as the client routes it) to an exempt partition, which
// still shows the client at work. A client with no completion must have no operation left.
std::optional<std::string> ClientProblem(const Cluster& cluster, const std::vector<NodeId>& clients,
                                         Time since, int partition_count,
                                         const std::map<int, std::string>& exempt) {
  std::map<uint32_t, bool> invoked_since;  // process -> its open operation began since `since`
  std::map<uint32_t, bool> counted;        // process -> ... and was not routed to an exempt one
  std::map<uint32_t, std::string> latest;  // process -> type of its latest counted completion
  std::set<uint32_t> completed;            // processes with any completion since `since`
  for (const RecordedOp& r : cluster.history()) {
    const uint32_t p = r.op.process;
    if (r.op.type == "invoke") {
      const auto partition =
          static_cast<int>(PartitionHash(r.op.hashkey, r.op.sortkey) % partition_count);
      invoked_since[p] = r.at >= since;
      counted[p] = invoked_since[p] && !exempt.contains(partition);
      continue;
    }
    if (invoked_since[p]) completed.insert(p);
    if (counted[p]) latest[p] = r.op.type;
  }
  for (const auto& [process, type] : latest) {
    if (type != "ok") {
      return fmt::format(
          "client process {}: its latest operation since the table was whole ended {}", process,
          type);
    }
  }
  for (size_t p = 0; p < clients.size(); ++p) {
    const auto* client = dynamic_cast<const PegasusClient*>(cluster.node(clients[p]));
    if (completed.contains(static_cast<uint32_t>(p)) || client == nullptr || client->finished()) {
      continue;
    }
    return fmt::format("client process {} has completed no operation since the table was whole", p);
  }
  return std::nullopt;
}

}  // namespace

Cluster::LivenessCheck CheckPegasusLiveness(const Cluster& cluster,
                                            const PegasusLivenessParts& parts,
                                            std::optional<Time>& whole_since) {
  const MetaServer* m = nullptr;
  for (NodeId id : parts.metas) {
    const auto* candidate = dynamic_cast<const MetaServer*>(cluster.node(id));
    if (candidate != nullptr && candidate->ready() && candidate->IsLeader(cluster.LocalTime(id))) {
      m = candidate;
      break;
    }
  }
  if (m == nullptr) {
    whole_since.reset();
    return {.problem = parts.metas.size() == 1 ? "meta/0 is not serving" : "no meta server leads"};
  }
  // A connection a straggler stalled holds what is sent on it until the straggler lands, past the
  // heal ("messages already delayed run out on their own"): a client cut off that way is not yet
  // a client of a whole table, and operations it gives up on meanwhile do not count against it.
  if (const Time stalled = cluster.SessionsStalledUntil(); stalled > cluster.now()) {
    whole_since.reset();
    return {.problem = fmt::format("a delayed message stalls a connection until {}", stalled)};
  }
  std::map<int, std::string> exempt;
  Cluster::LivenessCheck check;
  check.problem =
      ReplicaSetProblem(Snapshot(cluster, parts.replica_servers), *m, *parts.fates, exempt);
  if (check.problem) {
    whole_since.reset();
  } else {
    if (!whole_since) whole_since = cluster.now();
    check.problem = ClientProblem(cluster, parts.clients, *whole_since,
                                  static_cast<int>(m->partitions().size()), exempt);
  }
  for (const auto& [index, why] : exempt) {
    check.exempt.push_back(fmt::format("partition {}: {}", m->partitions()[index].gpid, why));
  }
  return check;
}

}  // namespace pg::sim
