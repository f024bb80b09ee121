#include "sim/driver/pegasus_liveness.h"

#include <fmt/format.h>

#include <map>
#include <set>

#include "core/meta/meta_server.h"
#include "core/replica/replica_server.h"
#include "core/storage/key_schema.h"

namespace pg::sim {
namespace {

// Fills `exempt` (partition index -> why) with the memberless partitions no rule may recover.
std::optional<std::string> ReplicaSetProblem(const Cluster& cluster, const MetaServer& meta,
                                             const PegasusLivenessParts& parts,
                                             std::map<int, std::string>& exempt) {
  const Time now = cluster.now();
  for (const PartitionConfiguration& pc : meta.partitions()) {
    const int members = static_cast<int>(pc.secondaries.size()) + (pc.primary ? 1 : 0);
    if (members == 0) {
      if (auto why = parts.fates->WhyUnrecoverable(pc, cluster, parts.replica_servers)) {
        exempt[pc.gpid.partition_index] = *why;
        continue;
      }
    }
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

// The latest completion of an operation invoked at or after `since`, per client process;
// operations on an exempt partition (routed as the client routes them) are left out.
std::optional<std::string> ClientProblem(const Cluster& cluster, Time since, int partition_count,
                                         const std::map<int, std::string>& exempt) {
  std::map<uint32_t, bool> counted;        // process -> its open operation counts
  std::map<uint32_t, std::string> latest;  // process -> type of its latest counted completion
  for (const RecordedOp& r : cluster.history()) {
    if (r.op.type == "invoke") {
      const auto partition =
          static_cast<int>(PartitionHash(r.op.hashkey, r.op.sortkey) % partition_count);
      counted[r.op.process] = r.at >= since && !exempt.contains(partition);
      continue;
    }
    if (counted[r.op.process]) latest[r.op.process] = r.op.type;
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

Cluster::LivenessCheck CheckPegasusLiveness(const Cluster& cluster,
                                            const PegasusLivenessParts& parts, Time healed_at) {
  const MetaServer* m = nullptr;
  for (NodeId id : parts.metas) {
    const auto* candidate = dynamic_cast<const MetaServer*>(cluster.node(id));
    if (candidate != nullptr && candidate->ready() && candidate->IsLeader(cluster.LocalTime(id))) {
      m = candidate;
      break;
    }
  }
  if (m == nullptr) {
    return {.problem = parts.metas.size() == 1 ? "meta/0 is not serving" : "no meta server leads"};
  }
  std::map<int, std::string> exempt;
  Cluster::LivenessCheck check;
  check.problem = ReplicaSetProblem(cluster, *m, parts, exempt);
  if (!check.problem) {
    check.problem =
        ClientProblem(cluster, healed_at, static_cast<int>(m->partitions().size()), exempt);
  }
  for (const auto& [index, why] : exempt) {
    check.exempt.push_back(fmt::format("partition {}: {}", m->partitions()[index].gpid, why));
  }
  return check;
}

}  // namespace pg::sim
