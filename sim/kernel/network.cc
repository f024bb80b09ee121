#include "sim/kernel/network.h"

#include <algorithm>

namespace pg::sim {

void Network::AddNode() {
  const size_t n = links_.size() + 1;
  for (auto& row : links_) row.resize(n);
  links_.emplace_back(n);
  node_clog_end_.emplace_back();
  never_duplicates_.push_back(false);
  node_links_.emplace_back();
}

void Network::SetNodeLinks(NodeId node, std::optional<LinkConfig> config) {
  std::optional<NodeLinks>& slot = node_links_.at(node.value());
  if (config) {
    slot = NodeLinks{.config = *config, .set_order = ++node_links_set_};
  } else {
    slot.reset();
  }
}

const LinkConfig& Network::ConfigOf(NodeId from, NodeId to) const {
  const Link& l = link(from, to);
  if (l.has_config) return l.config;
  const std::optional<NodeLinks>& a = node_links_[from.value()];
  const std::optional<NodeLinks>& b = node_links_[to.value()];
  if (a && (!b || a->set_order > b->set_order)) return a->config;
  if (b) return b->config;
  return default_link_;
}

void Network::SetNeverDuplicates(NodeId from) { never_duplicates_.at(from.value()) = true; }

void Network::SetLink(NodeId from, NodeId to, LinkConfig config) {
  Link& l = link(from, to);
  l.has_config = true;
  l.config = config;
}

PartitionId Network::AddPartition(const PartitionSpec& spec) {
  Partition p;
  p.one_way = spec.one_way;
  p.group_of.assign(links_.size(), -1);
  for (size_t g = 0; g < spec.groups.size(); ++g) {
    for (NodeId n : spec.groups[g]) {
      // Unknown ids name no node, so they cut nothing; the first group a node is listed in wins.
      if (n.value() < p.group_of.size() && p.group_of[n.value()] < 0) {
        p.group_of[n.value()] = static_cast<int>(g);
      }
    }
  }
  const PartitionId id = next_partition_++;
  partitions_.emplace(id, std::move(p));
  return id;
}

bool Network::Heal(PartitionId id) { return partitions_.erase(id) > 0; }

PartitionId Network::CutBy(NodeId from, NodeId to) const {
  for (const auto& [id, p] : partitions_) {
    if (from.value() >= p.group_of.size() || to.value() >= p.group_of.size()) continue;
    const int gf = p.group_of[from.value()];
    const int gt = p.group_of[to.value()];
    if (gf < 0 || gt < 0 || gf == gt) continue;
    if (!p.one_way || (gf == 0 && gt == 1)) return id;
  }
  return 0;
}

Time Network::ClogNode(NodeId node, Time now, Duration d) {
  Time& end = node_clog_end_[node.value()];
  end = std::max(end, now + d);
  return end;
}

Time Network::ClogLink(NodeId from, NodeId to, Time now, Duration d) {
  Time& end = link(from, to).clog_end;
  end = std::max(end, now + d);
  return end;
}

bool Network::Clogged(NodeId from, NodeId to, Time now) const {
  return node_clog_end_[from.value()] > now || node_clog_end_[to.value()] > now ||
         link(from, to).clog_end > now;
}

DelayId Network::AddDelay(const DelaySpec& spec) {
  const DelayId id = next_delay_++;
  delays_.emplace(id, spec);
  return id;
}

bool Network::EndDelay(DelayId id) { return delays_.erase(id) > 0; }

namespace {

bool Covers(const DelaySpec& d, NodeId from, NodeId to, MessageClass cls) {
  if (d.message_class && *d.message_class != cls) return false;
  if (d.from && d.to) return *d.from == from && *d.to == to;
  if (d.node) return *d.node == from || *d.node == to;
  return true;
}

}  // namespace

Duration Network::DrawDelay(NodeId from, NodeId to, MessageClass cls, Time now, Rng& rng) const {
  Duration longest;
  last_delay_rule_ = 0;
  for (const auto& [id, d] : delays_) {
    if (!Covers(d, from, to, cls) || !rng.Chance(d.probability)) continue;
    Duration lag;
    if (d.hold_until) {
      lag = std::max(*d.hold_until - now, Duration());
    } else if (d.lag_max > Duration()) {
      lag = Duration::Nanos(
          static_cast<int64_t>(rng.Uniform(static_cast<uint64_t>(d.lag_max.ns()) + 1)));
    }
    if (lag > longest) last_delay_rule_ = id;  // the earliest rule of the longest lag
    longest = std::max(longest, lag);
  }
  return longest;
}

void Network::Stall(NodeId from, NodeId to, RpcSession session, Time until) {
  Time& floor = link(from, to).stall_floor[static_cast<size_t>(session)];
  floor = std::max(floor, until);
}

Time Network::StallFloor(NodeId from, NodeId to, RpcSession session) const {
  return link(from, to).stall_floor[static_cast<size_t>(session)];
}

Time Network::LatestStallFloor() const {
  Time latest;
  for (const std::vector<Link>& from : links_) {
    for (const Link& l : from) {
      for (const Time floor : l.stall_floor) latest = std::max(latest, floor);
    }
  }
  return latest;
}

void Network::CloseSessions(NodeId node) {
  for (size_t other = 0; other < links_.size(); ++other) {
    links_[node.value()][other].stall_floor = {};
    links_[other][node.value()].stall_floor = {};
  }
}

std::array<uint64_t, 2> Network::Reset(NodeId a, NodeId b) {
  std::array<uint64_t, 2> ended{};
  size_t i = 0;
  for (Link* l : {&link(a, b), &link(b, a)}) {
    ended[i++] = l->connection++;
    l->stall_floor = {};
  }
  return ended;
}

Time Network::DrawDelivery(Link& l, const LinkConfig& c, Time now, Rng& rng, Duration* straggled) {
  *straggled = Duration();
  const Duration min = std::max(c.latency_min, Duration());
  const Duration tail = std::max(c.latency_mean - min, Duration());
  const Time drawn = now + min + rng.Exponential(tail);
  if (rng.Chance(c.reorder_probability)) {  // free of, and not raising, the floor
    ++reordered_;
    if (c.straggle_max <= Duration()) return drawn;
    *straggled = Duration::Nanos(
        static_cast<int64_t>(rng.Uniform(static_cast<uint64_t>(c.straggle_max.ns()) + 1)));
    return drawn + *straggled;
  }
  l.fifo_floor = std::max(l.fifo_floor, drawn);
  return l.fifo_floor;
}

bool Network::NeedsSize(NodeId from, NodeId to) const {
  return ConfigOf(from, to).bandwidth_bytes_per_ms > 0;
}

int Network::Transmit(NodeId from, NodeId to, Time now, Rng& rng, std::array<Time, 2>* deliver,
                      uint64_t bytes, std::array<Duration, 2>* straggled) {
  Link& l = link(from, to);
  const LinkConfig& c = ConfigOf(from, to);
  if (rng.Chance(c.drop_probability)) return 0;
  // The draw is made either way, so a sender's exemption does not shift anyone else's draws.
  const bool duplicate = rng.Chance(c.duplicate_probability);
  const int copies = duplicate && !never_duplicates_[from.value()] ? 2 : 1;
  Time start = now;
  if (c.bandwidth_bytes_per_ms > 0) {
    // Serialization: the message goes on the wire after those before it (a lost one still used
    // the wire, but is not drawn here: drops are decided first so fault-free draws stay put).
    const auto on_wire = Duration::Nanos(
        static_cast<int64_t>(static_cast<double>(bytes) * 1e6 / c.bandwidth_bytes_per_ms));
    l.wire_free = std::max(l.wire_free, now) + on_wire;
    start = l.wire_free;
  }
  std::array<Duration, 2> lags{};
  for (int i = 0; i < copies; ++i) (*deliver)[i] = DrawDelivery(l, c, start, rng, &lags[i]);
  if (straggled != nullptr) *straggled = lags;
  return copies;
}

}  // namespace pg::sim
