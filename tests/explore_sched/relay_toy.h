#pragma once
// A test-only system with a PLANTED ORDERING BUG, for measuring delivery policies.
//
// A primary (replica/0) replicates each write to a backup (replica/1) asynchronously: it sends the
// update and acknowledges the client in the same step. The client then reads back through a chain
// of relays (replica/2..; think of proxies or a forwarding tier) that ends at the backup. The
// client's read carries a session token (the version it saw acknowledged). The bug: the backup
// answers at once with whatever it has, instead of holding the read until it has applied the
// token's version. So the client reads its own acknowledged write as missing exactly when the one
// direct update message (primary -> backup) is overtaken by the whole chain ack -> relays ->
// backup: L + 2 messages on other links. Each round is one chance.
//
// Timed delivery rarely does that (one latency draw must exceed the sum of L + 2 others). A random
// choice among busy links does it with probability about 2^-(L+2) per round. PCT does it whenever
// the update's link ranks below every link of the chain, which with fixed per-link priorities holds
// for the whole run: about 1 / (L + 3) per run, plus what the change points add. The invariant
// "stale_backup_read" reports the first stale answer.
#include <memory>
#include <string>

#include "core/node/node.h"
#include "sim/driver/runner.h"
#include "sim/example/example_messages.h"
#include "sim/kernel/cluster.h"
#include "sim/scenario/knobs.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/system_parts.h"

namespace pg::sim::relay_toy {

inline constexpr char kWrite[] = "write";
inline constexpr char kUpdate[] = "update";
inline constexpr char kRead[] = "read";

class Primary final : public Node {
 public:
  explicit Primary(NodeId backup) : backup_(backup) {}
  void Step(Time, const Input& input, Outbox& out) override {
    const auto* r = std::get_if<Receive>(&input);
    const auto ping = r != nullptr ? Unhost<Ping>(r->msg) : std::nullopt;
    if (!ping || ping->payload != kWrite) return;
    out.Send(backup_,
             Host(Ping{.seq = ping->seq, .payload = kUpdate}));  // asynchronous replication
    out.Send(r->from, Host(Pong{.seq = ping->seq}));
  }
  void CheckInvariants() const override {}

 private:
  NodeId backup_;
};

class Relay final : public Node {
 public:
  explicit Relay(NodeId next) : next_(next) {}
  void Step(Time, const Input& input, Outbox& out) override {
    const auto* r = std::get_if<Receive>(&input);
    const auto ping = r != nullptr ? Unhost<Ping>(r->msg) : std::nullopt;
    if (ping && ping->payload == kRead) out.Send(next_, Host(*ping));
  }
  void CheckInvariants() const override {}

 private:
  NodeId next_;
};

class Backup final : public Node {
 public:
  explicit Backup(NodeId client) : client_(client) {}
  void Step(Time, const Input& input, Outbox& out) override {
    const auto* r = std::get_if<Receive>(&input);
    const auto ping = r != nullptr ? Unhost<Ping>(r->msg) : std::nullopt;
    if (!ping) return;
    if (ping->payload == kUpdate) applied_ = std::max(applied_, ping->seq);
    if (ping->payload != kRead) return;
    if (applied_ < ping->seq) ++stale_reads_;  // BUG (planted): should wait for version seq
    out.Send(client_, Host(Pong{.seq = applied_}));
  }
  void CheckInvariants() const override {}
  uint64_t stale_reads() const { return stale_reads_; }

 private:
  NodeId client_;
  uint64_t applied_ = 0;
  uint64_t stale_reads_ = 0;
};

// Writes version 1, 2, ..., each followed by a read through the relays.
class Client final : public Node {
 public:
  Client(NodeId primary, NodeId first_hop, uint64_t rounds)
      : primary_(primary), first_hop_(first_hop), rounds_(rounds) {}
  void Step(Time, const Input& input, Outbox& out) override {
    if (std::holds_alternative<Boot>(input)) out.SetTimer(kNext, Millis(1));
    if (std::holds_alternative<TimerFired>(input) && round_ < rounds_) {
      out.Send(primary_, Host(Ping{.seq = ++round_, .payload = kWrite}));
    }
    const auto* r = std::get_if<Receive>(&input);
    const auto pong = r != nullptr ? Unhost<Pong>(r->msg) : std::nullopt;
    if (!pong) return;
    if (r->from == primary_) {
      out.Send(first_hop_, Host(Ping{.seq = pong->seq, .payload = kRead}));
    } else {
      out.SetTimer(kNext, Millis(1));
    }
  }
  void CheckInvariants() const override {}

 private:
  static constexpr TimerId kNext{1};
  NodeId primary_;
  NodeId first_hop_;
  uint64_t rounds_;
  uint64_t round_ = 0;
};

// Builds the toy into the cluster the knobs describe: replica/0 primary, replica/1 backup,
// replica/2.. relays (in order), client/0 the client; meta/N idle.
inline Status Build(Cluster& cluster, const Knobs& knobs, int rounds) {
  const std::vector<std::string> names = NodeNames(knobs);
  const auto id_of = [&](const std::string& name) {
    return NodeId(
        static_cast<uint32_t>(std::find(names.begin(), names.end(), name) - names.begin()));
  };
  const NodeId primary = id_of("replica/0");
  const NodeId backup = id_of("replica/1");
  const NodeId client = id_of("client/0");
  const int relays = knobs.replica_servers - 2;
  const NodeId first_hop = relays > 0 ? id_of("replica/2") : backup;
  for (const std::string& name : names) {
    NodeFactory f = [](const NodeEnv&) { return std::make_unique<IdleNode>(); };
    if (name == "replica/0") f = [=](const NodeEnv&) { return std::make_unique<Primary>(backup); };
    if (name == "replica/1") f = [=](const NodeEnv&) { return std::make_unique<Backup>(client); };
    if (name.starts_with("replica/") && name != "replica/0" && name != "replica/1") {
      const int i = std::stoi(name.substr(8));
      const NodeId next =
          i + 1 < knobs.replica_servers ? id_of(fmt::format("replica/{}", i + 1)) : backup;
      f = [=](const NodeEnv&) { return std::make_unique<Relay>(next); };
    }
    if (name == "client/0") {
      f = [=](const NodeEnv&) { return std::make_unique<Client>(primary, first_hop, rounds); };
    }
    cluster.AddNode(name, f);
  }
  cluster.AddInvariant(
      "stale_backup_read", [backup](const Cluster& c) -> std::optional<std::string> {
        const auto* b = dynamic_cast<const Backup*>(c.node(backup));
        if (b == nullptr || b->stale_reads() == 0) return std::nullopt;
        return "the backup answered a read before applying the version its token names";
      });
  return Status::Ok();
}

// The knobs of one toy run: `relays` relays, one client, 2 s, the default network.
inline Knobs ToyKnobs(int relays, uint64_t seed, const std::string& scheduler) {
  const std::string text = fmt::format(
      R"({{"name": "relay_toy", "system": "register", "duration_ms": 2000,
          "cluster": {{"replica_servers": {}, "replica_count": 1, "partitions": 1}},
          "workload": {{"clients": 1, "ops": 0}}, "faults": []}})",
      relays + 2);
  Result<Scenario> s = ParseScenario(text, "relay_toy");
  PG_ASSERT(s.ok(), "{}", s.status().ToString());
  Knobs knobs = ResolveKnobs(*s, seed);
  knobs.scheduler.kind = scheduler;
  return knobs;
}

}  // namespace pg::sim::relay_toy
