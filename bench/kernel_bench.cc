// The simulator kernel's speed: events per second on a message-heavy cluster. Eight nodes
// ping-pong with every peer, keeping `window` Pings in flight per link (8 * 7 * window messages
// in the queue), over the default 1..3 ms link. Each iteration is one Cluster::Step, so
// items_per_second is events per second.
//
//   ninja -C build-kernel kernel_bench && build-kernel/kernel_bench
#include <benchmark/benchmark.h>

#include <memory>

#include "core/node/node.h"
#include "sim/example/example_messages.h"
#include "sim/kernel/cluster.h"

namespace pg::sim {
namespace {

constexpr uint32_t kNodes = 8;

// Answers each Ping with a Pong and each Pong with the next Ping to the same peer.
class PingPongNode final : public Node {
 public:
  PingPongNode(NodeId id, uint64_t window) : id_(id), window_(window) {}

  void Step(Time, const Input& in, Outbox& out) override {
    if (std::holds_alternative<Boot>(in)) {
      for (uint32_t peer = 0; peer < kNodes; ++peer) {
        if (peer == id_.value()) continue;
        for (uint64_t i = 0; i < window_; ++i)
          out.Send(NodeId(peer), Host(Ping{.seq = i, .payload = {}}));
      }
      return;
    }
    const auto* r = std::get_if<Receive>(&in);
    if (r == nullptr) return;
    if (const auto ping = Unhost<Ping>(r->msg)) {
      out.Send(r->from, Host(Pong{.seq = ping->seq}));
    } else if (const auto pong = Unhost<Pong>(r->msg)) {
      ++completed_;
      out.Send(r->from, Host(Ping{.seq = pong->seq + window_, .payload = {}}));
    }
  }
  void CheckInvariants() const override {}

 private:
  NodeId id_;
  uint64_t window_;
  uint64_t completed_ = 0;
};

void BM_PingPong(benchmark::State& state) {
  const auto window = static_cast<uint64_t>(state.range(0));
  Cluster cluster({.seed = 1, .default_link = {}, .record_trace = false});
  for (uint32_t i = 0; i < kNodes; ++i) {
    cluster.AddNode("node/" + std::to_string(i), [window](const NodeEnv& env) {
      return std::make_unique<PingPongNode>(env.id, window);
    });
  }
  cluster.Start();
  // Warm up: the queue, slab and buffers reach their steady size before timing.
  for (int i = 0; i < 100'000; ++i) cluster.Step();
  for (auto _ : state) {
    if (!cluster.Step()) state.SkipWithError("the queue ran dry");
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["in_flight"] = static_cast<double>(cluster.pending_events());
  benchmark::DoNotOptimize(cluster.trace_hash());
}
BENCHMARK(BM_PingPong)->Arg(1)->Arg(16)->Arg(128);

}  // namespace
}  // namespace pg::sim

BENCHMARK_MAIN();
