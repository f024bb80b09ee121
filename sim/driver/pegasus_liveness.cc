#include "sim/driver/pegasus_liveness.h"

#include <fmt/format.h>

#include <map>

#include "core/meta/meta_server.h"
#include "core/replica/replica_server.h"

namespace pg::sim {
namespace {

std::optional<std::string> ReplicaSetProblem(const Cluster& cluster, const MetaServer& meta) {
  const Time now = cluster.now();
  for (const PartitionConfiguration& pc : meta.partitions()) {
    const int members = static_cast<int>(pc.secondaries.size()) + (pc.primary ? 1 : 0);
    if (!pc.primary || members < pc.max_replica_count) {
      return fmt::format("partition {} has {} of {} replicas{} (ballot {})", pc.gpid, members,
                         pc.max_replica_count, pc.primary ? "" : " and no primary", pc.ballot);
    }
    std::vector<std::pair<NodeId, PartitionStatus>> roles = {
        {*pc.primary, PartitionStatus::kPrimary}};
    for (NodeId s : pc.secondaries) roles.emplace_back(s, PartitionStatus::kSecondary);
    for (const auto& [node, role] : roles) {
      const auto* server = dynamic_cast<const ReplicaServer*>(cluster.node(node));
      if (server == nullptr) return fmt::format("partition {}: member {} is down", pc.gpid, node);
      bool held = false;
      for (const ReplicaServer::ReplicaView& v : server->Views(now)) {
        held = held || (v.gpid == pc.gpid && v.status == role && v.ballot == pc.ballot);
      }
      if (!held) {
        return fmt::format("partition {}: {} does not hold it as {} at ballot {}", pc.gpid, node,
                           PartitionStatusName(role), pc.ballot);
      }
    }
  }
  return std::nullopt;
}

// The latest completion of an operation invoked at or after `since`, per client process.
std::optional<std::string> ClientProblem(const Cluster& cluster, Time since) {
  std::map<uint32_t, bool> invoked_since;  // process -> its open operation began after `since`
  std::map<uint32_t, std::string> latest;  // process -> type of its latest such completion
  for (const RecordedOp& r : cluster.history()) {
    if (r.op.type == "invoke") {
      invoked_since[r.op.process] = r.at >= since;
      continue;
    }
    if (invoked_since[r.op.process]) latest[r.op.process] = r.op.type;
  }
  bool any_ok = false;
  for (const auto& [process, type] : latest) {
    if (type != "ok") {
      return fmt::format("client process {}: its latest operation since the heal ended {}", process,
                         type);
    }
    any_ok = true;
  }
  if (!latest.empty() && !any_ok) return "no client operation succeeded since the heal";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> PegasusLivenessProblem(const Cluster& cluster,
                                                  const std::vector<NodeId>& metas,
                                                  Time healed_at) {
  const MetaServer* m = nullptr;
  for (NodeId id : metas) {
    const auto* candidate = dynamic_cast<const MetaServer*>(cluster.node(id));
    if (candidate != nullptr && candidate->ready() && candidate->IsLeader(cluster.LocalTime(id))) {
      m = candidate;
      break;
    }
  }
  if (m == nullptr) return metas.size() == 1 ? "meta/0 is not serving" : "no meta server leads";
  if (auto problem = ReplicaSetProblem(cluster, *m)) return problem;
  return ClientProblem(cluster, healed_at);
}

}  // namespace pg::sim
