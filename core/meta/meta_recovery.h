#pragma once
// All replicas down ("DDD", PEGASUS.md §1.8; Pegasus partition_guardian::on_missing_primary, its
// last branch): a partition with neither primary nor secondaries. Meta waits for the last dropped
// members to come back and report their replica at config sync, then picks a primary by Pegasus's
// rule, or stays unavailable: it never trades an acknowledged write for availability.
//
// The decision is a pure function of the configuration and what meta collected, so that tests
// exercise each rule without a host; the MetaServer keeps the collected reports (DddState) and
// calls it at every check and again when the chosen replica asks for CT_ASSIGN_PRIMARY.
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/common/bugs.h"
#include "core/common/ids.h"
#include "core/proto/pegasus_types.h"

namespace pg {

// What one DDD decision sees.
struct DddView {
  const PartitionConfiguration* config = nullptr;  // no primary, no secondaries
  // The largest decree meta heard committed in this partition from replicas' reports and
  // requests since it booted; the rule uses the larger of it and the persisted
  // config->last_committed_decree (both lower bounds of the partition's true commit point).
  Decree known_committed{0};
  std::function<bool(NodeId)> alive;
  // The node reported its replicas at a config sync since the failure detector last saw it come
  // back (Pegasus: node_state::has_collected).
  std::function<bool(NodeId)> synced;
  // The replica each synced node reported for this partition; a synced node without an entry
  // does not hold the replica.
  const std::map<NodeId, ReplicaInfo>* collected = nullptr;
  // The bug zoo: kPrimaryOnEmptyReplica and kDddPickByCommitted take guards of this rule away.
  BugSet bugs;
};

struct DddDecision {
  enum class Kind : uint8_t {
    kWait,     // a last drop has not come back (or not reported yet): ask again at the next check
    kRecover,  // propose CT_ASSIGN_PRIMARY to `primary`
    kRefuse,   // no candidate is safe: stay unavailable (Pegasus leaves it to an administrator)
    kRenew,    // the partition never held data and its only replica is gone: persist it as new
  };
  Kind kind = Kind::kWait;
  std::optional<NodeId> primary;
  std::string why;  // for the log
};

// Pegasus's rule over the last two drops (the only one if there is one), each alive and synced:
// the larger ballot must have the larger (or equal) committed decree; the candidate with the
// larger ballot wins, then the larger committed, then the larger prepared decree. pegasim keeps
// the rule and is stricter where Pegasus accepts a risk:
//  - the chosen replica's prepared decree must reach meta's known committed decree and both
//    candidates' committed decrees (Pegasus checks the larger of the two prepared decrees): a
//    replica lacking a committed decree, an empty one in particular, is never made primary;
//  - the most recent drop must still hold a healthy replica: after the earlier drop it was the
//    only member, and what it alone committed is unknown to anyone else, so if it reports the
//    replica failed (PS_ERROR: its log may lack acknowledged writes) or absent, meta refuses;
// A partition without drops is new and not the rule's (MetaServer::ProposeFirstPrimary); asserted.
// One whose only drop lost its replica never held data, and starts over as new (kRenew): its drop
// was the only member, with no drop before it, and by induction from a new partition's first
// primary no such member ever had a partner, while a write needs two members
// (mutation_2pc_min_replica_count), so nothing was ever prepared. Pegasus proposes
// CT_ASSIGN_PRIMARY to an only drop whatever it holds, and the server creates the replica if it
// lacks it; pegasim does so only where that is provably safe.
DddDecision DecideDddPrimary(const DddView& view);

// Meta's collected replica reports and known commit points (Pegasus: config_context::dropped and
// node_state's collect flag). Volatile: a restarted meta collects afresh.
struct DddState {
  // Per partition: the last report of each node that synced since it came back.
  std::vector<std::map<NodeId, ReplicaInfo>> collected;
  // Per partition: the largest committed decree any replica reported or requested with.
  std::vector<Decree> known_committed;
  std::set<NodeId> synced;
  // Workers declared dead so far by this meta process, and the count at each one's latest death.
  uint64_t deaths = 0;
  std::map<NodeId, uint64_t> dead_at;

  void Reset(int partition_count);
  // A config sync: replaces everything `node` said before, except that a healthy report at a
  // lower ballot than the node's previous one is stale and the previous one stays. Reports of
  // failed replicas count as reports (of a replica that must not serve); reports of unknown
  // partitions are skipped.
  void OnConfigSync(NodeId node, const std::vector<ReplicaInfo>& stored, int32_t app_id);
  // Whether `node`'s config sync, echoing the leader stamp (acked_epoch, acked_deaths), was sent
  // after the node heard from this meta (process `epoch`) past its latest death here: only such a
  // report shows what the node holds since it came back. One the network held since before the
  // death may predate what the node did last (a commit alone at a newer ballot), and ranking it
  // by that older report can make another replica primary over those commits.
  bool FreshReport(NodeId node, uint64_t epoch, uint64_t acked_epoch, uint64_t acked_deaths) const;
  // A report that is not fresh still proves its commit points; it replaces nothing.
  void OnStaleConfigSync(const std::vector<ReplicaInfo>& stored, int32_t app_id);
  // The failure detector declared `node` dead: what it reported is stale.
  void OnWorkerDead(NodeId node);
  void NoteCommitted(int partition, Decree d);
  void CheckInvariants() const;
};

}  // namespace pg
