#include "sim/scenario/swarm_faults.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "sim/scenario/crash_marks.h"
#include "sim/scenario/timing_sets.h"

namespace pg::sim {

double Round3(double v) { return std::round(v * 1000) / 1000; }

namespace {

// SWARM FAULTS. A swarm scenario without a "faults" key gets [2, 12] fault episodes. Each starts
// in [5%, 80%) of duration_ms and is over by 80%, lasting [500 ms, 30% of duration_ms], so a run
// ends healed and the cluster has time to recover before the final checks. Lengths counted in
// the pegasus system's timing (the shortest episode, a crash loop's delay, a delay's unit, the
// clock-freeze budget) follow the timing set in force (timing_sets.h): under "upstream" the
// first two are 3.5 times pegasim's (lease + grace 42 s over 12 s). The episode kinds
// (uniformly chosen among 14 slots, partition and one_way sharing two):
//   crash        a server (meta, replica or a coordination server), mode process or machine;
//                restart at the end
//   pause        a server, for the episode; its clock frozen (chance 1/2) with an NTP step in
//                [0, 10000] ms after the resume, cut to come by duration_ms. In the pegasus
//                system the freezes of a run sum to at most ClockFreezeBudgetMs (a pause
//                is cut to what is left, or runs when nothing is) and hit replica servers, or
//                meta when it is the only one
//   partition    2 or 3 groups over a random subset of all nodes; duration_ms (chance 7/10) or
//                no duration and a "heal" at the end
//   one_way      the same with from/to groups
//   clog         a node (chance 1/2) or a link between two distinct nodes, for the episode
//   clock_jump   a server, by_ms in [-2000, 2000] (never 0), at the start; in the pegasus
//                system the jumps of a run sum to at most kPegasusClockJumpBudgetMs (leases)
//   clock_drift  a server, drift_ppm in [-1000, 1000]; back to 0 at the end
//   network      a lossy spell on every link: drop [0, 0.3], duplicate [0, 0.1], reorder [0, 0.5],
//                each present with chance 1/2 (drop when none is); then, drawn after those, with
//                chance 1/2 corrupted messages for the spell ("corrupt_messages" on every link,
//                every class: probability [0.01, 0.2], bits_max [1, 8]). These are the only
//                draws corruption added: a run without a network episode draws what it drew
//                before; one with a network episode draws differently from that episode on.
//   disk_errors  a server's disk (coordination servers included), for the episode: full (chance
//                1/4: every write fails with ENOSPC), else read, write and sync error
//                probabilities in [0, 0.05], each present with chance 1/2 (write when none is)
//   delay        messages on every link, a node's links or one link (chance 1/3 each), of class
//                control (chance 1/2), data or all (1/4 each), each with probability 1 (chance
//                1/2) or in [0.05, 1]: stragglers (chance 2/3) lag up to [0.25, 3] delay units
//                (DelayUnitMs: lease + grace in pegasus) for the episode, or held messages
//                (chance 1/3) wait from the episode's start for that long. Every straggler
//                arrives by duration_ms + liveness_ms / 3, and a hold ends by duration_ms, so
//                the faults end before the liveness phase and most of it runs after the last.
//   crash loop   a server (coordination servers included) crashes (process or machine), restarts
//                in the episode's first half, and crashes again while it recovers (process or
//                machine, drawn again): on a mark (chance 1/2; pegasus only, and never a single
//                coordination server, which emits none) drawn from crash_marks.h for its kind
//                (a quorum peer's: CoordPeerCrashMarks), a trigger armed at the restart until
//                1 ms before the episode ends, or after a delay in [0, 2000] ms (scaled with the
//                timing set; cut to end before the episode does); it restarts at the end
//   reset        a burst of 1..4 connection resets, at uniform times in the episode, of one
//                node's links (chance 1/2) or of one link
//   slow disk    a durable server's disk (meta, replica or a coordination server) is fail-slow for
//                the episode ("disk_slow"): its appends' latencies multiplied by a factor in
//                [2, 50] (chance 2/3), or stalled (chance 1/3: what it issues in the episode
//                completes after the episode's end)
//   lost data    (pegasus only; else a crash loop) one replica server loses durable data, at
//                most once a run and never a meta server: durable data lost on one replica of
//                each partition is what the core must survive (meta.log and the coordination
//                log have no second copy). Either its disk is wiped ("wipe": it loses power
//                and comes back empty at the episode's end, within meta's grace or after it),
//                or bits rot (a "corrupt" fault), read back by a restart (1/2 each): in its
//                private logs, or with rocksdb storage in one of its log, SST and MANIFEST
//                (1/3 each, drawn after the rest of the episode). Rot: either it crashes at the
//                start (process or machine), rots, and restarts at the end, or it rots while it
//                runs (a primary may read the damage to serve a learner), crashes halfway and
//                restarts at the end (1/2 each)
// Overlapping episodes on one node are allowed: the nemesis turns the impossible step (crash a
// down node, restart an up one) into a recorded no-op. A run shorter than ~1.4 s draws none.
class FaultDrawer {
 public:
  FaultDrawer(const Knobs& k, Rng& rng)
      : k_(k),
        rng_(rng),
        timing_(TimingSetNamed(k.timing)),
        min_episode_ms_(ScaleToTiming(kMinEpisodeMs, timing_)),
        crash_loop_delay_max_ms_(ScaleToTiming(kCrashLoopDelayMaxMs, timing_)),
        all_(NodeNames(k)) {
    servers_.assign(all_.begin(), all_.begin() + k.meta_servers + k.replica_servers);
    durable_ = servers_;
    // The coordination nodes, last in NodeId order: one server, or every peer of a quorum.
    for (const std::string& name : all_) {
      if (name.starts_with("coord/")) durable_.push_back(name);
    }
  }
  std::vector<Fault> Draw();

 private:
  using B = SwarmBounds;
  static constexpr int kKinds = 14;
  static constexpr int64_t kCrashLoopDelayMaxMs = 2000;
  static constexpr int64_t kMinEpisodeMs = 500;

  const std::string& Pick(const std::vector<std::string>& names) {
    return names[rng_.Uniform(names.size())];
  }
  // One link: two different nodes, as the fault's from and to.
  void DrawLink(auto& fault) {
    const size_t from = rng_.Uniform(all_.size());
    const size_t step = 1 + rng_.Uniform(all_.size() - 1);  // any other node, never `from`
    fault.from = all_[from];
    fault.to = all_[(from + step) % all_.size()];
  }
  // A node, or one link, chance 1/2 each: a clog's or a reset's scope.
  void DrawScope(auto& fault) {
    if (rng_.Uniform(2) == 0) {
      fault.node = Pick(all_);
    } else {
      DrawLink(fault);
    }
  }
  double Real(Bounds<double> b) { return Round3(b.lo + rng_.NextDouble() * (b.hi - b.lo)); }
  void Add(int64_t at_ms, FaultAction action) {
    out_.push_back(Fault{.at_ms = at_ms, .action = std::move(action)});
  }
  void Episode(int64_t start, int64_t end);
  // 2 (or 3, when !two) non-empty, disjoint groups over a random subset of all nodes.
  std::vector<std::vector<std::string>> Groups(bool two);
  void Partition(int64_t start, int64_t end, bool one_way);
  void Clog(int64_t start, int64_t end);
  void Spell(int64_t start, int64_t end);
  void DiskErrors(int64_t start, int64_t end);
  void SlowDisk(int64_t start, int64_t end);
  void Delay(int64_t start, int64_t end);
  void Pause(int64_t start, int64_t end);
  void ResetBurst(int64_t start, int64_t end);
  void CrashLoop(int64_t start, int64_t end);
  // False when the run may not lose durable data (again): the episode is then drawn otherwise.
  bool LoseData(int64_t start, int64_t end);
  std::string DrawCrashMode() { return rng_.Uniform(2) == 0 ? "process" : "machine"; }

  const Knobs& k_;
  Rng& rng_;
  // The timing set in force, and the lengths above scaled to it (timing_sets.h).
  const TimingSet& timing_;
  const int64_t min_episode_ms_;
  const int64_t crash_loop_delay_max_ms_;
  std::vector<std::string> all_;
  std::vector<std::string> servers_;
  // The servers whose state lives on their disk: crashes, crash loops, disk errors and slow
  // disks hit these.
  // The coordination servers are (their logs are what the leader lock and meta's state rest on);
  // their clocks are not drawn on, as leader-lock expiry is read from them (from the leader's, in
  // a quorum).
  std::vector<std::string> durable_;
  std::vector<Fault> out_;
  int64_t clock_jumped_ms_ = 0;     // sum of |by_ms| drawn so far (pegasus only)
  int64_t clock_frozen_ms_ = 0;     // sum of frozen pauses drawn so far (pegasus only)
  bool lost_durable_data_ = false;  // a lost-data episode was drawn
};

std::vector<Fault> FaultDrawer::Draw() {
  const int64_t window_lo = static_cast<int64_t>(k_.duration_ms * B::kFaultWindowStart);
  const int64_t window_hi = static_cast<int64_t>(k_.duration_ms * B::kFaultWindowEnd);
  const int64_t longest = std::max<int64_t>(min_episode_ms_, k_.duration_ms * 3 / 10);
  const int episodes =
      static_cast<int>(rng_.UniformRange(B::kFaultEpisodes.lo, B::kFaultEpisodes.hi));
  if (window_hi - window_lo < 2 * min_episode_ms_) return {};
  for (int i = 0; i < episodes; ++i) {
    const int64_t start = rng_.UniformRange(window_lo, window_hi - 2 * min_episode_ms_);
    const int64_t len = rng_.UniformRange(min_episode_ms_, std::min(window_hi - start, longest));
    Episode(start, start + len);
  }
  return std::move(out_);
}

void FaultDrawer::Episode(int64_t start, int64_t end) {
  switch (rng_.Uniform(kKinds)) {
    case 0: {
      const std::string node = Pick(durable_);
      Add(start, CrashFault{.node = node, .mode = DrawCrashMode()});
      Add(end, RestartFault{.node = node});
      break;
    }
    case 1:
      Pause(start, end);
      break;
    case 2:
    case 3:
      Partition(start, end, /*one_way=*/rng_.Uniform(2) == 0);
      break;
    case 4:
      Clog(start, end);
      break;
    case 5: {
      int64_t by = rng_.UniformRange(B::kClockJumpMs.lo, B::kClockJumpMs.hi);
      if (by == 0) by = 1;
      const std::string& node = Pick(servers_);
      if (k_.system == "pegasus") {
        // Inside the lease margin (SwarmBounds::kPegasusClockJumpBudgetMs): what is left of the
        // budget caps this jump, and a spent budget draws no jump at all.
        const int64_t cap = B::kPegasusClockJumpBudgetMs - clock_jumped_ms_;
        by = std::clamp(by, -cap, cap);
        clock_jumped_ms_ += by < 0 ? -by : by;
        if (by == 0) break;
      }
      Add(start, ClockJumpFault{.node = node, .by_ms = by});
      break;
    }
    case 6: {
      const std::string node = Pick(servers_);
      Add(start, ClockDriftFault{.node = node, .drift_ppm = Real(B::kClockDriftPpm)});
      Add(end, ClockDriftFault{.node = node, .drift_ppm = 0});
      break;
    }
    case 7:
      Spell(start, end);
      break;
    case 8:
      DiskErrors(start, end);
      break;
    case 9:
      Delay(start, end);
      break;
    case 10:
      CrashLoop(start, end);
      break;
    case 12:
      ResetBurst(start, end);
      break;
    case 13:
      SlowDisk(start, end);
      break;
    default:
      if (!LoseData(start, end)) CrashLoop(start, end);
  }
}

void FaultDrawer::Pause(int64_t start, int64_t end) {
  PauseFault f{.node = Pick(servers_), .duration_ms = end - start};
  const int64_t leap = rng_.UniformRange(0, kDefaultLeapMaxMs);
  if (rng_.Uniform(2) == 0) {
    Add(start, std::move(f));
    return;
  }
  if (k_.system == "pegasus") {
    // Inside the lease margin of the set in force (ClockFreezeBudgetMs), and never a meta
    // server holding a leader lock (its margin is spent by the jumps' budget).
    const int64_t left = ClockFreezeBudgetMs(timing_) - clock_frozen_ms_;
    const bool lock = f.node.starts_with("meta/") && k_.meta_servers > 1;
    if (left <= 0 || lock) {
      Add(start, std::move(f));
      return;
    }
    f.duration_ms = std::min(f.duration_ms, left);
    clock_frozen_ms_ += f.duration_ms;
  }
  f.clock = "frozen";
  f.leap_after_ms = std::clamp<int64_t>(leap, 0, k_.duration_ms - start - f.duration_ms);
  Add(start, std::move(f));
}

void FaultDrawer::ResetBurst(int64_t start, int64_t end) {
  ResetFault f;
  DrawScope(f);
  const int64_t resets = rng_.UniformRange(1, 4);
  for (int64_t i = 0; i < resets; ++i) Add(rng_.UniformRange(start, end), f);
}

bool FaultDrawer::LoseData(int64_t start, int64_t end) {
  if (k_.system != "pegasus" || lost_durable_data_) return false;
  lost_durable_data_ = true;
  const std::string node = fmt::format("replica/{}", rng_.Uniform(k_.replica_servers));
  if (rng_.Uniform(2) == 0) {
    Add(start, WipeFault{.node = node});
    Add(end, RestartFault{.node = node});
    return true;
  }
  const bool crash_first = rng_.Uniform(2) == 0;
  const std::string mode = DrawCrashMode();
  // Drawn last, and only with RocksDB on the disk, so that memory-storage runs draw as before.
  CorruptFault rot{.node = node};
  if (k_.storage == "rocksdb") {
    constexpr std::string_view kTargets[] = {"log", "sst", "manifest"};
    rot.target = std::string(kTargets[rng_.Uniform(std::size(kTargets))]);
    if (rot.target != "log") rot.file_prefix.clear();
  }
  if (crash_first) {
    Add(start, CrashFault{.node = node, .mode = mode});
    Add(start + 1, std::move(rot));
  } else {
    Add(start, std::move(rot));
    Add(start + (end - start) / 2, CrashFault{.node = node, .mode = mode});
  }
  Add(end, RestartFault{.node = node});
  return true;
}

void FaultDrawer::CrashLoop(int64_t start, int64_t end) {
  const std::string node = Pick(durable_);
  Add(start, CrashFault{.node = node, .mode = DrawCrashMode()});
  const int64_t restart = rng_.UniformRange(start + 1, start + (end - start) / 2);
  Add(restart, RestartFault{.node = node});
  CrashFault again{.node = node, .mode = DrawCrashMode()};
  // Only the pegasus core emits the marks; the register system's loops take the delay.
  // A single coordination server emits none; a quorum's peers do.
  const bool coord = node.starts_with("coord/");
  const bool on_mark =
      rng_.Uniform(2) == 0 && k_.system == "pegasus" && (!coord || k_.coord_servers > 1);
  if (on_mark) {
    const auto marks = coord                       ? CoordPeerCrashMarks()
                       : node.starts_with("meta/") ? MetaCrashMarks(k_.meta_servers)
                                                   : ReplicaCrashMarks();
    again.on_mark = std::string(marks[rng_.Uniform(marks.size())]);
    // Expires before the final restart, which then always finds the node as the loop left it.
    again.within_ms = end - 1 - restart;
    Add(restart, std::move(again));
  } else {
    const int64_t delay =
        rng_.UniformRange(0, std::min<int64_t>(crash_loop_delay_max_ms_, end - 1 - restart));
    Add(restart + delay, std::move(again));
  }
  Add(end, RestartFault{.node = node});
}

void FaultDrawer::DiskErrors(int64_t start, int64_t end) {
  DiskErrorsFault f{.node = Pick(durable_), .duration_ms = end - start};
  if (rng_.Uniform(4) == 0) {  // the disk fills up: every write fails with ENOSPC
    f.full = true;
    Add(start, std::move(f));
    return;
  }
  if (rng_.Uniform(2) == 0) f.read_error_probability = Real(B::kSpellDiskErrorProbability);
  if (rng_.Uniform(2) == 0) f.write_error_probability = Real(B::kSpellDiskErrorProbability);
  if (rng_.Uniform(2) == 0) f.sync_error_probability = Real(B::kSpellDiskErrorProbability);
  if (!f.read_error_probability && !f.write_error_probability && !f.sync_error_probability) {
    f.write_error_probability = Real(B::kSpellDiskErrorProbability);
  }
  Add(start, std::move(f));
}

void FaultDrawer::SlowDisk(int64_t start, int64_t end) {
  DiskSlowFault f{.node = Pick(durable_), .duration_ms = end - start};
  if (rng_.Uniform(3) == 0) {
    f.stall = true;
  } else {
    f.factor = Real(B::kSlowDiskFactor);
  }
  Add(start, std::move(f));
}

void FaultDrawer::Delay(int64_t start, int64_t end) {
  DelayFault f;
  const uint64_t scope = rng_.Uniform(3);
  if (scope == 1) {
    f.node = Pick(all_);
  } else if (scope == 2) {
    DrawLink(f);
  }
  const uint64_t cls = rng_.Uniform(4);
  f.message_class = cls < 2 ? "control" : cls == 2 ? "data" : "all";
  if (rng_.Uniform(2) == 0) f.probability = Real(B::kDelayProbability);
  const bool hold = rng_.Uniform(3) == 0;
  const double units = Real(B::kDelayUnits);
  const auto length = static_cast<int64_t>(units * static_cast<double>(DelayUnitMs(k_)));
  if (hold) {
    f.mode = "hold";
    f.duration_ms = std::clamp<int64_t>(length, 1, k_.duration_ms - start);
  } else {
    f.duration_ms = end - start;
    const int64_t room = k_.duration_ms + k_.liveness_ms / 3 - end;
    f.delay_ms = std::clamp<int64_t>(length, 1, std::max<int64_t>(room, 1));
  }
  Add(start, std::move(f));
}

std::vector<std::vector<std::string>> FaultDrawer::Groups(bool two) {
  std::vector<size_t> order(all_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  for (size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[rng_.Uniform(i + 1)]);
  const int n = static_cast<int>(order.size());
  const int groups = two || n < 3 || rng_.Uniform(2) == 0 ? 2 : 3;
  const int m = static_cast<int>(rng_.UniformRange(groups, n));  // nodes in some group
  std::vector<int> cuts = {0, static_cast<int>(rng_.UniformRange(1, m - groups + 1))};
  if (groups == 3) cuts.push_back(static_cast<int>(rng_.UniformRange(cuts[1] + 1, m - 1)));
  cuts.push_back(m);
  std::vector<std::vector<std::string>> out;
  for (size_t g = 0; g + 1 < cuts.size(); ++g) {
    std::vector<size_t> members(order.begin() + cuts[g], order.begin() + cuts[g + 1]);
    std::sort(members.begin(), members.end());  // NodeId order reads best
    auto& group = out.emplace_back();
    for (size_t i : members) group.push_back(all_[i]);
  }
  return out;
}

void FaultDrawer::Partition(int64_t start, int64_t end, bool one_way) {
  auto groups = Groups(one_way);
  const bool timed = rng_.Uniform(10) < 7;
  std::optional<int64_t> duration;
  if (timed) duration = end - start;
  if (one_way) {
    Add(start, OneWayFault{.from = groups[0], .to = groups[1], .duration_ms = duration});
  } else {
    Add(start, PartitionFault{.groups = std::move(groups), .duration_ms = duration});
  }
  if (!timed) Add(end, HealFault{});
}

void FaultDrawer::Clog(int64_t start, int64_t end) {
  ClogFault clog;
  clog.duration_ms = end - start;
  DrawScope(clog);
  Add(start, std::move(clog));
}

void FaultDrawer::Spell(int64_t start, int64_t end) {
  NetworkFault spell;
  spell.duration_ms = end - start;
  if (rng_.Uniform(2) == 0) spell.drop_probability = Real(B::kSpellDropProbability);
  if (rng_.Uniform(2) == 0) spell.duplicate_probability = Real(B::kSpellDuplicateProbability);
  if (rng_.Uniform(2) == 0) spell.reorder_probability = Real(B::kSpellReorderProbability);
  if (!spell.drop_probability && !spell.duplicate_probability && !spell.reorder_probability) {
    spell.drop_probability = Real(B::kSpellDropProbability);
  }
  Add(start, std::move(spell));
  if (rng_.Uniform(2) == 0) return;
  CorruptMessagesFault corrupt{
      .probability = Real(B::kSpellCorruptProbability),
      .bits_max = rng_.UniformRange(B::kSpellCorruptBitsMax.lo, B::kSpellCorruptBitsMax.hi),
      .duration_ms = end - start};
  Add(start, std::move(corrupt));
}

}  // namespace

int64_t DelayUnitMs(const Knobs& knobs) {
  if (knobs.system == "pegasus") return TimingUnitMs(TimingSetNamed(knobs.timing));
  return knobs.timeout_ms;
}

std::vector<Fault> DrawSwarmFaults(const Knobs& knobs, Rng& rng) {
  return FaultDrawer(knobs, rng).Draw();
}

}  // namespace pg::sim
