// The shrinker. Strategy, in the order of what matters most to a reader of the result:
//  1. faults: delta debugging (Zeller's ddmin): remove chunks of the schedule, halving the chunk
//     size when no chunk can go, down to single faults;
//  2. the workload and the cluster: the nodes the faults name renumbered densely from 0, then
//     clients, ops, meta and replica servers, partitions (never below what the system needs or
//     what a remaining fault names), then the duration (never before the last fault);
//  3. a quieter world: each background probability, drift and offset set to 0;
//  4. simpler faults: halve each duration, probability, clock jump and drift; machine crashes
//     become process crashes; a crash on a mark becomes a plain crash, or halves its window;
//  5. hashkeys and sortkeys.
// Passes repeat until one keeps nothing or the run budget is spent. A number shrinks by trying the
// lower bound first, then ever smaller steps down from the current value (cur - d/2, cur - d/4,
// ..., cur - 1), so a failure that needs no clients beyond one costs one run. Every candidate is
// remembered by its knobs' JSON, so a later pass never pays twice for the same run. A liveness
// failure's candidate keeps its stragglers within the swarm's bound (straggler_tail.h), so that a
// shorter run does not turn a slow repair into a fault outliving the heal.
#include "sim/driver/shrink.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>

#include "sim/driver/straggler_tail.h"
#include "sim/scenario/crash_marks.h"

namespace pg::sim {
namespace {

// The highest index a fault schedule names per node kind, and its latest at_ms.
struct Named {
  int meta = -1;
  int replica = -1;
  int client = -1;
  int64_t last_at_ms = 0;
};

Named NamedBy(const std::vector<Fault>& faults) {
  Named named;
  for (const Fault& fault : faults) {
    named.last_at_ms = std::max(named.last_at_ms, fault.at_ms);
    for (const std::string& name : FaultNodes(fault.action)) {
      const size_t slash = name.find('/');
      int index = 0;
      if (slash == std::string::npos ||
          std::from_chars(name.data() + slash + 1, name.data() + name.size(), index).ec !=
              std::errc())
        continue;
      const std::string_view kind(name.data(), slash);
      if (kind == "coord") {
        named.meta = std::max(named.meta, 1);  // coord/0 exists only with two metas or more
        continue;
      }
      int& slot = kind == "meta" ? named.meta : kind == "replica" ? named.replica : named.client;
      slot = std::max(slot, index);
    }
  }
  return named;
}

double Halve(double p) { return std::round(p / 2 * 1000) / 1000; }

// ---- Simpler faults: each alternative halves one number or drops one option ------------------

using Simpler = std::vector<FaultAction>;

template <class T>
void HalveDuration(const T& f, Simpler& out) {
  if (f.duration_ms <= 1) return;
  T g = f;
  g.duration_ms /= 2;
  out.emplace_back(g);
}

template <class T>
void HalveOptionalDuration(const T& f, Simpler& out) {
  if (!f.duration_ms || *f.duration_ms <= 1) return;
  T g = f;
  *g.duration_ms /= 2;
  out.emplace_back(g);
}

// Halves each present probability; one that would reach 0 is dropped instead, unless it is the
// last one present (the loader wants at least one).
template <class T>
void HalveProbabilities(const T& f, std::initializer_list<std::optional<double> T::*> fields,
                        Simpler& out) {
  const auto present = std::count_if(fields.begin(), fields.end(),
                                     [&f](auto field) { return (f.*field).has_value(); });
  for (auto field : fields) {
    if (!(f.*field)) continue;
    T g = f;
    const double half = Halve(*(f.*field));
    if (half > 0) {
      g.*field = half;
    } else if (present > 1) {
      g.*field = std::nullopt;
    } else {
      continue;
    }
    out.emplace_back(g);
  }
}

// A machine crash becomes a process crash; a crash on a mark becomes a plain crash at its at_ms,
// or keeps its mark with half the window.
void AddSimpler(const CrashFault& f, Simpler& out) {
  if (f.mode != "process") {
    CrashFault g = f;
    g.mode = "process";
    out.emplace_back(g);
  }
  if (!f.on_mark) return;
  out.emplace_back(CrashFault{.node = f.node, .mode = f.mode, .on_mark = {}, .within_ms = {}});
  const int64_t within = f.within_ms.value_or(kDefaultCrashWithinMs);
  if (within / 2 > 0) {
    CrashFault g = f;
    g.within_ms = within / 2;
    out.emplace_back(g);
  }
}
void AddSimpler(const RestartFault&, Simpler&) {}
void AddSimpler(const CorruptFault&, Simpler&) {}
void AddSimpler(const WipeFault&, Simpler&) {}
void AddSimpler(const HealFault&, Simpler&) {}
void AddSimpler(const ResetFault&, Simpler&) {}
// A frozen clock runs; a leap comes at once.
void AddSimpler(const PauseFault& f, Simpler& out) {
  HalveDuration(f, out);
  if (f.clock == "runs") return;
  out.emplace_back(PauseFault{.node = f.node, .duration_ms = f.duration_ms});
  if (f.leap_after_ms.value_or(1) > 0) {
    PauseFault g = f;
    g.leap_after_ms = 0;
    out.emplace_back(g);
  }
}
void AddSimpler(const ClogFault& f, Simpler& out) { HalveDuration(f, out); }
void AddSimpler(const PartitionFault& f, Simpler& out) { HalveOptionalDuration(f, out); }
void AddSimpler(const OneWayFault& f, Simpler& out) { HalveOptionalDuration(f, out); }
void AddSimpler(const ClockJumpFault& f, Simpler& out) {
  if (f.by_ms / 2 != f.by_ms)
    out.emplace_back(ClockJumpFault{.node = f.node, .by_ms = f.by_ms / 2});
}
void AddSimpler(const ClockDriftFault& f, Simpler& out) {
  const double half = std::trunc(f.drift_ppm / 2);
  if (half != f.drift_ppm) out.emplace_back(ClockDriftFault{.node = f.node, .drift_ppm = half});
}
void AddSimpler(const NetworkFault& f, Simpler& out) {
  HalveDuration(f, out);
  HalveProbabilities(f,
                     {&NetworkFault::drop_probability, &NetworkFault::duplicate_probability,
                      &NetworkFault::reorder_probability},
                     out);
}
void AddSimpler(const DelayFault& f, Simpler& out) {
  HalveDuration(f, out);
  if (f.delay_ms && *f.delay_ms / 2 > 0) {
    DelayFault g = f;
    g.delay_ms = *f.delay_ms / 2;
    out.emplace_back(g);
  }
}
void AddSimpler(const DiskSlowFault& f, Simpler& out) { HalveDuration(f, out); }
// Half as long, half as likely, one bit a frame.
void AddSimpler(const CorruptMessagesFault& f, Simpler& out) {
  HalveDuration(f, out);
  if (Halve(f.probability) > 0) {
    CorruptMessagesFault g = f;
    g.probability = Halve(f.probability);
    out.emplace_back(g);
  }
  if (f.bits_max > 1) {
    CorruptMessagesFault g = f;
    g.bits_max = 1;
    out.emplace_back(g);
  }
}
void AddSimpler(const DiskErrorsFault& f, Simpler& out) {
  HalveDuration(f, out);
  HalveProbabilities(
      f,
      {&DiskErrorsFault::read_error_probability, &DiskErrorsFault::write_error_probability,
       &DiskErrorsFault::sync_error_probability},
      out);
}

Simpler Simplifications(const FaultAction& action) {
  Simpler out;
  std::visit([&out](const auto& f) { AddSimpler(f, out); }, action);
  return out;
}

// ---- Dense node names: faults naming replica/1 and replica/3 name replica/0 and replica/1 ------

using Renames = std::map<std::string, std::string>;

void Rename(std::string& name, const Renames& renames) {
  if (auto it = renames.find(name); it != renames.end()) name = it->second;
}
void Rename(std::optional<std::string>& name, const Renames& renames) {
  if (name) Rename(*name, renames);
}
void Rename(std::vector<std::string>& names, const Renames& renames) {
  for (std::string& name : names) Rename(name, renames);
}

// Every node name a fault holds, whatever its kind: a kind added later is renamed too.
void RenameNodes(FaultAction& action, const Renames& r) {
  std::visit(
      [&r](auto& f) {
        if constexpr (requires { f.groups; }) {
          for (auto& group : f.groups) Rename(group, r);
        }
        if constexpr (requires { f.node; }) Rename(f.node, r);
        if constexpr (requires { f.from; }) Rename(f.from, r);
        if constexpr (requires { f.to; }) Rename(f.to, r);
      },
      action);
}

// The renaming that numbers the nodes the faults name densely from 0, per kind, keeping their
// order (so a lone fault on replica/3 moves to replica/0 and three servers can go).
Renames DenseNames(const std::vector<Fault>& faults) {
  std::map<std::string, std::set<int>> used;  // kind -> indices named
  for (const Fault& fault : faults) {
    for (const std::string& name : FaultNodes(fault.action)) {
      const size_t slash = name.find('/');
      used[name.substr(0, slash)].insert(std::stoi(name.substr(slash + 1)));
    }
  }
  Renames renames;
  for (const auto& [kind, indices] : used) {
    int next = 0;
    for (int index : indices) {
      if (index != next)
        renames[fmt::format("{}/{}", kind, index)] = fmt::format("{}/{}", kind, next);
      ++next;
    }
  }
  return renames;
}

class Shrinker {
 public:
  Shrinker(const Knobs& knobs, std::string kind, const ShrinkOptions& options)
      : best_(knobs), original_(knobs), kind_(std::move(kind)), options_(options) {
    best_.swarm = false;  // every knob is explicit from here on; the flag changes no run
  }

  Result<ShrinkResult> Run(const Knobs& original);

 private:
  // Runs a candidate (unless tried before or over budget); keeps it when it fails the same way.
  bool Try(const Knobs& candidate, std::string_view what);
  bool Pass();
  bool ShrinkFaults();
  bool ShrinkNumber(std::string_view what, int64_t lo,
                    const std::function<int64_t(const Knobs&)>& get,
                    const std::function<void(Knobs&, int64_t)>& set);
  bool ShrinkCluster();
  bool QuietWorld();
  bool SimplifyFaults();
  bool SimplifyFault(size_t i);
  bool Exhausted() const { return runs_ >= options_.max_runs; }

  Knobs best_;
  const Knobs original_;
  std::string kind_;
  const ShrinkOptions& options_;
  Failure failure_;
  int runs_ = 0;
  bool exhausted_ = false;
  std::set<std::string> tried_;
};

bool Shrinker::Try(const Knobs& candidate, std::string_view what) {
  if (Exhausted()) {
    exhausted_ = true;
    return false;
  }
  if (kind_ == "liveness" && !KeepsStragglerTail(candidate, original_)) return false;
  if (!tried_.insert(KnobsToJson(candidate).dump()).second) return false;
  ++runs_;
  const RunOutcome outcome = RunKnobs(candidate, options_.run);
  const bool same = outcome.failed() && outcome.failure->kind == kind_;
  if (same) {
    best_ = candidate;
    failure_ = *outcome.failure;
  }
  if (options_.on_step) {
    options_.on_step({.run = runs_,
                      .max_runs = options_.max_runs,
                      .what = what,
                      .kept = same,
                      .sizes = SizesOf(best_)});
  }
  return same;
}

Result<ShrinkResult> Shrinker::Run(const Knobs& original) {
  // The reproduction run: a verdict from another binary, or a flaky bench, must not be "shrunk".
  tried_.insert(KnobsToJson(best_).dump());
  ++runs_;
  const RunOutcome first = RunKnobs(best_, options_.run);
  if (!first.failed() || first.failure->kind != kind_) {
    return Status(
        ErrorCode::kInconsistentState,
        fmt::format("the run does not reproduce {}: it {} (a different binary or "
                    "system than the verdict's?)",
                    kind_,
                    first.failed() ? "failed with " + first.failure->kind : std::string("passed")));
  }
  if (options_.expect_trace_hash && first.trace_hash != *options_.expect_trace_hash) {
    return Status(ErrorCode::kInconsistentState,
                  fmt::format("the run does not reproduce the verdict: trace hash {:016x}, the "
                              "verdict's {:016x} (a different binary than the verdict's?)",
                              first.trace_hash, *options_.expect_trace_hash));
  }
  failure_ = *first.failure;
  while (!Exhausted() && Pass()) {
  }
  ShrinkResult result{.original = original,
                      .knobs = best_,
                      .failure_kind = kind_,
                      .failure = failure_,
                      .runs = runs_,
                      .budget_exhausted = exhausted_ || Exhausted()};
  for (int seed = 1; seed <= options_.probe_seeds; ++seed) {
    Knobs probe = best_;
    probe.seed = static_cast<uint64_t>(seed);
    const RunOutcome outcome = RunKnobs(probe, options_.run);
    if (!outcome.failed()) continue;
    if (outcome.failure->kind == kind_) {
      result.probe_seeds_failing.push_back(probe.seed);
    } else {
      result.probe_other_kinds[outcome.failure->kind].push_back(probe.seed);
    }
  }
  return result;
}

bool Shrinker::Pass() {
  bool kept = ShrinkFaults();
  kept |= ShrinkCluster();
  kept |= QuietWorld();
  kept |= SimplifyFaults();
  kept |= ShrinkNumber(
      "hashkeys", 1, [](const Knobs& k) { return k.hashkeys; },
      [](Knobs& k, int64_t v) { k.hashkeys = static_cast<int>(v); });
  kept |= ShrinkNumber(
      "sortkeys", 1, [](const Knobs& k) { return k.sortkeys; },
      [](Knobs& k, int64_t v) { k.sortkeys = static_cast<int>(v); });
  return kept;
}

// ddmin over the fault list, complements only: try the schedule without each of n chunks; on
// success continue with n - 1 chunks of what is left, else split finer, until chunks are single
// faults and none can go.
bool Shrinker::ShrinkFaults() {
  bool kept = false;
  size_t n = 2;
  while (!best_.faults.empty() && !Exhausted()) {
    const size_t size = best_.faults.size();
    n = std::min(n, size);
    bool removed = false;
    for (size_t i = 0; i < n && !removed; ++i) {
      Knobs candidate = best_;
      const auto begin = candidate.faults.begin();
      candidate.faults.erase(begin + static_cast<ptrdiff_t>(i * size / n),
                             begin + static_cast<ptrdiff_t>((i + 1) * size / n));
      removed = Try(candidate, "faults");
    }
    if (removed) {
      kept = true;
      n = std::max<size_t>(n - 1, 2);
    } else if (n >= size) {
      break;
    } else {
      n = std::min(size, n * 2);
    }
  }
  return kept;
}

bool Shrinker::ShrinkNumber(std::string_view what, int64_t lo,
                            const std::function<int64_t(const Knobs&)>& get,
                            const std::function<void(Knobs&, int64_t)>& set) {
  bool kept = false;
  for (bool improved = true; improved && !Exhausted();) {
    improved = false;
    const int64_t current = get(best_);
    for (int64_t step = current - lo; step > 0 && !improved; step /= 2) {
      Knobs candidate = best_;
      set(candidate, current - step);
      improved = Try(candidate, what);
    }
    kept |= improved;
  }
  return kept;
}

bool Shrinker::ShrinkCluster() {
  bool kept = false;
  if (const Renames renames = DenseNames(best_.faults); !renames.empty()) {
    Knobs candidate = best_;
    for (Fault& fault : candidate.faults) RenameNodes(fault.action, renames);
    kept = Try(candidate, "dense names");
  }
  const Named named = NamedBy(best_.faults);
  const bool pegasus = best_.system == "pegasus";
  kept |= ShrinkNumber(
      "clients", std::max(1, named.client + 1), [](const Knobs& k) { return k.clients; },
      [](Knobs& k, int64_t v) { k.clients = static_cast<int>(v); });
  kept |= ShrinkNumber(
      "ops", 1, [](const Knobs& k) { return k.ops; },
      [](Knobs& k, int64_t v) { k.ops = static_cast<int>(v); });
  kept |= ShrinkNumber(
      "meta_servers", std::max(1, named.meta + 1), [](const Knobs& k) { return k.meta_servers; },
      [](Knobs& k, int64_t v) { k.meta_servers = static_cast<int>(v); });
  // Pegasus needs replica_count servers; the register system ignores replica_count, which only
  // has to stay within the server count for the file to load.
  const int servers_lo = std::max(pegasus ? best_.replica_count : 1, named.replica + 1);
  kept |= ShrinkNumber(
      "replica_servers", servers_lo, [](const Knobs& k) { return k.replica_servers; },
      [](Knobs& k, int64_t v) {
        k.replica_servers = static_cast<int>(v);
        k.replica_count = std::min(k.replica_count, k.replica_servers);
      });
  kept |= ShrinkNumber(
      "partitions", 1, [](const Knobs& k) { return k.partitions; },
      [](Knobs& k, int64_t v) { k.partitions = static_cast<int>(v); });
  // Whole seconds when the duration is, so the file reads well; never before the last fault.
  const int64_t unit = best_.duration_ms % 1000 == 0 ? 1000 : 1;
  const int64_t lo = std::max<int64_t>(1, (NamedBy(best_.faults).last_at_ms + unit - 1) / unit);
  kept |= ShrinkNumber(
      "duration_ms", lo, [unit](const Knobs& k) { return k.duration_ms / unit; },
      [unit](Knobs& k, int64_t v) { k.duration_ms = v * unit; });
  return kept;
}

bool Shrinker::QuietWorld() {
  bool kept = false;
  for (double Knobs::*field :
       {&Knobs::drop_probability, &Knobs::duplicate_probability, &Knobs::reorder_probability,
        &Knobs::io_error_probability, &Knobs::torn_write_probability, &Knobs::drift_ppm_max,
        &Knobs::offset_ms_max, &Knobs::bandwidth_mb_per_s, &Knobs::engine_mb_per_s}) {
    if (best_.*field == 0) continue;
    Knobs candidate = best_;
    candidate.*field = 0;
    kept |= Try(candidate, "quiet");
  }
  return kept;
}

bool Shrinker::SimplifyFaults() {
  bool kept = false;
  for (size_t i = 0; i < best_.faults.size() && !Exhausted(); ++i) kept |= SimplifyFault(i);
  return kept;
}

// After a kept simplification the alternatives are drawn again from the simpler fault, so one
// kept step is never undone by the next.
bool Shrinker::SimplifyFault(size_t i) {
  bool kept = false;
  for (bool improved = true; improved && !Exhausted();) {
    improved = false;
    for (FaultAction& action : Simplifications(best_.faults[i].action)) {
      Knobs candidate = best_;
      candidate.faults[i].action = std::move(action);
      if ((improved = Try(candidate, "simplify"))) break;
    }
    kept |= improved;
  }
  return kept;
}

}  // namespace

ShrinkSizes SizesOf(const Knobs& k) {
  return {.faults = k.faults.size(),
          .clients = k.clients,
          .ops = k.ops,
          .meta_servers = k.meta_servers,
          .replica_servers = k.replica_servers,
          .partitions = k.partitions,
          .duration_ms = k.duration_ms};
}

Result<ShrinkResult> ShrinkKnobs(const Knobs& knobs, const std::string& failure_kind,
                                 const ShrinkOptions& options) {
  return Shrinker(knobs, failure_kind, options).Run(knobs);
}

}  // namespace pg::sim
