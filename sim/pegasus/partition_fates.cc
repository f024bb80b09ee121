#include "sim/pegasus/partition_fates.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace pg::sim {
namespace {

std::string NameOf(const std::vector<ServerNow>& servers, NodeId id) {
  for (const ServerNow& s : servers) {
    if (s.id == id) return s.name;
  }
  return fmt::format("node {}", id);
}

}  // namespace

void PartitionFates::Observe(NodeId node, uint64_t disk_generation,
                             const std::vector<ReplicaServer::ReplicaView>& views) {
  auto& [generation, seen] = held_[node];
  if (generation != disk_generation) {
    for (Gpid gpid : seen) lost_.insert({node, gpid});
    seen.clear();
    generation = disk_generation;
  }
  for (const ReplicaServer::ReplicaView& v : views) {
    seen.insert(v.gpid);
    // A failed replica's decrees are not a commit point (it reports none to meta either).
    if (v.status == PartitionStatus::kError) {
      lost_.insert({node, v.gpid});
    } else {
      lost_.erase({node, v.gpid});
      Decree& c = committed_[v.gpid];
      c = std::max(c, v.last_committed);
    }
  }
}

Decree PartitionFates::Committed(Gpid gpid) const {
  auto it = committed_.find(gpid);
  return it == committed_.end() ? Decree(0) : it->second;
}

std::optional<std::string> PartitionFates::WhyUnrecoverable(
    const PartitionConfiguration& pc, const std::vector<ServerNow>& servers) const {
  std::optional<Decree> best_prepared;  // over the healthy replicas left
  for (const ServerNow& s : servers) {
    if (!s.up) return std::nullopt;
    for (const ReplicaServer::ReplicaView& v : s.views) {
      if (v.gpid != pc.gpid || v.status == PartitionStatus::kError) continue;
      best_prepared = std::max(best_prepared.value_or(Decree(0)), v.last_prepared);
    }
  }
  std::vector<std::string> lost;  // servers whose replica was last seen failed, or wiped since
  for (const auto& [node, gpid] : lost_) {
    if (gpid == pc.gpid) lost.push_back(NameOf(servers, node));
  }
  const Decree committed = Committed(pc.gpid);
  if ((!best_prepared || *best_prepared < committed) && !lost.empty()) {
    return fmt::format(
        "decree {} was committed, {}, and its replica was lost on {} (a lost log tail or disk)",
        committed,
        best_prepared ? fmt::format("the replicas left prepared only up to {}", *best_prepared)
                      : std::string("no healthy replica is left"),
        fmt::join(lost, ", "));
  }
  if (!pc.last_drops.empty() && lost_.contains({pc.last_drops.back(), pc.gpid})) {
    return fmt::format(
        "its most recent drop {} lost its replica (a lost log tail or disk): what it alone "
        "committed is known to no one",
        NameOf(servers, pc.last_drops.back()));
  }
  return std::nullopt;
}

}  // namespace pg::sim
