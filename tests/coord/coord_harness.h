#pragma once
// Step-level harness for the coordination service: one CoordServer over a MapDisk whose appends
// land on the disk at once (the page cache) and complete only when the test says so, so a test
// can crash the server with appends in flight, keep some of them, or tear the next one. Peers
// embed a CoordClient and exchange messages with the server through Pump.
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/coord/coord_client.h"
#include "core/coord/coord_server.h"
#include "tests/support/map_disk.h"
#include "tests/support/outbox_views.h"
#include "tests/support/sim_time.h"
#include "tests/support/throwing_asserts.h"

namespace pg::testing {

inline const NodeId kCoord{0};

// The request id a coordination message carries (0 for any other message).
inline uint64_t RequestIdOf(const Message& msg) {
  return std::visit(
      [](const auto& m) -> uint64_t {
        if constexpr (requires { m.request_id; }) {
          return m.request_id;
        } else {
          return 0;
        }
      },
      msg);
}

inline void Append(Outbox& into, const Outbox& from) {
  for (const Effect& e : from.effects()) into.effects().push_back(e);
}

inline CoordServerOptions TestServerOptions() {
  return {.min_session_timeout = Millis(100),
          .max_session_timeout = Millis(10000),
          .tick_interval = Millis(10)};
}

class CoordFixture {
 public:
  explicit CoordFixture(CoordServerOptions options = TestServerOptions())
      : options_(std::move(options)) {
    Rebuild();
  }

  // A new incarnation over the same disk (the old one's completions die with it).
  void Rebuild() {
    server_ = std::make_unique<CoordServer>(
        NodeEnv{.id = kCoord, .name = "coord/0", .disk = &disk_}, options_);
    pending_.clear();
  }

  // Machine crash: of the appends in flight, the first `keep` survive (whole), then `torn`
  // bytes of the next one; the rest is lost. Then a new incarnation boots at `now`.
  Outbox CrashAndBoot(Time now, size_t keep = 0, size_t torn = 0) {
    if (keep < pending_.size()) {
      const Pending& cut = pending_[keep];
      // A torn append keeps a strict prefix; an empty one (a boot's sync) has none to keep.
      EXPECT_TRUE(torn < cut.size || torn == 0) << torn << " of " << cut.size << " bytes";
      disk_.files[cut.file].resize(cut.offset + torn);
    }
    Rebuild();
    return Step(now, Boot{});
  }

  // A write error: the i-th append in flight never reached the file (later ones did).
  void LoseAppendBytes(size_t i) {
    ASSERT_LT(i, pending_.size());
    const Pending p = pending_[i];
    disk_.files[p.file].erase(p.offset, p.size);
    for (size_t j = i + 1; j < pending_.size(); ++j) pending_[j].offset -= p.size;
  }

  // The i-th append in flight fails: it wrote nothing, and the server hears LogFailed.
  Outbox FailAppend(Time now, size_t i) {
    EXPECT_LT(i, pending_.size());
    if (i >= pending_.size()) return {};
    LoseAppendBytes(i);
    const Pending p = pending_[i];
    return Step(now, LogFailed{.file = p.file,
                               .token = p.token,
                               .status = Status(ErrorCode::kIoError, "injected")});
  }

  // Steps one input; appends reach the disk at once and stay in flight until completed.
  Outbox Step(Time now, Input input) {
    Outbox out;
    server_->Step(now, input, out);
    server_->CheckInvariants();
    for (const AppendLog& a : AppendsOf(out)) {
      EXPECT_TRUE(a.sync) << "a coordination txn must be synced";
      std::string& file = disk_.files[a.file];
      pending_.push_back(
          {.file = a.file, .token = a.token, .offset = file.size(), .size = a.bytes.size()});
      file += a.bytes;
    }
    return out;
  }
  Outbox Receive(Time now, NodeId from, Message msg) {
    return Step(now, pg::Receive{.from = from, .msg = std::move(msg)});
  }
  // Completes the oldest append in flight.
  Outbox CompleteOne(Time now) {
    EXPECT_FALSE(pending_.empty());
    const Pending p = pending_.front();
    pending_.erase(pending_.begin());
    return Step(now, LogAppended{.file = p.file, .token = p.token});
  }
  Outbox CompleteAll(Time now) {
    Outbox all;
    while (!pending_.empty()) Append(all, CompleteOne(now));
    return all;
  }
  // Receives and completes every append it made.
  Outbox Deliver(Time now, NodeId from, Message msg) {
    Outbox out = Receive(now, from, std::move(msg));
    Append(out, CompleteAll(now));
    return out;
  }
  Outbox Tick(Time now) {
    Outbox out = Step(now, TimerFired{.timer = CoordServer::kTickTimer});
    Append(out, CompleteAll(now));
    return out;
  }
  CoordSessionId Open(Time now, NodeId from, Duration timeout = Millis(1000)) {
    Outbox out = Deliver(now, from, CoordOpenSession{.request_id = 999, .timeout = timeout});
    auto r = SentOf<CoordOpenSessionResponse>(out);
    EXPECT_EQ(r.size(), 1u);
    return r.empty() ? kNoCoordSession : r[0].second.session;
  }

  CoordServer& server() { return *server_; }
  MapDisk& disk() { return disk_; }
  size_t in_flight() const { return pending_.size(); }

 private:
  struct Pending {
    std::string file;
    uint64_t token = 0;
    size_t offset = 0;
    size_t size = 0;
  };
  CoordServerOptions options_;
  MapDisk disk_;
  std::unique_ptr<CoordServer> server_;
  std::vector<Pending> pending_;
};

// A node that embeds a CoordClient, as the MetaServer will.
struct Peer {
  Peer(NodeId id, CoordClientOptions options) : id(id), client(std::move(options)) {}
  NodeId id;
  CoordClient client;
  Outbox out;
  bool cut_off = false;  // its messages to and from the server are lost
};

inline CoordClientOptions TestClientOptions() {
  return {.servers = {kCoord},
          .session_timeout = Millis(1000),
          .keepalive_interval = Millis(200),
          .request_timeout = Millis(100),
          .op_timeout = Millis(500),
          .safety_margin = Millis(100),
          .keepalive_timer = TimerId(101),
          .retry_timer = TimerId(102)};
}

// Moves messages between the peers and the server (appends completed at once) until none is left.
inline void Pump(CoordFixture& f, Time now, const std::vector<Peer*>& peers) {
  for (bool moved = true; moved;) {
    moved = false;
    for (Peer* p : peers) {
      std::vector<Send> sends;
      for (const Effect& e : p->out.effects()) {
        if (const auto* s = std::get_if<Send>(&e)) sends.push_back(*s);
      }
      p->out.clear();
      for (const Send& s : sends) {
        moved = true;
        if (p->cut_off || s.to != kCoord) continue;
        const Outbox replies = f.Deliver(now, p->id, s.msg);
        for (const auto& e : replies.effects()) {
          const auto* r = std::get_if<Send>(&e);
          if (r == nullptr) continue;
          for (Peer* q : peers) {
            if (q->id == r->to && !q->cut_off) q->client.OnMessage(kCoord, r->msg, now, q->out);
          }
        }
      }
      p->client.CheckInvariants();
    }
  }
}

// Fires a peer's timer and pumps.
inline void Fire(CoordFixture& f, Time now, Peer& p, TimerId timer,
                 const std::vector<Peer*>& peers) {
  EXPECT_TRUE(p.client.OnTimer(timer, now, p.out));
  Pump(f, now, peers);
}

}  // namespace pg::testing
