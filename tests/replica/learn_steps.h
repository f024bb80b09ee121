#pragma once
// Steps of a learning round seen from the replicas, shared by the learning tests: a primary kP
// with a secondary kS2 committing writes, and a learner kL meta adds (replica_harness.h).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/replica/replica_harness.h"

namespace pg::testing {

// Writes `first..last` through kP; kS2 logs and acks each, so they commit. Returns the prepares
// kP sent the learner kL, undelivered.
inline std::vector<PrepareRequest> CommitWrites(Harness& h, int first, int last) {
  std::vector<PrepareRequest> to_learner;
  for (int i = first; i <= last; ++i) {
    Outbox out =
        h.Deliver(kClient, kP, Write(OpKind::kSet, "h" + std::to_string(i), "s", "v", uint64_t(i)));
    h.CompleteLogs(kP);
    for (auto& [to, prep] : Sent<PrepareRequest>(out)) {
      if (to == kL) {
        to_learner.push_back(prep);
        continue;
      }
      h.Deliver(kP, to, prep);
      for (auto& [p, ack] : Sent<PrepareAck>(h.CompleteLogs(to))) h.Deliver(to, p, ack);
    }
  }
  return to_learner;
}

// Primary kP with one secondary kS2 (ballot 1); `writes` writes committed on both.
inline void StartPairWithWrites(Harness& h, int writes) {
  h.StartGroup({kS2});
  CommitWrites(h, 1, writes);
  ASSERT_EQ(h.View(kP).last_committed, Decree(writes));
}

inline ConfigProposal AddSecondary(const Harness& h, NodeId node) {
  return ConfigProposal{.type = ConfigType::kAddSecondary, .config = h.Config({kS2}), .node = node};
}

// Meta proposes kL twice (the first creates its replica, the second starts learning); returns
// the learner's first LearnRequest.
inline LearnRequest StartLearner(Harness& h) {
  h.BootEmpty(kL);
  for (int i = 0; i < 2; ++i) {
    for (auto& [to, add] : Sent<AddLearnerRequest>(h.Deliver(kMeta, kP, AddSecondary(h, kL)))) {
      EXPECT_EQ(to, kL);
      Outbox out = h.Deliver(kP, kL, add);
      h.CompleteLogs(kL);  // the index entry of a created replica
      auto reqs = Sent<LearnRequest>(out);
      if (!reqs.empty()) return reqs[0].second;
    }
  }
  ADD_FAILURE() << "the learner never asked to learn";
  return {};
}

// Delivers the learner's request to kP and kP's response back; returns the learner's effects.
inline Outbox LearnRound(Harness& h, const LearnRequest& req, LearnResponse* seen = nullptr) {
  Outbox at_primary = h.Deliver(kL, kP, req);
  auto resps = Sent<LearnResponse>(at_primary);
  EXPECT_EQ(resps.size(), 1u);
  if (resps.empty()) return {};
  if (seen) *seen = resps[0].second;
  // Prepares the primary sends the learner ride along.
  for (auto& [to, prep] : Sent<PrepareRequest>(at_primary)) {
    if (to == kL) h.Deliver(kP, kL, prep);
  }
  Outbox out = h.Deliver(kP, kL, resps[0].second);
  Outbox logged = h.CompleteLogs(kL);
  for (auto& [to, ack] : Sent<PrepareAck>(logged)) h.Deliver(kL, to, ack);
  for (Effect& e : logged.effects()) out.effects().push_back(std::move(e));
  return out;
}

}  // namespace pg::testing
