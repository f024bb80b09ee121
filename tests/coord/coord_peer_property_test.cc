// Property: under any schedule of crashes (process and power loss), restarts, cut links, lost
// messages and stalled disks, a coordination quorum never has two leaders of one epoch, never
// commits different states at one zxid (both checked after every step by QuorumWorld), never
// loses a create it acknowledged, and once every fault heals it elects a leader that every peer
// follows and agrees with.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "tests/coord/coord_quorum_harness.h"

namespace pg::testing {
namespace {

struct QuorumAction {
  int kind = 0;  // see ApplyQuorumAction
  int peer = 0;
  int other = 0;
  int amount = 0;
};

rc::Gen<QuorumAction> GenQuorumAction() {
  return rc::gen::build<QuorumAction>(
      rc::gen::set(&QuorumAction::kind, rc::gen::inRange(0, 26)),
      rc::gen::set(&QuorumAction::peer, rc::gen::inRange(0, 3)),
      rc::gen::set(&QuorumAction::other, rc::gen::inRange(0, 3)),
      rc::gen::set(&QuorumAction::amount, rc::gen::inRange(1, 200)));
}

class QuorumRun {
 public:
  explicit QuorumRun(uint64_t seed) : w_(QuorumTestOptions(), seed) {
    w_.RunFor(Millis(300));
    Open(0);
    w_.RunFor(Millis(20));
    Collect();
  }

  void Apply(const QuorumAction& a) {
    const size_t p = static_cast<size_t>(a.peer);
    const size_t q = static_cast<size_t>(a.other);
    switch (a.kind) {
      case 0:
        if (w_.up(p)) w_.Crash(p);
        break;
      case 1:
      case 2:
        if (w_.up(p)) w_.PowerLoss(p);
        break;
      case 3:
      case 4:
        if (!w_.up(p)) w_.Boot(p);
        break;
      case 5:
        if (p != q) w_.Cut(w_.Id(p), w_.Id(q), true);
        break;
      case 6:
        if (p != q) w_.Cut(w_.Id(p), w_.Id(q), false);
        break;
      case 7:
      case 8:
        w_.HoldAppends(p, true);
        break;
      case 9:
        w_.HoldAppends(p, false);
        if (w_.up(p)) w_.CompleteAppends(p);
        break;
      case 10:
        drop_one_in_ = a.amount % 4 == 0 ? 0 : 2 + a.amount % 5;
        break;
      case 11:
        Open(p);
        break;
      default:
        if (a.kind < 22) {
          Create(p);
        } else {
          w_.RunFor(Millis(a.amount));
        }
        break;
    }
    w_.RunFor(Millis(5));
    Collect();
  }

  // Heals every fault and checks that the quorum comes back whole.
  void HealAndCheck() {
    drop_one_in_ = 0;
    for (size_t i = 0; i < w_.size(); ++i) {
      for (size_t j = 0; j < w_.size(); ++j) w_.Cut(w_.Id(i), w_.Id(j), false);
      w_.HoldAppends(i, false);
      if (w_.up(i)) w_.CompleteAppends(i);
    }
    for (size_t i = 0; i < w_.size(); ++i) {
      if (!w_.up(i)) w_.Boot(i);
    }
    w_.RunFor(Millis(1500));
    Collect();
    const std::optional<size_t> leader = w_.Leader();
    RC_ASSERT(leader.has_value());
    const CoordPeer& l = w_.peer(*leader);
    for (size_t i = 0; i < w_.size(); ++i) {
      if (!w_.up(i)) continue;  // fail-stopped on a damaged log cannot happen here; be explicit
      RC_ASSERT(w_.peer(i).accepted_epoch() == l.accepted_epoch());
      RC_ASSERT(w_.peer(i).commit_zxid() == l.commit_zxid());
    }
    for (const std::string& path : acknowledged_) {
      RC_ASSERT(l.committed().Find(path) != nullptr);
    }
  }

  size_t acknowledged() const { return acknowledged_.size(); }

 private:
  void Open(size_t p) {
    const uint64_t id = next_request_++;
    opens_[id] = p;
    w_.SendFromClient(kClient, p, CoordOpenSession{.request_id = id, .timeout = Millis(10000)});
  }
  void Create(size_t p) {
    if (session_ == kNoCoordSession) return Open(p);
    const uint64_t id = next_request_++;
    const std::string path = fmt::format("/n{}", id);
    creates_[id] = path;
    w_.SendFromClient(
        kClient, p, CoordCreate{.request_id = id, .session = session_, .path = path, .data = "v"});
  }
  void Collect() {
    for (const auto& [from, msg] : w_.inbox[kClient]) {
      if (const auto* o = std::get_if<CoordOpenSessionResponse>(&msg)) {
        if (o->error == ErrorCode::kOk) session_ = o->session;
      } else if (const auto* c = std::get_if<CoordCreateResponse>(&msg)) {
        auto it = creates_.find(c->request_id);
        RC_ASSERT(it != creates_.end());
        if (c->error == ErrorCode::kOk) acknowledged_.push_back(it->second);
      }
    }
    w_.inbox[kClient].clear();
    if (drop_one_in_ > 0) {
      w_.drop = [this](const QuorumWorld::InFlight&) {
        return drop_one_in_ > 0 && ++drop_counter_ % drop_one_in_ == 0;
      };
    } else {
      w_.drop = nullptr;
    }
  }

  const NodeId kClient{100};
  QuorumWorld w_;
  CoordSessionId session_;
  uint64_t next_request_ = 1;
  std::map<uint64_t, size_t> opens_;
  std::map<uint64_t, std::string> creates_;
  std::vector<std::string> acknowledged_;
  uint64_t drop_one_in_ = 0;
  uint64_t drop_counter_ = 0;
};

RC_GTEST_PROP(CoordPeerProperty, NoFaultScheduleSplitsTheQuorumOrLosesAnAcknowledgedCreate, ()) {
  const auto seed = *rc::gen::inRange<uint64_t>(1, 1000000);
  const auto actions = *rc::gen::container<std::vector<QuorumAction>>(GenQuorumAction());
  // Which peer leads depends on the election's draws: the same schedule under 8 seeds, with its
  // faults rotated over the peers, aims them at leaders and followers alike.
  size_t acknowledged = 0;
  for (uint64_t k = 0; k < 8; ++k) {
    QuorumRun run(seed * 8 + k);
    for (QuorumAction a : actions) {
      a.peer = static_cast<int>((a.peer + k) % 3);
      a.other = static_cast<int>((a.other + k) % 3);
      run.Apply(a);
    }
    run.HealAndCheck();
    acknowledged += run.acknowledged();
  }
  RC_TAG(acknowledged == 0   ? "no create acknowledged"
         : acknowledged < 40 ? "1-39 creates acknowledged"
                             : "40 or more creates acknowledged");
}

}  // namespace
}  // namespace pg::testing
