#pragma once
// Delivery policies: who decides the ORDER in which in-flight messages reach their receivers.
//
// Without a policy (the default, "timed") the cluster schedules every message at the delivery time
// its latency draw gives it, exactly as it always has. With a policy, a message still draws its
// drop, duplicate and latency from the "network" stream as before (so the run's other draws do not
// shift), but it waits in a per-link FIFO queue instead: each drawn delivery time becomes a
// delivery TICK, and at every tick the policy picks which link's oldest message is delivered.
// Links stay FIFO (TCP); the policy explores the interleavings across links. Ticks and messages
// are one to one, so every message that is not dropped is delivered by the run's last tick.
#include <cstdint>
#include <span>

#include "core/common/ids.h"
#include "core/common/time.h"

namespace pg::sim {

class Cluster;

// The oldest in-flight message of one link, as a policy sees it.
struct DeliveryCandidate {
  NodeId from;
  NodeId to;
  uint64_t msg_digest = 0;  // the message's trace digest
  uint64_t queued = 0;      // messages waiting on this link, this one included
};

// What a policy is shown at one tick. Candidates come in (from, to) order, one per busy link.
struct DeliveryChoice {
  Time now;
  std::span<const DeliveryCandidate> candidates;  // never empty
  // A digest of every in-flight message (all links, in order), for state hashing.
  uint64_t in_flight_digest = 0;
};

class DeliveryPolicy {
 public:
  virtual ~DeliveryPolicy() = default;
  // Called once, when the cluster starts; a policy may install an event observer here.
  virtual void Attach(Cluster& cluster) {}
  // The index of the candidate to deliver now. Must be deterministic given the calls so far.
  virtual size_t Choose(const Cluster& cluster, const DeliveryChoice& choice) = 0;
  // True once the policy wants the run to stop here (a model checker pruning a visited state):
  // the cluster then halts without a failure.
  virtual bool halted() const { return false; }
};

}  // namespace pg::sim
