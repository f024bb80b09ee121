#pragma once
// Knobs: every value one run uses, nothing optional (knobs.h resolves a scenario into them), and
// the node names they give a cluster. The swarm's fault drawer (swarm_faults.h) reads them too.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/common/bugs.h"
#include "sim/kernel/scheduler_config.h"
#include "sim/scenario/knob_tables.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/timing_sets.h"

namespace pg::sim {

struct Knobs {
  uint64_t seed = 0;
  int64_t duration_ms = 0;
  int64_t liveness_ms = 0;  // the liveness phase after duration_ms; 0: none (never drawn by swarm)
  std::string system;
  bool swarm = false;
  // The pegasus system's timing set (timing_sets.h): "pegasim" (the default) or "upstream".
  std::string timing = std::string(kDefaultTimingSet);
  // cluster
  int meta_servers = 1;
  // The coordination nodes of a cluster that has them (HasCoordNode): 1 (a CoordServer) or a
  // quorum of 3 or 5 CoordPeers. 1 where there is no coordination node.
  int coord_servers = 1;
  int replica_servers = 0;
  int partitions = 0;
  int replica_count = 0;
  std::string storage;
  bool balance = false;  // meta's load balancer
  // Atomic writes executed on the primary and replicated as puts, instead of re-executed on every
  // replica (ReplicaServerOptions::atomic_idempotent).
  bool atomic_idempotent = false;
  // The primary's bounded 2PC pipeline (ReplicaServerOptions::staleness_for_commit).
  int staleness_for_commit = 20;
  // What a primary keeps to serve learners (ReplicaServerOptions of the same names).
  int learn_cache_decrees = 40;
  int plog_gc_reserve_decrees = 100;
  int64_t checkpoint_interval_ms = 10'000;
  // network
  double latency_ms_min = 0;
  double latency_ms_mean = 0;
  double drop_probability = 0;
  double duplicate_probability = 0;
  double reorder_probability = 0;
  double bandwidth_mb_per_s = 0;  // 0: unlimited
  // disk
  double write_latency_ms_mean = 0;
  double sync_latency_ms_mean = 0;
  double io_error_probability = 0;
  // A machine crash leaves each file with unsynced bytes torn (some of them on the platter) with
  // this probability, else cut to its synced length (SimDisk::LoseUnsynced).
  double torn_write_probability = 0.5;
  double engine_mb_per_s = 0;  // 0: the storage engine's own I/O takes no simulated time
  // clocks
  double drift_ppm_max = 0;
  double offset_ms_max = 0;
  // workload
  int clients = 0;
  int hashkeys = 0;
  int sortkeys = 0;
  int ops = 0;
  int64_t timeout_ms = 0;
  // Key rotation (WorkloadShape::key_rotation_ops): each client moves to fresh hashkeys after
  // this many operations; 0: off (the default; swarm draws it).
  int key_rotation_ops = 0;
  std::map<std::string, double> mix;
  // TTLs (WorkloadShape::ttl_fraction, ttl_s_max): 0 and 0 when no write takes one.
  double ttl_fraction = 0;
  int ttl_s_max = 0;
  // faults, explicit or drawn (swarm), sorted by at_ms (stable)
  std::vector<Fault> faults;
  SchedulerConfig scheduler;
  // The bug-zoo switches on (core/common/bugs.h): the scenario's "bugs", or `hunt --bug`.
  BugSet bugs;

  bool operator==(const Knobs&) const = default;
};

// Node names of a resolved cluster, in NodeId order: meta/0.., replica/0.., client/0.., and
// coord/0..coord/{coord_servers - 1} if HasCoordNode.
std::vector<std::string> NodeNames(const Knobs& knobs);

}  // namespace pg::sim
