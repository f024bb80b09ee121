// A delayed message stalls its rDSN session (RpcSession): between two nodes, a node's requests
// ride one TCP connection and its replies another, each delivered in order, so what the sender
// sends next on the same session waits behind the delayed one while its other session, and every
// other link, flows. A crashed process's connections close: its next incarnation's messages ride
// new sessions that nothing stalls, while what the old ones held still arrives.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "sim/kernel/cluster.h"
#include "tests/sim/test_nodes.h"
#include "tests/support/sim_time.h"

namespace pg::sim {
namespace {

using pg::testing::At;
using testing::AddScripted;
using testing::FixedLink;
using testing::Journal;
using testing::MakePing;

struct Arrival {
  Time at;
  std::string what;  // "ping N" or the message's name
};

// n/0 sends Ping 0 at every boot and, 10 ms later, Ping 1 (a request) and a BeaconAck (a reply:
// the other session) to n/1. Links take exactly 10 ms.
struct SessionPair {
  SessionPair() : cluster({.seed = 7, .default_link = FixedLink(10)}) {
    auto script = [](const NodeEnv&, Time, const Input& in, Outbox& out) {
      if (std::holds_alternative<Boot>(in)) {
        out.Send(NodeId(1), MakePing(0));
        out.SetTimer(TimerId(1), Millis(10));
      } else if (std::holds_alternative<TimerFired>(in)) {
        out.Send(NodeId(1), MakePing(1));
        out.Send(NodeId(1), BeaconAck{});
      }
    };
    ids = AddScripted(cluster, &journal, {script, nullptr});
    cluster.SetEventObserver([this](uint64_t, Time at, NodeId node, const Input& in) {
      const auto* r = std::get_if<Receive>(&in);
      if (r == nullptr || node != ids[1]) return;
      if (const auto p = Unhost<Ping>(r->msg)) {
        arrivals.push_back({at, "ping " + std::to_string(p->seq)});
      } else {
        arrivals.push_back({at, std::string(MessageName(r->msg))});
      }
    });
  }
  // Holds what n/0 sends to n/1 until `until`, for messages departing in [0, 5 ms): Ping 0 only.
  void HoldFirstPingUntil(int64_t until_ms) {
    const DelayId id = cluster.AddDelay({.from = ids[0], .to = ids[1], .hold_until = At(until_ms)});
    cluster.Schedule(At(5), "end delay", [id](Cluster& c) { c.EndDelay(id); });
  }
  Cluster cluster;
  Journal journal;
  std::vector<NodeId> ids;
  std::vector<Arrival> arrivals;
};

TEST(SessionStall, ALaterRequestWaitsBehindAHeldOne) {
  SessionPair p;
  p.HoldFirstPingUntil(200);
  p.cluster.Start();
  p.cluster.RunUntil(At(400));
  ASSERT_EQ(p.arrivals.size(), 3u);
  // The reply rides the other session: on time, at 10 + 10 ms.
  EXPECT_EQ(p.arrivals[0].what, "BeaconAck");
  EXPECT_EQ(p.arrivals[0].at, At(20));
  // Ping 1 would have arrived at 20 ms; it waits for Ping 0, held until 200 (+10 on the wire).
  EXPECT_EQ(p.arrivals[1].what, "ping 0");
  EXPECT_EQ(p.arrivals[1].at, At(210));
  EXPECT_EQ(p.arrivals[2].what, "ping 1");
  EXPECT_EQ(p.arrivals[2].at, At(210));
}

TEST(SessionStall, WithoutADelayNothingWaits) {
  SessionPair p;
  p.cluster.Start();
  p.cluster.RunUntil(At(400));
  ASSERT_EQ(p.arrivals.size(), 3u);
  EXPECT_EQ(p.arrivals[0].what, "ping 0");
  EXPECT_EQ(p.arrivals[0].at, At(10));
  EXPECT_EQ(p.arrivals[1].at, At(20));
  EXPECT_EQ(p.arrivals[2].at, At(20));
}

TEST(SessionStall, ARestartedProcessTalksOnNewSessions) {
  SessionPair p;
  p.HoldFirstPingUntil(200);
  p.cluster.Start();
  // The process dies before its timer: its kernel still sends the held Ping 0 at 200.
  p.cluster.Schedule(At(6), "crash", [&p](Cluster& c) { c.Crash(p.ids[0], CrashMode::kProcess); });
  p.cluster.Schedule(At(50), "restart", [&p](Cluster& c) { c.Restart(p.ids[0]); });
  p.cluster.RunUntil(At(400));
  ASSERT_EQ(p.arrivals.size(), 4u);
  // The new incarnation's Ping 0 (sent at 50) and Ping 1 (at 60) are not stalled behind the old
  // session's held Ping 0, which arrives last.
  EXPECT_EQ(p.arrivals[0].what, "ping 0");
  EXPECT_EQ(p.arrivals[0].at, At(60));
  EXPECT_EQ(p.arrivals[1].at, At(70));
  EXPECT_EQ(p.arrivals[2].at, At(70));
  EXPECT_EQ(p.arrivals[3].what, "ping 0");
  EXPECT_EQ(p.arrivals[3].at, At(210));
}

}  // namespace
}  // namespace pg::sim
