#pragma once
// A step-level harness for ReplicaServers: nodes are built directly, inputs are fed by hand and
// the outbox is inspected. Log appends are held until the test completes them, so tests can
// state exactly when a write is "on disk".
#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/proto/partition_hash.h"
#include "core/replica/replica_server.h"
#include "core/storage/mem_engine.h"
#include "tests/support/map_disk.h"
#include "tests/support/outbox_views.h"
#include "tests/support/test_nodes.h"

namespace pg::testing {

// The roles the replica tests cast: a primary, two secondaries and a learner.
inline constexpr NodeId kP{1}, kS2{2}, kS3{3}, kL{4};
inline constexpr NodeId kClient{10};
inline constexpr Gpid kGpid{.app_id = 1, .partition_index = 0};

using TestDisk = MapDisk;

struct Server {
  TestDisk disk;
  std::unique_ptr<ReplicaServer> node;
  std::deque<AppendLog> pending_logs;
  uint64_t last_sync_id = 0;  // of the latest ConfigSyncRequest the server sent
  bool last_sync_answered = false;
  // Per partition, the id of the latest UpdateConfigRequest the server sent.
  std::map<Gpid, uint64_t> last_update_id;
};

template <class T>
std::vector<std::pair<NodeId, T>> Sent(const Outbox& out) {
  std::vector<std::pair<NodeId, T>> v;
  for (const Effect& e : out.effects()) {
    if (const auto* s = std::get_if<Send>(&e)) {
      if (const auto* m = std::get_if<T>(&s->msg)) v.emplace_back(s->to, *m);
    }
  }
  return v;
}

inline ReplicaServerOptions DefaultOptions() {
  ReplicaServerOptions o;
  o.meta_servers = {kMeta};
  o.open_engine = [](Gpid) -> Result<std::unique_ptr<KvEngine>> {
    return std::unique_ptr<KvEngine>(std::make_unique<MemEngine>());
  };
  return o;
}

class Harness {
 public:
  explicit Harness(ReplicaServerOptions options = DefaultOptions())
      : options_(std::move(options)) {}

  Time now = Time::FromNanos(1'000'000'000);
  // The servers' randomness, for the servers built after it is set (none by default: a draw
  // asserts).
  Rng* rng = nullptr;

  Server& server(NodeId id) { return servers_[id]; }
  ReplicaServer& node(NodeId id) { return *servers_.at(id).node; }

  // Builds a fresh ReplicaServer over the node's (surviving) disk, without booting it.
  void Build(NodeId id) {
    Server& s = servers_[id];
    s.pending_logs.clear();
    s.node = std::make_unique<ReplicaServer>(
        NodeEnv{
            .id = id, .name = fmt::format("replica/{}", id.value()), .rng = rng, .disk = &s.disk},
        options_);
  }

  Outbox Step(NodeId id, const Input& input) {
    Outbox out;
    Server& s = servers_.at(id);
    s.node->Step(now, input, out);
    s.node->CheckInvariants();
    for (const Effect& e : out.effects()) {
      if (const auto* a = std::get_if<AppendLog>(&e)) s.pending_logs.push_back(*a);
      const auto* send = std::get_if<Send>(&e);
      const auto* sync = send ? std::get_if<ConfigSyncRequest>(&send->msg) : nullptr;
      if (sync != nullptr) {
        s.last_sync_id = sync->sync_id;
        s.last_sync_answered = false;
      }
      const auto* update = send ? std::get_if<UpdateConfigRequest>(&send->msg) : nullptr;
      if (update != nullptr) s.last_update_id[update->config.gpid] = update->request_id;
    }
    return out;
  }
  // A ConfigSyncResponse without a sync_id answers the server's latest config sync, as meta's
  // answer does when nothing delays it; when that one is answered already, the server's periodic
  // sync timer fires first, so the answer has a request. A test of a superseded answer names
  // its request. Likewise an UpdateConfigResponse without a request_id answers the server's
  // latest config update request for that partition; a test of an answer to another request
  // names it.
  Outbox Deliver(NodeId from, NodeId to, Message msg) {
    if (auto* resp = std::get_if<ConfigSyncResponse>(&msg); resp && resp->sync_id == 0) {
      if (servers_.at(to).last_sync_answered) Fire(to, TimerId(2));
      resp->sync_id = servers_.at(to).last_sync_id;
      servers_.at(to).last_sync_answered = true;
    }
    if (auto* resp = std::get_if<UpdateConfigResponse>(&msg); resp && resp->request_id == 0) {
      const auto& ids = servers_.at(to).last_update_id;
      if (auto it = ids.find(resp->config.gpid); it != ids.end()) resp->request_id = it->second;
    }
    return Step(to, Receive{.from = from, .msg = std::move(msg)});
  }
  Outbox Fire(NodeId id, TimerId timer) { return Step(id, TimerFired{.timer = timer}); }

  // Writes the oldest `n` pending appends of `id` to its disk and reports their completion;
  // returns every effect of those steps.
  Outbox CompleteLogs(NodeId id, size_t n = SIZE_MAX) {
    Outbox all;
    Server& s = servers_.at(id);
    while (n-- > 0 && !s.pending_logs.empty()) {
      AppendLog a = s.pending_logs.front();
      s.pending_logs.pop_front();
      s.disk.files[a.file] += a.bytes;
      Outbox out = Step(id, LogAppended{.file = a.file, .token = a.token});
      for (Effect& e : out.effects()) all.effects().push_back(std::move(e));
    }
    return all;
  }

  // Boots `id`, gives it a lease and CreateListed: a group as meta's creation leaves it, at `pc`'s
  // ballot. Returns the effects of the creation.
  Outbox BootWith(NodeId id, const PartitionConfiguration& pc) {
    Build(id);
    Step(id, Boot{});
    Deliver(kMeta, id, BeaconAck{.send_time = now, .is_master = true});
    return CreateListed(id, pc);
  }

  // `id` (with a lease) creates the replica empty (meta's first-primary proposal for a new
  // partition: ReplicaServer::CreateFirstPrimary) and is listed in `pc` before the creation is
  // durable: it keeps the configuration and adopts its role there on announcing, so the proposal
  // it then takes up finds the replica no longer new.
  Outbox CreateListed(NodeId id, const PartitionConfiguration& pc) {
    Outbox out = Deliver(kMeta, id, FirstPrimaryProposal(pc, id));
    Outbox listed = Deliver(kMeta, id, ConfigSyncResponse{.partitions = {pc}});
    Outbox done = CompleteLogs(id);
    for (Outbox* o : {&listed, &done}) {
      for (Effect& e : o->effects()) out.effects().push_back(std::move(e));
    }
    return out;
  }

  // Meta's proposal that `id` become the first primary of `pc`'s partition while it is new.
  static ConfigProposal FirstPrimaryProposal(const PartitionConfiguration& pc, NodeId id) {
    return ConfigProposal{.type = ConfigType::kAssignPrimary,
                          .config = PartitionConfiguration{.gpid = pc.gpid,
                                                           .ballot = Ballot(1),
                                                           .max_replica_count = 3,
                                                           .partition_count = pc.partition_count},
                          .node = id};
  }

  // Boots `id` (again, after a crash) with a lease and an empty config sync answer: a server
  // meta lists no replicas on, or one about to learn that it should.
  void BootEmpty(NodeId id) {
    Build(id);
    Step(id, Boot{});
    Deliver(kMeta, id, BeaconAck{.send_time = now, .is_master = true});
    Deliver(kMeta, id, ConfigSyncResponse{});
    CompleteLogs(id);
  }

  // A group: primary 1, secondaries 2 and 3, ballot 1, `partitions` partitions.
  PartitionConfiguration Config(std::vector<NodeId> secondaries = {NodeId(2), NodeId(3)},
                                int32_t partitions = 1) const {
    return PartitionConfiguration{.gpid = kGpid,
                                  .ballot = Ballot(1),
                                  .primary = NodeId(1),
                                  .secondaries = std::move(secondaries),
                                  .partition_count = partitions};
  }
  void StartGroup(std::vector<NodeId> secondaries = {NodeId(2), NodeId(3)}) {
    const PartitionConfiguration pc = Config(secondaries);
    BootWith(NodeId(1), pc);
    for (NodeId s : secondaries) BootWith(s, pc);
  }

  // Renews every server's lease at `now`.
  void RenewLeases() {
    for (auto& [id, s] : servers_)
      Deliver(kMeta, id, BeaconAck{.send_time = now, .is_master = true});
  }

  // Fails `id`'s oldest pending log append with an I/O error: the replica fail-stops.
  void FailOldestAppend(NodeId id) {
    ASSERT_FALSE(server(id).pending_logs.empty());
    const AppendLog a = server(id).pending_logs.front();
    server(id).pending_logs.clear();
    Step(id,
         LogFailed{
             .file = a.file, .token = a.token, .status = Status(ErrorCode::kIoError, "injected")});
  }

  ReplicaServer::ReplicaView View(NodeId id) {
    auto views = node(id).Views(now);
    EXPECT_EQ(views.size(), 1u);
    return views.empty() ? ReplicaServer::ReplicaView{} : views.front();
  }

 private:
  ReplicaServerOptions options_;
  std::map<NodeId, Server> servers_;
};

inline ClientRequest Write(OpKind kind, std::string hashkey, std::string sortkey,
                           std::string value = "", uint64_t id = 1) {
  ClientRequest r{.request_id = id,
                  .gpid = kGpid,
                  .partition_hash = PartitionHash(hashkey, sortkey),
                  .kind = kind,
                  .hashkey = std::move(hashkey),
                  .sortkey = std::move(sortkey),
                  .value = std::move(value)};
  return r;
}

inline ClientRequest Incr(std::string hashkey, std::string sortkey, int64_t by, uint64_t id) {
  ClientRequest r = Write(OpKind::kIncr, std::move(hashkey), std::move(sortkey), "", id);
  r.increment = by;
  return r;
}
inline ClientRequest Get(std::string hashkey, std::string sortkey, uint64_t id = 100) {
  return Write(OpKind::kGet, std::move(hashkey), std::move(sortkey), "", id);
}

// Logs `primary`'s pending appends, delivers each prepare `out` sent and each secondary's ack once
// logged; returns everything the primary sent meanwhile (commits' replies, the next prepares).
inline Outbox CommitByHand(Harness& h, const Outbox& out, NodeId primary = kP) {
  Outbox back = h.CompleteLogs(primary);
  for (auto& [to, prep] : Sent<PrepareRequest>(out)) {
    h.Deliver(primary, to, prep);
    for (auto& [dest, ack] : Sent<PrepareAck>(h.CompleteLogs(to))) {
      Outbox o = h.Deliver(to, dest, ack);
      for (auto& e : o.effects()) back.effects().push_back(e);
    }
  }
  return back;
}

// Sends the prepare captured from kP's outbox for `to` to it.
inline Outbox ForwardPrepare(Harness& h, const Outbox& primary_out, NodeId to) {
  for (auto& [dest, p] : Sent<PrepareRequest>(primary_out)) {
    if (dest == to) return h.Deliver(kP, to, p);
  }
  ADD_FAILURE() << "no prepare to " << to.value();
  return {};
}

}  // namespace pg::testing
