// A small randomized world: three replica servers, a fake meta that accepts ballot+1 changes,
// a network that reorders, drops and duplicates, log completions in random order across nodes,
// secondary crashes with torn log tails. After every step: every node's own invariants, and
// committed prefixes agree across replicas (digests) and acknowledged writes stay committed.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "core/common/log.h"
#include "tests/replica/replica_harness.h"

namespace pg::testing {
namespace {

struct Flight {
  NodeId from, to;
  Message msg;
};

class World {
 public:
  explicit World(uint64_t seed) : rng_(seed) {
    pc_ = h_.Config();
    // Every member holds its replica before the world starts: a server is listed only once it
    // does.
    for (NodeId id : {NodeId(1), NodeId(2), NodeId(3)}) {
      h_.Build(id);
      Absorb(id, h_.Step(id, Boot{}));
      Absorb(id, h_.Deliver(kMeta, id, BeaconAck{.send_time = h_.now, .is_master = true}));
      Absorb(id, h_.CreateListed(id, pc_));
    }
  }

  void Run(int steps) {
    for (int i = 0; i < steps && !::testing::Test::HasFailure(); ++i) {
      const int dice = Pick(100);
      if (dice < 55 && !net_.empty()) {
        DeliverOne();
      } else if (dice < 78) {
        CompleteOneLog();
      } else if (dice < 94) {
        ClientWrite();
      } else if (dice < 99 || Pick(10) != 0) {
        FireEarliestTimer();
      } else {
        CrashSecondary();
      }
      CheckGlobal();
    }
  }

  int acked() const { return static_cast<int>(acked_.size()); }
  Decree committed() { return h_.View(kP).last_committed; }

 private:
  uint64_t Pick(uint64_t n) { return rng_() % n; }

  void Absorb(NodeId id, const Outbox& out) {
    for (const Effect& e : out.effects()) {
      if (const auto* s = std::get_if<Send>(&e)) {
        if (s->to == kMeta) {
          MetaReceive(id, s->msg);
        } else if (s->to == kClient) {
          ClientReceive(s->msg);
        } else {
          net_.push_back({id, s->to, s->msg});
        }
      } else if (const auto* t = std::get_if<SetTimer>(&e)) {
        timers_[id][t->timer] = h_.now + t->after;
      } else if (const auto* c = std::get_if<CancelTimer>(&e)) {
        timers_[id].erase(c->timer);
      }
    }
  }

  // Meta: accepts a change at exactly ballot + 1, answers config sync and beacons (sometimes
  // late, so leases do lapse).
  void MetaReceive(NodeId from, const Message& msg) {
    if (const auto* b = std::get_if<Beacon>(&msg)) {
      if (Pick(10) != 0)
        net_.push_back({kMeta, from, BeaconAck{.send_time = b->send_time, .is_master = true}});
    } else if (std::holds_alternative<ConfigSyncRequest>(msg)) {
      ConfigSyncResponse r;
      const bool member = pc_.primary == from ||
                          std::count(pc_.secondaries.begin(), pc_.secondaries.end(), from) > 0;
      if (member) r.partitions.push_back(pc_);
      net_.push_back({kMeta, from, r});
    } else if (const auto* u = std::get_if<UpdateConfigRequest>(&msg)) {
      UpdateConfigResponse r{
          .error = ErrorCode::kInvalidVersion, .config = pc_, .request_id = u->request_id};
      if (u->config.ballot == pc_.ballot.next() && u->config.primary == pc_.primary) {
        pc_ = u->config;
        r = {.error = ErrorCode::kOk, .config = pc_, .request_id = u->request_id};
      }
      net_.push_back({kMeta, from, r});
    }
  }

  void ClientReceive(const Message& msg) {
    const auto* r = std::get_if<ClientResponse>(&msg);
    if (r != nullptr) ++errors_[r->error];
    if (r == nullptr || r->error != ErrorCode::kOk || !outstanding_.contains(r->request_id)) return;
    outstanding_.erase(r->request_id);
    auto digest = h_.node(kP).CommittedDigest(kGpid, r->decree);
    ASSERT_TRUE(digest.has_value()) << "acked decree " << r->decree.value() << " not committed";
    acked_[r->decree] = *digest;
  }

  void DeliverOne() {
    const size_t i = Pick(std::min<size_t>(net_.size(), 4));  // mostly in order, some reordering
    Flight f = net_[i];
    if (Pick(10) != 0) net_.erase(net_.begin() + static_cast<int64_t>(i));  // else: duplicate
    if (Pick(20) == 0) return;                                              // dropped
    Absorb(f.to, h_.Deliver(f.from, f.to, f.msg));
  }

  void CompleteOneLog() {
    const NodeId id(1 + static_cast<uint32_t>(Pick(3)));
    if (h_.server(id).pending_logs.empty()) return;
    Absorb(id, h_.CompleteLogs(id, 1));
  }

  void ClientWrite() {
    const uint64_t id = next_request_++;
    ClientRequest req = Pick(3) == 0 ? Write(OpKind::kIncr, "h", "n", "", id)
                                     : Write(OpKind::kSet, "h", "s", fmt::format("v{}", id), id);
    req.increment = 1;
    outstanding_.insert(id);
    Absorb(kP, h_.Deliver(kClient, kP, req));
  }

  void FireEarliestTimer() {
    std::optional<std::tuple<Time, NodeId, TimerId>> best;
    for (auto& [id, timers] : timers_) {
      for (auto& [t, at] : timers) {
        if (!best || at < std::get<0>(*best)) best = {at, id, t};
      }
    }
    if (!best) return;
    auto [at, id, timer] = *best;
    timers_[id].erase(timer);
    if (at > h_.now) h_.now = at;
    Absorb(id, h_.Fire(id, timer));
  }

  // A machine crash of a secondary: pending appends are lost, the last one maybe torn.
  void CrashSecondary() {
    const NodeId id(2 + static_cast<uint32_t>(Pick(2)));
    Server& s = h_.server(id);
    if (!s.pending_logs.empty() && Pick(2) == 0) {
      const AppendLog& a = s.pending_logs.front();
      s.disk.files[a.file] += a.bytes.substr(0, Pick(a.bytes.size()));
    }
    timers_[id].clear();
    h_.Build(id);
    Absorb(id, h_.Step(id, Boot{}));
  }

  void CheckGlobal() {
    auto pv = h_.node(kP).Views(h_.now);
    if (pv.empty()) return;  // not created yet
    for (NodeId id : {NodeId(2), NodeId(3)}) {
      for (const auto& v : h_.node(id).Views(h_.now)) {
        EXPECT_FALSE(v.serving_as_primary);
        const Decree d = std::min(v.last_committed, pv[0].last_committed);
        auto a = h_.node(id).CommittedDigest(kGpid, d);
        auto b = h_.node(kP).CommittedDigest(kGpid, d);
        if (a && b) {
          ASSERT_EQ(*a, *b) << "committed prefixes diverge at " << d.value();
        }
      }
    }
    for (const auto& [d, digest] : acked_) {
      ASSERT_EQ(h_.node(kP).CommittedDigest(kGpid, d), digest) << "acked decree " << d.value();
    }
  }

  Harness h_;
  std::mt19937_64 rng_;
  PartitionConfiguration pc_;
  std::vector<Flight> net_;
  std::map<NodeId, std::map<TimerId, Time>> timers_;
  std::set<uint64_t> outstanding_;
  std::map<Decree, uint64_t> acked_;
  uint64_t next_request_ = 1;

 public:
  std::map<ErrorCode, int> errors_;
};

TEST(ReplicaRandom, CommittedPrefixesAgreeAndAckedWritesStay) {
  int total_acked = 0;
  const bool verbose = std::getenv("PG_REPLICA_LOG") != nullptr;
  if (verbose) {
    SetLogSink(
        [](LogLevel, std::string_view line) {
          std::fprintf(stderr, "%.*s\n", (int)line.size(), line.data());
        },
        LogLevel::kDebug);
  }
  // PG_REPLICA_SEEDS=N widens the sweep when hunting; the default keeps the suite fast.
  const char* seeds_env = std::getenv("PG_REPLICA_SEEDS");
  const uint64_t seeds = seeds_env != nullptr ? std::strtoull(seeds_env, nullptr, 10) : 60;
  for (uint64_t seed = 1; seed <= seeds; ++seed) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed);
    World w(seed);
    w.Run(3000);
    if (HasFailure()) return;
    total_acked += w.acked();
    if (!verbose) continue;
    std::printf("seed %lu acked %d committed %ld:", seed, w.acked(), w.committed().value());
    for (auto [e, n] : w.errors_) std::printf(" %s=%d", std::string(ErrorCodeName(e)).c_str(), n);
    std::printf("\n");
  }
  EXPECT_GT(total_acked, static_cast<int>(seeds) * 10) << "the world made progress";
}

}  // namespace
}  // namespace pg::testing
