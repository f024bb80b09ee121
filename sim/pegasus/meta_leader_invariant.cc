#include "sim/pegasus/meta_leader_invariant.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/meta/meta_server.h"
#include "sim/pegasus/cast_cache.h"

namespace pg::sim {

void AddMetaLeaderInvariant(Cluster& cluster, std::vector<NodeId> metas) {
  // Checked after every event: counted first, named only when more than one leads.
  std::vector<CastCache<MetaServer>> casts(metas.size());
  cluster.AddInvariant("single_meta_leader",
                       [metas = std::move(metas), casts = std::move(casts)](
                           const Cluster& c) mutable -> std::optional<std::string> {
                         auto leads = [&](size_t i) {
                           const MetaServer* m = casts[i].Get(c, metas[i]);
                           return m != nullptr && m->ready() && m->IsLeader(c.LocalTime(metas[i]));
                         };
                         size_t count = 0;
                         for (size_t i = 0; i < metas.size(); ++i) count += leads(i) ? 1 : 0;
                         if (count <= 1) return std::nullopt;
                         std::vector<std::string> leaders;
                         for (size_t i = 0; i < metas.size(); ++i) {
                           if (leads(i)) leaders.push_back(c.name(metas[i]));
                         }
                         return fmt::format("{} meta servers lead at once: {}", leaders.size(),
                                            fmt::join(leaders, ", "));
                       });
}

}  // namespace pg::sim
