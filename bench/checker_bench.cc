// Checker benchmarks: synthetic register histories (checker/synthetic_history.h) of 4, 16 and 64
// clients, 1k-100k operations, 0/1/5 % unknown outcomes, linearizable and corrupted (one stale
// read), on one key and over 10 and 100 keys; plus plain memoized search (the fast paths off,
// i.e. what Porcupine does) on the sizes it can finish. Counters: verdict (0 ok, 1 illegal,
// 2 unknown), search steps. The history is built outside the timed loop.
// BM_CheckHard is the hard shape of issue 18 (checker/hard_history.h: cas, del, 5 % unknown
// outcomes; 16 clients x 10k ops on one key, 64 x 100k over 10 keys; seeds 1..10, legal and
// corrupted) with a 10 s budget: "expected" is 1 when the verdict is the right one (ok for
// legal, illegal for corrupted), 0 when it is unknown -- a wrong verdict aborts the bench.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <iostream>
#include <vector>

#include "checker/check.h"
#include "checker/hard_history.h"
#include "checker/synthetic_history.h"

namespace pg::checker {
namespace {

void Run(benchmark::State& state, const SyntheticOptions& so, const CheckOptions& co) {
  const History h = SyntheticHistory(so);
  CheckResult r;
  for (auto _ : state) {
    r = Check(h, co);
    benchmark::DoNotOptimize(r.verdict);
  }
  uint64_t steps = 0;
  for (const auto& p : r.partitions) steps += p.steps;
  state.counters["verdict"] = static_cast<double>(r.verdict);
  state.counters["steps"] = static_cast<double>(steps);
  state.counters["partitions"] = static_cast<double>(r.partitions.size());
  state.SetItemsProcessed(state.iterations() * so.operations);
}

// Args: clients, operations, unknown percent, corrupt, keys.
SyntheticOptions OptionsFromArgs(const benchmark::State& state) {
  return {.seed = 42,
          .clients = static_cast<int>(state.range(0)),
          .operations = static_cast<int>(state.range(1)),
          .hashkeys = static_cast<int>(state.range(4)),
          .unknown_fraction = static_cast<double>(state.range(2)) / 100,
          .corrupt = state.range(3) != 0};
}

void BM_Check(benchmark::State& state) {
  const SyntheticOptions so = OptionsFromArgs(state);
  CheckOptions co;
  co.timeout_s = 60;
  Run(state, so, co);
}

void BM_PlainSearch(benchmark::State& state) {
  const SyntheticOptions so = OptionsFromArgs(state);
  CheckOptions co;
  co.timeout_s = 10;
  co.use_witness = false;
  co.prune_unknown = false;
  co.unique_values = false;
  co.versions = false;
  Run(state, so, co);
}

void SingleKey(benchmark::internal::Benchmark* b) {
  for (int clients : {4, 16, 64}) {
    for (int ops : {1000, 10000, 100000}) {
      for (int unknown : {0, 1, 5}) {
        for (int corrupt : {0, 1}) b->Args({clients, ops, unknown, corrupt, 1});
      }
    }
  }
}

void ManyKeys(benchmark::internal::Benchmark* b) {
  for (int keys : {10, 100}) {
    for (int clients : {16, 64}) {
      for (int unknown : {0, 5}) {
        for (int corrupt : {0, 1}) b->Args({clients, 100000, unknown, corrupt, keys});
      }
    }
  }
}

void PlainSizes(benchmark::internal::Benchmark* b) {
  for (int clients : {4, 16}) {
    for (int unknown : {0, 5}) {
      for (int corrupt : {0, 1}) b->Args({clients, 1000, unknown, corrupt, 1});
    }
  }
  b->Args({16, 10000, 0, 0, 1});
}

// Args: shape (0: 16 clients x 10k ops, one key; 1: 64 x 100k, 10 keys), seed, corrupt.
void BM_CheckHard(benchmark::State& state) {
  const uint64_t seed = static_cast<uint64_t>(state.range(1));
  const bool corrupt = state.range(2) != 0;
  const HardOptions ho =
      state.range(0) == 0 ? HardSingleKey(seed, corrupt) : HardTenKeys(seed, corrupt);
  const History h = HardHistory(ho);
  CheckOptions co;
  co.timeout_s = 10;
  CheckResult r;
  for (auto _ : state) {
    r = Check(h, co);
    benchmark::DoNotOptimize(r.verdict);
  }
  const Verdict want = corrupt ? Verdict::kIllegal : Verdict::kOk;
  if (r.verdict != want && r.verdict != Verdict::kUnknown) {
    std::cerr << "BM_CheckHard: wrong verdict " << VerdictName(r.verdict) << "\n";
    std::abort();
  }
  uint64_t steps = 0;
  for (const auto& p : r.partitions) steps += p.steps;
  state.counters["verdict"] = static_cast<double>(r.verdict);
  state.counters["expected"] = r.verdict == want ? 1 : 0;
  state.counters["steps"] = static_cast<double>(steps);
  state.SetItemsProcessed(state.iterations() * ho.operations);
}

void HardShapes(benchmark::internal::Benchmark* b) {
  for (int shape : {0, 1}) {
    for (int seed = 1; seed <= 10; ++seed) {
      for (int corrupt : {0, 1}) b->Args({shape, seed, corrupt});
    }
  }
}

// A corpus of small Jepsen-style histories, as a Jepsen test of a cas register writes them (a
// handful of processes, hundreds of operations, reads, writes and cas, some timed out): the hard
// shape at that size, 100 histories (seeds 1..100; every tenth corrupted), checked one after the
// other. Arg 0: the default checker; 1: the plain memoized search (every fast path off), the
// approach Porcupine publishes. "ms_per_history" is the corpus's CPU time over 100.
void BM_JepsenStyleCorpus(benchmark::State& state) {
  std::vector<History> corpus;
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    corpus.push_back(HardHistory({.seed = seed,
                                  .clients = 5,
                                  .operations = 200 + static_cast<int>(seed % 5) * 200,
                                  .keys = 1,
                                  .unknown_fraction = 0.05,
                                  .corrupt = seed % 10 == 0}));
  }
  CheckOptions co;
  co.timeout_s = 10;
  if (state.range(0) == 1) {
    co.use_witness = false;
    co.prune_unknown = false;
    co.unique_values = false;
    co.versions = false;
  }
  size_t decided = 0;
  size_t operations = 0;
  for (auto _ : state) {
    decided = 0;
    operations = 0;
    for (size_t i = 0; i < corpus.size(); ++i) {
      const CheckResult r = Check(corpus[i], co);
      const Verdict want = (i + 1) % 10 == 0 ? Verdict::kIllegal : Verdict::kOk;
      if (r.verdict != want && r.verdict != Verdict::kUnknown) {
        std::cerr << "BM_JepsenStyleCorpus: wrong verdict on seed " << i + 1 << "\n";
        std::abort();
      }
      decided += r.verdict == want;
      operations += r.operations;
    }
  }
  state.counters["decided"] = static_cast<double>(decided);
  state.counters["operations"] = static_cast<double>(operations);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(operations));
}

BENCHMARK(BM_JepsenStyleCorpus)->ArgName("plain")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Check)
    ->ArgNames({"clients", "ops", "unknown%", "corrupt", "keys"})
    ->Apply(SingleKey)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
BENCHMARK(BM_Check)
    ->Name("BM_CheckKeys")
    ->ArgNames({"clients", "ops", "unknown%", "corrupt", "keys"})
    ->Apply(ManyKeys)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
BENCHMARK(BM_CheckHard)
    ->ArgNames({"shape", "seed", "corrupt"})
    ->Apply(HardShapes)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
BENCHMARK(BM_PlainSearch)
    ->ArgNames({"clients", "ops", "unknown%", "corrupt", "keys"})
    ->Apply(PlainSizes)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

}  // namespace
}  // namespace pg::checker

BENCHMARK_MAIN();
