#pragma once
// A serving table for tests that start after creation: meta itself creates a table memberless and
// lets the guardian fill it.
#include <vector>

#include "core/meta/partition_table.h"

namespace pg::testing {

// A table whose partitions all have their members, at ballot 1: partition i gets servers[(i + j) %
// n] for j in [0, replica_count), so members are distinct and primaries round robin. Meta creates
// a table memberless (CreateTableLayout) and fills it through the guardian; tests that start from a
// serving table write this one to meta.log instead (BootReady).
inline std::vector<PartitionConfiguration> FullLayout(int partition_count, int replica_count,
                                                      const std::vector<NodeId>& servers,
                                                      int32_t app_id = 1) {
  std::vector<PartitionConfiguration> table = CreateTableLayout({.app_id = app_id,
                                                                 .partition_count = partition_count,
                                                                 .replica_count = replica_count,
                                                                 .servers = servers});
  const size_t n = servers.size();
  for (size_t i = 0; i < table.size(); ++i) {
    table[i].primary = servers[i % n];
    for (int j = 1; j < replica_count; ++j) {
      table[i].secondaries.push_back(servers[(i + static_cast<size_t>(j)) % n]);
    }
  }
  return table;
}

}  // namespace pg::testing
