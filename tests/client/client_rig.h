// A PegasusClient stepped by hand: every step checks the client's invariants and keeps the
// operations it records. Shared by the client's rule tests and the bug zoo's client switch.
#pragma once

#include <memory>
#include <utility>
#include <variant>
#include <vector>

#include "core/client/pegasus_client.h"
#include "sim/kernel/rng.h"
#include "tests/meta/meta_harness.h"

namespace pg::testing {

// A table of `n` partitions; partition i's primary is server primary_base + i (ballot b).
inline QueryConfigResponse Table(int n, int64_t ballot = 1, int primary_base = 10) {
  QueryConfigResponse r{.error = ErrorCode::kOk, .app_id = 1, .partition_count = n};
  for (int i = 0; i < n; ++i) {
    r.partitions.push_back({.gpid = {1, i},
                            .ballot = Ballot(ballot),
                            .primary = NodeId(primary_base + i),
                            .secondaries = {NodeId(100 + i)}});
  }
  return r;
}

class ClientRig {
 public:
  explicit ClientRig(PegasusClientOptions options)
      : client_(std::make_unique<PegasusClient>(NodeEnv{.id = NodeId(50), .rng = &rng_},
                                                std::move(options))) {}
  Outbox Step(Time now, Input in) {
    Outbox out;
    client_->Step(now, in, out);
    client_->CheckInvariants();
    for (const Effect& e : out.effects()) {
      if (const auto* r = std::get_if<RecordOp>(&e)) records.push_back(*r);
    }
    return out;
  }
  Outbox Receive(Time now, NodeId from, Message m) {
    return Step(now, pg::Receive{.from = from, .msg = std::move(m)});
  }
  Outbox Fire(Time now, TimerId t) { return Step(now, TimerFired{.timer = t}); }
  PegasusClient& client() { return *client_; }
  std::vector<RecordOp> records;

 private:
  // A real generator: the workload's draws of kind, keys and arguments must not fall into the
  // pattern a counter's would (before client_, which holds a pointer to it).
  sim::Xoshiro256 rng_{1};
  std::unique_ptr<PegasusClient> client_;
};

}  // namespace pg::testing
