#pragma once
// Knobs: every value one run uses, nothing optional. ResolveKnobs fills what the scenario left out:
// from documented defaults, or, in a swarm scenario, from draws on the seed's "swarm" stream within
// documented bounds. The verdict records all knobs, so the verdict alone reproduces the run.
// CONTRACT between the loader, the nemesis and the runner.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/scenario.h"

namespace pg::sim {

struct Knobs {
  uint64_t seed = 0;
  int64_t duration_ms = 0;
  std::string system;
  bool swarm = false;
  // cluster
  int meta_servers = 1;
  int replica_servers = 0;
  int partitions = 0;
  int replica_count = 0;
  std::string storage;
  // network
  double latency_ms_min = 0;
  double latency_ms_mean = 0;
  double drop_probability = 0;
  double duplicate_probability = 0;
  double reorder_probability = 0;
  // disk
  double write_latency_ms_mean = 0;
  double sync_latency_ms_mean = 0;
  double io_error_probability = 0;
  // clocks
  double drift_ppm_max = 0;
  double offset_ms_max = 0;
  // workload
  int clients = 0;
  int hashkeys = 0;
  int sortkeys = 0;
  int ops = 0;
  int64_t timeout_ms = 0;
  std::map<std::string, double> mix;
  // faults, explicit or drawn (swarm), sorted by at_ms (stable)
  std::vector<Fault> faults;
};

// Node names of a resolved cluster, in NodeId order: meta/0.., replica/0.., client/0...
std::vector<std::string> NodeNames(const Knobs& knobs);

Knobs ResolveKnobs(const Scenario& scenario, uint64_t seed);
nlohmann::json KnobsToJson(const Knobs& knobs);
nlohmann::json FaultToJson(const Fault& fault);

}  // namespace pg::sim
