#include "sim/kernel/fault_effects.h"

#include <algorithm>

#include "core/common/assert.h"

namespace pg::sim {

void FaultEffects::Logged(FaultIndex index) {
  PG_ASSERT_EQ(index, counts_.size(), "fault log entries are counted in order");
  counts_.push_back(0);
}

void FaultEffects::Add(FaultIndex fault, uint64_t n) {
  if (fault == kNoFault || n == 0) return;
  PG_ASSERT_LT(fault, counts_.size(), "an effect of a fault that was never logged");
  if (counts_[fault] == 0) onset_ = fault;
  counts_[fault] += n;
}

size_t FaultEffects::AllHealed() {
  const size_t n = partitions_.size();
  partitions_.clear();
  return n;
}

FaultIndex FaultEffects::PartitionFault(PartitionId id) const {
  auto it = partitions_.find(id);
  return it == partitions_.end() ? kNoFault : it->second;
}

size_t FaultEffects::DelaysCleared() {
  const size_t n = delays_.size();
  delays_.clear();
  return n;
}

FaultIndex FaultEffects::DelayFault(DelayId id) const {
  auto it = delays_.find(id);
  return it == delays_.end() ? kNoFault : it->second;
}

size_t FaultEffects::CorruptionsCleared() {
  const size_t n = corruptions_.size();
  corruptions_.clear();
  return n;
}

FaultIndex FaultEffects::CorruptionFault(CorruptId id) const {
  auto it = corruptions_.find(id);
  return it == corruptions_.end() ? kNoFault : it->second;
}

void FaultEffects::Clogged(const Clog& clog, Time now) {
  // Clogs that ended hold nothing any more; dropping them keeps the search short.
  std::erase_if(clogs_, [now](const Clog& c) { return c.end <= now; });
  clogs_.push_back(clog);
}

FaultIndex FaultEffects::ClogFault(NodeId from, NodeId to, Time now) const {
  // The latest clog wins: it is the one that (re)started holding this link.
  for (auto it = clogs_.rbegin(); it != clogs_.rend(); ++it) {
    if (it->end <= now) continue;
    const bool covers =
        it->node ? (*it->node == from || *it->node == to) : (it->from == from && it->to == to);
    if (covers) return it->fault;
  }
  return kNoFault;
}

void FaultEffects::NodeLinksSet(NodeId node, std::optional<FaultIndex> fault) {
  if (fault) {
    node_links_set_[node] = *fault;
  } else {
    node_links_set_.erase(node);
  }
}

FaultIndex FaultEffects::LinkFault(NodeId from, NodeId to) const {
  if (auto it = link_set_.find({from, to}); it != link_set_.end()) return it->second;
  // Fault indices grow with time, so the later of the two ends' settings is the larger index,
  // as Network::ConfigOf picks the later-set one.
  std::optional<FaultIndex> ends;
  for (NodeId n : {from, to}) {
    if (auto it = node_links_set_.find(n); it != node_links_set_.end()) {
      ends = std::max(ends.value_or(0), it->second);
    }
  }
  return ends.value_or(default_link_set_);
}

void FaultEffects::Transmitted(NodeId from, NodeId to, int copies, uint64_t reordered_total) {
  const uint64_t reordered = reordered_total - reordered_seen_;
  reordered_seen_ = reordered_total;
  const FaultIndex fault = LinkFault(from, to);
  // A dropped message is one effect; a delivered one is one per copy made beyond the first and
  // per copy that left FIFO order.
  Add(fault, (copies == 0 ? 1 : 0) + (copies == 2 ? 1 : 0) + reordered);
}

void FaultEffects::DiskWindow(NodeId node, std::optional<FaultIndex> fault) {
  if (fault) {
    disk_windows_[node] = *fault;
  } else {
    disk_windows_.erase(node);
  }
}

void FaultEffects::Disk(NodeId node, uint64_t io_errors_total) {
  uint64_t& seen = io_errors_seen_[node];
  if (io_errors_total == seen) return;
  const uint64_t failed = io_errors_total - seen;
  seen = io_errors_total;
  auto it = disk_windows_.find(node);
  Add(it != disk_windows_.end() ? it->second : global_disk_, failed);
}

void FaultEffects::OnMark(const std::string& mark) {
  auto it = mark_faults_.find(mark);
  if (it == mark_faults_.end()) it = mark_faults_.emplace(mark, std::set<FaultIndex>{}).first;
  it->second.insert(onset_);
}

FaultIndex FaultEffects::ResetFault(NodeId from, NodeId to, uint64_t connection) const {
  auto it = resets_.find({from.value(), to.value(), connection});
  return it == resets_.end() ? kNoFault : it->second;
}

}  // namespace pg::sim
