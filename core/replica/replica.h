#pragma once
// One partition's PacificA state machine as Pegasus implements it (src/replica/replica*.cpp):
// primary-driven two-phase commit with the commit point riding on prepares and group checks,
// empty writes, configuration changes through meta (a failed member removed, a secondary made
// primary and reconciled, the balancer's moves, the assign after every replica went down),
// learning (a new member catches up from the primary's cache, log or a checkpoint), boot-time log
// replay and checkpoints.
//
// Every message enters by the front door (replica_front_door.cc): it compares the message's
// ballot with the replica's once, by its kind's rule (kBallotRules in replica_front_door.h), and
// hands it to the handler of the replica's role; handlers assume what the door checked. Replica
// is one class because every role reads and writes the same state (status, ballot, configuration,
// prepare list, log); the role-specific state lives in role structs (PrimaryState in
// replica_primary.h, LearnerState in replica_learner.h), and the private part below is sectioned
// by role, each section naming the file that defines it.
//
// Status (PEGASUS.md §1.2). Invariants: PRIMARY => config_.primary == self and the ballot is
// config_'s; 2PC runs only in PRIMARY; while a config change is pending the replica is
// INACTIVE-transient and keeps its primary bookkeeping (client replies survive the re-prepare).
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/ids.h"
#include "core/common/status.h"
#include "core/node/io.h"
#include "core/proto/message.h"
#include "core/replica/prepare_list.h"
#include "core/replica/replica_learner.h"
#include "core/replica/replica_log.h"
#include "core/replica/replica_options.h"
#include "core/replica/replica_primary.h"
#include "core/replica/scanner_cache.h"
#include "core/replica/write_executor.h"
#include "core/storage/kv_engine.h"

namespace pg {

// A replica's timers; the server maps (gpid, kind) to one TimerId.
enum class ReplicaTimer : uint8_t {
  kGroupCheck = 1,      // primary: group check + empty write (replica_check.cpp)
  kPrepareTimeout = 2,  // primary: earliest outstanding prepare's deadline
  kConfigRetry = 3,     // primary waiting for meta: resend the config update (every 1 s, Pegasus)
  kPrepareRetry = 4,    // primary: resend prepares answered kInactiveState/kTryAgain
  kCheckpoint = 5,      // any open replica: flush the engine (replica_chkpt.cpp)
  kLearn = 6,           // learner: resend its learn request or completion notice
  kLast = kLearn,
};
TimerId MakeReplicaTimerId(Gpid gpid, ReplicaTimer kind);

// The front door's types (replica_front_door.h).
struct Admission;
struct BallotClaim;
enum class BallotRelation : uint8_t;

class Replica {
 public:
  // An open replica: PS_INACTIVE, commit point = the engine's last applied decree. Its plog
  // segment `log_segment` is where appends go.
  Replica(ReplicaHost* host, Gpid gpid, std::unique_ptr<KvEngine> engine, int32_t log_segment);
  // A replica whose engine or log could not be opened: PS_ERROR from the start. `engine_corrupt`:
  // the engine's open found its files corrupt (data_corrupted).
  Replica(ReplicaHost* host, Gpid gpid, const Status& why, bool engine_corrupt = false);

  // ---- Views (replica.cc) ----
  Gpid gpid() const { return gpid_; }
  PartitionStatus status() const { return status_; }
  Ballot ballot() const { return ballot_; }
  Decree last_committed() const { return plist_.last_committed(); }
  Decree last_prepared() const { return plist_.max_decree(); }
  const std::string& log_file() const { return log_file_; }
  bool announced() const { return announced_; }
  // Its engine reported stored data failing a checksum (Pegasus's is_data_corrupted): when the
  // replica closes, its engine's files are discarded rather than reused.
  bool data_corrupted() const {
    return open_failed_corrupt_ || (engine_ != nullptr && engine_->data_corrupted());
  }
  bool ServingAsPrimary(Time now) const;
  ReplicaInfo Info() const;
  std::optional<uint64_t> CommittedDigest(Decree d) const;
  // The digest of committed mutation d alone (its encoded updates), for decrees this incarnation
  // applied (above the engine's state at open); nullopt otherwise. Comparing these at every
  // decree, as the simulator's committed_prefix invariant does, compares whole sequences even
  // for a replica that restarted from a checkpoint.
  std::optional<uint64_t> MutationDigest(Decree d) const;
  void CheckInvariants() const;

  // ---- The front door (replica_front_door.cc) ----
  // Every message the server routes to this replica: client requests, 2PC, group check, meta's
  // proposals and replies, learning.
  void OnMessage(Time now, NodeId from, const Message& msg, Outbox& out);
  // One partition's configuration from meta's config sync answer (on_config_sync).
  void OnConfigSync(Time now, const PartitionConfiguration& pc, Outbox& out);
  void OnTimer(Time now, ReplicaTimer kind, Outbox& out);

  // ---- Inputs that carry no ballot, straight to their handler ----
  // Log completions (replica_secondary.cc).
  void OnLogAppended(Time now, uint64_t token, Outbox& out);
  void OnLogFailed(Time now, uint64_t token, const Status& status, Outbox& out);
  // The index entry of a log reset (StartFreshLog) to `segment` is durable, or failed
  // (replica_learner.cc).
  void OnLogReset(Time now, int32_t segment, const Status* failure, Outbox& out);
  // replica_stub::on_meta_server_disconnected: every replica goes PS_INACTIVE (transient); a
  // primary abandons its outstanding prepares and clients (their outcome is unknown)
  // (replica_reconfig.cc).
  void OnLeaseLapse(Time now, Outbox& out);

  // ---- Boot and announcement (replica_restart.cc) ----
  // Pegasus's init_app_and_prepare_list + replay_mutation: records at or below the engine's
  // decree are skipped; each record first commits up to its header's last_committed (what later
  // headers prove committed), then enters the prepare list as logged. The uncommitted suffix
  // stays prepared. Corruption => PS_ERROR. The ballot starts at `init_ballot`, the one the
  // replica persisted in its init info, and rises to the largest one logged; a rise is persisted.
  void Replay(const SegmentedRead& read, Ballot init_ballot, Outbox& out);
  // The index entry announcing this replica is durable: until then it takes no role.
  void MarkAnnounced(Time now, Outbox& out);
  // A replica created by config sync takes no role until its index entry is durable.
  void MarkUnannounced() { announced_ = false; }
  // The first plog segment of this incarnation (where a read of the whole log starts).
  void SetFirstLogSegment(int32_t segment) { first_log_segment_ = segment; }
  // Loaded from disk at the server's boot (not created for a new table): if meta still lists it
  // as primary, it must take a new ballot before acting (CT_PRIMARY_FORCE_UPDATE_BALLOT).
  void MarkLoadedAtBoot() { loaded_at_boot_ = true; }

  // ---- Lifetime (replica_checkpoint.cc, replica.cc) ----
  // Arms the first checkpoint timer (the server calls it once the replica is open).
  void StartCheckpoints(Outbox& out);
  // Before the server drops this replica (gc): cancels its timers.
  void Close(Outbox& out);

 private:
  struct PendingAppend {
    uint64_t token = 0;
    Ballot ballot;
    Decree decree;
    bool done = false;
  };

  // ---- The front door (replica_front_door.cc) ----
  // One Admit per message kind: the checks that precede the ballot, the kind's ballot rule, then
  // the role handler.
  void Admit(Time now, NodeId from, const ClientRequest& req, Outbox& out);
  void Admit(Time now, NodeId from, const GetScannerRequest& req, Outbox& out);
  void Admit(Time now, NodeId from, const ScanRequest& req, Outbox& out);
  void Admit(Time now, NodeId from, const PrepareRequest& req, Outbox& out);
  void Admit(Time now, NodeId from, const PrepareAck& ack, Outbox& out);
  void Admit(Time now, NodeId from, const GroupCheckRequest& req, Outbox& out);
  void Admit(Time now, NodeId from, const GroupCheckResponse& resp, Outbox& out);
  void Admit(Time now, NodeId from, const RemoveReplica& m, Outbox& out);
  void Admit(Time now, NodeId from, const ConfigProposal& p, Outbox& out);
  void Admit(Time now, NodeId from, const UpdateConfigResponse& r, Outbox& out);
  void Admit(Time now, NodeId from, const AddLearnerRequest& req, Outbox& out);
  void Admit(Time now, NodeId from, const LearnRequest& req, Outbox& out);
  void Admit(Time now, NodeId from, const LearnResponse& resp, Outbox& out);
  void Admit(Time now, NodeId from, const LearnCompletionNotify& n, Outbox& out);
  void Admit(Time now, NodeId from, const LearnCompletionResponse& resp, Outbox& out);
  // The sync's checks before the ballot rule; true when the sync needs nothing more.
  bool SyncHandledBeforeBallot(Time now, const PartitionConfiguration& pc, Outbox& out);
  // Applies the claim's kind's rule at its relation (kBallotRules): the one place a message's
  // ballot decides its fate. Adopts the configuration for kAdoptFromPrimary / kAdoptIfPrimary.
  Admission ApplyBallotRule(Time now, const BallotClaim& claim, Outbox& out);

  // ---- Status changes and what every role shares (replica.cc) ----
  void SetStatus(Time now, PartitionStatus s, Ballot b, bool transient, Outbox& out);
  // Writes the replica's ballot, with its engine's durable decree, to its init info (Pegasus's
  // update_init_info_ballot_and_decree), without waiting for it.
  void PersistBallot(Outbox& out);
  void BecomePrimary(Time now, Outbox& out);
  void AbandonPrimaryState(Outbox& out);
  // Fail-stop: uncertain durability or a broken engine. The replica never acks or serves again.
  void Fail(Outbox& out, const Status& why);
  // Moves this replica's log to another segment of its plog (a learner's reset).
  void SwitchLogSegment(int32_t segment);
  Status ApplyMutation(const Mutation& mu, std::vector<AppliedUpdate>* outcomes = nullptr);
  Status CommitSoft(Decree to);
  ReplicaConfiguration MemberConfig(PartitionStatus s) const;
  int MemberCount() const { return 1 + static_cast<int>(config_.secondaries.size()); }
  void AppendMutation(const Mutation& mu, Outbox& out);
  void CheckPrimaryInvariants() const;
  void CheckLearningInvariants() const;

  // ---- Primary: client writes, 2PC, commit, prepare timeouts (replica_primary_write.cc) ----
  void OnClientWrite(Time now, NodeId from, const ClientRequest& req, Outbox& out);
  ErrorCode WriteAdmission(Time now, const ClientRequest& req) const;
  ErrorCode RoutingCheck(uint64_t partition_hash) const;
  bool PipelineHasRoom() const;
  void PrepareNextWork(Time now, Outbox& out);
  static void AnswerFromApply(const std::vector<AppliedUpdate>& outcomes, ClientResponse& response);
  bool ExecuteAndPrepare(Time now, QueuedMutation work, Outbox& out);
  void InitPrepare(Time now, std::vector<WriteUpdate> updates, std::vector<PendingReply> replies,
                   Outbox& out);
  void SendPrepare(Time now, Decree d, Outbox& out);
  void ReplayPrepareList(Time now, Outbox& out);
  void OnPrepareAck(Time now, NodeId from, const PrepareAck& ack, Outbox& out);
  void TryCommitOnPrimary(Time now, Outbox& out);
  bool MajorityAckedUnderBug(const PrepareProgress& p) const;
  void ArmPrepareTimeout(Time now, Outbox& out);
  void ResendRetries(Time now, Outbox& out);
  void CheckPrepareTimeouts(Time now, Outbox& out);

  // ---- Primary: reads (replica_read.cc) and scans (replica_scan.cc) ----
  // replica::on_client_read's checks, in order: whether this replica may serve a read now
  // (kInvalidState), the request's arguments (`valid`, else kInvalidArgument), its route.
  ErrorCode ReadAdmission(Time now, bool valid, uint64_t partition_hash) const;
  void OnClientRead(Time now, NodeId from, const ClientRequest& req, Outbox& out);
  void OnGetScanner(Time now, NodeId from, const GetScannerRequest& req, Outbox& out);
  void OnScan(Time now, NodeId from, const ScanRequest& req, Outbox& out);
  Result<std::vector<ScanRecord>> ScanSnapshot(const GetScannerRequest& req, Time now) const;
  void ServeScanPage(Time now, std::vector<ScanRecord> rest, int32_t batch_size, ScanResponse& resp,
                     Outbox& out);
  int64_t ScannerIdBase() const;

  // ---- Secondary: prepares, log completions, acks (replica_secondary.cc) ----
  bool ValidPrepare(const PrepareRequest& req) const;
  void OnPrepare(NodeId from, const PrepareRequest& req, Outbox& out);
  bool AnswerIfAlreadyHeld(const Mutation& mu, NodeId from, Outbox& out);
  void AckPrepare(Decree d, ErrorCode error, NodeId to, Ballot ballot, Outbox& out);
  void OnLogged(Time now, const PendingAppend& a, Outbox& out);

  // ---- Group check, both sides (replica_check.cc) ----
  void BroadcastGroupCheck(Time now, Outbox& out);
  void OnGroupCheck(NodeId from, const GroupCheckRequest& req, Outbox& out);
  GroupCheckResponse GroupCheckReply(const GroupCheckRequest& req, ErrorCode error) const;
  void OnGroupCheckResponse(Time now, NodeId from, const GroupCheckResponse& resp, Outbox& out);

  // ---- Reconfiguration (replica_reconfig.cc) ----
  // Adopts meta's configuration (config sync, a newer proposal, an update reply).
  void AdoptMetaConfig(Time now, const PartitionConfiguration& pc, Outbox& out);
  // Adopts a newer ballot learned from its primary (prepare, group check); false when refused.
  bool AdoptReplicaConfig(Time now, const ReplicaConfiguration& rc, Outbox& out);
  void ReissueAbandonedChange(Time now, const PartitionConfiguration& pc, Outbox& out);
  void ForceUpdateBallot(Time now, const PartitionConfiguration& pc, Outbox& out);
  void OnMemberProposal(Time now, const ConfigProposal& p, Outbox& out);
  void AssignPrimary(Time now, const ConfigProposal& p, Outbox& out);
  // CT_ASSIGN_PRIMARY after all replicas went down.
  void AssignPrimaryFromDrops(Time now, const ConfigProposal& p, Outbox& out);
  void DowngradeToSecondary(Time now, const ConfigProposal& p, Outbox& out);
  void HandleRemoteFailure(Time now, NodeId node, Outbox& out,
                           ConfigType type = ConfigType::kDowngradeToInactive);
  // update_configuration_on_meta_server: `req` becomes the pending change, 2PC stops (transient
  // PS_INACTIVE at `ballot`), the request goes to meta and is retried every second until answered.
  void RequestConfigUpdate(Time now, UpdateConfigRequest req, Ballot ballot, Outbox& out);
  void SendConfigUpdate(Outbox& out);
  void OnUpdateConfigResponse(Time now, const UpdateConfigResponse& r, Outbox& out);
  void OnRemoveReplica(Time now, const RemoveReplica& m, Outbox& out);

  // ---- Learner (replica_learner.cc) ----
  void OnAddLearner(Time now, const AddLearnerRequest& req, BallotRelation relation, Outbox& out);
  void OnLearnerPrepare(NodeId from, const PrepareRequest& req, Outbox& out);
  void StartFreshLog(Outbox& out);
  void SendLearnRequest(Outbox& out);
  void SendLearnCompletion(Outbox& out);
  void GiveUpLearning(Time now, std::string_view why, Outbox& out);
  void OnLearnResponse(Time now, NodeId from, const LearnResponse& resp, Outbox& out);
  Status RestoreFromCheckpoint(const pg::Checkpoint& cp);
  void AcceptLearnedMutations(const LearnResponse& resp, Outbox& out);
  void OnLearnCompletionResponse(Time now, const LearnCompletionResponse& resp, Outbox& out);

  // ---- Primary's side of learning (replica_learn_primary.cc) ----
  void AddLearner(NodeId node, bool for_lb, Outbox& out);
  void SendPrepareToLearner(Time now, NodeId node, LearnerProgress& learner, Decree d, Outbox& out);
  void OnLearnerAck(Time now, NodeId from, const PrepareAck& ack, Outbox& out);
  // Whether a joining learner (LearnerProgress::joining) has not acked decree d.
  bool JoiningLearnerLacks(Decree d) const;
  void CheckLearnerTimeouts(Time now, Outbox& out);
  void OnLearn(Time now, NodeId from, const LearnRequest& req, Outbox& out);
  LearnResponse LearnResponseTo(const LearnRequest& req) const;
  // A failed engine checkpoint answers kTryAgain and leaves its status in *engine_failure.
  LearnResponse BuildLearnResponse(const LearnRequest& req, const LearnerProgress& learner,
                                   Status* engine_failure);
  bool CollectFromLog(Decree from, Decree to, std::vector<Mutation>* out) const;
  void OnLearnCompletionNotify(Time now, NodeId from, const LearnCompletionNotify& n, Outbox& out);
  void RememberCommitted(const Mutation& mu);

  // ---- Checkpoint (replica_checkpoint.cc) ----
  // Flushes the engine when it holds applied-but-not-durable decrees; re-arms the timer. A failed
  // flush is fail-stop: what the engine holds on disk is uncertain.
  void Checkpoint(Outbox& out);

  ReplicaHost* host_;
  Gpid gpid_;
  std::unique_ptr<KvEngine> engine_;  // null only in PS_ERROR from birth
  // PS_ERROR from birth because the engine's files failed a checksum at open.
  bool open_failed_corrupt_ = false;
  // Segment log_segment_ of the plog. The two change together, in the constructors and
  // SwitchLogSegment only, so that one never names a file of another segment.
  std::string log_file_;
  int32_t log_segment_ = 0;
  int32_t first_log_segment_ = 0;
  // This replica appended to log_file_ (it exists, or will once the append lands).
  bool log_written_ = false;
  // The log from first_log_segment_ on holds no record: nothing a replay could mistake for the
  // current history, so a learner need not start it afresh.
  bool log_empty_ = true;
  // A log reset whose index entry is not yet durable: its segment. A learner sends its first
  // request only once it is (StartFreshLog).
  std::optional<int32_t> log_reset_pending_;

  PartitionStatus status_ = PartitionStatus::kInactive;
  bool inactive_is_transient_ = false;
  // Invariant: ballot_ == ballot_high_; ballots never decrease. Every rise is persisted in the
  // init info (SetStatus, Replay), which a restart starts from.
  Ballot ballot_{0};
  Ballot ballot_high_{0};
  // The configuration as last adopted; for a secondary only ballot and primary are meaningful.
  PartitionConfiguration config_;
  int32_t partition_count_ = 0;  // 0 = unknown
  bool announced_ = true;
  bool loaded_at_boot_ = false;
  // From the replay at boot until the replica's status first changes: the largest ballot its log
  // holds. Above it, the ballot came from the init info alone (OnConfigSync).
  std::optional<Ballot> logged_ballot_at_boot_;
  // A CT_ASSIGN_PRIMARY request went out from a restarted (non-transient PS_INACTIVE) replica: a
  // refusal returns it there, so it stays ineligible for CT_UPGRADE_TO_PRIMARY.
  bool assign_from_restart_ = false;
  std::optional<PartitionConfiguration> stashed_config_;  // from meta before announcement
  // The change request this replica stopped waiting for when its lease lapsed. Meta may persist
  // it still (the request can reach meta after a config sync it answers from the older ballot),
  // so a sync naming this replica primary below the request's ballot is not taken as the truth:
  // the request is asked again (ReissueAbandonedChange). Cleared once the replica reaches that
  // ballot. Invariant: its ballot is above the replica's.
  std::optional<UpdateConfigRequest> abandoned_change_;

  PrepareList plist_;
  // In issue order; logged = a done prefix. Invariant: tokens strictly increase.
  std::deque<PendingAppend> pending_appends_;
  // The primary's state (replica_primary.h); kept through a transient PS_INACTIVE.
  PrimaryState primary_;
  // The learner's state (replica_learner.h). Set exactly while PS_POTENTIAL_SECONDARY.
  std::optional<LearnerState> learning_;
  // The newest learning signature this replica has learned under (0: none since it booted).
  // Signatures are (ballot << 32 | the primary's count), so they only grow in a partition's
  // history: an add-learner of a smaller one is a straggler of a round already replaced.
  uint64_t newest_learner_signature_ = 0;
  uint32_t learner_seq_ = 0;  // the low half of the next learning signature this primary hands out
  // The most recent committed mutations, contiguous and ending at the commit point: what LT_CACHE
  // learning serves (Pegasus keeps them in the prepare list's mutation cache).
  std::deque<Mutation> committed_cache_;
  // Plog records at or below this count as garbage-collected: Pegasus deletes plog files below
  // the durable decree minus a reserve; pegasim keeps the bytes but never learns from them, so a
  // learner too far behind gets a checkpoint (LT_APP).
  Decree log_gc_decree_{0};

  // Rolling digest of the committed sequence: digests_[i] is Digest(digest_base_ + 1 + i).
  // Known only when this incarnation saw the sequence from decree 0 (digest_base_ == 0).
  Decree digest_base_{0};
  std::vector<uint64_t> digests_;
  // The digest of each mutation this incarnation applied on its own: mutation_digests_[i] is
  // that of decree digest_base_ + 1 + i, whatever the base.
  std::vector<uint64_t> mutation_digests_;

  // Scans: the contexts between pages (Pegasus's _context_cache).
  ScannerCache scanners_;
};

}  // namespace pg
