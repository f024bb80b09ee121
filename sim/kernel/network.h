#pragma once
// The simulated network's rules, without the event queue: which links are cut by partitions or
// clogged, and when (if ever) a message that departs now is delivered. The Cluster asks and
// schedules; keeping the rules here lets them be read and tested as one piece.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "core/common/rng.h"
#include "sim/kernel/cluster_config.h"

namespace pg::sim {

class Network {
 public:
  explicit Network(LinkConfig default_link) : default_link_(default_link) {}

  // Grows the per-link tables for one more node.
  void AddNode();

  void SetDefaultLink(LinkConfig config) { default_link_ = config; }
  // Messages from `from` are never duplicated, whatever the links' duplicate_probability: the
  // sender talks over a connection (TCP) whose duplicates the transport removes, and whose
  // receiver does not deduplicate requests itself (a Pegasus client's writes, see
  // pegasus_system.h).
  void SetNeverDuplicates(NodeId from);
  void SetLink(NodeId from, NodeId to, LinkConfig config);
  // Every link from or to `node` (without a config of its own) uses `config` instead of the
  // default; nullopt returns them to the default. Where both ends have one, the later set wins.
  void SetNodeLinks(NodeId node, std::optional<LinkConfig> config);

  PartitionId AddPartition(const PartitionSpec& spec);
  // False when `id` is not an active partition.
  bool Heal(PartitionId id);
  void HealAll() { partitions_.clear(); }
  // True when an active partition drops messages from `from` to `to`.
  bool Cuts(NodeId from, NodeId to) const { return CutBy(from, to) != 0; }
  // The oldest active partition that drops messages from `from` to `to` (0: none).
  PartitionId CutBy(NodeId from, NodeId to) const;

  // Both return when the clog now ends (later of any earlier clog and now + d).
  Time ClogNode(NodeId node, Time now, Duration d);
  Time ClogLink(NodeId from, NodeId to, Time now, Duration d);
  bool Clogged(NodeId from, NodeId to, Time now) const;

  // Delay rules (cluster_config.h): in force from AddDelay until EndDelay or ClearDelays.
  DelayId AddDelay(const DelaySpec& spec);
  // False when `id` is not in force.
  bool EndDelay(DelayId id);
  void ClearDelays() { delays_.clear(); }
  bool has_delays() const { return !delays_.empty(); }
  // The extra lag of a message of class `cls` departing `from` for `to` at `now`: the longest
  // any matching rule draws (0 when none matches). Each matching rule draws from `rng`, in the
  // order the rules were added, so a run without rules draws nothing.
  Duration DrawDelay(NodeId from, NodeId to, MessageClass cls, Time now, Rng& rng) const;
  // A delayed message stalls its session until it is delivered at `until`: no later message of
  // that session from `from` to `to` arrives before it (TCP delivers in order).
  void Stall(NodeId from, NodeId to, RpcSession session, Time until);
  // The earliest a message of the session may arrive now: the delivery of the last message that
  // stalled it (the epoch when none did).
  Time StallFloor(NodeId from, NodeId to, RpcSession session) const;
  // The latest StallFloor over every session of every link (the epoch when none was stalled):
  // until then some session holds what is sent on it behind a delayed message.
  Time LatestStallFloor() const;
  // The node's process is gone (crashed): the connections from and to it are closed, so what it
  // or its peers send next rides new sessions that nothing stalls. What the old ones carried
  // still arrives as scheduled.
  void CloseSessions(NodeId node);
  // A reset breaks the sessions between `a` and `b` (both directions): a message carries the
  // connection of its link when it was sent (Connection), and one whose connection is no longer
  // current was lost with it. Stalls end too (CloseSessions). Returns the connections that
  // ended, a -> b then b -> a.
  std::array<uint64_t, 2> Reset(NodeId a, NodeId b);
  uint64_t Connection(NodeId from, NodeId to) const { return link(from, to).connection; }
  // Counted for the fault ledger (fault_effects.h): the rule whose lag the last DrawDelay
  // returned (0: none), and the messages that left FIFO order so far.
  DelayId last_delay_rule() const { return last_delay_rule_; }
  uint64_t reordered() const { return reordered_; }

  // Whether Transmit needs the message's size (the link has a bandwidth).
  bool NeedsSize(NodeId from, NodeId to) const;
  // A message of `bytes` departs `from` for `to` at `now`: draws drop, duplicate, latency and
  // reorder from `rng` and writes the delivery time of each copy; returns the number of copies
  // (0: dropped). With a bandwidth, the latency starts once the message is on the wire. When
  // `straggled` is given, it receives each copy's straggler lag (LinkConfig::straggle_max; 0 for
  // a copy that does not straggle): the time the copy waits in the sender's kernel for a
  // retransmission, which the delivery time includes.
  int Transmit(NodeId from, NodeId to, Time now, Rng& rng, std::array<Time, 2>* deliver,
               uint64_t bytes = 0, std::array<Duration, 2>* straggled = nullptr);

 private:
  struct Link {
    bool has_config = false;
    LinkConfig config;
    // The latest delivery time of a FIFO (not reordered) message: TCP never overtakes.
    Time fifo_floor;
    // Per RpcSession: the delivery of the last delayed message (Stall).
    std::array<Time, 2> stall_floor;
    Time clog_end;
    Time wire_free;           // when the last message sent on the link is fully on the wire
    uint64_t connection = 0;  // counts the resets of the link (Reset)
  };
  // group_of[node] = index of the node's group, -1 when in none.
  struct Partition {
    std::vector<int> group_of;
    bool one_way = false;
  };

  Link& link(NodeId from, NodeId to) { return links_[from.value()][to.value()]; }
  const Link& link(NodeId from, NodeId to) const { return links_[from.value()][to.value()]; }
  const LinkConfig& ConfigOf(NodeId from, NodeId to) const;
  // `straggled`: the straggler lag included in the returned time (0 when none).
  Time DrawDelivery(Link& l, const LinkConfig& c, Time now, Rng& rng, Duration* straggled);

  LinkConfig default_link_;
  std::vector<std::vector<Link>> links_;  // [from][to]
  std::vector<Time> node_clog_end_;
  std::vector<bool> never_duplicates_;
  struct NodeLinks {
    LinkConfig config;
    uint64_t set_order = 0;
  };
  std::vector<std::optional<NodeLinks>> node_links_;  // [node]
  uint64_t node_links_set_ = 0;
  std::map<PartitionId, Partition> partitions_;
  std::map<DelayId, DelaySpec> delays_;
  DelayId next_delay_ = 1;
  mutable DelayId last_delay_rule_ = 0;
  uint64_t reordered_ = 0;
  PartitionId next_partition_ = 1;
};

}  // namespace pg::sim
