#include "sim/driver/hunt_report.h"

#include <fmt/format.h>

#include <algorithm>

#include "sim/driver/verdict.h"

namespace pg::sim {

using nlohmann::ordered_json;
namespace {

// What caught the first detecting run: its failure kind, or for a run that did not fail but missed
// its expectation (a coverage mark the scenario must hit), that expectation.
std::string Catcher(const HuntResult& r) {
  if (!r.first) return "—";
  if (r.first->kind == "expectation") return fmt::format("expectation: {}", r.first->why);
  return fmt::format("`{}`", r.first->kind);
}

// Every detecting run of the hunt by kind, most frequent first: "checker:illegal 12, liveness 3".
std::string KindsText(const HuntResult& r) {
  std::vector<std::pair<uint64_t, std::string>> by_count;
  for (const auto& [kind, n] : r.kinds) by_count.emplace_back(n, kind);
  std::stable_sort(by_count.begin(), by_count.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::string out;
  for (const auto& [n, kind] : by_count) {
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", kind, n);
  }
  return out.empty() ? "—" : out;
}

std::string ShrunkText(const HuntResult& r) {
  if (!r.first) return "—";
  if (!r.first->shrunk) return "not shrunk";
  return SizesText(*r.first->shrunk);
}

std::string RateText(const HuntResult& r) {
  return fmt::format("{:.0f} ({} of {} seeds)", r.rate_per_100(), r.detecting_seeds, r.seeds_run);
}

ordered_json SizesJson(const ShrinkSizes& s) {
  return {{"faults", s.faults},
          {"clients", s.clients},
          {"ops", s.ops},
          {"meta_servers", s.meta_servers},
          {"replica_servers", s.replica_servers},
          {"partitions", s.partitions},
          {"duration_ms", s.duration_ms}};
}

// The switches on the data-model paths (atomic writes, ranged reads).
std::string_view DataModelBenchNeeded(Bug bug) {
  switch (bug) {
    case Bug::kIncrReadErrorResets:
      return "nothing new: RocksDB read errors (the swarm's `disk.io_error_probability`) under "
             "atomic_idempotent, where the primary executes the incr; the re-executed path "
             "(`Replica::ApplyMutation`) does not read the switch. The swarm alone caught it in 3 "
             "of seeds 1..400, the first at seed 50";
    case Bug::kRangeLimitCountsIterated:
      return "nothing new: ranged multi_gets with a limit and a filter, which the checker judges "
             "by its range model (the swarm alone caught it in 2 of seeds 1..400, the first at "
             "seed 44)";
    case Bug::kAtomicExpiryAtApplyClock:
      return "TTLs in the workload (`workload.ttl_fraction`, drawn by the swarm), which it never "
             "wrote before; the applied_state invariant (replicas' engines at equal applied "
             "decrees) catches the divergence. `pegasus/ttl_expiry_failover` caught it in 50 of "
             "seeds 1..50, the swarm alone in 12 of seeds 1..400 (the first at seed 12)";
    case Bug::kIdempotentNoRowLock:
      return "nothing new: atomic writes under atomic_idempotent (the swarm alone caught it in "
             "29 of seeds 1..400, the first at seed 9)";
    case Bug::kRangeFilterDropped:
      return "nothing new: ranged multi_gets with a filter (the swarm alone caught it in 133 of "
             "seeds 1..400, the first at seed 1)";
    case Bug::kFullScanResumeAsHashkeyScan:
      return "scans in the workload (hashkey and full scans, paged through scanner contexts, "
             "drawn by the swarm), which it never ran before: a full scan whose context is lost "
             "to a primary change resumes at the new primary and misses records, which the "
             "checker judges. `pegasus/scan_failover` caught it in 7 of seeds 1..60 (the first "
             "at seed 6), the swarm alone in 1 of seeds 1..400 (seed 175): a context is lost "
             "only when a primary steps down while a client is between two pages and the scan "
             "outlives the failover";
    default:
      return "";
  }
}

}  // namespace

std::string_view BenchNeeded(Bug bug) {
  switch (bug) {
    case Bug::kStaleReadOnNewPrimary:
    case Bug::kCommitOnMajority:
    case Bug::kClientIncrRetry:
    case Bug::kSecondaryServesReads:
      return "nothing new: the checker and invariants on the existing scenarios";
    case Bug::kReconcileOldBallot:
    case Bug::kPrepareListKeptAfterLearn:
      return "nothing new: the core's own assertions stop the run";
    case Bug::kNoForceUpdateBallot:
    case Bug::kPrimaryOnEmptyReplica:
      return "nothing new; the first catch is a scenario's required coverage mark (the path the "
             "bug skips), other runs fail safety checks";
    case Bug::kMetaActBeforePersist:
      return "a crashed process loses its log appends still in flight (the simulator kept them "
             "before), so an answer given before meta.log is durable can be undone";
    case Bug::kAckBeforeLogged:
      return "the in-flight append loss above, and `pegasus/all_replicas_crash_slow_log` (every "
             "server crashing at once over a slow log disk); it found a real core bug first "
             "(`regressions/all_replicas_crash_slow_log_seed8_learner_unlogged`)";
    case Bug::kLeaseFromFollowerMeta:
      return "`pegasus/primary_cut_from_leader_meta`: a primary cut from the leader meta only";
    case Bug::kLeaseFromAckTime:
      return "`pegasus/lease_ack_late`: beacon acks held up past the lease";
    case Bug::kPlogAckBeforeSync:
      return "a machine crash (power loss) that takes prepares acknowledged before they were "
             "synced; a boot replays what is left, as upstream's does. It was planted while a "
             "never-synced boot sentinel failed the replicas of every power loss it detected, "
             "so it first needed the `disk.torn_write_probability` knob (drawn by the swarm: "
             "unsynced pages written back, the sentinel surviving)";
    case Bug::kReprepareNoRowLock:
      return "the swarm found the gap itself (seeds 3113 and 3753 of 10,000) before the fix made "
             "it a switch, and the quick hunt catches it only through that find's shrunk "
             "regression: the swarm alone caught it in none of seeds 1..400 (a promoted primary "
             "must receive an idempotent atomic write on a row it is still re-preparing)";
    case Bug::kLearnedMutationsUnlogged:
      return "nothing new: machine crashes while learners catch up from the log";
    case Bug::kIncrReadErrorResets:
    case Bug::kRangeLimitCountsIterated:
    case Bug::kRangeFilterDropped:
    case Bug::kAtomicExpiryAtApplyClock:
    case Bug::kIdempotentNoRowLock:
    case Bug::kFullScanResumeAsHashkeyScan:
      return DataModelBenchNeeded(bug);
    case Bug::kReplayPastCorrupt:
      return "a new fault kind, `corrupt` (a bit flipped in a log record with intact ones after "
             "it), and `pegasus/plog_corrupt_restart`";
    case Bug::kDddPickByCommitted:
      return "`pegasus/lone_primary_unrecorded_commit`, and the disk's latencies applied at last "
             "(the `disk` section was parsed but never used: every log append took 1 ms). The "
             "picks differ only when the larger ballot reports the smaller committed decree: the "
             "old primary crashes just after a checkpoint flushed a commit point its secondary "
             "never heard of, the secondary, promoted and alone, commits its log tail under the "
             "new ballot and crashes before a later header records it. Found on the way: a "
             "primary that gave up its config request when its lease lapsed resumed from an "
             "older sync (swarm seed 1253), and a stale proposal made an inactive replica "
             "primary (seed 1597)";
    case Bug::kLearnerStaleSignature:
      return "stragglers: the `network` fault's `straggle_ms` (a reordered message lags up to "
             "that much more while later ones pass it, as a reply on a stalled TCP session) and "
             "its `node` (only one host's links), and `pegasus/learner_straggling_links`, where "
             "learners' rounds are replaced while their messages straggle. Building it found "
             "three real core bugs, now fixed with regressions: the late answer to an earlier "
             "request of the same round, an add-learner of a replaced round restarting it (now "
             "part of this switch's guard), and a learner never acking a prepare committed before "
             "its append completed";
  }
  return "";
}

std::string SizesText(const ShrinkSizes& s) {
  return fmt::format("{} faults, {} clients, {} ops, {} replica servers, {} partitions, {} s",
                     s.faults, s.clients, s.ops, s.replica_servers, s.partitions,
                     s.duration_ms / 1000);
}

std::string HuntLine(const HuntResult& r) {
  const BugInfo& info = InfoOf(r.bug);
  if (!r.first) {
    return fmt::format("{}: NOT CAUGHT in seeds {}..{} ({} runs)", info.name, r.seeds.first,
                       r.seeds.last, r.runs);
  }
  return fmt::format(
      "{}: caught at seed {} ({} seeds) by {} in {}; {} detecting seeds per 100 (over {} seeds); "
      "shrunk: {}",
      info.name, r.first->seed, *r.seeds_to_detection(), r.first->kind, r.first->scenario,
      fmt::format("{:.0f}", r.rate_per_100()), r.seeds_run, ShrunkText(r));
}

double MedianSeedsToDetection(const std::vector<HuntResult>& results) {
  if (results.empty()) return 0;
  std::vector<double> v;
  for (const HuntResult& r : results) {
    const auto n = r.seeds_to_detection();
    v.push_back(n ? static_cast<double>(*n)
                  : static_cast<double>(r.seeds.last - r.seeds.first + 2));
  }
  std::sort(v.begin(), v.end());
  const size_t m = v.size() / 2;
  return v.size() % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
}

ordered_json HuntJson(const std::vector<HuntResult>& results) {
  ordered_json bugs = ordered_json::array();
  for (const HuntResult& r : results) {
    const BugInfo& info = InfoOf(r.bug);
    ordered_json j{{"bug", info.name},
                   {"cite", info.cite},
                   {"seeds", fmt::format("{}..{}", r.seeds.first, r.seeds.last)},
                   {"stopped_at_first", r.stopped_at_first},
                   {"seeds_run", r.seeds_run},
                   {"detecting_seeds", r.detecting_seeds},
                   {"runs", r.runs},
                   {"failed_runs", r.failed_runs},
                   {"undecided_runs", r.undecided_runs},
                   {"kinds", r.kinds},
                   {"events", r.events},
                   {"wall_ms", r.wall_ms}};
    if (r.first) {
      j["first"] = {
          {"seed", r.first->seed},
          {"seeds_to_detection", *r.seeds_to_detection()},
          {"scenario", r.first->scenario},
          {"kind", r.first->kind},
          {"why", r.first->why},
          {"replay",
           fmt::format("{} --bug {}", ReplayCommand(r.first->scenario, r.first->seed), info.name)},
          {"original", SizesJson(r.first->original)}};
      if (r.first->shrunk) {
        j["first"]["shrunk"] = SizesJson(*r.first->shrunk);
        j["first"]["shrink_runs"] = r.first->shrink_runs;
      }
    } else {
      j["first"] = nullptr;
    }
    bugs.push_back(std::move(j));
  }
  return {{"revision", Revision()},
          {"median_seeds_to_detection", MedianSeedsToDetection(results)},
          {"bugs", std::move(bugs)}};
}

std::string HuntMarkdown(const std::vector<HuntResult>& results) {
  std::string md =
      "| switch | the real bug | seeds to first detection | detecting seeds per 100 | first "
      "caught by | in | detecting runs by kind | shrunk to | what the bench needed |\n"
      "|---|---|---:|---|---|---|---|---|---|\n";
  for (const HuntResult& r : results) {
    const BugInfo& info = InfoOf(r.bug);
    const auto n = r.seeds_to_detection();
    md +=
        fmt::format("| `{}` | {}: {} | {} | {} | {} | {} | {} | {} | {} |\n", info.name, info.cite,
                    info.what, n ? fmt::format("{}", *n) : "**not caught**", RateText(r),
                    Catcher(r), r.first ? fmt::format("`{}`", r.first->scenario) : "—",
                    KindsText(r), ShrunkText(r), BenchNeeded(r.bug));
  }
  md += fmt::format("\nMedian seeds to first detection: {}.\n", MedianSeedsToDetection(results));
  return md;
}

}  // namespace pg::sim
