#pragma once
// A small deterministic world for a coordination quorum: three CoordPeers on MapDisks, a FIFO
// network whose links a test can cut or filter, timers on one shared clock, and appends that
// complete at once unless the test holds a peer's. Clients are plain node ids: what the peers send
// them, and what is sent to a crashed peer, is collected in `inbox`. After every step it checks
// each peer's invariants and the quorum's (a violation throws, so rapidcheck can shrink it):
// at most one established leader per epoch over the whole run, and equal committed states at
// equal zxids on every pair of live peers.
#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/coord/coord_peer.h"
#include "sim/kernel/rng.h"
#include "tests/support/map_disk.h"
#include "tests/support/sim_time.h"

namespace pg::testing {

inline CoordPeerOptions QuorumTestOptions(size_t peers = 3) {
  CoordPeerOptions o;
  for (size_t i = 0; i < peers; ++i) o.peers.push_back(NodeId(static_cast<uint32_t>(i)));
  o.min_session_timeout = Millis(100);
  o.max_session_timeout = Millis(10000);
  o.tick_interval = Millis(10);
  o.follower_timeout = Millis(100);
  o.election_timeout = Millis(30);
  return o;
}

class QuorumWorld {
 public:
  struct InFlight {
    NodeId from;
    NodeId to;
    Message msg;
  };
  struct Appending {
    std::string file;
    uint64_t token = 0;
    size_t offset = 0;
    size_t size = 0;
  };
  struct Host {
    std::unique_ptr<CoordPeer> peer;
    MapDisk disk;
    std::unique_ptr<sim::Xoshiro256> rng;
    std::map<TimerId, Time> timers;
    std::vector<Appending> appending;
    bool up = false;
    bool hold_appends = false;
    int incarnation = 0;
  };

  explicit QuorumWorld(CoordPeerOptions options = QuorumTestOptions(), uint64_t seed = 1)
      : options_(std::move(options)), seed_(seed) {
    hosts_.resize(options_.peers.size());
    for (size_t i = 0; i < hosts_.size(); ++i) Boot(i);
  }

  // ---- Faults ----
  // A process crash: appends in flight that reached the file stay (the page cache survives).
  void Crash(size_t i) {
    hosts_[i].up = false;
    hosts_[i].peer.reset();
    hosts_[i].timers.clear();
    hosts_[i].appending.clear();
    DropMessagesTo(Id(i));
  }
  // A machine crash: appends not yet completed are lost.
  void PowerLoss(size_t i) {
    for (auto it = hosts_[i].appending.rbegin(); it != hosts_[i].appending.rend(); ++it) {
      hosts_[i].disk.files[it->file].resize(it->offset);
    }
    Crash(i);
  }
  void Boot(size_t i) {
    Host& h = hosts_[i];
    h.rng = std::make_unique<sim::Xoshiro256>(seed_ * 1000 + i * 10 + h.incarnation++);
    h.peer = std::make_unique<CoordPeer>(
        NodeEnv{
            .id = Id(i), .name = fmt::format("coord/{}", i), .rng = h.rng.get(), .disk = &h.disk},
        options_);
    h.up = true;
    StepPeer(i, pg::Boot{});
  }
  // Cuts (or heals) both directions between a and b.
  void Cut(NodeId a, NodeId b, bool cut = true) {
    for (auto link : {std::pair{a, b}, std::pair{b, a}}) {
      if (cut) {
        cut_.insert(link);
      } else {
        cut_.erase(link);
      }
    }
  }
  // Cuts every link of peer i (to peers and clients).
  void Isolate(size_t i, bool cut = true) { isolated_[Id(i)] = cut; }
  // Messages for which `drop` is true are lost.
  std::function<bool(const InFlight&)> drop;
  void HoldAppends(size_t i, bool hold) { hosts_[i].hold_appends = hold; }
  void CompleteAppends(size_t i) {
    Host& h = hosts_[i];
    while (h.up && !h.appending.empty()) {
      const Appending a = h.appending.front();
      h.appending.erase(h.appending.begin());
      StepPeer(i, LogAppended{.file = a.file, .token = a.token});
    }
  }

  // ---- Clients ----
  void SendFromClient(NodeId client, size_t to, Message msg) {
    network_.push_back({.from = client, .to = Id(to), .msg = std::move(msg)});
  }
  std::map<NodeId, std::vector<std::pair<NodeId, Message>>> inbox;

  // ---- Time ----
  // Delivers messages and fires timers until `until`.
  void RunUntil(Time until) {
    for (;;) {
      DeliverAll();
      std::optional<std::pair<Time, std::pair<size_t, TimerId>>> next;
      for (size_t i = 0; i < hosts_.size(); ++i) {
        if (!hosts_[i].up) continue;
        for (const auto& [timer, due] : hosts_[i].timers) {
          if (!next || due < next->first) next = {due, {i, timer}};
        }
      }
      if (!next || next->first > until) break;
      now_ = std::max(now_, next->first);
      const auto [i, timer] = next->second;
      hosts_[i].timers.erase(timer);
      StepPeer(i, TimerFired{.timer = timer});
    }
    now_ = std::max(now_, until);
  }
  void RunFor(Duration d) { RunUntil(now_ + d); }
  Time now() const { return now_; }

  // ---- Observation ----
  static NodeId Id(size_t i) { return NodeId(static_cast<uint32_t>(i)); }
  size_t size() const { return hosts_.size(); }
  bool up(size_t i) const { return hosts_[i].up; }
  CoordPeer& peer(size_t i) { return *hosts_[i].peer; }
  MapDisk& disk(size_t i) { return hosts_[i].disk; }
  // The established leader, if exactly one live peer is one.
  std::optional<size_t> Leader() const {
    std::optional<size_t> found;
    for (size_t i = 0; i < hosts_.size(); ++i) {
      if (hosts_[i].up && !hosts_[i].peer->stopped() && hosts_[i].peer->serving_as_leader()) {
        if (found) return std::nullopt;
        found = i;
      }
    }
    return found;
  }
  const std::map<uint64_t, NodeId>& leaders_seen() const { return leaders_; }
  const std::vector<std::string>& marks(size_t i) const { return marks_[Id(i)]; }
  size_t CountMark(const std::string& mark) const {
    size_t n = 0;
    for (const auto& [id, ms] : marks_) n += std::count(ms.begin(), ms.end(), mark);
    return n;
  }

 private:
  void DropMessagesTo(NodeId id) {
    std::erase_if(network_, [id](const InFlight& m) { return m.to == id; });
  }
  bool Lost(const InFlight& m) const {
    if (cut_.contains({m.from, m.to})) return true;
    auto iso = [this](NodeId n) {
      auto it = isolated_.find(n);
      return it != isolated_.end() && it->second;
    };
    if (iso(m.from) || iso(m.to)) return true;
    return drop && drop(m);
  }
  void DeliverAll() {
    while (!network_.empty()) {
      InFlight m = std::move(network_.front());
      network_.pop_front();
      if (Lost(m)) continue;
      const size_t to = m.to.value();
      if (to < hosts_.size() && hosts_[to].up) {
        StepPeer(to, Receive{.from = m.from, .msg = std::move(m.msg)});
      } else {
        // A client's, or a crashed peer's: kept for the test to read.
        inbox[m.to].emplace_back(m.from, std::move(m.msg));
      }
    }
  }
  void StepPeer(size_t i, Input input) {
    Host& h = hosts_[i];
    Outbox out;
    h.peer->Step(now_, input, out);
    h.peer->CheckInvariants();
    bool exited = false;
    for (Effect& e : out.effects()) {
      if (auto* s = std::get_if<Send>(&e)) {
        network_.push_back({.from = Id(i), .to = s->to, .msg = std::move(s->msg)});
      } else if (auto* t = std::get_if<SetTimer>(&e)) {
        h.timers[t->timer] = now_ + t->after;
      } else if (auto* c = std::get_if<CancelTimer>(&e)) {
        h.timers.erase(c->timer);
      } else if (auto* a = std::get_if<AppendLog>(&e)) {
        EXPECT_TRUE(a->sync) << "every quorum record is synced";
        std::string& file = h.disk.files[a->file];
        h.appending.push_back(
            {.file = a->file, .token = a->token, .offset = file.size(), .size = a->bytes.size()});
        file += a->bytes;
      } else if (auto* m = std::get_if<Mark>(&e)) {
        marks_[Id(i)].push_back(m->name);
      } else if (std::holds_alternative<Exit>(e)) {
        exited = true;
      }
    }
    CheckQuorum();
    if (exited) return Crash(i);
    if (!h.hold_appends) CompleteAppends(i);
  }
  void CheckQuorum() {
    for (size_t i = 0; i < hosts_.size(); ++i) {
      if (!hosts_[i].up || hosts_[i].peer->stopped()) continue;
      const CoordPeer& p = *hosts_[i].peer;
      if (p.serving_as_leader()) {
        auto [it, fresh] = leaders_.emplace(p.accepted_epoch(), Id(i));
        if (it->second != Id(i)) {
          throw std::logic_error(fmt::format("two leaders of epoch {}: {} and {}",
                                             p.accepted_epoch(), it->second, Id(i)));
        }
      }
      for (size_t j = i + 1; j < hosts_.size(); ++j) {
        if (!hosts_[j].up || hosts_[j].peer->stopped()) continue;
        const auto& a = p.commit_digests();
        const auto& b = hosts_[j].peer->commit_digests();
        for (const auto& [zxid, digest] : a) {
          auto other = b.find(zxid);
          if (other != b.end() && other->second != digest) {
            throw std::logic_error(fmt::format(
                "peers {} and {} committed different states at zxid {:#x}", i, j, zxid));
          }
        }
      }
    }
  }

  CoordPeerOptions options_;
  uint64_t seed_;
  std::vector<Host> hosts_;
  std::deque<InFlight> network_;
  std::set<std::pair<NodeId, NodeId>> cut_;
  std::map<NodeId, bool> isolated_;
  std::map<uint64_t, NodeId> leaders_;
  mutable std::map<NodeId, std::vector<std::string>> marks_;
  Time now_ = Time::Zero();
};

}  // namespace pg::testing
