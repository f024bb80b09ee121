// Learning, the primary's side: Pegasus src/replica/replica_learn.cpp (add_potential_secondary,
// on_learn, on_learn_completion_notification, upgrade_to_secondary_on_primary) and
// PEGASUS.md §1.7.
//
// What a learner gets is chosen as Pegasus chooses: LT_CACHE when the in-memory recent mutations
// reach back to the learner's next decree, LT_LOG when the private log still holds it (it is not
// below the log's garbage-collected decree), LT_APP (a checkpoint of the engine) otherwise, and
// always when the learner has committed more than this primary (it must start from scratch).
#include <algorithm>

#include "core/common/assert.h"
#include "core/common/log.h"
#include "core/replica/replica.h"

namespace pg {

// add_potential_secondary, on meta's CT_ADD_SECONDARY proposal.
void Replica::AddLearner(NodeId node, bool for_lb, Outbox& out) {
  PG_ASSERT(status_ == PartitionStatus::kPrimary);
  PG_ASSERT(node != host_->self() && !primary_.pending_change);
  auto it = primary_.learners.find(node);
  if (it == primary_.learners.end()) {
    // Pegasus: next_learning_version = (ballot << 32) + 1, counting up: unique across ballots.
    const uint64_t signature =
        (static_cast<uint64_t>(ballot_.value()) << 32) | static_cast<uint64_t>(++learner_seq_);
    it = primary_.learners.emplace(node, LearnerProgress{.signature = signature}).first;
    out.Mark("learn.add_learner");
  }
  it->second.for_lb = it->second.for_lb || for_lb;
  // Sent again on every proposal: the learner ignores a signature it already has.
  out.Send(node, AddLearnerRequest{
                     .config = ReplicaConfiguration{.gpid = gpid_,
                                                    .ballot = ballot_,
                                                    .primary = host_->self(),
                                                    .status = PartitionStatus::kPotentialSecondary,
                                                    .learner_signature = it->second.signature},
                     .partition_count = partition_count_});
}

void Replica::SendPrepareToLearner(Time now, NodeId node, LearnerProgress& learner, Decree d,
                                   Outbox& out) {
  const PreparedMutation* slot = plist_.Get(d);
  PG_ASSERT(slot != nullptr && slot->mutation.ballot == ballot_);
  PG_ASSERT(learner.prepare_start && d >= *learner.prepare_start, "a prepare before its start");
  learner.unacked.emplace(d, now);
  out.Send(node, PrepareRequest{
                     .config = ReplicaConfiguration{.gpid = gpid_,
                                                    .ballot = ballot_,
                                                    .primary = host_->self(),
                                                    .status = PartitionStatus::kPotentialSecondary,
                                                    .learner_signature = learner.signature},
                     .mutation = slot->mutation});
}

// A learner's prepare ack: counted for its upgrade, and for a commit once it is joining.
void Replica::OnLearnerAck(Time now, NodeId from, const PrepareAck& ack, Outbox& out) {
  PG_ASSERT(status_ == PartitionStatus::kPrimary && ack.ballot == ballot_, "the front door's rule");
  auto it = primary_.learners.find(from);
  PG_ASSERT(it != primary_.learners.end());
  const bool joining = it->second.joining;
  if (ack.error == ErrorCode::kOk) {
    it->second.unacked.erase(ack.decree);
  } else if (ack.error != ErrorCode::kInactiveState && ack.error != ErrorCode::kTryAgain) {
    // The learner is not following this round: forget it; meta proposes it again.
    PG_LOG(kInfo, "replica {}: learner {} refused prepare {}: {}", gpid_, from, ack.decree,
           ErrorCodeName(ack.error));
    primary_.learners.erase(it);
  }
  if (joining) TryCommitOnPrimary(now, out);  // a commit may have waited for it
}

bool Replica::JoiningLearnerLacks(Decree d) const {
  return std::any_of(primary_.learners.begin(), primary_.learners.end(), [d](const auto& kv) {
    return kv.second.joining && kv.second.unacked.contains(d);
  });
}

// A learner that has not acked a prepare within prepare_timeout is dropped, as Pegasus's primary
// drops a learner whose prepare fails (handle_learning_error).
void Replica::CheckLearnerTimeouts(Time now, Outbox& out) {
  PG_ASSERT_EQ(status_, PartitionStatus::kPrimary);
  bool dropped_joining = false;
  std::erase_if(primary_.learners, [&](const auto& kv) {
    const auto& [node, learner] = kv;
    for (const auto& [d, sent] : learner.unacked) {
      if (now - sent >= host_->options().prepare_timeout) {
        PG_LOG(kInfo, "replica {}: learner {} did not ack prepare {}; dropping it", gpid_, node, d);
        out.Mark("learn.learner_timeout");
        dropped_joining = dropped_joining || learner.joining;
        return true;
      }
    }
    return false;
  });
  if (dropped_joining) TryCommitOnPrimary(now, out);  // commits that waited for it go on
}

// A learn response's header: this ballot, this primary, the learner's round.
LearnResponse Replica::LearnResponseTo(const LearnRequest& req) const {
  PG_ASSERT_EQ(req.gpid, gpid_);
  return LearnResponse{
      .gpid = gpid_,
      .config = ReplicaConfiguration{.gpid = gpid_,
                                     .ballot = ballot_,
                                     .primary = host_->self(),
                                     .status = PartitionStatus::kPotentialSecondary,
                                     .learner_signature = req.signature},
      .request_in_round = req.request_in_round};
}

// on_learn, at a primary (the front door answered the others).
void Replica::OnLearn(Time now, NodeId from, const LearnRequest& req, Outbox& out) {
  PG_ASSERT_EQ(status_, PartitionStatus::kPrimary, "the front door hands learn requests by role");
  PG_ASSERT_EQ(req.gpid, gpid_);
  LearnResponse resp = LearnResponseTo(req);
  auto reply = [&](ErrorCode e) {
    resp.error = e;
    out.Send(from, resp);
  };
  auto it = primary_.learners.find(from);
  if (it == primary_.learners.end() || it->second.signature != req.signature) {
    // A learner of an earlier round (6aa11dea4): it must not learn on an old signature.
    out.Mark("learn.stale_signature");
    return reply(ErrorCode::kObjectNotFound);
  }
  LearnerProgress& learner = it->second;
  if (req.request_in_round == 1 && learner.prepare_start) {
    // The learner (re)started its round under this signature (it went inactive and meta's
    // proposal added it again): a new round drops what it prepared above its commit point
    // (OnAddLearner), acked or not, so the prepares from the old start would never reach it again
    // and it could be upgraded without a decree committed meanwhile. Start 2PC over for it. A
    // duplicate of a round's first request only re-sends prepares it already holds.
    out.Mark("learn.round_restarted");
    learner.prepare_start.reset();
    learner.unacked.clear();
    learner.joining = false;
  }
  // The learner committed decrees this primary has prepared but not yet committed (a new primary
  // still reconciling, whose old group committed them): they will commit here, so the learner
  // waits and keeps them, where a checkpoint of this primary's older state would take its commit
  // point back (scenarios/regressions/pegasus_swarm_seed55_invariant_monotonic.json). Past
  // max_decree it is another history: BuildLearnResponse.
  const Decree learner_committed = req.last_committed_decree_in_app;
  if (learner_committed > plist_.last_committed() && learner_committed <= plist_.max_decree()) {
    out.Mark("learn.learner_ahead_wait");
    return reply(ErrorCode::kTryAgain);
  }
  if (!learner.prepare_start) {
    // From here on 2PC covers the learner: everything uncommitted is sent to it now, and every
    // later prepare too. The learner learns the rest.
    learner.prepare_start = plist_.last_committed().next();
    for (Decree d = *learner.prepare_start; d <= plist_.max_decree(); d = d.next()) {
      SendPrepareToLearner(now, from, learner, d, out);
    }
  }
  Status engine_failure;
  out.Send(from, BuildLearnResponse(req, learner, &engine_failure));
  if (engine_failure.code() == ErrorCode::kCorruption) {
    // The engine's checkpoint scan found a block that fails its checksum: this primary's data is
    // damaged, and the next client read of it would fail too (replica.cpp on_client_read ->
    // handle_local_failure(ERR_RDB_CORRUPTION)). Fail-stop now rather than refuse every learner.
    out.Mark("replica.checkpoint_corrupt");
    Fail(out, engine_failure);
  }
}

LearnResponse Replica::BuildLearnResponse(const LearnRequest& req, const LearnerProgress& learner,
                                          Status* engine_failure) {
  PG_ASSERT_EQ(req.signature, learner.signature);
  LearnResponse resp = LearnResponseTo(req);
  resp.prepare_start_decree = *learner.prepare_start;
  resp.last_committed_decree = plist_.last_committed();
  const Decree committed = plist_.last_committed();
  const Decree start = req.last_committed_decree_in_app.next();
  const Decree end =
      std::min(committed, Decree(start.value() + host_->options().learn_max_mutations - 1));
  auto checkpoint = [&]() {
    resp.type = LearnType::kApp;
    Result<pg::Checkpoint> cp = engine_->TakeCheckpoint();
    if (!cp.ok()) {
      PG_LOG(kWarn, "replica {}: checkpoint for learner failed: {}", gpid_, cp.status().ToString());
      *engine_failure = cp.status();
      resp.error = ErrorCode::kTryAgain;
      return resp;
    }
    PG_ASSERT_EQ(cp->decree, committed);
    resp.checkpoint = std::move(cp).value();
    return resp;
  };
  if (start > committed.next()) {
    // The learner committed decrees this primary has not: its state is of another history's
    // future (an old primary's). It starts from scratch.
    return checkpoint();
  }
  if (start > committed) {
    resp.type = LearnType::kCache;  // nothing committed to learn
    return resp;
  }
  if (!committed_cache_.empty() && committed_cache_.front().decree <= start) {
    resp.type = LearnType::kCache;
    for (const Mutation& mu : committed_cache_) {
      if (mu.decree >= start && mu.decree <= end) resp.mutations.push_back(mu);
    }
    return resp;
  }
  if (start > log_gc_decree_ && CollectFromLog(start, end, &resp.mutations)) {
    resp.type = LearnType::kLog;
    return resp;
  }
  resp.mutations.clear();
  return checkpoint();
}

// The committed mutations [from, to] as the private log holds them: of each decree, the record of
// the largest ballot (the one that committed: a later ballot re-prepares the same updates). False
// when the log cannot be read or lacks one of them.
bool Replica::CollectFromLog(Decree from, Decree to, std::vector<Mutation>* out) const {
  PG_ASSERT_GT(from, log_gc_decree_, "the log below the gc decree counts as collected");
  PG_ASSERT(out != nullptr && out->empty());
  const SegmentedRead read = host_->ReadPrivateLog(gpid_, first_log_segment_);
  if (!read.status.ok()) return false;
  std::map<Decree, const LogRecord*> best;
  for (const LogRecord& r : read.records) {
    if (r.decree < from || r.decree > to) continue;
    auto [it, inserted] = best.emplace(r.decree, &r);
    if (!inserted && r.ballot >= it->second->ballot) it->second = &r;
  }
  if (static_cast<int64_t>(best.size()) != to.value() - from.value() + 1) return false;
  for (const auto& [d, r] : best) {
    Result<std::vector<WriteUpdate>> updates = Decode<std::vector<WriteUpdate>>(r->payload);
    if (!updates.ok()) return false;
    out->push_back(Mutation{.ballot = r->ballot,
                            .decree = d,
                            .last_committed_decree = r->last_committed,
                            .updates = std::move(*updates)});
  }
  return true;
}

// on_learn_completion_notification: a learner that holds everything below its prepare start and
// has acked every committed prepare sent to it becomes a secondary once meta has persisted it
// (CT_UPGRADE_TO_SECONDARY, ballot + 1; upgrade_to_secondary_on_primary). Its uncommitted ones
// need no ack: the primary re-prepares every uncommitted decree to the new group when the change
// lands (BecomePrimary). With a committed one unacked, the learner is joining (LearnerProgress).
void Replica::OnLearnCompletionNotify(Time now, NodeId from, const LearnCompletionNotify& n,
                                      Outbox& out) {
  PG_ASSERT_EQ(status_, PartitionStatus::kPrimary, "the front door hands notices by role");
  PG_ASSERT(!primary_.pending_change);
  LearnCompletionResponse resp{.gpid = gpid_, .signature = n.signature};
  auto reply = [&](ErrorCode e) {
    resp.error = e;
    out.Send(from, resp);
  };
  auto it = primary_.learners.find(from);
  if (it == primary_.learners.end() || it->second.signature != n.signature ||
      !it->second.prepare_start) {
    out.Mark("learn.stale_signature");
    return reply(ErrorCode::kObjectNotFound);
  }
  if (n.last_committed_decree_in_app.next() < *it->second.prepare_start) {
    // The learner's state does not reach the prepares it is sent: it took the answer of an
    // earlier start of its round (the start moves when the round starts again: OnLearn), so it
    // must learn the rest; waiting would never close the gap.
    out.Mark("learn.completion_below_prepare_start");
    return reply(ErrorCode::kInconsistentState);
  }
  const auto& unacked = it->second.unacked;
  if (!unacked.empty() && unacked.begin()->first <= plist_.last_committed()) {
    if (!it->second.joining) out.Mark("learn.joining");
    it->second.joining = true;
    return reply(ErrorCode::kTryAgain);
  }
  if (MemberCount() >= config_.max_replica_count + (it->second.for_lb ? 1 : 0)) {
    const bool joining = it->second.joining;
    primary_.learners.erase(it);
    reply(ErrorCode::kInvalidState);  // the group filled up meanwhile
    if (joining) TryCommitOnPrimary(now, out);
    return;
  }
  PartitionConfiguration next = config_;
  next.ballot = ballot_.next();
  next.secondaries.push_back(from);
  out.Mark("learn.upgrade_to_secondary");
  RequestConfigUpdate(
      now,
      UpdateConfigRequest{.type = ConfigType::kUpgradeToSecondary, .config = next, .node = from},
      ballot_, out);
  reply(ErrorCode::kOk);
}

// Keeps the last learn_cache_decrees committed mutations for LT_CACHE.
void Replica::RememberCommitted(const Mutation& mu) {
  PG_ASSERT(engine_ != nullptr);
  PG_ASSERT_EQ(mu.decree, engine_->last_applied(), "only an applied mutation is remembered");
  if (!committed_cache_.empty() && committed_cache_.back().decree.next() != mu.decree) {
    committed_cache_.clear();  // a jump (a restored checkpoint): the cache restarts
  }
  committed_cache_.push_back(mu);
  while (static_cast<int>(committed_cache_.size()) > host_->options().learn_cache_decrees) {
    committed_cache_.pop_front();
  }
}

}  // namespace pg
