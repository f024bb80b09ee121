// The Cluster's network events: a Send effect leaves its node (or waits for a clog), departs with
// the delays the Network draws, and is delivered at its time or, under a delivery policy, at the
// tick the policy chooses it (delivery_policy.h).
#include <fmt/format.h>

#include <array>
#include <utility>

#include "core/common/assert.h"
#include "sim/kernel/cluster.h"
#include "sim/kernel/cluster_impl.h"
#include "sim/kernel/message_class.h"

namespace pg::sim {

using kernel::EventKind;
using kernel::kNoNode;
using kernel::kTraceClogEnd;

void Cluster::Impl::SendMessage(NodeId from, NodeId to, uint64_t msg_digest, Message msg) {
  stats.sent++;
  if (to.value() >= nodes.size()) {
    stats.dropped_unknown++;
    return;
  }
  if (const PartitionId cut = network.CutBy(from, to)) {
    stats.dropped_partition++;
    effects.Add(effects.PartitionFault(cut));
    return;
  }
  if (network.Clogged(from, to, now)) {
    stats.held++;
    effects.Add(effects.ClogFault(from, to, now));
    held.push_back({.from = from,
                    .to = to,
                    .msg_digest = msg_digest,
                    .msg = std::move(msg),
                    .sender_power_losses = PowerLosses(from),
                    .receiver_incarnation = ConnectionTo(to),
                    .connection = network.Connection(from, to)});
    return;
  }
  Depart(from, to, msg_digest, std::move(msg),
         {.receiver_incarnation = ConnectionTo(to), .connection = network.Connection(from, to)});
}

void Cluster::Impl::ResetLink(NodeId a, NodeId b) {
  const std::array<uint64_t, 2> ended = network.Reset(a, b);
  effects.LinkReset(a, b, ended[0], LastFault());
  effects.LinkReset(b, a, ended[1], LastFault());
}

uint64_t Cluster::Impl::ConnectionTo(NodeId to) const {
  const NodeState& ns = *nodes[to.value()];
  return ns.node ? ns.incarnation : 0;
}

void Cluster::Impl::Depart(NodeId from, NodeId to, uint64_t msg_digest, Message msg,
                           Carried carried) {
  std::array<Time, 2> at;
  // The time each copy waits in the sender's kernel (a straggler's or a delay rule's lag): until
  // it has left, the sender's power loss loses it (Impl::LostWithSender).
  std::array<Duration, 2> in_kernel{};
  const uint64_t bytes = network.NeedsSize(from, to) ? Encode(msg).size() : 0;
  const int copies = network.Transmit(from, to, now, *net_rng, &at, bytes, &in_kernel);
  effects.Transmitted(from, to, copies, network.reordered());
  if (copies == 0) {
    stats.dropped_random++;
    return;
  }
  const RpcSession session = SessionOf(msg);
  if (network.has_delays()) {
    // Its own stream: a delay rule shifts no latency, loss or reorder draw of the run.
    const Duration lag = network.DrawDelay(from, to, ClassOf(msg), now, Stream("delay"));
    if (lag > Duration()) {
      stats.delayed++;
      effects.Add(effects.DelayFault(network.last_delay_rule()));
      for (int i = 0; i < copies; ++i) {
        at[i] = at[i] + lag;
        in_kernel[i] = in_kernel[i] + lag;
        network.Stall(from, to, session, at[i]);
      }
    }
  }
  const auto frame = corruptions.empty() ? nullptr : MaybeCorrupt(from, to, msg);
  // Behind a delayed message of its session it waits, in its sender's kernel, for that one to go.
  const Time stalled_until = network.StallFloor(from, to, session);
  for (int i = 0; i < copies; ++i) {
    if (at[i] >= stalled_until) continue;
    in_kernel[i] = in_kernel[i] + (stalled_until - at[i]);
    at[i] = stalled_until;
  }
  const uint32_t power_losses = PowerLosses(from);
  if (options.delivery_policy) {
    // Each copy waits on its link; its drawn time only schedules a tick (delivery_policy.h).
    auto& queue_of_link = in_flight[{from.value(), to.value()}];
    for (int i = 0; i < copies; ++i) {
      if (i + 1 < copies) stats.duplicated++;
      queue_of_link.push_back({.from = from,
                               .to = to,
                               .msg_digest = msg_digest,
                               .msg = i + 1 < copies ? msg : std::move(msg),
                               .leaves_sender = now + in_kernel[i],
                               .sender_power_losses = power_losses,
                               .receiver_incarnation = carried.receiver_incarnation,
                               .connection = carried.connection,
                               .frame = frame});
      NewEvent(at[i], EventKind::kDeliveryTick, to, 0);
    }
    return;
  }
  for (int i = 0; i < copies; ++i) {
    Event& e = NewEvent(at[i], EventKind::kInput, to, 0);
    e.msg_digest = msg_digest;
    e.leaves_sender = now + in_kernel[i];
    e.sender_power_losses = power_losses;
    e.receiver_incarnation = carried.receiver_incarnation;
    e.connection = carried.connection;
    e.frame = frame;
    if (i + 1 < copies) {
      stats.duplicated++;
      e.input.emplace<Receive>(Receive{.from = from, .msg = msg});
    } else {
      e.input.emplace<Receive>(Receive{.from = from, .msg = std::move(msg)});
    }
  }
}

// A clog ended: held messages whose sender, receiver and link are all free depart now, in the
// order they were sent. A clog that was extended meanwhile keeps its messages until its own end.
// A held message waited in its sender's kernel: if the sender's machine lost power meanwhile, it
// is dropped here instead (recorded like a drop at delivery, at its receiver).
void Cluster::Impl::ReleaseHeld() {
  size_t kept = 0;
  uint64_t released = 0;
  for (size_t i = 0; i < held.size(); ++i) {
    kernel::HeldMessage& m = held[i];
    if (network.Clogged(m.from, m.to, now)) {
      if (kept != i) held[kept] = std::move(m);
      ++kept;
    } else if (m.sender_power_losses < PowerLosses(m.from)) {
      Event lost;
      lost.node = m.to;
      lost.msg_digest = m.msg_digest;
      lost.input.emplace<Receive>(Receive{.from = m.from, .msg = std::move(m.msg)});
      DropDelivery(lost, "sender lost power", &stats.dropped_sender_power);
    } else if (m.connection != network.Connection(m.from, m.to)) {
      // A reset broke its session while the clog held it in the sender's kernel.
      Event lost;
      lost.node = m.to;
      lost.msg_digest = m.msg_digest;
      lost.input.emplace<Receive>(Receive{.from = m.from, .msg = std::move(m.msg)});
      effects.Add(effects.ResetFault(m.from, m.to, m.connection));
      DropDelivery(lost, kernel::kConnectionReset, &stats.dropped_reset);
    } else {
      Depart(m.from, m.to, m.msg_digest, std::move(m.msg),
             {.receiver_incarnation = m.receiver_incarnation, .connection = m.connection});
      ++released;
    }
  }
  held.resize(kept);
  trace.Begin(now, kNoNode, 0, kTraceClogEnd);
  trace.Word(released);
  trace.End();
  if (trace.recording()) {
    trace.AddLine({current_index, now, "-", fmt::format("clog ended: {} released", released)});
  }
}

bool Cluster::Impl::DeliveryTick() {
  if (in_flight.empty()) return false;  // its message went out at an earlier tick
  candidates.clear();
  uint64_t digest = 0x243f6a8885a308d3ULL;
  for (const auto& [link, messages] : in_flight) {
    candidates.push_back({.from = NodeId(link.first),
                          .to = NodeId(link.second),
                          .msg_digest = messages.front().msg_digest,
                          .queued = messages.size()});
    digest = FoldWord(FoldWord(digest, link.first), link.second);
    for (const kernel::HeldMessage& m : messages) digest = FoldWord(digest, m.msg_digest);
  }
  const size_t pick = options.delivery_policy->Choose(
      *owner, {.now = now, .candidates = candidates, .in_flight_digest = digest});
  PG_ASSERT_LT(pick, candidates.size(), "the delivery policy picked no candidate");
  if (options.delivery_policy->halted()) return false;  // pruned: the run stops here
  const auto it = in_flight.find({candidates[pick].from.value(), candidates[pick].to.value()});
  kernel::HeldMessage m = std::move(it->second.front());
  it->second.pop_front();
  if (it->second.empty()) in_flight.erase(it);
  Event e;
  e.kind = EventKind::kInput;
  e.node = m.to;
  e.msg_digest = m.msg_digest;
  e.leaves_sender = m.leaves_sender;
  e.sender_power_losses = m.sender_power_losses;
  e.receiver_incarnation = m.receiver_incarnation;
  e.connection = m.connection;
  e.frame = std::move(m.frame);
  e.input.emplace<Receive>(Receive{.from = m.from, .msg = std::move(m.msg)});
  return DeliverInput(e);
}

}  // namespace pg::sim
