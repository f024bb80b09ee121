#pragma once
// Step-level harness for meta failover: a CoordServer and several MetaServers in coordination
// mode, with a hand-driven network between them. Messages to nodes the harness does not run
// (replica servers, clients) are kept for the test to read. Time moves only when the test says;
// Advance fires every timer of every node (firing a timer early is harmless to these nodes: each
// re-checks its own deadlines).
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <vector>

#include "core/coord/coord_server.h"
#include "core/meta/meta_server.h"
#include "tests/meta/meta_harness.h"

namespace pg::testing {

inline const NodeId kCoordNode{9};
inline std::vector<NodeId> LeadershipWorkers() { return {NodeId(20), NodeId(21), NodeId(22)}; }

inline MetaServerOptions CoordMetaOptions() {
  MetaServerOptions o{
      .replica_servers = LeadershipWorkers(), .partition_count = 2, .replica_count = 3};
  o.coord = CoordClientOptions{.servers = {kCoordNode},
                               .session_timeout = Millis(2000),
                               .keepalive_interval = Millis(250),
                               .request_timeout = Millis(250),
                               .op_timeout = Millis(1000),
                               .safety_margin = Millis(200)};
  return o;
}

class LeadershipFixture {
 public:
  explicit LeadershipFixture(int metas, MetaServerOptions options = CoordMetaOptions())
      : options_(std::move(options)) {
    coord_ = std::make_unique<CoordServer>(
        NodeEnv{.id = kCoordNode, .name = "coord/0", .rng = &rng_, .disk = &coord_disk_},
        CoordServerOptions{.tick_interval = Millis(50)});
    for (int i = 0; i < metas; ++i) {
      const NodeId id(i);
      metas_[id] = std::make_unique<MetaServer>(
          NodeEnv{.id = id, .name = fmt::format("meta/{}", i), .rng = &rng_, .disk = &disks_[id]},
          options_);
    }
  }

  void BootAll(Time now) {
    Step(kCoordNode, now, Boot{});
    for (auto& [id, m] : metas_) Step(id, now, Boot{});
    Pump(now);
  }

  // Steps one node; its sends are queued (Pump delivers them), coord appends complete at once.
  Outbox Step(NodeId id, Time now, const Input& input) {
    Outbox out;
    if (id == kCoordNode) {
      coord_->Step(now, input, out);
      coord_->CheckInvariants();
    } else {
      if (down_.contains(id)) return out;
      metas_.at(id)->Step(now, input, out);
      metas_.at(id)->CheckInvariants();
    }
    for (const Effect& e : out.effects()) {
      if (const auto* s = std::get_if<Send>(&e)) queue_.push_back({id, s->to, s->msg});
      if (const auto* a = std::get_if<AppendLog>(&e)) {
        EXPECT_EQ(id, kCoordNode) << "a meta in coordination mode writes no log";
        coord_disk_.files[a->file] += a->bytes;
        completions_.push_back(*a);
      }
      if (const auto* m = std::get_if<Mark>(&e)) marks_.insert(m->name);
    }
    return out;
  }
  Outbox Receive(NodeId to, Time now, NodeId from, Message msg) {
    return Step(to, now, pg::Receive{.from = from, .msg = std::move(msg)});
  }

  // Delivers queued messages (and completes coord appends) until none is left. Messages between
  // a node in `cut_` and the coordination node are lost.
  void Pump(Time now) {
    while (!queue_.empty() || !completions_.empty()) {
      if (!completions_.empty()) {
        const AppendLog a = completions_.front();
        completions_.erase(completions_.begin());
        Step(kCoordNode, now, LogAppended{.file = a.file, .token = a.token});
        continue;
      }
      const Msg m = queue_.front();
      queue_.erase(queue_.begin());
      const bool coord_link = m.to == kCoordNode || m.from == kCoordNode;
      if (coord_link && (cut_.contains(m.from) || cut_.contains(m.to))) continue;
      if (m.to == kCoordNode || metas_.contains(m.to)) {
        Receive(m.to, now, m.from, m.msg);
      } else {
        others_.push_back(m);
      }
    }
  }

  // Fires every timer of every node at `now`, then pumps.
  void Advance(Time now) {
    Step(kCoordNode, now, TimerFired{.timer = CoordServer::kTickTimer});
    for (auto& [id, m] : metas_) {
      for (uint64_t t = 1; t <= 3; ++t) Step(id, now, TimerFired{.timer = TimerId(t)});
    }
    Pump(now);
  }
  // Advances in steps of `step` from `from` to `to` (inclusive).
  void Run(Time from, Time to, Duration step = Millis(50)) {
    for (Time t = from; t <= to; t = t + step) Advance(t);
  }

  // The metas that lead and serve at `now`.
  std::vector<NodeId> Leaders(Time now) const {
    std::vector<NodeId> v;
    for (const auto& [id, m] : metas_) {
      if (!down_.contains(id) && m->IsLeader(now) && m->ready()) v.push_back(id);
    }
    return v;
  }

  struct Msg {
    NodeId from;
    NodeId to;
    Message msg;
  };
  // Messages to nodes the harness does not run, in send order; taken by the caller.
  std::vector<Msg> TakeOthers() { return std::exchange(others_, {}); }

  MetaServer& meta(NodeId id) { return *metas_.at(id); }
  CoordServer& coord() { return *coord_; }
  void Cut(NodeId id) { cut_.insert(id); }
  void Heal(NodeId id) { cut_.erase(id); }
  void Crash(NodeId id) { down_.insert(id); }
  bool Marked(const std::string& name) const { return marks_.contains(name); }
  void ClearMarks() { marks_.clear(); }

 private:
  MetaServerOptions options_;
  CountingRng rng_;
  MapDisk coord_disk_;
  std::map<NodeId, MapDisk> disks_;
  std::unique_ptr<CoordServer> coord_;
  std::map<NodeId, std::unique_ptr<MetaServer>> metas_;
  std::vector<Msg> queue_;
  std::vector<AppendLog> completions_;
  std::vector<Msg> others_;
  std::set<NodeId> cut_;
  std::set<NodeId> down_;
  std::set<std::string> marks_;
};

}  // namespace pg::testing
