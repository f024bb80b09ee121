#pragma once
// Test-only nodes for the kernel's tests. A ScriptedNode records every input it is given (with the
// node's local time) into a Journal the test owns, so the journal outlives crashes, and then runs
// the test's script. Small helpers build the scripts the tests share.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/node/node.h"
#include "sim/example/example_messages.h"
#include "sim/kernel/cluster.h"

namespace pg::sim::testing {

// A link whose every message takes exactly `latency_ms`.
inline LinkConfig FixedLink(int64_t latency_ms) {
  LinkConfig c;
  c.latency_min = Millis(latency_ms);
  c.latency_mean = Millis(latency_ms);
  return c;
}

struct Seen {
  NodeId node;
  Time local;
  Input input;
};

// What the test's nodes saw, in step order across all nodes.
struct Journal {
  std::vector<Seen> seen;
  uint64_t invariant_checks = 0;
  // Inputs of one node, in order.
  std::vector<Input> Of(NodeId node) const {
    std::vector<Input> out;
    for (const Seen& s : seen) {
      if (s.node == node) out.push_back(s.input);
    }
    return out;
  }
  // Sequence numbers of the Pings `node` received from `from`, in order.
  std::vector<uint64_t> PingsFrom(NodeId node, NodeId from) const {
    std::vector<uint64_t> out;
    for (const Seen& s : seen) {
      const auto* r = std::get_if<Receive>(&s.input);
      if (s.node != node || r == nullptr || r->from != from) continue;
      if (const auto p = Unhost<Ping>(r->msg)) out.push_back(p->seq);
    }
    return out;
  }
};

inline Message MakePing(uint64_t seq) { return Host(Ping{.seq = seq, .payload = ""}); }

inline RecordOp MakeOp(uint32_t process, std::string type, std::string f) {
  RecordOp op;
  op.process = process;
  op.type = std::move(type);
  op.f = std::move(f);
  return op;
}

using Script = std::function<void(const NodeEnv& env, Time now, const Input& in, Outbox& out)>;

class ScriptedNode final : public Node {
 public:
  ScriptedNode(NodeEnv env, Journal* journal, Script script)
      : env_(std::move(env)), journal_(journal), script_(std::move(script)) {}
  void Step(Time now, const Input& input, Outbox& out) override {
    journal_->seen.push_back({env_.id, now, input});
    if (script_) script_(env_, now, input, out);
  }
  void CheckInvariants() const override { journal_->invariant_checks++; }

 private:
  NodeEnv env_;
  Journal* journal_;
  Script script_;
};

inline NodeFactory Scripted(Journal* journal, Script script = nullptr) {
  return [journal, script](const NodeEnv& env) {
    return std::make_unique<ScriptedNode>(env, journal, script);
  };
}

// On Boot sends `count` Pings (seq 0..count-1) to `to`.
inline Script SendOnBoot(NodeId to, uint64_t count) {
  return [to, count](const NodeEnv&, Time, const Input& in, Outbox& out) {
    if (!std::holds_alternative<Boot>(in)) return;
    for (uint64_t i = 0; i < count; ++i) out.Send(to, MakePing(i));
  };
}

// Sends one Ping to every node in `to` every `period` (local time), numbered per destination
// through `next_seq`, which the test owns so numbering continues across restarts.
inline Script Ticker(std::vector<NodeId> to, Duration period,
                     std::map<std::pair<uint32_t, uint32_t>, uint64_t>* next_seq) {
  return [to, period, next_seq](const NodeEnv& env, Time, const Input& in, Outbox& out) {
    if (!std::holds_alternative<Boot>(in) && !std::holds_alternative<TimerFired>(in)) return;
    for (NodeId peer : to) {
      const uint64_t seq = (*next_seq)[{env.id.value(), peer.value()}]++;
      out.Send(peer, MakePing(seq));
    }
    out.SetTimer(TimerId(1), period);
  };
}

// A cluster with `n` scripted nodes over one journal; scripts[i] for node i (may be null).
inline std::vector<NodeId> AddScripted(Cluster& cluster, Journal* journal,
                                       std::vector<Script> scripts, ClockConfig clock = {}) {
  std::vector<NodeId> ids;
  for (size_t i = 0; i < scripts.size(); ++i) {
    ids.push_back(cluster.AddNode("n/" + std::to_string(i), Scripted(journal, scripts[i]), clock));
  }
  return ids;
}

// Global delivery times of Pings, per (to, seq), seen through the event observer.
struct DeliveryLog {
  struct Delivery {
    Time at;
    NodeId from;
    NodeId to;
    uint64_t seq;
  };
  std::vector<Delivery> pings;
  void Attach(Cluster& cluster) {
    cluster.SetEventObserver([this](uint64_t, Time at, NodeId node, const Input& in) {
      const auto* r = std::get_if<Receive>(&in);
      if (r == nullptr) return;
      if (const auto p = Unhost<Ping>(r->msg)) pings.push_back({at, r->from, node, p->seq});
    });
  }
};

}  // namespace pg::sim::testing
