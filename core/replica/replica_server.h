#pragma once
// ReplicaServer: Pegasus's replica_stub. Hosts the replicas of this node, beacons the meta server
// (its lease), syncs configuration, routes messages, log completions and timers to replicas, and
// keeps the replica index file.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/node/node.h"
#include "core/replica/replica.h"
#include "core/replica/replica_options.h"

namespace pg {

class ReplicaServer final : public Node, private ReplicaHost {
 public:
  ReplicaServer(const NodeEnv& env, ReplicaServerOptions options);
  void Step(Time now, const Input& input, Outbox& out) override;
  void CheckInvariants() const override;

  // Read-only views for the simulator's global invariants (checked after every event):
  struct ReplicaView {
    Gpid gpid;
    PartitionStatus status;
    Ballot ballot;
    Decree last_committed;
    Decree last_prepared;
    bool serving_as_primary;  // primary AND lease valid at `now`
    // While the server's lease is valid: the local time it lapses (serving_as_primary at a later
    // `t` is status == kPrimary && t < lease_until); Time::Zero() when it holds none.
    Time lease_until;
  };
  std::vector<ReplicaView> Views(Time now) const;  // in gpid order
  // The same into *out, reusing its capacity: the simulator's checks read views after every step.
  void Views(Time now, std::vector<ReplicaView>* out) const;
  // Rolling digest of the committed sequence: Digest(d) = H(Digest(d-1), encoded mutation d's
  // updates) for decrees this replica committed (nullopt if unknown/trimmed). Committed prefixes
  // of two replicas agree iff digests agree at the smaller commit point.
  std::optional<uint64_t> CommittedDigest(Gpid gpid, Decree d) const;
  std::optional<uint64_t> MutationDigest(Gpid gpid, Decree d) const;  // Replica::MutationDigest
  // What the host built it with (tests read the timing a scenario's set gave it); the same as
  // ReplicaHost::options, which its replicas see.
  const ReplicaServerOptions& server_options() const { return options_; }

 private:
  // Server-level timers; replica timers carry their kind in the top byte (MakeReplicaTimerId).
  static constexpr TimerId kBeaconTimer{1};
  static constexpr TimerId kConfigSyncTimer{2};
  static constexpr TimerId kLeaseTimer{3};

  // ReplicaHost
  NodeId self() const override { return env_.id; }
  NodeId meta() const override;
  const ReplicaServerOptions& options() const override { return options_; }
  bool LeaseValid(Time now) const override;
  Time StepClock() const override { return step_clock_; }
  uint64_t Random() override;
  uint64_t NewLogToken(const std::string& file, Gpid gpid) override;
  void RequestConfigSync(Time now, Outbox& out) override;
  uint64_t NewMetaRequestId() override { return ++last_call_id_; }
  SegmentedRead ReadPrivateLog(Gpid gpid, int32_t first_segment) const override;
  int32_t ResetPrivateLog(Gpid gpid, int32_t at_least, Outbox& out) override;
  void PersistInitInfo(Gpid gpid, const ReplicaInitInfo& info, Outbox& out) override {
    AppendInitInfo(gpid, info, /*creation=*/false, out);
  }
  ReplicaHost* AsHost() { return this; }

  // replica_server.cc
  void OnBoot(Time now, Outbox& out);
  void LoadReplica(Gpid gpid, int32_t first_segment, Outbox& out);
  void OnReceive(Time now, NodeId from, const Message& msg, Outbox& out);
  void OnClientRequest(Time now, NodeId from, const Message& msg, Outbox& out);
  void OnScanRequest(Time now, NodeId from, Gpid gpid, uint64_t request_id, const Message& msg,
                     Outbox& out);
  void OnPeerMessage(Time now, NodeId from, const Message& msg, Outbox& out);
  void OnTimer(Time now, TimerId timer, Outbox& out);
  void OnLogDone(Time now, const std::string& file, uint64_t token, const Status* failure,
                 Outbox& out);
  Replica* Find(Gpid gpid);

  // replica_server_meta.cc
  void SendBeacon(Time now, Outbox& out);
  void OnBeaconAck(Time now, NodeId from, const BeaconAck& ack, Outbox& out);
  // Several meta servers: beacon `hint` (a non-leader's forward) or, without one, the next meta.
  void FollowMeta(std::optional<NodeId> hint);
  void CheckLease(Time now, Outbox& out);
  void OnConfigSyncResponse(Time now, const ConfigSyncResponse& resp, Outbox& out);
  // Whether the replica meta listed this server in is missing here or failed.
  bool Lacks(Gpid gpid) const;
  // Whether an answer listed this server in a partition it lacks at a ballot not reported yet.
  bool HasUnreportedMissing() const;
  void CreateReplica(Time now, Gpid gpid, Outbox& out);
  bool IsFirstPrimaryProposal(const ConfigProposal& p) const;
  void CreateFirstPrimary(Time now, NodeId from, const ConfigProposal& p, Outbox& out);
  void OnLearningMessage(Time now, NodeId from, const Message& msg, Outbox& out);
  void DropReplica(Gpid gpid, Outbox& out);
  void AppendIndex(const ReplicaIndexEntry& entry, Outbox& out);
  void OnIndexDone(Time now, uint64_t token, const Status* failure, Outbox& out);

  // replica_server_init_info.cc
  // Reads `gpid`'s init info at boot; false (and a failed replica in replicas_) when it does not
  // load. *ballot is the persisted ballot (0 without a record).
  bool LoadInitInfo(Gpid gpid, Ballot* ballot, Outbox& out);
  void AppendInitInfo(Gpid gpid, const ReplicaInitInfo& info, bool creation, Outbox& out);
  void OnInitInfoDone(uint64_t token, const Status* failure, Outbox& out);

  NodeEnv env_;
  ReplicaServerOptions options_;
  std::map<Gpid, std::unique_ptr<Replica>> replicas_;
  // Log completions find their replica by file: every plog file a live replica writes.
  std::map<std::string, Gpid> file_owner_;
  uint64_t next_token_ = 1;

  // The replica index ("replicas", then "replicas.<k>" after a torn tail).
  int32_t index_segment_ = 0;
  // Index appends in flight: token -> the replica whose creation it announces (if any).
  std::map<uint64_t, std::optional<Gpid>> index_tokens_;
  // Those of them that move a replica's first plog segment (ResetPrivateLog): token -> (replica,
  // segment).
  std::map<uint64_t, std::pair<Gpid, int32_t>> log_resets_;
  // Per live replica, the segment of its init-info file that records go to.
  std::map<Gpid, int32_t> init_info_segment_;
  // Init-info appends in flight: token -> the replica, and whether the append is the record that
  // creates it (Pegasus's open_new_internal fails the creation when it cannot write it).
  struct InitInfoWrite {
    Gpid gpid;
    bool creation = false;
  };
  std::map<uint64_t, InitInfoWrite> init_info_tokens_;

  // Lease (PEGASUS.md §1.9): valid iff now < last_acked_send_time_ + lease. (Under the bug zoo's
  // lease_from_ack_time it holds the ack's arrival instead.)
  std::optional<Time> last_acked_send_time_;
  // The meta server beaconed (options_.meta_servers[meta_index_]), and the beacons sent to it
  // since its last ack: after kBeaconsBeforeRotating unanswered ones the next meta is tried.
  size_t meta_index_ = 0;
  int beacons_unanswered_ = 0;
  // The meta last left because it did not answer: a follower's stale hint (it names the leader
  // it last saw, which may be that very meta, crashed) does not send the beacons back to it
  // until a leader acks.
  std::optional<NodeId> silent_meta_;
  static constexpr int kBeaconsBeforeRotating = 3;
  // Invariant: connected_ => the lease was valid at the last step.
  bool connected_ = false;
  // A config sync response is adopted only after a request sent while connected.
  bool sync_sent_while_connected_ = false;
  std::optional<Time> last_sync_sent_;
  // The config sync awaiting its answer (query_configuration_by_node keeps one call outstanding):
  // an answer to any other, held in the network past a newer one, would hand the server a
  // configuration meta has replaced since, a primary's role among them. Ids (of config syncs and
  // of replicas' config update requests, one counter) start at a value drawn at construction, so
  // that an answer to a request of an earlier incarnation of the server never matches.
  std::optional<uint64_t> outstanding_sync_;
  uint64_t last_call_id_ = 0;
  // This process's incarnation id (IncarnationId of its boot), sent with every beacon and config
  // sync so that meta can tell an earlier incarnation's late reports (ServerIncarnations).
  uint64_t incarnation_ = 1;
  // The newest leader stamp from a beacon ack (BeaconAck::meta_epoch, deaths).
  uint64_t acked_meta_epoch_ = 0;
  uint64_t acked_deaths_ = 0;
  // First-primary proposals whose replica this server created and whose index entry is not
  // durable yet: taken up once it is (OnIndexDone), as Pegasus's server, which creates the replica
  // synchronously, takes the proposal up at once. With the meta server that sent each.
  std::map<Gpid, std::pair<NodeId, ConfigProposal>> first_primary_proposals_;
  // Per partition, the ballot of the newest config-sync answer that listed this server a member.
  // A report that the server lacks the replica, or holds it failed, names it
  // (ConfigSyncRequest::missing), so that meta can tell a current report from a delayed one.
  std::map<Gpid, Ballot> listed_ballot_;
  // Per partition, the listed ballot last reported missing: a newer listing is reported at once.
  std::map<Gpid, Ballot> reported_missing_;
  // Fail-stop: the server could not load its replicas; it ignores every input.
  bool stopped_ = false;
  Time step_clock_;  // the `now` of the input being handled (StepClock)
};

}  // namespace pg
