// A replica whose engine reports kCorruption (RocksDB: a table block or MANIFEST record failing
// its checksum) fail-stops to PS_ERROR and never serves a value (Pegasus: replica.cpp
// on_client_read and replication_app_base.cpp apply_mutation -> handle_local_failure(
// ERR_RDB_CORRUPTION), which sets _data_corrupted); once meta has it collected, the server
// discards the engine's files (replica_stub.cpp close_replica -> move_to_err_path), so that a
// later replica of the partition there starts empty and learns.
#include <gtest/gtest.h>

#include "tests/replica/replica_harness.h"

namespace pg::testing {
namespace {

// What the engines of one test share: whether their stored data now fails its checksums, and
// which gpids the server discarded.
struct RotState {
  bool rotten = false;
  bool open_fails = false;
  std::vector<Gpid> discarded;
};

Status RotStatus() {
  return Status(ErrorCode::kCorruption, "rocksdb get: Corruption: block checksum");
}

// A MemEngine whose reads, scans and flushes fail with kCorruption once `rotten` is set.
class RottingEngine final : public KvEngine {
 public:
  explicit RottingEngine(std::shared_ptr<RotState> state) : state_(std::move(state)) {}
  Status ApplyBatch(Decree decree, const WriteBatch& batch) override {
    return mem_.ApplyBatch(decree, batch);  // a memtable write reads no stored block
  }
  Result<std::optional<std::string>> Get(std::string_view hashkey, std::string_view sortkey,
                                         Time now) const override {
    if (state_->rotten) return Seen();
    return mem_.Get(hashkey, sortkey, now);
  }
  Result<std::vector<SortkeyValue>> MultiGet(std::string_view hashkey, Time now) const override {
    if (state_->rotten) return Seen();
    return mem_.MultiGet(hashkey, now);
  }
  Result<std::vector<ScanRecord>> Scan(Time now) const override {
    if (state_->rotten) return Seen();
    return mem_.Scan(now);
  }
  Decree last_applied() const override { return mem_.last_applied(); }
  Decree last_durable() const override { return mem_.last_durable(); }
  Status Flush() override { return mem_.Flush(); }
  Result<Checkpoint> TakeCheckpoint() const override {
    if (state_->rotten) return Seen();
    return mem_.TakeCheckpoint();
  }
  Status RestoreCheckpoint(const Checkpoint& checkpoint) override {
    return mem_.RestoreCheckpoint(checkpoint);
  }
  Result<std::unique_ptr<KvEngine>> Clone() const override { return mem_.Clone(); }
  void CheckInvariants() const override { mem_.CheckInvariants(); }
  bool data_corrupted() const override { return seen_; }

 private:
  Status Seen() const {
    seen_ = true;
    return RotStatus();
  }
  std::shared_ptr<RotState> state_;
  MemEngine mem_;
  mutable bool seen_ = false;
};

ReplicaServerOptions RottingOptions(const std::shared_ptr<RotState>& state) {
  ReplicaServerOptions o = DefaultOptions();
  o.open_engine = [state](Gpid) -> Result<std::unique_ptr<KvEngine>> {
    if (state->open_fails) return RotStatus();
    return std::unique_ptr<KvEngine>(std::make_unique<RottingEngine>(state));
  };
  o.discard_engine = [state](Gpid gpid) { state->discarded.push_back(gpid); };
  return o;
}

TEST(ReplicaEngineCorruption, AReadThatFindsCorruptionFailsThePrimaryAndAnswersNoValue) {
  auto state = std::make_shared<RotState>();
  Harness h(RottingOptions(state));
  h.StartGroup();
  state->rotten = true;
  Outbox out = h.Deliver(kClient, kP, Get("h", "s"));
  for (const auto& [to, resp] : Sent<ClientResponse>(out)) {
    EXPECT_NE(resp.error, ErrorCode::kOk) << "served a read from a corrupted engine";
  }
  EXPECT_TRUE(HasMark(out, "replica.error"));
  EXPECT_EQ(h.View(kP).status, PartitionStatus::kError);
}

TEST(ReplicaEngineCorruption, AnIdempotentIncrWhoseReadFindsCorruptionFailsThePrimary) {
  auto state = std::make_shared<RotState>();
  ReplicaServerOptions options = RottingOptions(state);
  options.atomic_idempotent = true;
  Harness h(options);
  h.StartGroup();
  state->rotten = true;
  ClientRequest incr = Write(OpKind::kIncr, "h", "s");
  incr.increment = 1;
  Outbox out = h.Deliver(kClient, kP, incr);
  EXPECT_TRUE(Sent<PrepareRequest>(out).empty()) << "prepared a write computed from damage";
  EXPECT_EQ(h.View(kP).status, PartitionStatus::kError);
}

TEST(ReplicaEngineCorruption, AReExecutedIncrWhoseReadFindsCorruptionFailsTheReplicaAtApply) {
  auto state = std::make_shared<RotState>();
  Harness h(RottingOptions(state));
  h.StartGroup();
  ClientRequest incr = Write(OpKind::kIncr, "h", "s");
  incr.increment = 1;
  Outbox p = h.Deliver(kClient, kP, incr);
  ASSERT_EQ(Sent<PrepareRequest>(p).size(), 2u) << "nothing is read before the prepare";
  state->rotten = true;
  h.CompleteLogs(kP);
  Outbox answers;
  for (auto& [to, prep] : Sent<PrepareRequest>(p)) {
    h.Deliver(kP, to, prep);
    for (auto& [dest, ack] : Sent<PrepareAck>(h.CompleteLogs(to))) {
      Outbox o = h.Deliver(to, dest, ack);
      for (const Effect& e : o.effects()) answers.effects().push_back(e);
    }
  }
  EXPECT_TRUE(Sent<ClientResponse>(answers).empty()) << "answered from a damaged read";
  EXPECT_EQ(h.View(kP).status, PartitionStatus::kError);
}

TEST(ReplicaEngineCorruption, ACollectedCorruptedReplicaHasItsEngineDiscarded) {
  auto state = std::make_shared<RotState>();
  Harness h(RottingOptions(state));
  h.StartGroup();
  state->rotten = true;
  h.Deliver(kClient, kS2, Get("h", "s"));  // a secondary does not read: nothing seen
  EXPECT_NE(h.View(kS2).status, PartitionStatus::kError);
  h.Deliver(kClient, kP, Get("h", "s"));
  ASSERT_EQ(h.View(kP).status, PartitionStatus::kError);
  EXPECT_TRUE(state->discarded.empty()) << "discarded before meta collected it";
  Outbox gc = h.Deliver(kMeta, kP, ConfigSyncResponse{.gc_replicas = {kGpid}});
  EXPECT_TRUE(HasMark(gc, "replica_server.corrupt_engine_discarded"));
  EXPECT_EQ(state->discarded, std::vector<Gpid>{kGpid});
}

TEST(ReplicaEngineCorruption, AnEngineThatFailsToOpenCorruptIsPsErrorAndDiscardedWhenCollected) {
  auto state = std::make_shared<RotState>();
  Harness h(RottingOptions(state));
  h.StartGroup();
  state->open_fails = true;
  h.Build(kS2);
  Outbox boot = h.Step(kS2, Boot{});
  EXPECT_TRUE(HasMark(boot, "replica.engine_open_corrupt"));
  EXPECT_EQ(h.View(kS2).status, PartitionStatus::kError);
  h.Deliver(kMeta, kS2, BeaconAck{.send_time = h.now, .is_master = true});
  Outbox gc = h.Deliver(kMeta, kS2, ConfigSyncResponse{.gc_replicas = {kGpid}});
  EXPECT_TRUE(HasMark(gc, "replica_server.corrupt_engine_discarded"));
  EXPECT_EQ(state->discarded, std::vector<Gpid>{kGpid});
}

TEST(ReplicaEngineCorruption, AnIoErrorAtOpenIsNotCorruptionAndDiscardsNothing) {
  auto state = std::make_shared<RotState>();
  ReplicaServerOptions o = RottingOptions(state);
  bool fail = false;
  o.open_engine = [state, &fail](Gpid) -> Result<std::unique_ptr<KvEngine>> {
    if (fail) return Status(ErrorCode::kIoError, "injected");
    return std::unique_ptr<KvEngine>(std::make_unique<RottingEngine>(state));
  };
  Harness h(o);
  h.StartGroup();
  fail = true;
  h.Build(kS2);
  Outbox boot = h.Step(kS2, Boot{});
  EXPECT_FALSE(HasMark(boot, "replica.engine_open_corrupt"));
  EXPECT_EQ(h.View(kS2).status, PartitionStatus::kError);
  h.Deliver(kMeta, kS2, BeaconAck{.send_time = h.now, .is_master = true});
  h.Deliver(kMeta, kS2, ConfigSyncResponse{.gc_replicas = {kGpid}});
  EXPECT_TRUE(state->discarded.empty());
}

// kP (with kS2) commits `n` writes, flushes, and collects its log: a learner from scratch needs a
// checkpoint. Returns the learner kL's first LearnRequest.
LearnRequest CheckpointLearnerOfRottenPrimary(Harness& h, int n) {
  h.StartGroup({kS2});
  for (int i = 1; i <= n; ++i) {
    Outbox out =
        h.Deliver(kClient, kP, Write(OpKind::kSet, "h" + std::to_string(i), "s", "v", uint64_t(i)));
    h.CompleteLogs(kP);
    for (auto& [to, prep] : Sent<PrepareRequest>(out)) {
      h.Deliver(kP, to, prep);
      for (auto& [p, ack] : Sent<PrepareAck>(h.CompleteLogs(to))) h.Deliver(to, p, ack);
    }
  }
  h.Fire(kP, MakeReplicaTimerId(kGpid, ReplicaTimer::kCheckpoint));
  h.BootEmpty(kL);
  const ConfigProposal add{
      .type = ConfigType::kAddSecondary, .config = h.Config({kS2}), .node = kL};
  for (int i = 0; i < 2; ++i) {
    for (auto& [to, learner] : Sent<AddLearnerRequest>(h.Deliver(kMeta, kP, add))) {
      Outbox out = h.Deliver(kP, kL, learner);
      h.CompleteLogs(kL);
      auto reqs = Sent<LearnRequest>(out);
      if (!reqs.empty()) return reqs[0].second;
    }
  }
  ADD_FAILURE() << "the learner never asked to learn";
  return {};
}

TEST(ReplicaEngineCorruption, APrimaryWhoseCheckpointForALearnerFindsCorruptionFailStops) {
  auto state = std::make_shared<RotState>();
  ReplicaServerOptions o = RottingOptions(state);
  o.learn_cache_decrees = 1;
  o.plog_gc_reserve_decrees = 0;
  Harness h(o);
  const LearnRequest req = CheckpointLearnerOfRottenPrimary(h, 4);
  state->rotten = true;
  Outbox out = h.Deliver(kL, kP, req);
  EXPECT_TRUE(HasMark(out, "replica.checkpoint_corrupt"));
  for (const auto& [to, resp] : Sent<LearnResponse>(out)) {
    EXPECT_FALSE(resp.checkpoint.has_value());
    EXPECT_EQ(resp.error, ErrorCode::kTryAgain);
  }
  EXPECT_EQ(h.View(kP).status, PartitionStatus::kError);
}

// A dropped replica's engine stays on the disk and nobody opens it, so damage there goes unseen
// until a new replica of the gpid is created on the server: that one must not stay refused
// forever.
TEST(ReplicaEngineCorruption, ANewReplicaOverACorruptedEngineDiscardsItAndStartsEmpty) {
  auto state = std::make_shared<RotState>();
  ReplicaServerOptions o = RottingOptions(state);
  o.discard_engine = [state](Gpid gpid) {
    state->discarded.push_back(gpid);
    state->open_fails = false;  // the damaged files are gone: the next open makes a new engine
  };
  Harness h(o);
  h.BootEmpty(kL);
  state->open_fails = true;
  const AddLearnerRequest add{.config = {.gpid = kGpid,
                                         .ballot = Ballot(1),
                                         .primary = kP,
                                         .status = PartitionStatus::kPotentialSecondary,
                                         .learner_signature = 1},
                              .partition_count = 1};
  Outbox created = h.Deliver(kP, kL, add);
  EXPECT_TRUE(HasMark(created, "replica_server.corrupt_engine_discarded"));
  EXPECT_TRUE(HasMark(created, "replica_server.replica_created"));
  EXPECT_EQ(state->discarded, std::vector<Gpid>{kGpid});
}

}  // namespace
}  // namespace pg::testing
