#include "tests/explore/explore_case.h"

#include <algorithm>

#include "sim/scenario/scenario_writer.h"
#include "sim/scenario/swarm_faults.h"

namespace pg::explore {
namespace {

using sim::Fault;

struct Expander {
  const ExploreCase& c;
  std::vector<std::string> all;      // every node, NodeNames order
  std::vector<std::string> servers;  // meta and replica servers
  std::vector<Fault> out;

  void Add(int64_t at_ms, sim::FaultAction action) {
    out.push_back(Fault{.at_ms = at_ms, .action = std::move(action)});
  }
  const std::string& Server(int i) const {
    return servers[static_cast<size_t>(i) % servers.size()];
  }
  const std::string& Replica(int i) const {
    return servers[1 + static_cast<size_t>(i) % (servers.size() - 1)];  // after meta/0
  }
  const std::string& Any(int i) const { return all[static_cast<size_t>(i) % all.size()]; }
  // One node against the rest (or against the other servers only, by `other`).
  std::vector<std::vector<std::string>> Isolate(const Episode& e) const {
    const std::string& x = Any(e.node);
    std::vector<std::string> rest;
    for (const std::string& n : e.other % 2 == 0 ? all : servers) {
      if (n != x) rest.push_back(n);
    }
    if (rest.empty()) {
      for (const std::string& n : all) {
        if (n != x) rest.push_back(n);
      }
    }
    return {{x}, rest};
  }
  void Expand(const Episode& e);
  void Partition(const Episode& e, int64_t start, int64_t end, bool one_way);
};

void Expander::Expand(const Episode& e) {
  const int64_t duration = c.duration_s * 1000LL;
  const int64_t start = duration * std::clamp(e.start_permille, 50, 700) / 1000;
  const int64_t len =
      std::max<int64_t>(500, duration * std::clamp(e.length_permille, 0, 300) / 1000);
  const int64_t end = std::max(start + 1, std::min(start + len, duration * 8 / 10));
  const double a = std::clamp(e.amount, 0, 1000) / 1000.0;
  switch (e.kind % 9) {
    case 0: {
      const std::string& node = c.crash_meta ? Server(e.node) : Replica(e.node);
      Add(start, sim::CrashFault{.node = node, .mode = e.flag ? "machine" : "process"});
      Add(end, sim::RestartFault{.node = node});
      break;
    }
    case 1:
      Add(start, sim::PauseFault{.node = Server(e.node), .duration_ms = end - start});
      break;
    case 2:
    case 3:
      Partition(e, start, end, e.kind % 9 == 3);
      break;
    case 4: {
      sim::ClogFault clog{.duration_ms = end - start};
      if (e.flag) {
        clog.from = Any(e.node);
        clog.to = Any(e.node + 1 + e.other % static_cast<int>(all.size() - 1));
      } else {
        clog.node = Any(e.node);
      }
      Add(start, clog);
      break;
    }
    case 5: {
      const auto by = static_cast<int64_t>(a * c.max_jump_ms);
      Add(start, sim::ClockJumpFault{.node = Server(e.node), .by_ms = e.flag ? -by : by});
      break;
    }
    case 6:
      Add(start,
          sim::ClockDriftFault{.node = Server(e.node),
                               .drift_ppm = sim::Round3((e.flag ? -a : a) * c.max_drift_ppm)});
      Add(end, sim::ClockDriftFault{.node = Server(e.node), .drift_ppm = 0});
      break;
    case 7: {
      sim::NetworkFault spell{.drop_probability = sim::Round3(a * 0.3), .duration_ms = end - start};
      if (e.flag) spell.duplicate_probability = sim::Round3(a * 0.1);
      if (e.other % 2 == 1) spell.reorder_probability = sim::Round3(a * 0.5);
      Add(start, spell);
      break;
    }
    default: {
      sim::DiskErrorsFault disk{.node = Server(e.node),
                                .write_error_probability = sim::Round3(a * 0.05),
                                .duration_ms = end - start};
      if (e.flag) disk.sync_error_probability = sim::Round3(a * 0.05);
      if (e.other % 2 == 1) disk.read_error_probability = sim::Round3(a * 0.05);
      Add(start, disk);
    }
  }
}

void Expander::Partition(const Episode& e, int64_t start, int64_t end, bool one_way) {
  auto groups = Isolate(e);
  std::optional<int64_t> duration;
  if (!e.flag) duration = end - start;
  if (one_way) {
    if (e.other % 3 == 2) std::swap(groups[0], groups[1]);
    Add(start, sim::OneWayFault{.from = groups[0], .to = groups[1], .duration_ms = duration});
  } else {
    Add(start, sim::PartitionFault{.groups = std::move(groups), .duration_ms = duration});
  }
  if (!duration) Add(end, sim::HealFault{});
}

rc::Gen<Episode> GenEpisode() {
  return rc::gen::build<Episode>(rc::gen::set(&Episode::kind, rc::gen::inRange(0, 9)),
                                 rc::gen::set(&Episode::node, rc::gen::inRange(0, 16)),
                                 rc::gen::set(&Episode::other, rc::gen::inRange(0, 16)),
                                 rc::gen::set(&Episode::start_permille, rc::gen::inRange(50, 701)),
                                 rc::gen::set(&Episode::length_permille, rc::gen::inRange(0, 301)),
                                 rc::gen::set(&Episode::amount, rc::gen::inRange(0, 1001)),
                                 rc::gen::set(&Episode::flag, rc::gen::arbitrary<bool>()));
}

// Up to 4 episodes; a variable-length container, so rapidcheck shrinks by removing episodes.
rc::Gen<std::vector<Episode>> GenEpisodes() {
  return rc::gen::resize(6, rc::gen::container<std::vector<Episode>>(GenEpisode()));
}

// A mix with at least one positive weight: `ops` weights in [0, 10], the first at least 1.
rc::Gen<std::vector<int>> GenMix(size_t ops) {
  return rc::gen::mapcat(rc::gen::inRange(1, 11), [ops](int first) {
    return rc::gen::map(rc::gen::container<std::vector<int>>(ops - 1, rc::gen::inRange(0, 11)),
                        [first](std::vector<int> rest) {
                          rest.insert(rest.begin(), first);
                          return rest;
                        });
  });
}

}  // namespace

sim::Knobs ToKnobs(const ExploreCase& c) {
  sim::Knobs k;
  k.seed = c.seed;
  k.duration_ms = c.duration_s * 1000LL;
  k.system = c.system;
  k.meta_servers = 1;
  k.replica_servers = c.replica_servers;
  k.replica_count = std::min(c.replica_count, c.replica_servers);
  k.partitions = c.partitions;
  k.storage = c.rocksdb ? "rocksdb" : "memory";
  k.latency_ms_min = c.latency_min_tenths_ms / 10.0;
  k.latency_ms_mean = (c.latency_min_tenths_ms + c.latency_extra_tenths_ms) / 10.0;
  k.drop_probability = c.drop_permille / 1000.0;
  k.write_latency_ms_mean = sim::Defaults::kWriteLatencyMsMean;
  k.sync_latency_ms_mean = sim::Defaults::kSyncLatencyMsMean;
  k.drift_ppm_max = c.drift_ppm_max;
  k.offset_ms_max = c.offset_ms_max;
  k.clients = c.clients;
  k.hashkeys = c.hashkeys;
  k.sortkeys = c.sortkeys;
  k.ops = c.ops;
  k.timeout_ms = c.timeout_ms;
  const auto& ops = sim::MixOperations();
  for (size_t i = 0; i < ops.size(); ++i) k.mix[ops[i]] = i < c.mix.size() ? c.mix[i] : 0;
  Expander expander{.c = c, .all = sim::NodeNames(k), .servers = {}, .out = {}};
  expander.servers.assign(expander.all.begin(),
                          expander.all.begin() + k.meta_servers + k.replica_servers);
  for (const Episode& e : c.episodes) expander.Expand(e);
  k.faults = std::move(expander.out);
  // The order ResolveKnobs gives, so the printed file resolves to exactly these knobs.
  std::stable_sort(k.faults.begin(), k.faults.end(),
                   [](const Fault& x, const Fault& y) { return x.at_ms < y.at_ms; });
  return k;
}

rc::Gen<ExploreCase> GenRegisterCase() {
  using rc::gen::inRange;
  using rc::gen::set;
  return rc::gen::build<ExploreCase>(
      set(&ExploreCase::seed,
          rc::gen::map(inRange(1, 1'000'000), [](int s) { return uint64_t(s); })),
      set(&ExploreCase::duration_s, inRange(5, 16)),
      set(&ExploreCase::replica_servers, inRange(1, 5)), set(&ExploreCase::clients, inRange(1, 5)),
      set(&ExploreCase::ops, inRange(10, 601)), set(&ExploreCase::hashkeys, inRange(1, 9)),
      set(&ExploreCase::timeout_ms, inRange(200, 2001)),
      set(&ExploreCase::latency_min_tenths_ms, inRange(1, 31)),
      set(&ExploreCase::latency_extra_tenths_ms, inRange(0, 101)),
      set(&ExploreCase::drop_permille, inRange(0, 51)),
      set(&ExploreCase::drift_ppm_max, inRange(0, 501)),
      set(&ExploreCase::offset_ms_max, inRange(0, 201)), set(&ExploreCase::mix, GenMix(2)),
      set(&ExploreCase::episodes, GenEpisodes()));
}

rc::Gen<ExploreCase> GenPegasusCase() {
  using rc::gen::inRange;
  using rc::gen::set;
  const ExploreCase pegasus{.system = "pegasus", .max_jump_ms = 1000, .crash_meta = false};
  return rc::gen::build<ExploreCase>(
      rc::gen::just(pegasus),
      set(&ExploreCase::seed,
          rc::gen::map(inRange(1, 1'000'000), [](int s) { return uint64_t(s); })),
      set(&ExploreCase::duration_s, inRange(10, 31)),
      set(&ExploreCase::replica_servers, inRange(3, 6)),
      set(&ExploreCase::replica_count, inRange(2, 4)), set(&ExploreCase::partitions, inRange(1, 5)),
      set(&ExploreCase::rocksdb, rc::gen::map(inRange(0, 4), [](int r) { return r == 3; })),
      set(&ExploreCase::clients, inRange(1, 4)), set(&ExploreCase::ops, inRange(10, 601)),
      set(&ExploreCase::hashkeys, inRange(1, 9)), set(&ExploreCase::sortkeys, inRange(1, 5)),
      set(&ExploreCase::timeout_ms, inRange(500, 2001)),
      set(&ExploreCase::latency_min_tenths_ms, inRange(1, 31)),
      set(&ExploreCase::latency_extra_tenths_ms, inRange(0, 101)),
      set(&ExploreCase::drop_permille, inRange(0, 21)),
      set(&ExploreCase::drift_ppm_max, inRange(0, 501)),
      set(&ExploreCase::offset_ms_max, inRange(0, 201)),
      set(&ExploreCase::mix, GenMix(sim::MixOperations().size())),
      set(&ExploreCase::episodes, GenEpisodes()));
}

void showValue(const ExploreCase& c, std::ostream& os) {
  os << sim::ScenarioFileJson(ToKnobs(c), {.name = "explore_" + c.system,
                                           .description = "found by tests/explore (rapidcheck)"})
            .dump(2);
}

}  // namespace pg::explore
