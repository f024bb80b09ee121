#pragma once
// What each applied fault did: a count of effects per entry of the Cluster's fault log, so a sweep
// can tell a fault that bit from one that was injected and found nothing to act on (a partition
// that cut no message, a disk-error window in which no I/O happened). The kernel tells the ledger
// which fault was in force where (partitions, delay rules, clogs, link settings, disk-fault
// windows) and reports each effect at the point it happens; the ledger attributes it.
//
// It also attributes coverage marks: a mark a node emits is credited to the fault whose first
// effect came last before it (its onset), or to no fault. A proxy for "this fault drove the system
// down that path", not a causal claim: a mark that a workload hits anyway is credited to whichever
// fault happened to bite last.
//
// Nothing here reaches the trace or draws randomness: the counts observe a run, never steer it.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/common/ids.h"
#include "core/common/time.h"
#include "sim/kernel/cluster_config.h"

namespace pg::sim {

// An index into the fault log; kNoFault when no logged fault is in force.
using FaultIndex = size_t;
inline constexpr FaultIndex kNoFault = static_cast<FaultIndex>(-1);

class FaultEffects {
 public:
  // The fault log gained entry `index` (they come in order, from 0).
  void Logged(FaultIndex index);
  // `fault` had `n` more effects (kNoFault or n == 0: nothing). The first one is its onset.
  void Add(FaultIndex fault, uint64_t n = 1);
  const std::vector<uint64_t>& counts() const { return counts_; }

  // ---- Partitions ----
  void PartitionAdded(PartitionId id, FaultIndex fault) { partitions_[id] = fault; }
  // Forgets the partition; whether it was active.
  bool PartitionHealed(PartitionId id) { return partitions_.erase(id) > 0; }
  // Forgets every partition; how many were active.
  size_t AllHealed();
  FaultIndex PartitionFault(PartitionId id) const;

  // ---- Delay rules ----
  void DelayAdded(DelayId id, FaultIndex fault) { delays_[id] = fault; }
  void DelayEnded(DelayId id) { delays_.erase(id); }
  size_t DelaysCleared();
  FaultIndex DelayFault(DelayId id) const;

  // ---- Corruption rules: each frame a rule damaged is one effect ----
  void CorruptionAdded(CorruptId id, FaultIndex fault) { corruptions_[id] = fault; }
  void CorruptionEnded(CorruptId id) { corruptions_.erase(id); }
  size_t CorruptionsCleared();
  FaultIndex CorruptionFault(CorruptId id) const;

  // ---- Clogs: a node's links, or one link, until `end` ----
  struct Clog {
    FaultIndex fault = kNoFault;
    std::optional<NodeId> node;  // set: every link from or to it; else the link from -> to
    NodeId from;
    NodeId to;
    Time end;
  };
  void Clogged(const Clog& clog, Time now);
  // The latest clog covering from -> to at `now` (kNoFault when none does).
  FaultIndex ClogFault(NodeId from, NodeId to, Time now) const;

  // ---- Link settings (network spells), resolved as Network::ConfigOf resolves them ----
  void LinkSet(NodeId from, NodeId to, FaultIndex fault) { link_set_[{from, to}] = fault; }
  // nullopt: the node's links follow the default again.
  void NodeLinksSet(NodeId node, std::optional<FaultIndex> fault);
  void DefaultLinkSet(FaultIndex fault) { default_link_set_ = fault; }
  // The setting in force on from -> to: a link's own, else the later of its ends', else the
  // default's (kNoFault: the cluster's initial default link, which no fault set).
  FaultIndex LinkFault(NodeId from, NodeId to) const;
  // One Network::Transmit on from -> to: `copies` (0: dropped, 2: duplicated) and the network's
  // running count of reordered messages, of which the new ones are this call's.
  void Transmitted(NodeId from, NodeId to, int copies, uint64_t reordered_total);

  // ---- Disk I/O errors: a node's window, else the global setting ----
  // Call Disk() first for the node (or every node), so earlier errors go to the earlier setting.
  void DiskWindow(NodeId node, std::optional<FaultIndex> fault);
  void GlobalDiskFaults(FaultIndex fault) { global_disk_ = fault; }
  // The node's disk has failed `io_errors_total` operations so far; the new ones are attributed.
  void Disk(NodeId node, uint64_t io_errors_total);

  // ---- Connection resets: the fault that ended each connection of a link ----
  void LinkReset(NodeId from, NodeId to, uint64_t ended, FaultIndex fault) {
    resets_[{from.value(), to.value(), ended}] = fault;
  }
  // The reset that broke `connection` on from -> to (kNoFault when none did).
  FaultIndex ResetFault(NodeId from, NodeId to, uint64_t connection) const;

  // ---- Coverage marks ----
  void OnMark(const std::string& mark);
  // Per mark, the faults it was credited to (kNoFault: emitted before any fault took effect).
  const std::map<std::string, std::set<FaultIndex>>& mark_faults() const { return mark_faults_; }

 private:
  std::vector<uint64_t> counts_;  // by fault index
  // Invariant: onset_ == kNoFault or counts_[onset_] > 0.
  FaultIndex onset_ = kNoFault;  // the fault whose first effect came last
  std::map<PartitionId, FaultIndex> partitions_;
  std::map<DelayId, FaultIndex> delays_;
  std::map<CorruptId, FaultIndex> corruptions_;
  std::vector<Clog> clogs_;  // in the order they were applied; ended ones pruned
  std::map<std::pair<NodeId, NodeId>, FaultIndex> link_set_;
  std::map<NodeId, FaultIndex> node_links_set_;
  FaultIndex default_link_set_ = kNoFault;
  uint64_t reordered_seen_ = 0;
  std::map<NodeId, FaultIndex> disk_windows_;
  FaultIndex global_disk_ = kNoFault;
  std::map<NodeId, uint64_t> io_errors_seen_;
  std::map<std::string, std::set<FaultIndex>> mark_faults_;
  std::map<std::tuple<uint32_t, uint32_t, uint64_t>, FaultIndex> resets_;
};

}  // namespace pg::sim
