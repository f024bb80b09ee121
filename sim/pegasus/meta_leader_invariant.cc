#include "sim/pegasus/meta_leader_invariant.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/meta/meta_server.h"

namespace pg::sim {

void AddMetaLeaderInvariant(Cluster& cluster, std::vector<NodeId> metas) {
  cluster.AddInvariant("single_meta_leader",
                       [metas = std::move(metas)](const Cluster& c) -> std::optional<std::string> {
                         std::vector<std::string> leaders;
                         for (NodeId id : metas) {
                           const auto* m = dynamic_cast<const MetaServer*>(c.node(id));
                           if (m != nullptr && m->ready() && m->IsLeader(c.LocalTime(id))) {
                             leaders.push_back(c.name(id));
                           }
                         }
                         if (leaders.size() <= 1) return std::nullopt;
                         return fmt::format("{} meta servers lead at once: {}", leaders.size(),
                                            fmt::join(leaders, ", "));
                       });
}

}  // namespace pg::sim
