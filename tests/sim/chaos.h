#pragma once
// A busy test cluster under a fault schedule, shared by the determinism test and the properties.
// Each ChaosNode ticks on a timer, sends numbered Pings to random peers, appends to its log and
// records ops; it checks what it can see from the inside (Boot first, no timer or completion of
// another incarnation, no Ping sent across a partition, FIFO order per link when links are FIFO)
// and writes violations into the shared state, which the test asserts empty.
#include <fmt/format.h>

#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/node/node.h"
#include "sim/kernel/cluster.h"
#include "sim/kernel/rng.h"
#include "tests/sim/test_nodes.h"

namespace pg::sim::testing {

struct ChaosShared {
  Cluster* cluster = nullptr;
  uint32_t nodes = 0;
  bool fifo_links = false;  // no reorder, no duplicates: per-link order must hold
  uint64_t next_token = 1;  // one per incarnation
  std::map<std::pair<uint32_t, uint32_t>, uint64_t> next_seq;
  std::map<std::pair<uint32_t, uint32_t>, uint64_t> last_received;  // seq + 1
  std::set<std::tuple<uint32_t, uint32_t, uint64_t>> sent_across_cut;
  std::vector<std::string> violations;
  uint64_t pings_received = 0;
};

class ChaosNode final : public Node {
 public:
  ChaosNode(const NodeEnv& env, ChaosShared* shared) : env_(env), shared_(shared) {}

  void Step(Time now, const Input& in, Outbox& out) override {
    if (token_ == 0) {
      if (!std::holds_alternative<Boot>(in)) Violation("first input is not Boot");
      token_ = shared_->next_token++;
    } else if (std::holds_alternative<Boot>(in)) {
      Violation("a second Boot");
    }
    if (const auto* t = std::get_if<TimerFired>(&in)) {
      if (t->timer.value() / 1000 != token_) Violation("timer of another incarnation");
    } else if (const auto* a = std::get_if<LogAppended>(&in)) {
      if (a->token / 1000 != token_) Violation("log completion of another incarnation");
    } else if (const auto* r = std::get_if<Receive>(&in)) {
      OnPing(r->from, Unhost<Ping>(r->msg).value().seq);
    }
    if (std::holds_alternative<Boot>(in) || std::holds_alternative<TimerFired>(in)) Tick(out);
  }
  void CheckInvariants() const override {}

 private:
  void Violation(const std::string& what) {
    shared_->violations.push_back(
        fmt::format("{} at {}: {}", env_.name, shared_->cluster->now().ns(), what));
  }

  void OnPing(NodeId from, uint64_t seq) {
    shared_->pings_received++;
    if (shared_->sent_across_cut.count({from.value(), env_.id.value(), seq}) > 0) {
      Violation(fmt::format("received Ping {} from {} sent across a partition", seq, from));
    }
    if (!shared_->fifo_links) return;
    uint64_t& last = shared_->last_received[{from.value(), env_.id.value()}];
    if (seq + 1 <= last) Violation(fmt::format("Ping {} from {} after {}", seq, from, last - 1));
    last = std::max(last, seq + 1);
  }

  void Tick(Outbox& out) {
    Rng& rng = *env_.rng;
    const NodeId peer(static_cast<uint32_t>(rng.Uniform(shared_->nodes)));
    const uint64_t seq = shared_->next_seq[{env_.id.value(), peer.value()}]++;
    if (shared_->cluster->Partitioned(env_.id, peer)) {
      shared_->sent_across_cut.insert({env_.id.value(), peer.value(), seq});
    }
    out.Send(peer, MakePing(seq));
    if (rng.Chance(0.2)) {
      out.AppendLog(AppendLog{.file = "log",
                              .token = token_ * 1000 + (++appends_ % 1000),
                              .bytes = "entry",
                              .sync = rng.Chance(0.5)});
    }
    if (rng.Chance(0.05)) {
      RecordOp op;
      op.process = env_.id.value();
      op.type = "invoke";
      op.f = "get";
      out.Record(std::move(op));
      out.Mark(fmt::format("tick.{}", env_.id));
    }
    // Whole 100 us steps, like the fault times and the FIFO links' fixed latency, so that events
    // often fall on the same instant and tie-breaking is exercised.
    out.SetTimer(TimerId(token_ * 1000 + 1), Micros(100 * rng.UniformRange(2, 20)));
  }

  NodeEnv env_;
  ChaosShared* shared_;
  uint64_t token_ = 0;
  uint64_t appends_ = 0;
};

// One fault, as a generator produces it; Apply schedules it on the cluster.
struct FaultStep {
  int64_t at_us = 0;
  int kind = 0;  // see Apply
  uint32_t a = 0;
  uint32_t b = 0;
  int64_t amount = 1;  // 1..100
};
inline constexpr int kFaultKinds = 14;

inline void showValue(const FaultStep& f, std::ostream& os) {
  os << fmt::format("{{at={}us kind={} a={} b={} amount={}}}", f.at_us, f.kind, f.a, f.b, f.amount);
}

inline void Apply(Cluster& cluster, const FaultStep& f, bool fifo_links) {
  const NodeId a(f.a);
  const NodeId b(f.b);
  const Time at = Time::Zero() + Micros(f.at_us / 100 * 100);
  auto action = [f, a, b, fifo_links](Cluster& c) {
    switch (f.kind) {
      case 0:
        c.Crash(a, CrashMode::kProcess);
        break;
      case 1:
        c.Crash(a, CrashMode::kMachine);
        break;
      case 2:
        c.Restart(a);
        break;
      case 3:
        c.Pause(a);
        break;
      case 4:
        c.Resume(a);
        break;
      case 5:
        c.JumpClock(a, Millis(f.amount - 50));
        break;
      case 6:
        c.SetClockDrift(a, static_cast<double>(f.amount * 100 - 5000));
        break;
      case 7: {
        std::vector<NodeId> rest;
        for (uint32_t i = 0; i < c.node_count(); ++i) {
          if (i != f.a) rest.push_back(NodeId(i));
        }
        c.AddPartition({.groups = {{a}, rest}, .one_way = false});
        break;
      }
      case 8:
        c.AddPartition({.groups = {{a}, {b}}, .one_way = true});
        break;
      case 9:
        c.Heal(static_cast<PartitionId>(f.amount % 4));
        break;
      case 10:
        c.ClogNode(a, Millis(f.amount));
        break;
      case 11:
        c.ClogLink(a, b, Millis(f.amount));
        break;
      case 12: {
        LinkConfig l;
        l.latency_min = Micros(f.amount * 100);
        l.latency_mean = Micros(fifo_links ? f.amount * 100 : f.amount * 500);
        l.drop_probability = (f.amount % 5) / 10.0;
        l.duplicate_probability = fifo_links ? 0.0 : 0.1;
        l.reorder_probability = fifo_links ? 0.0 : 0.2;
        c.SetLink(a, b, l);
        break;
      }
      default:
        c.HealAll();
        break;
    }
  };
  cluster.Schedule(at, fmt::format("fault {}", f.kind), action);
}

// FIFO links get a fixed latency: with everything on a 100 us grid, arrivals collide with resumes
// and clog ends, where order is easiest to get wrong.
inline LinkConfig ChaosLink(bool fifo_links) {
  LinkConfig l;
  l.latency_min = Micros(fifo_links ? 500 : 100);
  l.latency_mean = Micros(fifo_links ? 500 : 800);
  l.drop_probability = 0.02;
  l.duplicate_probability = fifo_links ? 0.0 : 0.05;
  l.reorder_probability = fifo_links ? 0.0 : 0.1;
  return l;
}

inline std::vector<NodeId> AddChaosNodes(Cluster& cluster, ChaosShared* shared, uint32_t n) {
  shared->cluster = &cluster;
  shared->nodes = n;
  std::vector<NodeId> ids;
  for (uint32_t i = 0; i < n; ++i) {
    ids.push_back(cluster.AddNode(
        fmt::format("node/{}", i),
        [shared](const NodeEnv& env) { return std::make_unique<ChaosNode>(env, shared); },
        {.offset = Millis(i), .drift_ppm = shared->fifo_links ? 0.0 : 10.0 * i}));
  }
  return ids;
}

// Every fault kind, drawn from the seed's "nemesis" stream over [0, horizon).
inline std::vector<FaultStep> DrawFaults(Rng& rng, uint32_t nodes, int count, Duration horizon) {
  std::vector<FaultStep> out;
  for (int i = 0; i < count; ++i) {
    out.push_back({.at_us = static_cast<int64_t>(rng.Uniform(horizon.ns() / 1000)),
                   .kind = i % kFaultKinds,  // every kind, several times
                   .a = static_cast<uint32_t>(rng.Uniform(nodes)),
                   .b = static_cast<uint32_t>(rng.Uniform(nodes)),
                   .amount = rng.UniformRange(1, 100)});
  }
  return out;
}

}  // namespace pg::sim::testing
